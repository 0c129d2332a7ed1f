"""Classify, plan, run and judge a list of claims, measuring each distinct spec once.

Claims from one paper share arms (every technique claim needs the same
vanilla run), so specs are deduplicated across claims before anything runs:
on 2 CPU cores a shared vanilla arm is minutes saved per claim. The runner is
injected (`run`), so tests and a dry run never start a model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from synth.core.bench_result import BenchResult
from synth.core.bench_spec import BenchSpec
from synth.core.claims import Claim, claim_id_for
from synth.core.measurement import ClaimType, EmpiricalCheck, ExperimentPlan
from synth.empirical.availability import Availability, detect_availability
from synth.empirical.classify import classify_claim_parts
from synth.empirical.judge import judge, spec_key
from synth.empirical.plan import plan_experiment
from synth.settings import EmpiricalSettings

Runner = Callable[[list[BenchSpec]], list[BenchResult]]


def unique_specs(plans: Sequence[ExperimentPlan]) -> list[BenchSpec]:
    """Every spec the plans need, once, in first-needed order."""
    seen: dict[str, BenchSpec] = {}
    for plan in plans:
        for spec in plan.specs:
            seen.setdefault(spec_key(spec), spec)
    return list(seen.values())


def plan_claims(
    claims: Sequence[Claim | str | Any],
    available: Availability,
    config: EmpiricalSettings | None = None,
) -> list[tuple[str, ClaimType, ExperimentPlan]]:
    """(claim text, part, plan) for every measurable part of every claim; pure."""
    config = config or EmpiricalSettings()
    out = []
    for claim in claims:
        text = claim if isinstance(claim, str) else claim.text
        for part in classify_claim_parts(text):
            out.append((text, part, plan_experiment(part, available, config)))
    return out


def check_claims(
    claims: Sequence[Claim | str | Any],
    settings: Any,
    run: Runner | None = None,
    dry_run: bool = False,
    config: EmpiricalSettings | None = None,
    available: Availability | None = None,
    progress: Callable[[BenchResult], None] | None = None,
) -> list[EmpiricalCheck]:
    """One check per measurable part of each claim (a claim can state throughput and memory).

    `claims` are Claim records, SeedClaims or plain sentences. `run` defaults to
    `synth.bench.launch.run_specs` (each spec in its own subprocess); it gets the
    deduplicated specs and must return one result per spec, in order.
    """
    config = config or EmpiricalSettings()
    available = available if available is not None else detect_availability(settings)
    planned = plan_claims(claims, available, config)
    specs = unique_specs([plan for _, _, plan in planned])
    results_by_key: dict[str, BenchResult] = {}
    if specs and not dry_run:
        if run is None:
            from synth.bench.launch import run_specs

            results = run_specs(specs, settings, progress=progress)
        else:
            results = run(specs)
        if len(results) != len(specs):
            raise RuntimeError(f"the runner returned {len(results)} results for {len(specs)} specs")
        results_by_key = {spec_key(s): r for s, r in zip(specs, results, strict=True)}
    checks = []
    for text, part, plan in planned:
        results_here = [results_by_key[spec_key(s)] for s in plan.specs if spec_key(s) in results_by_key]
        verdict = None if dry_run else judge(part, plan, results_here, config)
        checks.append(EmpiricalCheck(
            claim_text=text, claim_id=claim_id_for(text), claim_type=part, plan=plan, results=results_here,
            verdict=verdict,
        ))  # fmt: skip
    return checks
