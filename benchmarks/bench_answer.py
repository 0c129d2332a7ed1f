"""Answer completeness: vital-nugget recall of `synth report`'s answer and figures on the dev questions.

Usage: python benchmarks/bench_answer.py [--llm] [--questions N] [--home DIR] [--keep DIR]

`../shared/eval/questions_dev_nuggets.jsonl` lists, for each dev question, the facts an expert
answer must contain (`vital` or `okay`), each with regex `keys`; a nugget is present when every
key matches (case-insensitive). What is scored is what the report *answers*: the top-level
`answer` of report.json and its `figures` records (method, value, conditions and the quoted source
sentence of each), never the appendix that lists every claim. `vital_recall_answer` scores the
answer alone. Also printed: the share of claims whose paper is one of the question's relevant
papers (`questions_dev.jsonl`), the claims the quality gates would reject (flattened table rows,
hypotheticals, pronoun subjects, caption fragments: should be 0), the answer-completeness reviewer's
score and the panel's with their Spearman correlation with the recall, and the wall time of each report
(real CLI in a subprocess, warm index, `--measure off`, arXiv off).

With five questions a correlation across questions is mostly noise, so the panel is also tested where the
Answer is the only thing that changes: each report's run is re-reviewed with its Answer cut to its first k
bullets (k = n ... 1, reports with 3 or more bullets; k = 0 is left out, since a run without an Answer is
one written before the Answer existed and is not scored), and the Spearman correlation of the panel's
score with the vital recall of that Answer is taken per question (`ablation_spearman_panel`, the mean over
questions; the relevance reviewer, which reads the claims, and any LM rubric judge keep their scores from
the report). Targets (issue 14): extractive
vital recall >= 0.60, on-topic claims >= 0.95, wall <= 60 s; with the 1.5B LM (`--llm`) recall >= 0.70,
wall <= 300 s. Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
NUGGETS = SHARED / "eval" / "questions_dev_nuggets.jsonl"
QUESTIONS = SHARED / "eval" / "questions_dev.jsonl"
PAPERS = SHARED / "corpus" / "papers"


def synth(*args: str, env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "synth", *args], capture_output=True, text=True, env=env)
    return time.perf_counter() - start, proc


def present(nugget: dict[str, Any], text: str) -> bool:
    return all(re.search(key, text, re.I) for key in nugget["keys"])


def figures_text(figures: list[dict[str, Any]]) -> str:
    """What a reader of the figures table sees: every field but file paths and numbers kept as floats."""
    skip = {"value", "low", "high", "doc_id", "claim"}
    return "\n".join(
        " ".join(str(v) for k, v in f.items() if k not in skip and v not in (None, "", [])) for f in figures
    )


def spearman(xs: list[float], ys: list[float]) -> float | None:
    """Rank correlation (ties averaged); None under three points or with a constant side."""
    import numpy as np

    if len(xs) < 3 or len(set(xs)) < 2 or len(set(ys)) < 2:
        return None

    def ranks(values: list[float]) -> np.ndarray:
        order = sorted(range(len(values)), key=lambda i: values[i])
        out = np.empty(len(values))
        for v in set(values):
            tied = [order.index(i) for i in range(len(values)) if values[i] == v]
            for i in range(len(values)):
                if values[i] == v:
                    out[i] = sum(tied) / len(tied)
        return out

    return round(float(np.corrcoef(ranks(xs), ranks(ys))[0, 1]), 3)


def mean_of(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return round(sum(kept) / len(kept), 3) if kept else None


def ablation(run_dir: Path, vital: list[dict[str, Any]]) -> tuple[float | None, float | None]:
    """Spearman of the panel's (and the answer reviewer's) score with the Answer's vital recall as the Answer
    loses its bullets from the end: does the panel see an answer that says less?"""
    from synth.core.run import ReportRun
    from synth.review.panel import aggregate, review_report
    from synth.synthesize.answer import answer_bullets

    run = ReportRun.model_validate_json((run_dir / "run.json").read_text())
    if run.synthesis is None or run.review is None or len(run.synthesis.answer) < 3:
        return None, None
    kept = [r for r in run.review.reviews if r.reviewer == "relevance" or r.kind == "lm"]
    full = list(run.synthesis.answer)
    panel, answer_scores, recalls = [], [], []
    for k in range(len(full), 0, -1):
        run.synthesis.answer = full[:k]
        reviews = [r for r in review_report(run).reviews if r.reviewer != "relevance"] + kept
        panel.append(aggregate(reviews).score)
        answer_scores.append(next((r.score or 0.0 for r in reviews if r.reviewer == "answer"), 0.0))
        text = answer_bullets(run.synthesis.answer)
        recalls.append(sum(1 for n in vital if present(n, text)) / max(1, len(vital)))
    return spearman(panel, recalls), spearman(answer_scores, recalls)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm", action="store_true", help="LM extraction, judge and synthesis (the 1.5B GGUF).")
    parser.add_argument("--questions", type=int, default=0, help="Only the first N questions (default: all).")
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
    rows = [json.loads(line) for line in NUGGETS.read_text().splitlines() if line.strip()]
    relevant = {
        r["question"]: set(r.get("relevant_ids", []))
        for r in (json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip())
    }
    rows = rows[: args.questions] if args.questions else rows
    out_root = args.keep or Path(tempfile.mkdtemp(prefix="bench-answer-"))
    mode = ["--mode", "llm", "--judge"] if args.llm else ["--mode", "extractive", "--no-judge"]
    from synth.claims.gates import claim_defect

    results = []
    for i, row in enumerate(rows):
        run_dir = out_root / f"q{i}"
        wall, proc = synth(
            "report", row["question"], "--no-arxiv", "--measure", "off", "--format", "json,md,html",
            "-o", str(run_dir), "-q", *mode, env=env,
        )  # fmt: skip
        if proc.returncode != 0:
            print(f"question {i} failed: {proc.stderr.strip()[-400:]}", file=sys.stderr)
            return 1
        report = json.loads((run_dir / "report.json").read_text())
        answer, figures = report.get("answer", ""), report.get("figures", [])
        vital = [n for n in row["nuggets"] if n["importance"] == "vital"]
        scored = answer + "\n" + figures_text(figures)
        hits = [n for n in vital if present(n, scored)]
        hits_answer = [n for n in vital if present(n, answer)]
        claims = report["claims"]
        ids = relevant.get(row["question"], set())
        on_topic = sum(1 for c in claims if c["claim"]["provenance"]["doc_id"] in ids)
        defects = [d for c in claims if (d := claim_defect(c["claim"]["text"]))]
        reviews = {r["reviewer"]: r["score"] for r in report["review"]["reviews"]}
        result = {
            "question": row["question"][:70], "wall_s": round(wall, 1), "vital": len(vital),
            "vital_found": len(hits), "vital_found_answer": len(hits_answer), "figures": len(figures),
            "claims": len(claims), "claims_from_relevant": round(on_topic / max(1, len(claims)), 2),
            "defective_claims": len(defects), "answer_review": reviews.get("answer"),
            "panel": report["review"]["score"], "missed": [n["text"][:60] for n in vital if n not in hits],
        }  # fmt: skip
        result["ablation_spearman_panel"], result["ablation_spearman_answer"] = ablation(run_dir, vital)
        results.append(result)
        print(json.dumps(result))
    vital_total = sum(r["vital"] for r in results)
    walls = [r["wall_s"] for r in results]
    claims_total = sum(r["claims"] for r in results)
    recall = sum(r["vital_found"] for r in results) / max(1, vital_total)
    on_topic = sum(r["claims_from_relevant"] * r["claims"] for r in results) / max(1, claims_total)
    recalls = [r["vital_found"] / max(1, r["vital"]) for r in results]
    target_recall, target_wall = (0.70, 300.0) if args.llm else (0.60, 60.0)
    summary = {
        "mode": "llm" if args.llm else "extractive", "questions": len(results),
        "vital_recall": round(recall, 3),
        "vital_recall_answer": round(sum(r["vital_found_answer"] for r in results) / max(1, vital_total), 3),
        "claims_from_relevant": round(on_topic, 3), "defective_claims": sum(r["defective_claims"] for r in results),
        "wall_s_mean": round(sum(walls) / len(walls), 1), "wall_s_max": max(walls),
        "spearman_answer_review_vs_recall": spearman([r["answer_review"] or 0.0 for r in results], recalls),
        "spearman_panel_vs_recall": spearman([r["panel"] for r in results], recalls),
        "ablation_spearman_panel": mean_of([r["ablation_spearman_panel"] for r in results]),
        "ablation_spearman_answer": mean_of([r["ablation_spearman_answer"] for r in results]),
        "load_average": round(os.getloadavg()[0], 2),
        "targets": {
            f"vital_recall>={target_recall}": recall >= target_recall, "claims_from_relevant>=0.95": on_topic >= 0.95,
            "no_defective_claims": all(r["defective_claims"] == 0 for r in results),
            f"wall<={target_wall:.0f}s": max(walls) <= target_wall,
        },
    }  # fmt: skip
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
