"""Claim-extraction benchmark: claims from the 10 papers retrieved for a research question.

Usage: python benchmarks/extract_bench.py [--question-index 0] [--questions FILE] [--home DIR] [--papers 10]
                                          [--llm] [--chat-model NAME] [--show 8]
The corpus must be ingested first (see ingest_bench.py or `synth corpus add`).

Times extractive extraction (target: <= 10 s for 10 papers on 2 CPU cores) and, with --llm, LM
extraction with the configured chat model (target: <= 120 s with the 1.5B GGUF). Retrieval of the
papers is timed apart and not counted. The LM's prompt and generated tokens are reported too,
because on a shared machine the wall time says as much about the neighbours as about synth; the
`llm_nominal_s` figure converts them to time at the stated rates for the 1.5B model on 2 free
cores (50 tokens/s prefill, 12 tokens/s generation), counting the prompt prefix that llama.cpp
reuses between papers only once. Prints the claims, then ends with one JSON line of figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUESTIONS = ROOT.parent / "shared" / "eval" / "questions_dev.jsonl"
PREFILL_TPS, DECODE_TPS = 50.0, 12.0  # the 1.5B Q4_K_M model on 2 free CPU cores


def load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--question-index", type=int, default=0)
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--papers", type=int, default=10)
    parser.add_argument("--llm", action="store_true", help="also time LM extraction with the chat model")
    parser.add_argument("--chat-model", default=None, help="registry name of the chat model (default: settings)")
    parser.add_argument("--show", type=int, default=8, help="claims printed per mode")
    args = parser.parse_args()
    if args.home:
        os.environ["SYNTH_HOME"] = str(args.home)

    from synth.claims.extract import extract_claims
    from synth.retrieve import open_retriever
    from synth.settings import load_settings

    overrides = {"models.chat": args.chat_model} if args.chat_model else {}
    settings = load_settings(**overrides)
    retriever = open_retriever(settings)
    if retriever.catalog.stats()["documents"] == 0:
        print("corpus is empty: run `synth corpus add ../shared/corpus/papers` first", file=sys.stderr)
        return 2
    questions = [json.loads(line) for line in args.questions.read_text().splitlines() if line.strip()]
    question = questions[args.question_index]["question"]
    retriever.warm_up()  # model load is a one-off per process, not extraction time

    start = time.perf_counter()
    docs = [d.doc_id for d in retriever.search_documents(question, k=args.papers)]
    retrieve_s = time.perf_counter() - start
    print(f"question: {question}\n{len(docs)} papers in {retrieve_s:.2f} s: {' '.join(docs)}")

    start = time.perf_counter()
    extractive = extract_claims(question, docs, retriever, settings, mode="extractive")
    extractive_s = time.perf_counter() - start
    _show("extractive", extractive, args.show)
    figures: dict[str, object] = {
        "papers": len(docs),
        "retrieve_s": round(retrieve_s, 2),
        "extractive_s": round(extractive_s, 2),
        "claims": len(extractive.claims),
        "candidates": extractive.stats.candidates,
        "mean_relevance": _mean([c.relevance for c in extractive.claims]),
    }

    if args.llm:
        from synth.claims.extract.llm import render_prompt, shown_sentences
        from synth.claims.extract.paper import indexed_paper
        from synth.claims.extract.pipeline import claims_per_call
        from synth.llm import make_chat_model

        start = time.perf_counter()
        chat = make_chat_model(settings)
        load_s = time.perf_counter() - start
        start = time.perf_counter()
        llm = extract_claims(question, docs, retriever, settings, mode="llm", chat_model=chat, retriever=retriever)
        llm_s = time.perf_counter() - start
        _show(f"llm ({llm.model})", llm, args.show)
        stats = llm.stats
        prompts = []
        for doc_id in docs:
            paper = indexed_paper(retriever.catalog, doc_id)
            if paper is not None:
                prompts.append(
                    render_prompt(question, paper, shown_sentences(paper), claims_per_call(settings, len(docs)))
                )
        shared = _shared_prefix_fraction(prompts)
        reused = int(stats.input_tokens * shared * (len(prompts) - 1) / max(1, len(prompts)))
        figures.update({
            "llm_model": llm.model,
            "llm_load_s": round(load_s, 2),
            "llm_s": round(llm_s, 2),
            "llm_claims": len(llm.claims),
            "llm_calls": stats.llm_calls,
            "malformed_dropped": stats.malformed_dropped,
            "ungrounded_dropped": stats.ungrounded_dropped,
            "prompt_tokens": stats.input_tokens,
            "output_tokens": stats.output_tokens,
            "llm_nominal_s": round((stats.input_tokens - reused) / PREFILL_TPS + stats.output_tokens / DECODE_TPS, 1),
            "llm_mean_relevance": _mean([c.relevance for c in llm.claims]),
        })  # fmt: skip
    figures["load_average"] = load_average()
    print(json.dumps(figures))
    return 0


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 3) if present else None


def _shared_prefix_fraction(prompts: list[str]) -> float:
    """Share of a prompt that is the same for every paper (question and instructions): llama.cpp keeps it cached."""
    if len(prompts) < 2:
        return 0.0
    prefix = os.path.commonprefix(prompts)
    return len(prefix) / (sum(len(p) for p in prompts) / len(prompts))


def _show(label: str, result, limit: int) -> None:  # noqa: ANN001
    stats = result.stats
    print(f"\n== {label}: {len(result.claims)} claims from {stats.candidates} candidates "
          f"({stats.timings.get('total_s', 0):.2f} s; dropped: {stats.first_person_dropped} first person, "
          f"{stats.duplicates_dropped} duplicates, {stats.below_relevance} off-topic, "
          f"{stats.malformed_dropped} malformed, {stats.ungrounded_dropped} ungrounded)")  # fmt: skip
    for claim in result.claims[:limit]:
        prov = claim.provenance
        print(f"  {claim.relevance or 0:.2f} {prov.doc_id} p.{prov.page} [{claim.kind.value}] {claim.text[:150]}")


if __name__ == "__main__":
    sys.exit(main())
