"""Retrieval benchmark: query latency (p50/p95 over 50 queries) and document recall@5 / MRR.

Usage: python benchmarks/retrieval_bench.py [--questions ../shared/eval/questions_dev.jsonl] [--home DIR]
The corpus must be ingested first (see ingest_bench.py or `synth corpus add`).
Prints a table, then one JSON line with the figures.

recall@5 is reported two ways because several dev questions have more than
five relevant papers: `recall_at_5` divides by min(5, |relevant|) (the
"capped" recall of BEIR, 1.0 when the top 5 are all relevant), and
`recall_at_5_raw` divides by |relevant|.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUESTIONS = ROOT.parent / "shared" / "eval" / "questions_dev.jsonl"

LATENCY_QUERIES = [
    "PagedAttention KV cache paging", "speculative decoding draft tree", "mixture of experts load balancing",
    "4-bit quantization finetuning memory", "chain of thought prompting arithmetic reasoning",
    "multi-query attention grouped query attention", "throughput of LLM serving systems", "draft model acceptance rate",
    "KV cache reuse across requests", "flash memory inference with limited DRAM", "self-consistency sampling",
    "reinforcement learning reasoning DeepSeek-R1", "disaggregated prefill and decode", "Medusa decoding heads",
    "long context sequence parallelism", "code generation HumanEval pass@1", "expert specialization shared experts",
    "offloading weights to CPU and disk", "multi-token prediction training objective",
    "hallucination verification questions",
    "continuous batching latency", "tree attention verification", "low-rank adapters paged optimizers",
    "least-to-most prompting", "plan and solve prompting zero-shot", "active prompting uncertainty",
    "memory fragmentation in KV cache", "GPU utilization during decoding", "token acceptance length speedup",
    "training compute of MoE models", "model-system co-design decoding cost", "heterogeneous pipelines CPU GPU",
    "parallel speculative decoding adaptive draft length", "cascades and speculative decoding",
    "hierarchical speculative decoding",
    "Strategic chain of thought", "data curation for code models", "FP8 training", "multi-head latent attention",
    "virtual memory for attention kernels", "RDMA KV cache transfer", "prefix caching", "evaluation on MT-bench",
    "GSM8K accuracy", "Vicuna 7B speedup", "NVMe offloading throughput", "batch size and throughput trade-off",
    "preemption and swapping of requests", "beam search memory sharing", "sparsity of feed-forward activations",
]  # fmt: skip


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[idx]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("-k", type=int, default=5)
    args = parser.parse_args()
    if args.home:
        os.environ["SYNTH_HOME"] = str(args.home)

    from synth.retrieve import open_retriever

    retriever = open_retriever()
    if retriever.catalog.stats()["documents"] == 0:
        print("corpus is empty: run `synth corpus add ../shared/corpus/papers` first", file=sys.stderr)
        return 2
    retriever.warm_up()

    latencies = []
    for query in LATENCY_QUERIES:
        start = time.perf_counter()
        retriever.search(query, k=10)
        latencies.append((time.perf_counter() - start) * 1000)

    questions = [json.loads(line) for line in args.questions.read_text().splitlines() if line.strip()]
    capped, raw, rr = [], [], []
    for item in questions:
        relevant = set(item["relevant_ids"])
        docs = [d.doc_id for d in retriever.search_documents(item["question"], k=max(args.k, 20))]
        top = docs[: args.k]
        found = len(relevant & set(top))
        capped.append(found / min(args.k, len(relevant)))
        raw.append(found / len(relevant))
        first = next((i + 1 for i, d in enumerate(docs) if d in relevant), None)
        rr.append(1.0 / first if first else 0.0)
        shown = min(args.k, len(relevant))
        print(f"{found}/{shown} relevant in top {args.k}  rr={rr[-1]:.2f}  {item['question'][:70]}")

    figures = {
        "queries": len(latencies),
        "query_p50_ms": round(statistics.median(latencies), 1),
        "query_p95_ms": round(percentile(latencies, 95), 1),
        "questions": len(questions),
        f"recall_at_{args.k}": round(statistics.mean(capped), 3),
        f"recall_at_{args.k}_raw": round(statistics.mean(raw), 3),
        "mrr": round(statistics.mean(rr), 3),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
