"""Records passed between the empirical stages: classify → plan → run → judge → render.

Each stage gets and returns these pydantic models (never dicts), so a dry run can
be saved as JSON and judged later, and the report can quote every intermediate
decision (which arms, which substitution, which metric) next to the verdict.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from synth.core.bench_result import BenchResult
from synth.core.bench_spec import BenchSpec


class ClaimCategory(StrEnum):
    RELATIVE_THROUGHPUT_TECHNIQUES = "relative_throughput_techniques"
    RELATIVE_THROUGHPUT_PRECISIONS = "relative_throughput_precisions"
    RELATIVE_THROUGHPUT_SIZES = "relative_throughput_sizes"
    MOE_VS_DENSE = "moe_vs_dense"
    RELATIVE_MEMORY = "relative_memory"
    ACCURACY_UNDER_QUANTIZATION = "accuracy_under_quantization"
    ABSOLUTE_ON_HARDWARE = "absolute_on_hardware"
    UNMEASURABLE = "unmeasurable"


QuantityKind = Literal["throughput", "latency", "memory", "accuracy"]
Direction = Literal["higher", "lower", "same", "not_higher", "not_lower"]
Axis = Literal["technique", "precision", "size", "moe"]


class Arm(BaseModel):
    """One side of a comparison, as the claim states it (or the default it implies, `named=False`)."""

    label: str = Field(description="The words of the claim naming this arm, or a description of the default.")
    technique: str | None = Field(None, description="vanilla | cad | self_consistency | cot | rag | cad+rag")
    precision: str | None = Field(
        None, description="fp32 | bf16 | fp16 | int8 | int4 | nf4 | fp8 | int2 | int3 | unquantized"
    )
    family: str | None = Field(None, description="Model family as named (llama, gemma, starcoder, qwen, ...).")
    version: str | None = Field(None, description="Family version as named (3.2 for Llama 3.2).")
    sizes_b: list[float] = Field(default_factory=list, description="Parameter counts in billions, as named.")
    relative_size: Literal["larger", "smaller"] | None = Field(None, description="'a larger model', unnamed.")
    moe: bool | None = Field(None, description="True: mixture-of-experts; False: dense.")
    named: bool = Field(True, description="False when the claim does not name this arm and a default stands in.")


class Relation(BaseModel):
    """What the claim says about arm B relative to arm A, in the claim's own quantity."""

    ratio: float | None = Field(None, description="Claimed B/A of the quantity (halves → 0.5, '5x slower' → 0.2).")
    low: float | None = Field(None, description="Lower end of a claimed range of ratios.")
    high: float | None = Field(None, description="Upper end of a claimed range of ratios.")
    direction: Direction | None = Field(None, description="Set when no figure is given (or 'same' for ratio 1).")
    max_abs_diff: float | None = Field(None, description="'within 1 point': |B − A| bound (accuracy as a fraction).")
    text: str = Field("", description="The words the relation was read from.")

    def describe(self) -> str:
        if self.max_abs_diff is not None:
            return f"|B − A| ≤ {self.max_abs_diff:g}"
        if self.ratio is not None:
            if self.low is not None and self.high is not None and self.low != self.high:
                return f"{self.ratio:.2f}x ({self.low:.2f}–{self.high:.2f})"
            return f"{self.ratio:.2f}x"
        return {"higher": "higher", "lower": "lower", "same": "≈1x", "not_higher": "not higher",
                "not_lower": "not lower"}.get(self.direction or "", "?")  # fmt: skip


class AbsoluteFigure(BaseModel):
    value: float
    unit: str
    text: str


class ClaimType(BaseModel):
    """How one claim (or one quantity of a compound claim) can be re-measured."""

    text: str = Field(description="The claim sentence.")
    type: ClaimCategory
    quantity: QuantityKind | None = None
    axes: list[Axis] = Field(default_factory=list, description="What differs between the arms.")
    arm_a: Arm | None = Field(None, description="The reference arm (vanilla, the other precision, the smaller model).")
    arm_b: Arm | None = Field(None, description="The arm the claim is about; ratios are B/A.")
    relation: Relation | None = None
    absolute: AbsoluteFigure | None = Field(None, description="An absolute figure stated with no second arm.")
    hardware: str | None = Field(None, description="Hardware the claim names (A100, laptop, ...).")
    memory_kind: Literal["peak", "model"] | None = Field(
        None, description="Memory claims: overhead while generating (peak) or the weights' size (model)."
    )
    reason: str = Field("", description="Why the claim is unmeasurable, in one sentence.")
    notes: list[str] = Field(default_factory=list, description="How ambiguous words were read.")

    def claimed(self) -> str:
        """The claimed relation in a table cell: '0.50x (halving)'."""
        if self.relation is not None:
            described = self.relation.describe()
            return f"{described} ({self.relation.text})" if self.relation.text else described
        if self.absolute is not None:
            return self.absolute.text
        return "—"


