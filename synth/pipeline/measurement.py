"""Measure stage of `synth report`: the run's measurable claims measured within the budget.

The loop itself (`synth.empirical.budget`) is shared with `synth audit`; this stage
keeps the results under RUNDIR/bench (a resumed run never repeats a measurement)
and attaches each claim's checks to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from synth.core.measurement import MeasurementStage, MeasureMode
from synth.core.run import ReportClaim
from synth.empirical.budget import Runner, measure_within_budget
from synth.pipeline.rundir import RunDir


def measure_claims(
    claims: list[ReportClaim],
    settings: Any,
    mode: MeasureMode,
    budget_s: float,
    rundir: RunDir,
    *,
    run: Runner | None = None,
    available: Any | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> MeasurementStage:
    """Attach empirical checks to the claims (in place) and say what was measured and what was not."""
    measurable = [c for c in claims if c.measurable]
    texts = list(dict.fromkeys(c.claim.text for c in measurable))
    done = measure_within_budget(
        texts, settings, mode, budget_s, rundir.bench, run=run, available=available, progress=progress
    )
    for c in measurable:
        c.empirical = [ch.model_copy(update={"claim_id": c.claim.claim_id}) for ch in done.checks.get(c.claim.text, [])]
    return done.stage
