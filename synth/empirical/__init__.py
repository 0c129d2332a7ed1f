"""Empirical claim checks: re-measure throughput, memory and quantization claims with the bench runner.

classify (claim → arms, quantity, relation) → plan (the two specs, substitutions)
→ run (deduplicated specs) → judge (measured ratio vs claimed, noise included); `synth.render.empirical` writes
the checks as Markdown and JSON.
"""

from synth.core.measurement import (
    ClaimCategory,
    ClaimType,
    EmpiricalCheck,
    EmpiricalVerdict,
    ExperimentPlan,
    MeasurementLabel,
)
from synth.empirical.availability import Availability, detect_availability
from synth.empirical.classify import classify_claim, classify_claim_parts
from synth.empirical.judge import judge
from synth.empirical.plan import plan_experiment
from synth.empirical.run import check_claims, plan_claims, unique_specs
from synth.settings import EmpiricalSettings

__all__ = [
    "Availability", "ClaimCategory", "ClaimType", "EmpiricalCheck", "EmpiricalSettings", "EmpiricalVerdict",
    "ExperimentPlan", "MeasurementLabel", "check_claims", "classify_claim", "classify_claim_parts",
    "detect_availability", "judge", "plan_claims", "plan_experiment", "unique_specs",
]  # fmt: skip
