"""Turn a spec's prompt set and technique into token rows the decode loop runs.

Each `Job` is one prompt: the ids with context, the ids without context (for
CAD), and the problem it came from (for pass@k). CoT and RAG are prompt
changes only, so their cost shows up as longer prompts and answers, exactly
as in the paper being re-measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from synth.core.bench_spec import BenchSpec
from synth.errors import UserError

# Deterministic filler for synthetic prompts of real models: code and prose, like a HumanEval prompt.
FILLER_TEXT = (
    "def moving_average(values: list[float], window: int) -> list[float]:\n"
    '    """Return the moving averages of `values` over `window` consecutive items.\n'
    "    The first window - 1 positions have no average and are skipped. Raise ValueError when\n"
    "    window is not positive or larger than the list.\n    >>> moving_average([1, 2, 3, 4], 2)\n"
    '    [1.5, 2.5, 3.5]\n    """\n'
    "Throughput of a language model is the number of tokens it generates per second; memory-bound\n"
    "decoding reads every weight once per step, so batching several streams shares that read.\n"
)


def cot_prefix() -> str:
    from synth.prompts import load_prompt

    return load_prompt("bench_synthetic_cot").render() + "\n"


@dataclass
class Job:
    with_context: list[int]
    without_context: list[int]
    problem: Any | None = None  # synth.bench.problems.Problem for HumanEval/MBPP
    text: str = ""


def _chat_ids(tokenizer: Any, text: str) -> list[int]:
    if getattr(tokenizer, "chat_template", None):
        ids = tokenizer.apply_chat_template(
            [{"role": "user", "content": text}], add_generation_prompt=True, tokenize=True
        )
        if isinstance(ids, dict) or hasattr(ids, "keys"):
            ids = ids["input_ids"]
        return list(ids)
    return list(tokenizer(text)["input_ids"])


def _filler_ids(tokenizer: Any, length: int) -> list[int]:
    ids: list[int] = []
    while len(ids) < length:
        ids += tokenizer(FILLER_TEXT, add_special_tokens=False)["input_ids"]
    return ids[:length]


def _random_ids(vocab: int, length: int, seed: int) -> list[int]:
    import torch

    g = torch.Generator().manual_seed(seed)
    low = min(100, vocab // 4)
    return torch.randint(low, max(low + 1, vocab - 100), (length,), generator=g).tolist()


def rag_passages(query: str, k: int, settings: Any) -> list[str]:
    """k passages from the synth corpus; the index must exist (fail closed, naming the command)."""
    from synth.retrieve import open_retriever

    if not (settings.index_dir / "catalog.sqlite").exists():
        raise UserError("RAG needs the corpus index: run `synth corpus add ../shared/corpus/papers` first")
    retriever = open_retriever(settings)
    if retriever.catalog.stats()["documents"] == 0:
        raise UserError("RAG needs a non-empty corpus: run `synth corpus add ../shared/corpus/papers` first")
    hits = retriever.search(query, k=k)
    if not hits:
        raise UserError("RAG retrieved no passage: the corpus index is empty; run `synth corpus add DIR`")
    return [h.text for h in hits[:k]]


def synthetic_jobs(spec: BenchSpec, tokenizer: Any | None, vocab: int, settings: Any) -> list[Job]:
    """Fixed-length synthetic prompts; the no-context stream of CAD keeps the last quarter (the 'instruction')."""
    t = spec.technique
    jobs: list[Job] = []
    extra: list[int] = []
    if t.name == "cot":
        extra = (
            tokenizer(cot_prefix(), add_special_tokens=False)["input_ids"] if tokenizer else _random_ids(vocab, 12, 99)
        )
    if t.name == "rag":
        if tokenizer is None:
            extra = _random_ids(vocab, 120 * t.rag_k, 98)
        else:
            passages = rag_passages("efficient code generation with small language models", t.rag_k, settings)
            extra = tokenizer("\n\n".join(passages) + "\n\n", add_special_tokens=False)["input_ids"]
    seed = spec.sampling.seed
    for length in spec.prompts.prompt_tokens:
        for i in range(spec.prompts.num_prompts):
            base = _filler_ids(tokenizer, length) if tokenizer else _random_ids(vocab, length, seed * 1000 + length + i)
            ids = extra + base
            keep = max(1, length // 4)
            jobs.append(Job(with_context=ids, without_context=base[-keep:]))
    return jobs


def code_jobs(spec: BenchSpec, tokenizer: Any, settings: Any) -> list[Job]:
    from synth.bench.problems import context_free_prompt, load_humaneval, load_mbpp, render_prompt

    p = spec.prompts
    problems = load_humaneval(p.limit) if p.kind == "humaneval" else load_mbpp(p.path, p.limit)
    t = spec.technique
    jobs = []
    for problem in problems:
        if t.name == "cot":
            text = render_prompt(problem, "cot")
        elif t.name == "rag":
            text = render_prompt(problem, "rag", rag_passages(problem.prompt[:500], t.rag_k, settings))
        else:
            text = render_prompt(problem, "plain")
        jobs.append(
            Job(
                with_context=_chat_ids(tokenizer, text),
                without_context=_chat_ids(tokenizer, context_free_prompt(problem)),
                problem=problem,
                text=text,
            )
        )
    return jobs


def batches(jobs: list[Job], batch_size: int) -> list[list[Job]]:
    """Groups of batch_size; a synthetic set smaller than the batch is repeated to fill it."""
    if not jobs:
        return []
    if len(jobs) < batch_size and jobs[0].problem is None:
        jobs = (jobs * batch_size)[:batch_size]
    return [jobs[i : i + batch_size] for i in range(0, len(jobs), batch_size)]
