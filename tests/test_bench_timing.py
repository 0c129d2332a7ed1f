"""The one timing loop both backends run, driven by fake `generate` callables (no model, no llama.cpp)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from synth.bench.decode import Trace
from synth.core.bench_result import BenchResult, Measurements
from synth.core.bench_spec import BenchSpec, parse_specs

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`


def _spec(**kw: Any) -> BenchSpec:
    return parse_specs({"model": "x", "prompts": {"prompt_tokens": [8]}, **kw})[0]


def _trace(tokens: int, *, answers: int = 1, ttft: float = 0.5, total: float = 2.0, calls: int = 0) -> Trace:
    step = (total - ttft) / max(1, tokens - 1)
    return Trace(
        answers=[[7] * tokens for _ in range(answers)], prompt_tokens=8 * answers, ttft_s=ttft, total_s=total,
        step_s=[step] * (tokens - 1) * answers, forward_calls=calls or tokens, rows=answers,
    )  # fmt: skip


def _measure(spec: BenchSpec, units: list[Any], generate: Any, **kw: Any) -> BenchResult:
    from synth.bench.timing import measure

    result = BenchResult(spec=spec, status="ok", measurements=Measurements(model_memory_mb=12.5))
    kw = {"decode": lambda t: "x" * len(t), "problems": [], "memory_device": "cpu", **kw}
    measure(spec, None, result, units, generate, **kw)
    return result


def test_warmup_is_untimed_and_each_repetition_is_one_value() -> None:
    calls: list[tuple[str, int]] = []

    def generate(unit: str, offset: int) -> tuple[list[Trace], int]:
        calls.append((unit, offset))
        warm = len(calls) <= 4  # 2 warm-up passes over 2 units: 100 times slower, so they would show
        return [_trace(5, total=200.0 if warm else 2.0)], 1

    result = _measure(_spec(repetitions=3, warmup=2), ["a", "b"], generate)
    assert [o for _, o in calls] == [1000, 1000, 1001, 1001, 0, 1, 7919, 7920, 15838, 15839]
    m = result.measurements
    assert m is not None and m.end_to_end_tokens_per_s is not None and m.decode_tokens_per_s is not None
    assert m.end_to_end_tokens_per_s.n == 3 and m.end_to_end_tokens_per_s.values == [10 / 4.0] * 3
    assert m.per_sample_tokens_per_s.values == [10 / 4.0] * 3
    assert m.decode_tokens_per_s.values == [pytest.approx(8 / 3.0)] * 3  # after the first token: 4 of 1.5 s each
    assert m.prefill_tokens_per_s.values == [16 / 1.0] * 3 and m.ttft_s.mean == 0.5
    assert m.token_latency_p50_s == pytest.approx(0.375) and m.token_latency_p95_s == pytest.approx(0.375)
    assert (m.prompt_tokens, m.generated_tokens, m.tokens_per_step) == (16, 10, 1.0)
    assert m.model_memory_mb == 12.5 and m.peak_memory_kind == "rss_delta" and m.peak_memory_mb is not None
    assert m.pass_at is None and result.notes == []


def test_final_divisor_and_tokens_per_step() -> None:
    """SC(3): one answer per prompt counts, floored; speculation: tokens over target steps."""

    def generate(unit: str, offset: int) -> tuple[list[Trace], int]:
        return [_trace(4, calls=2), _trace(3, calls=2), _trace(3, calls=1)], 3

    m = _measure(_spec(repetitions=2, warmup=0), ["a"], generate).measurements
    assert m is not None and m.end_to_end_tokens_per_s is not None and m.per_sample_tokens_per_s is not None
    assert m.end_to_end_tokens_per_s.values == [10 / 6.0] * 2
    assert m.per_sample_tokens_per_s.values == [(10 // 3) / 6.0] * 2
    assert m.generated_tokens == 10 and m.tokens_per_step == round(20 / 10, 3)


def _humaneval_spec(**kw: Any) -> BenchSpec:
    base = {"model": "x", "prompts": {"kind": "humaneval", "limit": 2}, "repetitions": 3, "warmup": 2}
    return parse_specs({**base, **kw})[0]


def test_pass_at_k_runs_generate_once_and_score_every_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    from synth.bench import timing

    scored: list[tuple[list[Any], list[str]]] = []
    monkeypatch.setattr(timing, "score_code", lambda spec, problems, texts, result: scored.append((problems, texts)))
    calls: list[int] = []

    def generate(unit: list[int], offset: int) -> tuple[list[Trace], int]:
        calls.append(offset)
        return [_trace(n) for n in unit], 1  # one trace per answer: decode sees each

    def decode(tokens: list[int]) -> str:
        return f"{len(tokens)} tokens"

    result = _measure(_humaneval_spec(), [[3], [4]], generate, decode=decode, problems=["p0", "p1"])
    assert calls == [0, 1]  # no warm-up, one pass
    m = result.measurements
    assert m is not None and m.end_to_end_tokens_per_s is not None and m.end_to_end_tokens_per_s.n == 2
    assert scored == [(["p0", "p1"], ["3 tokens", "4 tokens"])]
    assert result.notes == ["pass@k run: one generation of 2 samples; throughput spread is over batches"]


def test_answer_texts_groups_samples_per_prompt_in_both_layouts() -> None:
    """SC(3) over 2 prompts: one batch of prompt-major rows, or 3 traces of one row per prompt; same answers."""
    from synth.bench.scoring import answer_texts

    longest = SimpleNamespace(pick=lambda texts: max(range(len(texts)), key=lambda i: len(texts[i])))

    def decode(tokens: list[int]) -> str:
        return "x" * tokens[0]

    batched = [Trace([[1], [3], [2], [1], [1], [2]], 0, 0.0, 0.0, [], 0, 6)]
    naive = [Trace([[a], [b]], 0, 0.0, 0.0, [], 0, 2) for a, b in ((1, 1), (3, 1), (2, 2))]
    sc = {"name": "self_consistency", "n": 3}
    assert answer_texts(_spec(technique=sc), batched, 3, decode, longest) == ["xxx", "xx"]
    assert answer_texts(_spec(technique={**sc, "implementation": "naive"}), naive, 3, decode, longest) == ["xxx", "xx"]
    assert answer_texts(_spec(), batched, 1, decode, longest) == ["x", "xxx", "xx", "x", "x", "xx"]


# --- the llama.cpp backend through the loop, on a fake Llama ---------------------------------------------


class FakeLlama:
    """What `run_llamacpp` uses of llama_cpp.Llama: byte tokens, and a stream that counts up from 10."""

    metadata: dict[str, str] = {}

    def __init__(self) -> None:
        self.seeds: list[int] = []
        self.generations = 0

    def tokenize(self, text: bytes, add_bos: bool = True, special: bool = False) -> list[int]:
        return ([1] if add_bos else []) + [b + 3 for b in text]

    def detokenize(self, tokens: list[int]) -> bytes:
        return bytes(t - 3 for t in tokens if t >= 3)

    def token_bos(self) -> int:
        return 1

    def token_eos(self) -> int:
        return 2

    def reset(self) -> None:
        return None

    def set_seed(self, seed: int) -> None:
        self.seeds.append(seed)

    def generate(self, prompt: list[int], **kw: Any) -> Iterator[int]:
        self.generations += 1
        yield from range(10, 10_000)


def _run_llamacpp(spec: BenchSpec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[BenchResult, FakeLlama]:
    from synth.bench import llamacpp_backend

    llm = FakeLlama()
    monkeypatch.setattr(llamacpp_backend, "_open", lambda *a: llm)
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"\0" * 2**20)
    result = BenchResult(spec=spec, status="ok")
    llamacpp_backend.run_llamacpp(spec, SimpleNamespace(path=gguf), "cpu", 1, None, result)
    return result, llm


def test_llamacpp_self_consistency_through_the_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _spec(
        backend="llamacpp", precision="gguf", technique={"name": "self_consistency", "n": 3, "implementation": "naive"},
        prompts={"prompt_tokens": [8], "num_prompts": 2}, generation={"max_new_tokens": 5},
        sampling={"mode": "sample", "seed": 0}, repetitions=2, warmup=1,
    )  # fmt: skip
    result, llm = _run_llamacpp(spec, tmp_path, monkeypatch)
    # Warm-up: the same work as a timed pass (2 prompts x 3 samples), then 2 timed passes.
    assert llm.generations == 6 + 12
    assert llm.seeds[6:12] == [0, 1, 2, 31, 32, 33] and llm.seeds[12:] == [7919, 7920, 7921, 7950, 7951, 7952]
    m = result.measurements
    assert m is not None and m.end_to_end_tokens_per_s is not None and m.per_sample_tokens_per_s is not None
    assert m.end_to_end_tokens_per_s.n == 2 and m.decode_tokens_per_s.n == 2
    assert (m.generated_tokens, m.prompt_tokens, m.tokens_per_step) == (2 * 3 * 5, 2 * 3 * 9, 1.0)
    for e2e, final in zip(m.end_to_end_tokens_per_s.values, m.per_sample_tokens_per_s.values, strict=True):
        assert final == pytest.approx(e2e / 3)  # one answer per prompt of SC(3)
    assert m.model_memory_mb == 1.0 and m.peak_memory_kind == "rss_delta"


def test_llamacpp_pass_at_k_scores_each_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from synth.bench import timing

    scored: list[tuple[list[Any], list[str]]] = []
    monkeypatch.setattr(timing, "score_code", lambda spec, problems, texts, result: scored.append((problems, texts)))
    spec = _humaneval_spec(backend="llamacpp", precision="gguf", generation={"max_new_tokens": 4})
    result, llm = _run_llamacpp(spec, tmp_path, monkeypatch)
    assert llm.generations == 2  # no warm-up, no repetition
    [(problems, texts)] = scored
    assert [p.task_id for p in problems] == ["HumanEval/0", "HumanEval/1"]
    assert texts == [bytes([7, 8, 9, 10]).decode()] * 2
    m = result.measurements
    assert m is not None and m.end_to_end_tokens_per_s is not None and m.end_to_end_tokens_per_s.n == 2
    assert result.notes[-1] == "pass@k run: one generation of 2 samples; throughput spread is over samples"
