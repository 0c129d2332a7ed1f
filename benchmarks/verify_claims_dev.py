"""The verifier on realistic ML-paper claims: `../shared/eval/claims_dev.jsonl`, cross-validated by paper.

Runs `synth eval verify --format claims-dev --cv 5` (evidence retrieved from the corpus paper, as an
audit does) and `--format claims-dev-gold` (the gold sentence given, to tell retrieval errors from
decision errors), without the LM judge and, with `--judge`, with it. Each figure is held out by
paper: the label model that scores a paper's claims was fitted without them.

Usage: python benchmarks/verify_claims_dev.py [--judge] [--limit N]
The corpus must be ingested first (`synth corpus add ../shared/corpus/papers`).
Prints one line per run, then one JSON line with all figures.

Targets (issue 12): 3-way balanced accuracy >= 0.85, REFUTED recall >= 0.85, recall >= 0.70 on every
error type, ECE <= 0.05, with the default install and with the LM checks.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "eval" / "claims_dev.jsonl"


def run(fmt: str, judge: bool, limit: int | None) -> dict:
    cmd = [sys.executable, "-m", "synth", "eval", "verify", "--data", str(DATA), "--format", fmt, "--cv", "5", "-q",
           "--judge" if judge else "--no-judge"]  # fmt: skip
    if limit:
        cmd += ["--limit", str(limit)]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.strip().splitlines()[-1:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["wall_s"] = round(time.perf_counter() - start, 1)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judge", action="store_true", help="Also run with the LM judge (llama.cpp, slow).")
    parser.add_argument("--limit", type=int, default=None, help="Stratified sample of this many claims.")
    args = parser.parse_args()
    if not DATA.is_file():
        print(f"{DATA} not found: the shared dev data sits at ../shared", file=sys.stderr)
        return 2
    out: dict[str, dict] = {}
    for judge in (False, True) if args.judge else (False,):
        for fmt in ("claims-dev", "claims-dev-gold"):
            name = f"{'retrieved' if fmt == 'claims-dev' else 'gold'}{'+judge' if judge else ''}"
            f = run(fmt, judge, args.limit)
            cv = f["cv"]
            out[name] = {
                "n": f["n"], "balanced_accuracy_cv": cv["balanced_accuracy"],
                "refuted_recall_cv": cv["recall"]["REFUTED"], "ece_cv": cv["ece"], "recall_cv": cv["recall"],
                "error_type_recall_cv": cv["error_type_recall"], "shipped_model": f["model"],
                "balanced_accuracy_shipped": f["balanced_accuracy"], "ece_shipped": f["ece"],
                "pairs_per_s": f["pairs_per_s"], "wall_s": f["wall_s"],
            }  # fmt: skip
            print(
                f"{name}: cv balanced accuracy {cv['balanced_accuracy']:.3f}, REFUTED recall "
                f"{cv['recall']['REFUTED']:.3f}, ECE {cv['ece']:.3f}; per type {cv['error_type_recall']}"
            )
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
