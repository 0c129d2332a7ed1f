"""`synth report` benchmark: wall time on the 40-paper shared corpus with a warm index, and re-render time.

Usage: python benchmarks/bench_report.py [--questions FILE] [--all] [--llm] [--judge] [--measure off|auto]
                                         [--home DIR] [--keep DIR]

Targets (issue 5, 2 CPU cores): extractive claims with `--measure off` <= 60 s wall; with the 1.5B
LM (`--llm`: LM extraction, LM judge, LM synthesis and rubric judges) <= 5 minutes; re-render from
the run directory <= 3 s. Each report runs as the real CLI in a subprocess (process start and model
loading included); the corpus is ingested once first (untimed: "warm index"). Quality figures
come from the run itself and from the dev questions' relevant paper ids: the share of retrieved
papers and of claims that come from a relevant paper. Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEFAULT_QUESTIONS = SHARED / "eval" / "questions_dev.jsonl"
PAPERS = SHARED / "corpus" / "papers"


def synth(*args: str, env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "synth", *args], capture_output=True, text=True, env=env)
    return time.perf_counter() - start, proc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--all", action="store_true", help="Every dev question (default: the first).")
    parser.add_argument("--llm", action="store_true", help="LM extraction, judge, synthesis and rubric judges.")
    parser.add_argument("--judge", action="store_true", help="Extractive claims but the LM judge on.")
    parser.add_argument("--measure", default="off")
    parser.add_argument("--home", type=Path, default=None, help="Data dir (default: the settings').")
    parser.add_argument("--keep", type=Path, default=None, help="Keep the run directories here.")
    args = parser.parse_args()

    env = dict(os.environ)
    if args.home:
        env["SYNTH_HOME"] = str(args.home)
    _, proc = synth("corpus", "add", str(PAPERS), "-q", env=env)  # warm index: unchanged files are skipped
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return 1
    rows = [json.loads(line) for line in args.questions.read_text().splitlines() if line.strip()]
    rows = rows if args.all else rows[:1]
    out_root = args.keep or Path(tempfile.mkdtemp(prefix="bench-report-"))
    mode = (
        ["--mode", "llm", "--judge"]
        if args.llm
        else ["--mode", "extractive", "--judge" if args.judge else "--no-judge"]
    )
    results = []
    for i, row in enumerate(rows):
        run_dir = out_root / f"q{i}"
        wall, proc = synth(
            "report", row["question"], "--no-arxiv", "--measure", args.measure, "--format", "md,html,json,txt",
            "-o", str(run_dir), "-q", *mode, env=env,
        )  # fmt: skip
        if proc.returncode != 0:
            print(f"question {i} failed: {proc.stderr.strip()[-400:]}", file=sys.stderr)
            return 1
        render_wall, rproc = synth("render", str(run_dir), "-q", env=env)
        assert rproc.returncode == 0, rproc.stderr
        run = json.loads((run_dir / "run.json").read_text())
        relevant = set(row.get("relevant_ids", []))
        papers = [p["doc_id"] for p in run["retrieval"]["papers"]]
        claims = run["claims"]
        from_relevant = sum(1 for c in claims if c["claim"]["provenance"]["doc_id"] in relevant)
        supported = sum(1 for c in claims if c["verdict"] and c["verdict"]["label"] == "SUPPORTED")
        figures = {
            "question": row["question"][:80], "wall_s": round(wall, 1), "render_s": round(render_wall, 2),
            "stages_s": run["timings"], "claims": len(claims), "supported": supported,
            "quality": run["review"]["score"], "quality_std": run["review"]["std"],
            "reviewers": {r["reviewer"]: r["score"] for r in run["review"]["reviews"]},
            "retrieved_relevant": round(len(relevant & set(papers)) / max(1, len(papers)), 2) if relevant else None,
            "claims_from_relevant": round(from_relevant / max(1, len(claims)), 2) if relevant else None,
            "synthesis": run["synthesis"]["method"],
        }  # fmt: skip
        results.append(figures)
        print(json.dumps(figures))
    walls = [r["wall_s"] for r in results]
    renders = [r["render_s"] for r in results]
    target = 300.0 if args.llm else 60.0
    summary = {
        "mode": "llm" if args.llm else ("extractive+judge" if args.judge else "extractive"), "measure": args.measure,
        "questions": len(results), "wall_s_max": max(walls), "wall_s_mean": round(sum(walls) / len(walls), 1),
        "render_s_max": max(renders),
        "claims_from_relevant_mean": round(
            sum(r["claims_from_relevant"] or 0 for r in results) / len(results), 2),
        "quality_mean": round(sum(r["quality"] for r in results) / len(results), 2),
        "load_average": round(os.getloadavg()[0], 2),
        "targets": {f"wall<={target:.0f}s": max(walls) <= target, "render<=3s": max(renders) <= 3},
    }  # fmt: skip
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
