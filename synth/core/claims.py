"""Typed records for claims and verdicts, shared by extraction, verification, audit and reports."""

from __future__ import annotations

import hashlib
from enum import StrEnum

from pydantic import BaseModel, Field, computed_field

from synth.core.quantities import ClaimNumber, Quantity

__all__ = [
    "Claim", "ClaimKind", "ClaimNumber", "Evidence", "Provenance", "Quantity", "Verdict", "VerdictLabel",
    "claim_id_for",
]  # fmt: skip


def claim_id_for(text: str) -> str:
    """Content hash of a claim sentence (whitespace and case ignored): stable across runs and inputs."""
    return hashlib.sha1(" ".join(text.split()).lower().encode()).hexdigest()[:12]


class ClaimKind(StrEnum):
    QUANTITATIVE = "quantitative_result"
    COMPARISON = "comparison"
    METHOD = "method_description"
    LIMITATION = "limitation"
    OTHER = "other"


class Provenance(BaseModel):
    doc_id: str
    page: int | None = None
    section: str | None = None
    char_start: int | None = None
    char_end: int | None = None
    passage: str = Field("", description="The source passage the claim was taken from.")


class Claim(BaseModel):
    text: str = Field(description="One self-contained sentence naming the system (no 'we'/'our').")
    kind: ClaimKind = ClaimKind.OTHER
    numbers: list[ClaimNumber] = Field(default_factory=list)
    provenance: Provenance | None = None
    relevance: float | None = Field(
        None,
        description="Cosine similarity of the claim, read with its paper's title, to the research question "
        "(None: ranked without a question).",
    )
    source_title: str | None = Field(None, description="Title of the paper the claim was taken from.")
    extractor: str | None = Field(
        None, description="What produced the claim: `extractive`, or `llm:<model>:<prompt>@<version>`."
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def claim_id(self) -> str:
        """Content hash: the same sentence gets the same id across runs (digests compare by it)."""
        return claim_id_for(self.text)


class VerdictLabel(StrEnum):
    SUPPORTED = "SUPPORTED"
    REFUTED = "REFUTED"
    NOT_ENOUGH_INFO = "NOT_ENOUGH_INFO"


class Evidence(BaseModel):
    doc_id: str
    page: int | None = None
    quote: str = Field(description="The exact sentence(s) quoted from the page, or a table's cells (see `table`).")
    table: bool = Field(
        False,
        description="The quote is a table's cells as recovered from the PDF (each value with its row and column "
        "labels), not a sentence that stands on the page word for word.",
    )
    score: float = Field(0.0, description="Checker score of this evidence for the claim.")
    title: str = Field("", description="Title of the document, for readers of the report.")


class Verdict(BaseModel):
    claim_id: str
    label: VerdictLabel
    confidence: float = Field(ge=0.0, le=1.0, description="Probability that `label` is right (calibrated).")
    evidence: list[Evidence] = Field(default_factory=list)
    checks: list[str] = Field(default_factory=list, description="Checkers that produced the verdict.")
    reason: str = Field("", description="Why: the mismatch (claim vs quote and page) or the figures found, or "
                        "what no passage states.")  # fmt: skip
    settings_md5: str | None = None


class ExtractionStats(BaseModel):
    """What happened to every sentence and LM reply; a run's claims are only as good as these say."""

    papers: int = 0
    sentences: int = Field(0, description="Sentences read outside the reference lists.")
    candidates: int = Field(0, description="Candidate claims offered to ranking.")
    first_person_dropped: int = Field(0, description="Candidates still in the first person after rewriting.")
    not_self_contained: int = Field(0, description="Candidates opening with an unresolved pronoun.")
    llm_calls: int = Field(0, description="Chat model calls, retries included.")
    llm_retries: int = 0
    malformed_dropped: int = Field(0, description="Papers whose LM reply was still unusable after one retry.")
    llm_errors: int = Field(0, description="Calls that failed outright (server unreachable, timeout).")
    llm_skipped: int = Field(
        0, description="Papers not sent to the LM once `extract.llm_seconds` was spent (their own sentences compete)."
    )
    ungrounded_dropped: int = Field(0, description="LM claims not supported by the sentence they point at.")
    defective_dropped: int = Field(
        0, description="Candidates failing a claim gate: table row, hypothetical, unnamed subject, caption."
    )
    extractive_candidates: int = Field(
        0, description="LM mode: the papers' own sentences offered to ranking beside the LM's claims."
    )
    below_relevance: int = 0
    duplicates_dropped: int = 0
    capped: int = Field(0, description="Claims cut by the per-paper or total cap.")
    input_tokens: int = 0
    output_tokens: int = 0
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per phase.")
