"""How the pipeline reports progress: stages start, advance and finish; the CLI draws rich bars."""

from __future__ import annotations

from typing import Protocol


class StageProgress(Protocol):
    def start(self, stage: str, total: int | None = None) -> None: ...

    def advance(self, stage: str, completed: int, total: int | None = None) -> None: ...

    def finish(self, stage: str, summary: str) -> None: ...


class NoProgress:
    """For scripts, tests and digests: nothing is drawn."""

    def start(self, stage: str, total: int | None = None) -> None:
        return None

    def advance(self, stage: str, completed: int, total: int | None = None) -> None:
        return None

    def finish(self, stage: str, summary: str) -> None:
        return None
