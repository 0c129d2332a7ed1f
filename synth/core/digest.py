"""What a `synth digest` run writes (`digest.json`, the record its Markdown is rendered from) and the records it
holds: the claims as one run saw them (`ClaimState`, also what the digest store keeps), how they drifted since the
last run (`Drift`), the papers that are new (`NewPaper`). The digest computes them (`synth.digest`), the renderer
reads them (`synth.render.digest`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

SCHEMA_VERSION = 1


class ClaimState(BaseModel):
    """A claim as one run saw it; claims are matched across runs by `claim_id` (a content hash)."""

    claim_id: str
    text: str
    label: str
    confidence: float
    doc_id: str | None = None
    page: int | None = None


class ClaimChange(BaseModel):
    before: ClaimState
    after: ClaimState

    @property
    def label_changed(self) -> bool:
        return self.before.label != self.after.label

    @property
    def delta(self) -> float:
        return round(self.after.confidence - self.before.confidence, 4)


class Drift(BaseModel):
    """How this run's claims differ from the last successful run's (matched by claim id)."""

    first_run: bool
    threshold: float
    new: list[ClaimState] = Field(default_factory=list)
    returning: list[str] = Field(default_factory=list, description="Ids of new claims an earlier run had seen.")
    changed: list[ClaimChange] = Field(default_factory=list, description="Label changed or confidence moved.")
    disappeared: list[ClaimState] = Field(default_factory=list, description="Listed, not counted as drift.")
    unchanged: int = 0
    reverified: int = Field(
        0, description="Earlier claims missing from this report, verified again against the current corpus."
    )


class NewPaper(BaseModel):
    doc_id: str
    title: str
    path: str | None = None
    arxiv_id: str | None = None
    source: str = "local"
    status: Literal["new", "updated"] = "new"


class DigestReport(BaseModel):
    schema_version: int = SCHEMA_VERSION
    digest: str
    question: str
    cron: str
    started: str
    finished: str
    online: bool
    previous_run: str | None = Field(None, description="Start time of the run this one is compared with.")
    previous_digest: str | None = Field(None, description="Relative path to the previous run's digest.md.")
    papers_scanned: int = 0
    new_papers: list[NewPaper] = Field(default_factory=list)
    drift: Drift
    claims: int = 0
    report_files: list[str] = Field(default_factory=list, description="The full report, relative to this folder.")
    report_run_id: str = ""
    notes: list[str] = Field(default_factory=list)
    settings_md5: str = ""
    fingerprint: str = ""

    @property
    def unchanged(self) -> bool:
        d = self.drift
        return not (self.drift.first_run or self.new_papers or d.new or d.changed or d.disappeared)

    def summary(self) -> dict[str, int | bool | str]:
        d = self.drift
        return {
            "papers_scanned": self.papers_scanned, "new_papers": len(self.new_papers), "claims": self.claims,
            "new_claims": len(d.new), "drifted": len(d.changed), "disappeared": len(d.disappeared),
            "first_run": d.first_run, "report_run_id": self.report_run_id,
        }  # fmt: skip
