"""Progress on stderr: live bars on a terminal, plain timed lines anywhere else (cron, CI, a pipe, a log file).

A Rich progress display draws nothing when stderr is not a terminal, so a `synth report` under cron was
silent for minutes and then printed its result. Off a terminal every stage says when it ends and how long
it took, and a long loop (an audit's claims) says how far it is at most every LINE_INTERVAL_S seconds.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

LINE_INTERVAL_S = 30.0


class RichStages:
    """One progress row per stage: a bar with counts while it runs, its summary when it ends."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def start(self, stage: str, total: int | None = None) -> None:
        self.tasks[stage] = self.progress.add_task(stage, total=total, summary="")

    def advance(self, stage: str, completed: int, total: int | None = None) -> None:
        if stage not in self.tasks:
            self.start(stage, total)
        self.progress.update(self.tasks[stage], completed=completed, total=total)

    def finish(self, stage: str, summary: str) -> None:
        if stage not in self.tasks:
            self.start(stage, 1)
        task = self.progress.tasks[self.tasks[stage]]
        total = task.total if task.total else 1
        self.progress.update(self.tasks[stage], total=total, completed=total, summary=summary)


class LineStages:
    """The same protocol as `RichStages`, as one line per finished stage with its elapsed time."""

    def __init__(self, console: Console, clock: Callable[[], float] = time.monotonic) -> None:
        self.console = console
        self.clock = clock
        self.started: dict[str, float] = {}
        self.said: dict[str, float] = {}

    def start(self, stage: str, total: int | None = None) -> None:
        self.started.setdefault(stage, self.clock())

    def advance(self, stage: str, completed: int, total: int | None = None) -> None:
        self.start(stage, total)
        now = self.clock()
        if now - self.said.get(stage, self.started[stage]) >= LINE_INTERVAL_S:
            self.said[stage] = now
            of = f"/{total}" if total else ""
            self._line(f"{stage:<10} {completed}{of} after {now - self.started[stage]:.0f} s")

    def finish(self, stage: str, summary: str) -> None:
        self.start(stage)
        self._line(f"{stage:<10} done in {self.clock() - self.started[stage]:.1f} s: {summary}")

    def _line(self, text: str) -> None:
        self.console.print(text, highlight=False, markup=False, soft_wrap=True)


@contextlib.contextmanager
def stage_progress(console: Console, quiet: bool) -> Iterator[RichStages | LineStages | None]:
    """The stage reporter for this stderr: None when quiet, bars on a terminal, timed lines elsewhere."""
    if quiet:
        yield None
        return
    if not console.is_terminal:
        yield LineStages(console)
        return
    with Progress(
        TextColumn("[bold]{task.description:<10}"), BarColumn(bar_width=24), MofNCompleteColumn(),
        TimeElapsedColumn(), TextColumn("{task.fields[summary]}"), console=console,
    ) as progress:  # fmt: skip
        yield RichStages(progress)
