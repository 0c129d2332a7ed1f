"""Verification benchmark: 20 claims verified against the shared corpus, end to end.

Claims are extracted (extractive mode) for the first dev questions until there
are 20, then each is verified: evidence retrieved (source paper first, then the
corpus, through the one verification path `verify_claim`), windows scored by the numeric checker, slot
alignment, MiniLM similarity and, when
llama-cpp-python and the 1.5B model are installed, the LM judge. The judge's
score cache is a fresh temp file, so every judge call is really computed.

Usage: python benchmarks/verify_bench.py [--home DIR] [--claims 20] [--no-judge]
The corpus must be ingested first (`synth corpus add ../shared/corpus/papers`).
Prints per-claim lines, then one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUESTIONS = ROOT.parent / "shared" / "eval" / "questions_dev.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--claims", type=int, default=20)
    parser.add_argument("--no-judge", action="store_true")
    args = parser.parse_args()
    if args.home:
        os.environ["SYNTH_HOME"] = str(args.home)

    from synth.claims.extract import extract_claims
    from synth.retrieve import open_retriever
    from synth.settings import load_settings
    from synth.verify.factory import build_verifier
    from synth.verify.service import EvidencePolicy, VerifyContext, verify_claim

    settings = load_settings()
    retriever = open_retriever(settings)
    retriever.warm_up()
    claims = []
    for line in QUESTIONS.read_text().splitlines():
        question = json.loads(line)["question"]
        docs = [d.doc_id for d in retriever.search_documents(question, k=5)]
        claims += extract_claims(question, docs, retriever, settings, mode="extractive").claims
        if len(claims) >= args.claims:
            break
    claims = claims[: args.claims]
    with tempfile.TemporaryDirectory() as tmp:
        settings.home = Path(tmp)  # fresh judge cache: every judge call is computed
        settings.home.joinpath("models").symlink_to(load_settings().models_dir)
        verifier, notes = build_verifier(settings, embedder=retriever.embedder, judge=not args.no_judge)
        for note in notes:
            print("note:", note)
        context = VerifyContext.of(verifier, retriever)
        if verifier.judge is not None:  # load the model outside the timed loop, as a warm server would
            verifier.judge.score("warm up", "warm up")
        labels: dict[str, int] = {}
        calls = 0
        start = time.perf_counter()
        for claim in claims:
            tick = time.perf_counter()
            source = claim.provenance.doc_id if claim.provenance else None
            policy = EvidencePolicy(source_doc_ids=frozenset({source} if source else ()),
                                    k=settings.verify.candidate_chunks)  # fmt: skip
            result = verify_claim(claim.text, policy, context)
            labels[result.label] = labels.get(result.label, 0) + 1
            calls += result.judge_calls
            print(f"{time.perf_counter() - tick:5.1f} s  {result.label:15s} {result.confidence:.2f}  {claim.text[:90]}")
        seconds = time.perf_counter() - start
    figures = {
        "claims": len(claims), "seconds": round(seconds, 1), "claims_per_s": round(len(claims) / seconds, 3),
        "judge_calls": calls, "judge_pairs_per_s": round(calls / seconds, 3) if calls else None,
        "checks": verifier.checker_names, "labels": labels, "cpu_count": os.cpu_count(),
    }  # fmt: skip
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
