"""Measuring claims within a wall-clock budget: the one measure loop of `synth report` and `synth audit`.

Every distinct spec runs once (claims share arms), each in its own process
(synth.bench.launch), and each result is saved in `store` as soon as it exists,
so a resumed run never repeats a measurement. Speed and memory specs go first:
they take a minute or two each on 2 cores, while an accuracy (pass@k) run takes
ten or more; with `auto` a spec starts only if the budget left can hold a rough
estimate of it (`rough_seconds`), and its timeout is cut to what is left.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synth.core.bench_result import BenchResult
from synth.core.bench_spec import BenchSpec
from synth.core.measurement import EmpiricalCheck, MeasurementStage, MeasureMode
from synth.empirical.judge import judge, spec_key
from synth.empirical.run import plan_claims, unique_specs
from synth.io import atomic_write_text
from synth.settings import BenchSettings

_BENCH = BenchSettings()
Runner = Callable[[BenchSpec, float], BenchResult]


@dataclass
class Measured:
    """The checks per claim text, and the stage record: what was run, skipped and why."""

    stage: MeasurementStage
    checks: dict[str, list[EmpiricalCheck]] = field(default_factory=dict)


def file_key(spec: BenchSpec) -> str:
    return hashlib.sha1(spec_key(spec).encode()).hexdigest()[:16]


def _is_accuracy(spec: BenchSpec) -> bool:
    return spec.prompts.kind != "synthetic"


def rough_seconds(spec: BenchSpec, tokens_per_s: float = _BENCH.tokens_per_s) -> float:
    """A pessimistic guess of a spec's wall time at `tokens_per_s` (`bench.tokens_per_s`), to decide whether it
    fits the budget."""
    t = spec.technique
    streams = t.n if t.name == "self_consistency" else 2 if t.name == "cad" else 1
    if spec.prompts.kind == "synthetic":
        prompts = len(spec.prompts.prompt_tokens) * spec.prompts.num_prompts
        runs = spec.repetitions + spec.warmup
    else:
        prompts = (spec.prompts.limit or 164) * spec.sampling.samples_per_problem
        runs = 1
    tokens = prompts * runs * spec.generation.max_new_tokens * streams
    return 20.0 + tokens / tokens_per_s


def describe(spec: BenchSpec) -> str:
    t = spec.technique
    prompts = spec.prompts.kind if spec.prompts.kind != "synthetic" else "synthetic prompts"
    return f"{spec.model.name} {spec.precision} {t.name} ({prompts})"


def _default_runner(settings: Any) -> Runner:
    from synth.bench.launch import run_spec

    return lambda spec, timeout: run_spec(spec, settings, timeout_s=timeout)


def measure_within_budget(
    texts: Sequence[str],
    settings: Any,
    mode: MeasureMode,
    budget_s: float,
    store: Path,
    *,
    run: Runner | None = None,
    available: Any | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Measured:
    """Plan, run (within the budget, results kept in `store`) and judge the measurable claims `texts`."""
    out = Measured(MeasurementStage(mode=mode, budget_s=budget_s))
    stage = out.stage
    if mode == "off":
        if texts:
            stage.skipped.append(f"{len(texts)} measurable claim(s) not measured: --measure off")
        return out
    if not texts:
        stage.notes.append("no claim states a throughput, latency, memory or quantization figure to re-measure")
        return out
    from synth.empirical.availability import detect_availability

    config, bench = settings.empirical, settings.bench
    available = available if available is not None else detect_availability(settings)
    planned = plan_claims(list(texts), available, config)
    specs = unique_specs([plan for _, _, plan in planned])
    specs.sort(key=_is_accuracy)  # stable: speed and memory first, in first-needed order
    stage.planned = len(specs)
    runner = run or _default_runner(settings)
    results: dict[str, BenchResult] = {}
    started = time.perf_counter()
    store.mkdir(parents=True, exist_ok=True)
    for i, spec in enumerate(specs):
        path = store / f"{file_key(spec)}.json"
        if path.is_file():
            results[spec_key(spec)] = BenchResult.model_validate_json(path.read_text(encoding="utf-8"))
            stage.run += 1
            continue
        left = budget_s - (time.perf_counter() - started)
        timeout = spec.timeout_s
        if mode == "auto":
            if left < bench.min_spec_s or rough_seconds(spec, bench.tokens_per_s) > left:
                stage.skipped.append(f"{describe(spec)}: not run, {max(0.0, left):.0f} s of the "
                                   f"{budget_s:.0f} s --measure-budget left")  # fmt: skip
                continue
            timeout = min(timeout, left)
        if progress:
            progress(i, len(specs), describe(spec))
        result = runner(spec, timeout)
        atomic_write_text(path, result.model_dump_json(indent=1) + "\n")
        results[spec_key(spec)] = result
        stage.run += 1
    stage.spent_s = round(time.perf_counter() - started, 1)
    for text, part, plan in planned:
        here = [results[spec_key(s)] for s in plan.specs if spec_key(s) in results]
        verdict = judge(part, plan, here, config)
        if not plan.inconclusive_reason and len(here) < len(plan.specs):
            verdict = verdict.model_copy(update={"reason": "not measured: the --measure-budget ran out first"})
        check = EmpiricalCheck(claim_text=text, claim_id="", claim_type=part, plan=plan, results=here, verdict=verdict)
        out.checks.setdefault(text, []).append(check)
    stage.hardware = next((r.environment.describe() for r in results.values() if r.environment is not None), "")
    unplanned = sum(1 for text in texts if all(ch.plan.inconclusive_reason for ch in out.checks.get(text, [])))
    if unplanned:
        stage.notes.append(f"{unplanned} measurable claim(s) name setups the bundled runner cannot reproduce here")
    return out
