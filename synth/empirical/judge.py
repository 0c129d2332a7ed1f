"""Compare a claimed ratio or direction with the measured ratio of the two arms, noise included.

The paper's GPU is not this machine, so only ratios are compared, with a
tolerance (±25% by default) for what hardware changes about them. Noise is
the arms' spread over repetitions, propagated to the ratio: a measured ratio
outside the tolerance but within the noise is INCONCLUSIVE, not INCONSISTENT,
and a direction ("slower") counts only when the ratio clears both the noise
and a minimum effect. Anything that did not run is INCONCLUSIVE with the
runner's own reason. Pure: results in, verdict out.
"""

from __future__ import annotations

import math

from synth.core.bench_result import BenchResult, Environment, Stat
from synth.core.bench_spec import BenchSpec
from synth.core.measurement import (
    ClaimType,
    EmpiricalVerdict,
    ExperimentPlan,
    ExtraMeasurement,
    MeasuredRatio,
    MeasurementLabel,
)
from synth.settings import EmpiricalSettings

METRIC_NAMES = {
    "per_sample_tokens_per_s": "per-sample tokens/s",
    "end_to_end_tokens_per_s": "end-to-end tokens/s",
    "decode_tokens_per_s": "decode tokens/s",
    "peak_memory_mb": "peak memory MB",
    "model_memory_mb": "model memory MB",
    "pass_at": "pass@k",
}
_FALLBACK = {
    "per_sample_tokens_per_s": ("per_sample_tokens_per_s", "end_to_end_tokens_per_s", "decode_tokens_per_s"),
    "end_to_end_tokens_per_s": ("end_to_end_tokens_per_s", "decode_tokens_per_s"),
}


def spec_key(spec: BenchSpec) -> str:
    """Identity of a run: two claims needing the same spec share one measurement."""
    return spec.model_dump_json()


def hardware_of(env: Environment | None) -> str:
    return env.describe() if env is not None else ""


RSS_RESOLUTION_MB = 8.0


def _arm_name(spec: BenchSpec) -> str:
    t = spec.technique
    tech = t.name if t.name in ("vanilla", "cot", "rag") else f"{t.name} {t.implementation}"
    return f"{spec.model.name} {spec.precision} {tech}"


def _value(result: BenchResult, metric: str, k: int) -> tuple[float, float, str] | None:
    """(mean, std, metric used) of one arm; pass@k's spread is its binomial standard error."""
    m = result.measurements
    if m is None:
        return None
    if metric == "pass_at":
        if not m.pass_at:
            return None
        p = m.pass_at.get(str(k), m.pass_at.get(f"pass@{k}"))
        if p is None:
            return None
        n = max(1, m.problems or 1)
        return p, math.sqrt(max(p * (1 - p), 0.0) / n), f"pass@{k}"
    for name in _FALLBACK.get(metric, (metric,)):
        value = getattr(m, name, None)
        if isinstance(value, Stat):
            return value.mean, value.std, name
        if isinstance(value, int | float):
            std = 0.0
            if name == "peak_memory_mb" and m.peak_memory_kind == "rss_delta":
                # One sample, read from the process RSS: pages and allocator caching blur it by a few MB.
                std = RSS_RESOLUTION_MB / 2
            return float(value), std, name
    return None


def _ratio(a: tuple[float, float], b: tuple[float, float], invert: bool) -> tuple[float, float] | None:
    """B/A (A/B for latency) with the spread propagated: rel² = (σa/a)² + (σb/b)²."""
    (ma, sa), (mb, sb) = a, b
    if ma <= 0 or mb <= 0:
        return None
    rel = math.hypot(sa / ma, sb / mb)
    ratio = ma / mb if invert else mb / ma
    return ratio, ratio * rel


def _match(plan: ExperimentPlan, results: list[BenchResult]) -> list[BenchResult | None]:
    """The result of each planned spec, by the spec it embeds (or by position when the runner rewrote it)."""
    by_key = {spec_key(r.spec): r for r in results}
    matched: list[BenchResult | None] = [by_key.get(spec_key(s)) for s in plan.specs]
    if any(r is None for r in matched) and len(results) == len(plan.specs):
        return list(results)
    return matched