class ExtraSpec(BaseModel):
    """A comparison the report shows beside the verdict (batched CAD vs naive), judged against arm A."""

    label: str
    spec: BenchSpec


Metric = Literal[
    "per_sample_tokens_per_s", "end_to_end_tokens_per_s", "decode_tokens_per_s", "peak_memory_mb",
    "model_memory_mb", "pass_at",
]  # fmt: skip


class ExperimentPlan(BaseModel):
    claim: ClaimType
    arm_a: BenchSpec | None = None
    arm_b: BenchSpec | None = None
    extras: list[ExtraSpec] = Field(default_factory=list)
    metric: Metric | None = Field(None, description="The Measurements field whose B/A ratio tests the claim.")
    pass_k: int = Field(1, description="k of pass@k for accuracy plans.")
    invert: bool = Field(False, description="Latency claims: the time ratio is the inverse of the throughput ratio.")
    substitutions: list[str] = Field(default_factory=list, description="What stands in for what the claim names.")
    inconclusive_reason: str | None = Field(None, description="Set when nothing here can test the claim.")
    stand_in: str | None = Field(
        None,
        description="A different method measured in place of the one the claim names (Medusa → prompt lookup): "
        "a disagreement then says nothing about the named method, so it is INCONCLUSIVE, not INCONSISTENT.",
    )

    @property
    def specs(self) -> list[BenchSpec]:
        """Arm A, arm B, then the extras: the runs this plan needs."""
        main = [s for s in (self.arm_a, self.arm_b) if s is not None]
        return main + [e.spec for e in self.extras]


class MeasurementLabel(StrEnum):
    """What a measurement says of a claim; not a literature verdict (`synth.core.claims.VerdictLabel`)."""

    CONSISTENT = "CONSISTENT"
    INCONSISTENT = "INCONSISTENT"
    INCONCLUSIVE = "INCONCLUSIVE"


class MeasuredRatio(BaseModel):
    ratio: float | None = Field(description="Measured B/A in the claim's quantity (None: compared as B − A).")
    std: float | None = Field(description="Spread of the ratio, propagated from the arms' spreads.")
    metric: str
    a_mean: float
    a_std: float
    b_mean: float
    b_std: float

    def short(self) -> str:
        if self.ratio is None:
            return f"B − A = {self.b_mean - self.a_mean:+.3f}"
        return f"{self.ratio:.2f}x ± {self.std or 0.0:.2f}"


class ExtraMeasurement(BaseModel):
    label: str
    ratio: float | None = None
    std: float | None = None
    text: str = Field(description="'batched CAD: 0.95x vanilla', or why it is missing.")


class EmpiricalVerdict(BaseModel):
    verdict: MeasurementLabel
    claimed: str = Field(description="The claimed ratio or direction, as a table cell.")
    measured: MeasuredRatio | None = None
    tolerance: float
    reason: str = Field(description="One sentence.")
    hardware: str = ""
    substitutions: list[str] = Field(default_factory=list)
    extras: list[ExtraMeasurement] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list, description="Result labels, e.g. random weights.")


class EmpiricalCheck(BaseModel):
    claim_text: str
    claim_id: str
    claim_type: ClaimType
    plan: ExperimentPlan
    results: list[BenchResult] = Field(default_factory=list)
    verdict: EmpiricalVerdict | None = Field(None, description="None in a dry run.")


MeasureMode = Literal["auto", "off", "all"]


class MeasurementStage(BaseModel):
    """What a budgeted measurement did (`synth report`'s measure stage, `synth audit --measure`)."""

    mode: MeasureMode
    budget_s: float
    spent_s: float = 0.0
    planned: int = Field(0, description="Distinct benchmark specs the measurable claims need.")
    run: int = Field(0, description="Specs run (or loaded from a resumed run).")
    skipped: list[str] = Field(default_factory=list, description="What was not measured, and why.")
    hardware: str = ""
    notes: list[str] = Field(default_factory=list)
