"""Empirical-grounding reviewer: were the measurable claims measured here, and did the measurements agree?

A claim is *measurable* when classification tagged it (`ReportClaim.measurable`)
or the run holds a check of it. It is *measured* when one of its checks has a
verdict computed from finished runs: a measured ratio, or a CONSISTENT /
INCONSISTENT decision (which the judge only reaches with one). A plan that could
not test the claim, or arms that failed, leave it unmeasured. Per claim, the
measured outcome is INCONSISTENT if any check is, else CONSISTENT if any check
is, else INCONCLUSIVE (measured, within the noise).

Each measurable claim earns 1 when CONSISTENT, 0.5 (`review.inconclusive_credit`)
when measured but INCONCLUSIVE, and 0 when INCONSISTENT or unmeasured; score = 10 x
the mean. That is 10 x measured share x agreement, where agreement = (CONSISTENT +
0.5 x INCONCLUSIVE) / measured: both an unmeasured and a contradicted claim leave the
report ungrounded. The reviewer does not apply (score None) when measurement
was off or never ran, or when no claim is measurable.
"""

from __future__ import annotations

from synth.core.measurement import EmpiricalCheck
from synth.core.measurement import MeasurementLabel as Outcome
from synth.core.run import ReportClaim, ReportRun, Review
from synth.settings import ReviewSettings

ASPECT = "empirical grounding: measurable claims were measured here and the measurements agree"
_DEFAULTS = ReviewSettings()


def is_measured(check: EmpiricalCheck) -> bool:
    """A verdict that rests on finished runs (not a plan that could not test the claim, nor failed arms)."""
    verdict = check.verdict
    if verdict is None:
        return False
    return verdict.measured is not None or verdict.verdict is not Outcome.INCONCLUSIVE


def claim_outcome(claim: ReportClaim) -> Outcome | None:
    """The claim's measured outcome (INCONSISTENT over CONSISTENT over INCONCLUSIVE); None when unmeasured."""
    outcomes = {c.verdict.verdict for c in claim.empirical if c.verdict is not None and is_measured(c)}
    for outcome in (Outcome.INCONSISTENT, Outcome.CONSISTENT, Outcome.INCONCLUSIVE):
        if outcome in outcomes:
            return outcome
    return None


def _not_applicable(reason: str) -> Review:
    return Review(reviewer="grounding", aspect=ASPECT, score=None, rationale=f"Not scored: {reason}.")


def review_grounding(run: ReportRun, config: ReviewSettings = _DEFAULTS) -> Review:
    """Score 0-10 = 10 x mean credit over measurable claims; None when measurement did not apply."""
    stage = run.measurement
    if stage is None:
        return _not_applicable("the measurement stage did not run, so no claim could be checked on this machine")
    if stage.mode == "off":
        return _not_applicable("measurement was switched off (--measure off), so grounding is not judged")
    measurable = [c for c in run.claims if c.measurable or c.empirical]
    if not measurable:
        return _not_applicable(
            f"none of the {len(run.claims)} claims states anything this machine can measure "
            "(throughput, latency, memory or accuracy under a change it can run)"
        )
    outcomes = [claim_outcome(c) for c in measurable]
    measured = [o for o in outcomes if o is not None]
    counts = {o: sum(1 for m in measured if m is o) for o in Outcome}
    earns = {Outcome.CONSISTENT: 1.0, Outcome.INCONCLUSIVE: config.inconclusive_credit, Outcome.INCONSISTENT: 0.0}
    credit = sum(earns[o] for o in measured)
    score = 10.0 * credit / len(measurable)
    share = len(measured) / len(measurable)
    agreement = credit / len(measured) if measured else 0.0
    decided = counts[Outcome.CONSISTENT] + counts[Outcome.INCONSISTENT]
    skipped = f" Not measured because: {'; '.join(stage.skipped[:3])}." if stage.skipped and share < 1 else ""
    rationale = (
        f"{len(measured)} of {len(measurable)} measurable claims were measured on this machine "
        f"({stage.mode} mode, {stage.run} of {stage.planned} planned runs, {stage.spent_s:.0f} s of "
        f"{stage.budget_s:.0f} s); of the {decided} decided, {counts[Outcome.CONSISTENT]} are CONSISTENT and "
        f"{counts[Outcome.INCONSISTENT]} INCONSISTENT, and {counts[Outcome.INCONCLUSIVE]} are within the noise."
        f"{skipped} A measurable claim earns 1 when CONSISTENT, {config.inconclusive_credit} when INCONCLUSIVE and 0 "
        "when INCONSISTENT or "
        f"unmeasured: measured share {share:.2f} x agreement {agreement:.2f} gives {score:.1f}/10."
    )
    return Review(
        reviewer="grounding", aspect=ASPECT, score=round(score, 2), rationale=rationale,
        details={
            "measurable": len(measurable), "measured": len(measured), "measured_share": round(share, 4),
            "consistent": counts[Outcome.CONSISTENT], "inconsistent": counts[Outcome.INCONSISTENT],
            "inconclusive": counts[Outcome.INCONCLUSIVE], "agreement": round(agreement, 4), "mode": stage.mode,
        },
    )  # fmt: skip