def _inconclusive(claim: ClaimType, plan: ExperimentPlan, reason: str, tol: float, **kw: object) -> EmpiricalVerdict:
    return EmpiricalVerdict(
        verdict=MeasurementLabel.INCONCLUSIVE, claimed=claim.claimed(), tolerance=tol, reason=reason,
        substitutions=plan.substitutions, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def _failed(role: str, spec: BenchSpec, result: BenchResult | None) -> str | None:
    if result is None:
        return f"arm {role} ({_arm_name(spec)}) was not run"
    if result.status != "ok":
        tail = (result.stderr_tail.strip().splitlines() or [""])[-1].strip()
        text = result.reason or tail or "no reason given"
        if tail and tail not in text and result.status == "failed":
            text = f"{text} ({tail[:160]})"  # "exited with code 1" says less than the exception's last line
        return f"arm {role} ({_arm_name(spec)}) {result.status}: {text}"
    return None


def _decide(
    claim: ClaimType, ratio: float, std: float, config: EmpiricalSettings
) -> tuple[MeasurementLabel, str]:  # fmt: skip
    relation = claim.relation
    assert relation is not None
    tol, sig = config.tolerance, config.noise_sigmas
    measured = f"measured {ratio:.2f}x ± {std:.2f}"
    if relation.ratio is not None:
        low = (relation.low if relation.low is not None else relation.ratio) * (1 - tol)
        high = (relation.high if relation.high is not None else relation.ratio) * (1 + tol)
        if low <= ratio <= high:
            return MeasurementLabel.CONSISTENT, f"{measured}, within ±{tol:.0%} of the claimed {relation.describe()}"
        gap = low - ratio if ratio < low else ratio - high
        if gap > sig * std:
            return MeasurementLabel.INCONSISTENT, (
                f"{measured}, outside ±{tol:.0%} of the claimed {relation.describe()} by more than the noise"
            )
        return MeasurementLabel.INCONCLUSIVE, (
            f"{measured}: outside ±{tol:.0%} of the claimed {relation.describe()} but within {sig:g}σ of it"
        )
    noise = max(config.min_effect, sig * std / ratio if ratio > 0 else math.inf)
    above, below = ratio > 1 + noise, ratio < 1 - noise
    band = f"1 ± {noise:.2f}"
    direction = relation.direction
    if direction in ("higher", "lower"):
        agrees, disagrees = (above, below) if direction == "higher" else (below, above)
        if agrees:
            return MeasurementLabel.CONSISTENT, f"{measured} is {direction} than A beyond the noise ({band})"
        if disagrees:
            return MeasurementLabel.INCONSISTENT, f"{measured}: the opposite of the claimed {direction}, beyond {band}"
        return MeasurementLabel.INCONCLUSIVE, f"{measured} is within the noise ({band}): no direction is shown"
    if direction in ("not_higher", "not_lower"):
        violated = above if direction == "not_higher" else below
        if violated:
            said = direction.replace("_", " ")
            return MeasurementLabel.INCONSISTENT, f"{measured}: {said} is contradicted beyond {band}"
        return MeasurementLabel.CONSISTENT, f"{measured}: {direction.replace('_', ' ')}, as claimed (noise band {band})"
    return MeasurementLabel.INCONCLUSIVE, f"{measured}, but the claim states no ratio or direction to compare"


def _decide_abs_diff(
    claim: ClaimType, a: tuple[float, float], b: tuple[float, float], config: EmpiricalSettings
) -> tuple[MeasurementLabel, str]:  # fmt: skip
    """'Within 1 point': compare the difference B − A with the bound, noise included."""
    bound = claim.relation.max_abs_diff if claim.relation else None
    assert bound is not None
    diff, std = b[0] - a[0], math.hypot(a[1], b[1])
    text = f"measured B − A = {diff:+.3f} ± {std:.3f}"
    if abs(diff) <= bound:
        return MeasurementLabel.CONSISTENT, f"{text}, within the claimed ±{bound:g}"
    if abs(diff) - bound > config.noise_sigmas * std:
        return MeasurementLabel.INCONSISTENT, f"{text}, beyond the claimed ±{bound:g} by more than the noise"
    return MeasurementLabel.INCONCLUSIVE, f"{text}: beyond ±{bound:g} but within the noise"


def judge(
    claim_type: ClaimType,
    plan: ExperimentPlan,
    results: list[BenchResult],
    config: EmpiricalSettings | None = None,
) -> EmpiricalVerdict:
    """CONSISTENT / INCONSISTENT / INCONCLUSIVE, with the measured ratio, its spread and a one-sentence reason."""
    config = config or EmpiricalSettings()
    tol = config.tolerance
    matched = _match(plan, results)
    env = next((r.environment for r in matched if r is not None and r.environment is not None), None)
    hardware = hardware_of(env)
    labels = list(dict.fromkeys(label for r in matched if r is not None for label in r.labels))
    common = {"hardware": hardware, "labels": labels}
    if plan.inconclusive_reason:
        return _inconclusive(claim_type, plan, plan.inconclusive_reason, tol, **common)
    if plan.arm_a is None or plan.arm_b is None or plan.metric is None or claim_type.relation is None:
        return _inconclusive(claim_type, plan, "the plan has no two arms to compare", tol, **common)
    res_a, res_b = matched[0], matched[1]
    for role, spec, res in (("A", plan.arm_a, res_a), ("B", plan.arm_b, res_b)):
        problem = _failed(role, spec, res)
        if problem:
            return _inconclusive(claim_type, plan, problem, tol, **common)
    assert res_a is not None and res_b is not None
    value_a, value_b = _value(res_a, plan.metric, plan.pass_k), _value(res_b, plan.metric, plan.pass_k)
    if value_a is None or value_b is None:
        role = "A" if value_a is None else "B"
        name = METRIC_NAMES.get(plan.metric, plan.metric)
        return _inconclusive(claim_type, plan, f"arm {role} ran but reported no {name}", tol, **common)
    a, b = value_a[:2], value_b[:2]
    extras = _extras(plan, matched, a, value_a[2])
    if claim_type.relation.max_abs_diff is not None:
        verdict, reason = _decide_abs_diff(claim_type, a, b, config)
        measured = MeasuredRatio(
            ratio=None, std=None, metric=value_a[2], a_mean=a[0], a_std=a[1], b_mean=b[0], b_std=b[1],
        )  # fmt: skip
    else:
        ratio = _ratio(a, b, plan.invert)
        if ratio is None:
            return _inconclusive(
                claim_type, plan, f"a ratio is undefined: A = {a[0]:g}, B = {b[0]:g} ({value_a[2]})", tol, **common
            )
        measured = MeasuredRatio(
            ratio=ratio[0], std=ratio[1], metric=value_a[2], a_mean=a[0], a_std=a[1], b_mean=b[0], b_std=b[1]
        )
        verdict, reason = _decide(claim_type, ratio[0], ratio[1], config)
        name = METRIC_NAMES.get(value_a[2], value_a[2])
        reason += f" ({name}: B {b[0]:.3g} vs A {a[0]:.3g}{'; time ratio = A/B' if plan.invert else ''})"
        steps = [r.measurements.tokens_per_step for r in (res_a, res_b) if r.measurements is not None]
        if plan.arm_b.technique.name == "speculative" and all(x is not None for x in steps) and len(steps) == 2:
            reason += f"; tokens per target step: B {steps[1]:.2f}, A {steps[0]:.2f} (accepted drafts + 1)"
    if plan.stand_in:  # symmetric: a measurement of another method neither confirms nor contradicts this one
        verdict = MeasurementLabel.INCONCLUSIVE
        reason = f"context only ({plan.stand_in}; it decides nothing about the named method): {reason}"
    return EmpiricalVerdict(
        verdict=verdict, claimed=claim_type.claimed(), measured=measured, tolerance=tol, reason=reason,
        hardware=hardware, substitutions=plan.substitutions, extras=extras, labels=labels,
    )  # fmt: skip


def _extras(
    plan: ExperimentPlan, matched: list[BenchResult | None], a: tuple[float, float], metric: str
) -> list[ExtraMeasurement]:  # fmt: skip
    """'batched CAD: 0.95x vanilla': each extra spec against arm A, on the metric arm A reported."""
    out = []
    assert plan.arm_a is not None
    a_name = plan.arm_a.technique.name if plan.arm_a.technique.name != "vanilla" else "vanilla"
    for extra, result in zip(plan.extras, matched[2:], strict=False):
        problem = _failed("extra", extra.spec, result)
        if problem or result is None:
            out.append(ExtraMeasurement(label=extra.label, text=f"{extra.label}: {problem}"))
            continue
        value = _value(result, metric, plan.pass_k)
        ratio = _ratio(a, value[:2], plan.invert) if value else None
        if ratio is None:
            out.append(ExtraMeasurement(label=extra.label, text=f"{extra.label}: no {metric} reported"))
            continue
        out.append(ExtraMeasurement(
            label=extra.label, ratio=ratio[0], std=ratio[1],
            text=f"{extra.label}: {ratio[0]:.2f}x ± {ratio[1]:.2f} {a_name}",
        ))  # fmt: skip
    return out
