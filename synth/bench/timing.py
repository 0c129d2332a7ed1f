"""The one timing loop of every backend: warm-up, timed repetitions, peak memory, traces → `Measurements`.

Two backends' numbers compare only if they count the same things: which runs
are untimed, what one repetition covers, which tokens a rate divides and over
what time, when memory is sampled. So that lives here once, and a backend
supplies only what differs: how it generates one unit of work (a batch, or a
prompt) into traces, and how it turns tokens back into text for pass@k.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from synth.bench.scoring import answer_texts, score_code
from synth.core.bench_result import BenchResult, Measurements, Stat
from synth.core.bench_spec import BenchSpec

if TYPE_CHECKING:
    from synth.bench.decode import Trace

Unit = TypeVar("Unit")
# One unit's traces and its final divisor: the samples behind one answer a user gets (SC: n, else 1).
Generated = tuple[list["Trace"], int]
# (unit, sampling-seed offset) → what it generated; the offset keeps sampled runs reproducible per spec.
Generate = Callable[[Unit, int], Generated]

WARMUP_SEED_OFFSET = 1000
REPETITION_SEED_STRIDE = 7919  # a prime, so no repetition reuses another's seeds


@dataclass
class RunStats:
    """Timings of one repetition over the whole prompt set."""

    prompt_tokens: int = 0
    prefill_s: float = 0.0
    answer_tokens: int = 0  # tokens of every generated stream that is an answer
    final_tokens: int = 0  # tokens of the answers a user gets (SC: one per prompt)
    decode_tokens: int = 0
    decode_s: float = 0.0
    total_s: float = 0.0
    ttfts: list[float] = field(default_factory=list)
    steps: list[float] = field(default_factory=list)
    forward_calls: int = 0  # target-model decode steps (speculation emits several tokens per step)


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[idx]


def measurements_from(runs: list[RunStats]) -> Measurements:
    steps = [s for r in runs for s in r.steps]
    return Measurements(
        decode_tokens_per_s=Stat.of([r.decode_tokens / r.decode_s for r in runs if r.decode_s > 0]),
        prefill_tokens_per_s=Stat.of([r.prompt_tokens / r.prefill_s for r in runs if r.prefill_s > 0]),
        ttft_s=Stat.of([statistics.fmean(r.ttfts) for r in runs if r.ttfts]),
        end_to_end_tokens_per_s=Stat.of([r.answer_tokens / r.total_s for r in runs if r.total_s > 0]),
        per_sample_tokens_per_s=Stat.of([r.final_tokens / r.total_s for r in runs if r.total_s > 0]),
        token_latency_p50_s=_percentile(steps, 0.5),
        token_latency_p95_s=_percentile(steps, 0.95),
        prompt_tokens=runs[-1].prompt_tokens if runs else None,
        generated_tokens=runs[-1].answer_tokens if runs else None,
        tokens_per_step=_tokens_per_step(runs),
    )


def _tokens_per_step(runs: list[RunStats]) -> float | None:
    calls = sum(r.forward_calls for r in runs)
    return round(sum(r.answer_tokens for r in runs) / calls, 3) if calls else None


def add_traces(stats: RunStats, traces: list[Trace], final_divisor: int = 1) -> None:
    for tr in traces:
        tokens = sum(len(a) for a in tr.answers)
        stats.prompt_tokens += tr.prompt_tokens
        stats.prefill_s += tr.ttft_s
        stats.ttfts.append(tr.ttft_s)
        stats.answer_tokens += tokens
        stats.decode_tokens += max(0, tokens - len(tr.answers))
        stats.decode_s += max(0.0, tr.total_s - tr.ttft_s)
        stats.total_s += tr.total_s
        stats.steps.extend(tr.step_s)
        stats.forward_calls += tr.forward_calls
    stats.final_tokens += sum(sum(len(a) for a in tr.answers) for tr in traces) // max(1, final_divisor)


def measure(
    spec: BenchSpec,
    settings: Any,
    result: BenchResult,
    units: Sequence[Unit],
    generate: Generate[Unit],
    *,
    decode: Callable[[list[int]], str],
    problems: Sequence[Any],
    memory_device: str,
    seeds_per_unit: int = 1,
    unit_name: str = "batches",
) -> None:
    """Time `units` as the spec asks and put the measurements (and, for pass@k, the scores) on `result`.

    Speed runs: `spec.warmup` untimed passes, then `spec.repetitions` timed passes, one `Stat` value each.
    pass@k runs generate once (a second pass would only repeat the samples), so each unit is one timing
    sample of the spread, and its answers are scored against `problems` (one per final answer, in order).
    `memory_device` is where the backend's allocations are visible (llama.cpp's never are to torch.cuda).
    """
    from synth.bench.consistency import picker_for
    from synth.bench.memory import PeakMemory

    code = spec.prompts.kind != "synthetic"
    if not code:
        for w in range(spec.warmup):
            for unit in units:
                generate(unit, WARMUP_SEED_OFFSET + w)
    picker = picker_for(settings)
    runs: list[RunStats] = []
    texts: list[str] = []
    with PeakMemory(memory_device) as peak:
        for rep in range(1 if code else spec.repetitions):
            stats = RunStats()
            for i, unit in enumerate(units):
                traces, divisor = generate(unit, rep * REPETITION_SEED_STRIDE + i * seeds_per_unit)
                add_traces(stats, traces, divisor)
                if code:
                    texts.extend(answer_texts(spec, traces, divisor, decode, picker))
                    runs.append(stats)
                    stats = RunStats()
            if not code:
                runs.append(stats)
    m = measurements_from(runs)
    m.model_memory_mb = result.measurements.model_memory_mb if result.measurements else None
    m.peak_memory_mb, m.peak_memory_kind = peak.peak_mb, peak.kind  # type: ignore[assignment]
    result.measurements = m
    if code:
        score_code(spec, list(problems), texts, result)
        result.notes.append(
            f"pass@k run: one generation of {len(problems)} samples; throughput spread is over {unit_name}"
        )
