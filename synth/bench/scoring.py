"""pass@k runs: one answer text per prompt, run in the sandbox and counted per problem.

Self-consistency draws n samples per prompt but a user gets one answer, so the
sample the others agree with most is the one scored; which rows belong to one
prompt depends only on how the samples were laid out (one batch of n·b rows,
or n sequential generations), not on the backend that produced them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from synth.core.bench_result import BenchResult
from synth.core.bench_spec import BenchSpec

if TYPE_CHECKING:
    from synth.bench.consistency import ConsistencyPicker
    from synth.bench.decode import Trace


def answer_texts(
    spec: BenchSpec, traces: list[Trace], divisor: int, decode: Callable[[list[int]], str], picker: ConsistencyPicker
) -> list[str]:
    """One answer text per prompt of `traces`; SC (divisor n) picks the most consistent of its n samples."""
    if divisor == 1:
        return [decode(a) for a in traces[0].answers]
    if spec.technique.implementation == "batched":
        flat = traces[0].answers  # rows are prompt-major: n consecutive samples per prompt
        per_prompt = [flat[i * divisor : (i + 1) * divisor] for i in range(len(flat) // divisor)]
    else:
        per_prompt = [[tr.answers[i] for tr in traces] for i in range(len(traces[0].answers))]
    out = []
    for samples in per_prompt:
        decoded = [decode(a) for a in samples]
        out.append(decoded[picker.pick(decoded)])
    return out


def score_code(spec: BenchSpec, problems: list[Any], texts: list[str], result: BenchResult) -> None:
    from synth.bench.passk import aggregate_pass_at_k
    from synth.bench.problems import build_program, extract_code
    from synth.bench.sandbox import run_many

    ev = spec.evaluation
    programs = [build_program(p, extract_code(p, t)) for p, t in zip(problems, texts, strict=True)]
    outcomes = run_many(programs, workers=ev.workers, timeout_s=ev.timeout_s, memory_mb=ev.memory_mb)
    per_task: dict[str, list[int]] = {}
    for p, o in zip(problems, outcomes, strict=True):
        n_c = per_task.setdefault(str(p.task_id), [0, 0])
        n_c[0] += 1
        n_c[1] += int(o.status == "passed")
    assert result.measurements is not None
    m = result.measurements
    m.pass_at = aggregate_pass_at_k([(n, c) for n, c in per_task.values()], ev.pass_at)
    m.problems = len(per_task)
    m.samples_per_problem = spec.sampling.samples_per_problem
    m.passed_samples = sum(c for _, c in per_task.values())
    result.samples = [{"task_id": k, "n": n, "passed": c} for k, (n, c) in per_task.items()]
