"""What a digest run reads and writes: the documents it scanned, the digest report, the outcome, and the shapes
of the stages it calls (protocols, so tests can stand in for the real report pipeline and ingest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from synth.core.run import ReportOptions, ReportRun
from synth.digest.drift import Drift
from synth.digest.store import ClaimState

SCHEMA_VERSION = 1


# --- inputs -----------------------------------------------------------------------------------------------------------


class CorpusPaper(BaseModel):
    """A document the digest scanned: a corpus file, or (online) an arXiv paper the report retrieved."""

    doc_id: str
    content_hash: str
    title: str = ""
    path: str | None = None
    arxiv_id: str | None = None
    source: Literal["local", "arxiv"] = "local"


class ReportRunner(Protocol):
    """Runs the full report into `run_dir` (artefacts and report.md/.html/...) and returns it."""

    def __call__(
        self, question: str, settings: Any, options: ReportOptions, run_dir: Path, *, progress: Any = None
    ) -> ReportRun: ...


class CorpusScanner(Protocol):
    """Brings the corpus folders up to date and lists their documents."""

    def __call__(self, settings: Any, folders: list[Path]) -> list[CorpusPaper]: ...


class Reverifier(Protocol):
    """Verifies earlier claims again against the corpus as it is now (same checkers as the report)."""

    def __call__(self, settings: Any, options: ReportOptions, claims: list[ClaimState]) -> list[ClaimState]: ...


# --- the digest report ------------------------------------------------------------------------------------------------


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


class DigestOutcome(BaseModel):
    name: str
    status: Literal["ran", "unchanged"]
    message: str
    run_id: int | None = None
    run_dir: Path | None = None
    report: DigestReport | None = None
