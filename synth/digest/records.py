"""What a digest run reads and hands back: the documents it scanned, the outcome, and the shapes of the stages it
calls (protocols, so tests can stand in for the real report pipeline and ingest). The digest report it writes, and
the drift it carries, are core records (`synth.core.digest`): the renderer reads them too."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from synth.core.digest import ClaimState, DigestReport
from synth.core.run import ReportOptions, ReportRun

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


class DigestOutcome(BaseModel):
    name: str
    status: Literal["ran", "unchanged"]
    message: str
    run_id: int | None = None
    run_dir: Path | None = None
    report: DigestReport | None = None
