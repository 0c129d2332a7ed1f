"""What `synth audit` writes (`audit.json`, the record its Markdown is rendered from) and the records it holds.

A report's references (`Reference`, also what the seed-report parser reads) resolve to a `ResolvedSource`; each
claim gets our verdict and its outcome against the report's own mark (`AuditedClaim`); `AuditReport` is the whole
audit. The audit computes them (`synth.audit`), the renderer reads them (`synth.render.audit`).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from synth.core.claims import Provenance, Verdict
from synth.core.measurement import EmpiricalCheck, MeasurementStage
from synth.core.run import ExtractionSummary

SCHEMA_VERSION = 1


class InputKind(StrEnum):
    SEED = "seed-report"
    MARKDOWN = "markdown-report"
    PAPER = "paper"


class Reference(BaseModel):
    raw: str
    url: str | None = None
    arxiv_id: str | None = Field(None, description="Bare arXiv id, from an arXiv URL or an arXiv DOI.")
    doi: str | None = None


class SourceStatus(StrEnum):
    LOCAL = "in local corpus"
    FETCHED = "fetched from arXiv"
    OFFLINE = "source not available offline"
    UNRESOLVED = "citation does not resolve"


class ResolvedSource(BaseModel):
    reference: Reference
    status: SourceStatus
    doc_id: str | None = None
    title: str | None = None
    note: str = ""


class AuditOutcome(StrEnum):
    AGREEMENT = "agreement"
    DISAGREEMENT = "disagreement"
    UNVERIFIABLE = "unverifiable"
    NO_MARK = "no mark"  # the input gave no verified mark (a paper): our verdict stands alone


class AuditedClaim(BaseModel):
    row: int | None = None
    text: str
    truncated: bool = False
    reported_verified: bool | None = None
    reported_confidence: float | None = None
    verdict: Verdict
    probabilities: dict[str, float] = Field(default_factory=dict)
    outcome: AuditOutcome
    needs_measurement: list[str] = Field(default_factory=list, description="Benchmark tags (throughput, ...).")
    provenance: Provenance | None = Field(None, description="Where an extracted claim sits in the audited paper.")
    note: str = ""


class AuditSummary(BaseModel):
    claims: int = Field(0, description="Claims checked.")
    claims_total: int = Field(0, description="Claims in the input (for a paper: extracted); more than `claims` "
                              "when --max-claims left some out.")  # fmt: skip
    skipped_by_cap: int = Field(0, description="Claims not checked because of --max-claims.")
    resumed: int = Field(0, description="Verdicts reused from the checkpoint of an interrupted run of this audit.")
    agreements: int = 0
    disagreements: int = 0
    unverifiable: int = 0
    no_mark: int = 0
    needs_measurement: int = 0
    reported_verified: int = 0
    supported: int = 0
    refuted: int = 0
    sources_local: int = 0
    sources_missing: int = 0


class AuditReport(BaseModel):
    schema_version: int = SCHEMA_VERSION
    input_path: str
    input_sha256: str
    kind: InputKind
    title: str
    question: str | None
    created: str
    checks: list[str]
    notes: list[str] = Field(default_factory=list)
    input_problems: list[str] = Field(
        default_factory=list, description="Malformed rows of the input's claims table, each naming its line."
    )
    max_claims: int | None = Field(None, description="The --max-claims cap (None: no cap).")
    extraction: ExtractionSummary | None = Field(None, description="Extraction stats when claims were extracted.")
    sources: list[ResolvedSource]
    claims: list[AuditedClaim]
    summary: AuditSummary
    seconds: float = 0.0
    settings_md5: str | None = None
    empirical: list[EmpiricalCheck] = Field(
        default_factory=list, description="Benchmark checks of the measurable claims (`--measure auto|all`)."
    )
    measurement: MeasurementStage | None = Field(
        None, description="What the measurement did: specs planned and run, the budget, what was skipped and why."
    )
