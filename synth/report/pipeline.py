"""`synth report` end to end: retrieve → extract → verify → measure → synthesize → review, in a run directory.

Each stage reads the run so far and adds its part; after each stage the run
is saved (synth.pipeline.rundir), so an interrupted run resumes at the first
stage not done (and the verify and measure stages at the first claim / spec not
done). Models and the benchmark runner are injected for tests; by default
they come from the settings.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import time
from pathlib import Path

from synth import __version__
from synth.core.run import ReportOptions, ReportRun
from synth.pipeline.context import RunContext
from synth.pipeline.rundir import RunDir, RunDirError
from synth.pipeline.stages import REPORT_STAGES
from synth.settings import SynthSettings


def slug(question: str, words: int = 6) -> str:
    tokens = re.findall(r"[a-z0-9]+", question.lower())
    return "-".join(tokens[:words]) or "report"


def new_run_id(question: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%d-%H%M%S}-{slug(question)}"


def environment() -> dict[str, str]:
    return {
        "synth": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": str(os.cpu_count() or 0),
    }


def start_run(question: str, settings: SynthSettings, options: ReportOptions, rundir: RunDir) -> ReportRun:
    """The run saved in `rundir`, or a new one; a different question in the same folder is an error.

    A new run is saved only when its first stage is done: a run that fails or is killed before that (a bad
    corpus, an empty index, a missing model) had nothing worth resuming, and a `run.json` left behind would
    only make the retry with corrected arguments fail with "already holds a run".
    """
    if rundir.exists():
        run = rundir.load_run()
        if " ".join(run.question.split()) != " ".join(question.split()):
            raise RunDirError(
                f"{rundir.root} holds a run for another question ({run.question!r}): pick a new -o folder"
            )
        if run.settings_md5 and run.settings_md5 != settings.settings_md5:
            run.notes.append("settings changed between the start of this run and its resumption")
        return run
    now = dt.datetime.now(dt.UTC)
    run = ReportRun(
        run_id=new_run_id(question, now), question=question, created=now.isoformat(timespec="seconds"),
        options=options, settings_md5=settings.settings_md5, environment=environment(),
    )  # fmt: skip
    return run


def unstarted(run: ReportRun) -> bool:
    """No stage of `run` is done, so replacing it loses nothing (only a synth older than
    `start_run`'s deferred save left such a `run.json` behind)."""
    return run.retrieval is None and not run.timings


def run_report(question: str, options: ReportOptions, run_dir: Path, ctx: RunContext) -> ReportRun:
    """The whole pipeline; returns the finished run (also saved in `run_dir/run.json`).

    `ctx` carries the settings and whatever the caller injects (a progress display, a digest's shared retriever,
    a test's chat model or benchmark runner); the rest is made from the settings when a stage first needs it, so
    a finished run re-renders without loading the index.
    """
    rundir = RunDir(run_dir)
    run = start_run(question, ctx.settings, options, rundir)
    try:
        for stage in REPORT_STAGES:
            if not stage.done(run):
                started = time.perf_counter()
                ctx.progress.start(stage.name, stage.total(run))
                summary = stage.run(run, ctx, rundir)
                run.timings[stage.name] = round(time.perf_counter() - started, 3)
                rundir.save_run(run)
                ctx.progress.finish(stage.name, summary)
    finally:
        ctx.close()
    return run
