"""Parse-and-chunk time per MB of a Markdown document: ingest must be linear in document size.

Usage: python benchmarks/bench_chunking.py [--sizes 1,4,16] [--repeat 1]

Builds Markdown documents of the given sizes (MB) by repeating real prose from the shared corpus under one heading
(`../shared/corpus/papers`, the first pages of a few PDFs read with synth's own reader, so the
text holds the abbreviations, initials, figures and citations the sentence splitter must handle),
then times `synth.corpus.ingest.parse_file` (read, sections, chunking,
tables) on each: the work a worker process does before embedding. Embedding is left out: it is
linear by construction and would hide the parser. Issue 15's target: seconds per MB roughly
constant from 1 to 16 MB (`per_mb_growth`: seconds per MB at the largest size over that at the
smallest; about 1, not growing with size).
Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAPERS = ROOT.parent / "shared" / "corpus" / "papers"
CHUNKING = {"chunk_words": 250, "overlap_sentences": 1, "min_chunk_words": 25}
SAMPLE_PAPERS = ["2305.13245.pdf", "2505.01572.pdf", "2502.19732.pdf"]


def sample_prose() -> str:
    """About 100 KB of real paper text (a fixed stand-in paragraph set when ../shared is absent)."""
    from synth.corpus.readers import file_sha256, read_document

    parts: list[str] = []
    for name in SAMPLE_PAPERS:
        path = PAPERS / name
        if path.is_file():
            parsed = read_document(path, file_sha256(path))
            parts.extend(p.text for p in parsed.pages)
    if not parts:
        parts = ["We compare e.g. GQA vs. MHA (Ainslie et al., 2023) on T5-XXL. J. Smith reports 2.4x speed-up."] * 400
    # One paragraph per page with its line breaks flattened, so no heading is detected and the
    # whole document is one section: the worst case for anything that rescans the text.
    return "\n\n".join(" ".join(p.split()) for p in parts)


def build(size_mb: float, prose: str) -> str:
    """One heading, then prose in paragraphs: a single section, the parser's worst case."""
    target = int(size_mb * 1024 * 1024)
    out: list[str] = ["# A synthetic long document\n\n"]
    total = 0
    while total < target:
        out.append(prose + "\n\n")
        total += len(prose.encode()) + 2
    return "".join(out)[:target]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,4,16", help="Document sizes in MB, comma-separated.")
    parser.add_argument("--repeat", type=int, default=1, help="Timed runs per size (the best is kept).")
    args = parser.parse_args()
    from synth.corpus.ingest import parse_file
    from synth.corpus.readers import file_sha256

    prose = sample_prose()
    sizes = [float(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="synth-bench-chunking-") as tmp:
        for size in sizes:
            path = Path(tmp) / f"doc-{size:g}mb.md"
            path.write_text(build(size, prose), encoding="utf-8")
            digest = file_sha256(path)
            best = float("inf")
            chunks = 0
            for _ in range(args.repeat):
                start = time.perf_counter()
                parsed = parse_file(str(path), digest, CHUNKING)
                best = min(best, time.perf_counter() - start)
                chunks = len(parsed.chunks)
            row = {"mb": size, "seconds": round(best, 2), "s_per_mb": round(best / size, 3), "chunks": chunks}
            rows.append(row)
            print(json.dumps(row), flush=True)
    per_mb = [r["s_per_mb"] for r in rows]
    summary = {
        "bench": "chunking",
        "sizes_mb": sizes,
        "seconds": [r["seconds"] for r in rows],
        "s_per_mb": per_mb,
        "per_mb_growth": round(per_mb[-1] / max(per_mb[0], 1e-9), 2),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
