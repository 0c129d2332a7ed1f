"""`synth report "QUESTION"` and `synth render RUNDIR`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)  # one line per message, however narrow: logs and pipes stay greppable

# NOTE: a flag left out takes its value from the settings (config file, SYNTH_* variables, preset), so every
# default below is None; the help names the setting and its built-in default (tests/test_cli_defaults.py keeps
# those in step with synth/settings.py; reading the settings here would slow down `synth --help`).


def default_output(run_id: str) -> Path:
    return Path("reports") / run_id


def report(
    ctx: typer.Context,
    question: Annotated[str | None, typer.Argument(help="The research question.")] = None,
    corpus: Annotated[
        list[Path] | None, typer.Option("--corpus", help="Ingest these folders/files first (repeatable).")
    ] = None,
    arxiv: Annotated[
        bool | None,
        typer.Option("--arxiv/--no-arxiv", help="Also search arXiv when online (default: from [report] arxiv, true)."),
    ] = None,
    papers: Annotated[
        int | None,
        typer.Option("--papers", min=1, max=200, help="Papers retrieved (default: from [report] papers, 10)."),
    ] = None,
    claims: Annotated[
        int | None,
        typer.Option("--claims", min=1, max=200, help="Claims kept (default: from [extract] max_claims, 20)."),
    ] = None,
    measure: Annotated[
        str | None,
        typer.Option("--measure", help="auto (within the budget), off, or all (default: from [bench] measure, auto)."),
    ] = None,
    measure_budget: Annotated[
        float | None,
        typer.Option(
            "--measure-budget",
            min=0,
            help="Seconds the measure stage may take (auto) (default: from [bench] budget_s, 600).",
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Comma list of md,html,json,txt; with --resume the run's own formats unless --format is given "
            "(default: from [report] formats, md,html,json).",
        ),
    ] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Run directory (default reports/<id>).")] = None,
    mode: Annotated[
        str | None,
        typer.Option(
            "--mode", help="Claim extraction: extractive, llm or auto (default: from [extract] mode, extractive)."
        ),
    ] = None,
    judge: Annotated[
        bool | None,
        typer.Option("--judge/--no-judge", help="Verify with the LM judge (default: from [verify] judge, true)."),
    ] = None,
    resume: Annotated[
        Path | None, typer.Option("--resume", help="Continue an interrupted run in this run directory.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output; print only the paths.")] = False,
) -> None:
    """Answer a research question: retrieve, extract, verify, measure, review and render a report."""
    from synth.cli import settings_from
    from synth.cli.progress import stage_progress
    from synth.core.run import ReportOptions
    from synth.errors import UserError
    from synth.io import check_output_dir
    from synth.pipeline.context import RunContext
    from synth.pipeline.retrieval import missing_corpus
    from synth.pipeline.rundir import RunDir
    from synth.render.reports import parse_formats, write_reports
    from synth.report.pipeline import new_run_id, run_report

    settings = settings_from(ctx)
    if resume is not None:
        question, options, out = _resume_run(resume, question)
        formats = parse_formats(fmt) if fmt is not None else options.formats
    else:
        if not question or not question.strip():
            raise UserError('no question given: synth report "How much does speculative decoding speed up LLM ..."')
        measure = measure or settings.bench.measure
        if measure not in {"auto", "off", "all"}:
            raise UserError(f"unknown --measure {measure!r}: use auto, off or all")
        chosen_mode = mode or settings.extract.mode
        if chosen_mode not in {"extractive", "llm", "auto"}:
            raise UserError(f"unknown --mode {chosen_mode!r}: use extractive, llm or auto")
        formats = parse_formats(fmt if fmt is not None else settings.report.formats)
        sources = [str(p) for p in corpus or settings.corpus.paths]
        missing = missing_corpus(sources)
        if missing is not None:
            where = "--corpus" if corpus else "corpus path (settings corpus.paths)"
            raise UserError(f"{where} {missing} does not exist: pass a folder of PDFs, Markdown or text files")
        options = ReportOptions(
            question=question.strip(), papers=papers or settings.report.papers,
            claims=claims or settings.extract.max_claims, measure=measure,  # type: ignore[arg-type]
            measure_budget_s=settings.bench.budget_s if measure_budget is None else measure_budget,
            formats=formats, arxiv=settings.report.arxiv if arxiv is None else arxiv, corpus=sources,
            mode=chosen_mode, judge=settings.verify.judge if judge is None else judge,  # type: ignore[arg-type]
        )  # fmt: skip
        out = output or default_output(new_run_id(question))
        check_output_dir(out, "-o")
        _claim_folder(RunDir(out))
    with stage_progress(err, quiet) as stages:
        run = run_report(question, options, out, RunContext.build(settings, progress=stages))
    paths = write_reports(run, out, formats)
    _summary(run, paths, quiet)


def _resume_run(resume: Path, question: str | None) -> tuple[str, Any, Path]:
    """The saved run's question and options, checked before any work: the folder must still be writable,
    and a run that has not retrieved yet needs its corpus paths (they were valid when it started)."""
    from synth.errors import UserError
    from synth.io import check_output_dir
    from synth.pipeline.retrieval import missing_corpus
    from synth.pipeline.rundir import RunDir
    from synth.report.pipeline import unstarted

    run = RunDir(resume).load_run()
    if question and " ".join(question.split()) != " ".join(run.question.split()):
        raise UserError(f"--resume {resume} holds a run for {run.question!r}, not this question: drop QUESTION")
    check_output_dir(resume, "--resume")
    missing = missing_corpus(run.options.corpus) if unstarted(run) else None  # later stages never read it
    if missing is not None:
        raise UserError(
            f"--resume {resume}: this run's corpus path {missing} does not exist: restore it, or (nothing was "
            f"done yet) start again with `synth report QUESTION --corpus DIR -o {resume}`"
        )
    return run.question, run.options, resume


def _claim_folder(rundir: Any) -> None:
    """A folder that holds a run is only continued with --resume; one whose run never finished a stage is
    taken over (an older synth saved `run.json` before retrieving, so a failed start blocked its own retry)."""
    from synth.errors import UserError
    from synth.report.pipeline import unstarted

    if not rundir.exists():
        return
    if not unstarted(rundir.load_run()):
        out = rundir.root
        raise UserError(f"{out} already holds a run: pass --resume {out} to continue it, or a new -o folder")
    rundir.manifest.unlink()


def render(
    ctx: typer.Context,
    run_dir: Annotated[Path, typer.Argument(help="A run directory written by `synth report`.")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="Comma list of md,html,json,txt (default: the run's).")
    ] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here instead of the run dir.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Re-render a run's reports from its saved artefacts, without recomputing anything."""
    from synth.io import check_output_dir
    from synth.pipeline.rundir import RunDir
    from synth.render.reports import parse_formats, write_reports

    run = RunDir(run_dir).load_run()
    formats = parse_formats(fmt or run.options.formats)
    if output is not None:
        check_output_dir(output, "-o")
    paths = write_reports(run, output or run_dir, formats)
    _summary(run, paths, quiet)


def _summary(run: Any, paths: list[Path], quiet: bool) -> None:
    for p in paths:
        console.print(str(p), highlight=False)
    if quiet:
        return
    supported = sum(1 for c in run.claims if c.supported)
    independent = sum(1 for c in run.claims if c.supported and c.independent)
    # A supported claim quoted from its own page was matched against itself: say how many were checked beyond it.
    checked = f" ({independent} checked beyond their own page, {supported - independent} quoted)" if supported else ""
    score = f", quality {run.review.score:.1f}/10" if run.review else " (incomplete run: not reviewed)"
    err.print(
        f"{len(run.claims)} claims, {supported} supported{checked}{score}; "
        f"run directory {paths[0].parent if paths else ''}",
        highlight=False,
    )
