"""Ingest benchmark: cold ingest of the shared PDFs (wall time, pages/s) and a warm re-ingest.

Usage: python benchmarks/ingest_bench.py [--papers ../shared/corpus/papers] [--keep DIR]
Runs the real `synth corpus add` in a subprocess against a fresh data dir, so
model loading, process start-up and the final BM25 build are all counted.
Prints a line per run, then one JSON line with the figures.
Targets (2-core machine): cold <= 120 s, warm <= 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAPERS = ROOT.parent / "shared" / "corpus" / "papers"


def timed_add(home: Path, papers: Path) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNTH_")} | {"SYNTH_HOME": str(home)}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "synth", "corpus", "add", str(papers), "-q"], env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"ingest failed: {proc.stderr.strip()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=Path, default=DEFAULT_PAPERS)
    parser.add_argument("--keep", type=Path, default=None, help="Use (and keep) this data dir instead of a temp one.")
    args = parser.parse_args()
    home = args.keep or Path(tempfile.mkdtemp(prefix="synth-bench-"))
    if args.keep and home.exists():
        shutil.rmtree(home)
    try:
        cold = timed_add(home, args.papers)
        warm = timed_add(home, args.papers)
        sys.path.insert(0, str(ROOT))
        from synth.corpus.catalog import Catalog

        stats = Catalog(home / "index" / "catalog.sqlite").stats()
    finally:
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    print(
        f"cold ingest: {stats['documents']} documents, {stats['pages']} pages, {stats['chunks']} chunks in {cold:.1f} s"
    )
    print(f"warm re-ingest (nothing changed): {warm:.2f} s")
    figures = {
        "documents": stats["documents"],
        "pages": stats["pages"],
        "chunks": stats["chunks"],
        "cold_ingest_s": round(cold, 1),
        "pages_per_s": round(stats["pages"] / cold, 1),
        "warm_reingest_s": round(warm, 2),
        "cpu_count": os.cpu_count(),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
