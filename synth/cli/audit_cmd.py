"""`synth audit FILE`."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from synth.core.measurement import MeasureMode

err = Console(stderr=True, soft_wrap=True)  # one line per message, however narrow: logs and pipes stay greppable

# NOTE: the flags that default to None take their value from the settings; see synth/cli/report_cmd.py.
PROBLEMS_SHOWN = 20  # input problems printed on stderr; the output lists them all


def audit(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A report (seed .txt, Markdown) or a paper (.pdf/.txt/.tex).")],
    corpus: Annotated[Path | None, typer.Option("--corpus", help="Add these papers to the corpus first.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="md or json.")] = "md",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here instead of stdout.")] = None,
    question: Annotated[str | None, typer.Option("--question", help="Rank a paper's claims by this question.")] = None,
    judge: Annotated[
        bool | None,
        typer.Option(
            "--judge/--no-judge", help="Use the LM judge when installed (default: from [verify] judge, true)."
        ),
    ] = None,
    measure: Annotated[
        str | None,
        typer.Option(
            "--measure",
            help="Re-measure the measurable claims with the benchmark runner: auto (within --measure-budget, as "
            "`synth report` does), all, or off (default: from [bench] measure, auto).",
        ),
    ] = None,
    measure_budget: Annotated[
        float | None,
        typer.Option(
            "--measure-budget",
            min=0,
            help="Seconds the measurement may take (auto) (default: from [bench] budget_s, 600).",
        ),
    ] = None,
    max_claims: Annotated[
        int | None,
        typer.Option(
            "--max-claims",
            min=0,
            help="Check at most this many claims: a report's first ones, a paper's top-ranked ones (0: all). About "
            "4-5 s per claim on 2 CPU cores, so the default is minutes of work; the output says how many were left "
            "(default: from [audit] max_claims, 100).",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
) -> None:
    """Check the claims of a report or paper against the corpus and compare with the report's own marks.

    Verdicts are saved as they are made under `<home>/audit/checkpoints/`: the same audit run again after an
    interruption reuses them; the checkpoint is removed once the output is written.
    """
    from synth.audit.inputs import read_audit_input
    from synth.audit.references import arxiv_fetcher
    from synth.audit.run import AuditCheckpoint, run_audit
    from synth.cli import settings_from
    from synth.cli.corpus_cmd import run_ingest
    from synth.cli.progress import LineStages
    from synth.empirical.budget import measure_within_budget
    from synth.errors import UserError
    from synth.io import atomic_write_text, check_output_path
    from synth.pipeline.context import RunContext
    from synth.render.audit import render

    if fmt not in {"md", "json"}:
        raise UserError(f"unknown --format {fmt!r}: use md or json")
    if measure not in {None, "auto", "all", "off"}:
        raise UserError(f"unknown --measure {measure!r}: use auto, all or off")
    if output is not None:
        check_output_path(output)
    settings = settings_from(ctx)
    judge = settings.verify.judge if judge is None else judge
    measure = measure or settings.bench.measure
    measure_budget = settings.bench.budget_s if measure_budget is None else measure_budget
    max_claims = settings.audit.max_claims if max_claims is None else max_claims
    audit_input = read_audit_input(file)
    if audit_input.problems and not quiet:
        err.print(
            f"{file}: {len(audit_input.problems)} problem(s) in the claims table:",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        for problem in audit_input.problems[:PROBLEMS_SHOWN]:
            err.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)
        if len(audit_input.problems) > PROBLEMS_SHOWN:
            err.print(f"  ... and {len(audit_input.problems) - PROBLEMS_SHOWN} more, all listed in the output")
    if question:
        audit_input.question = question
    if corpus is not None:
        run_ingest(settings, [corpus], quiet=True)
    ctx = RunContext.build(settings)
    ctx.require_documents()

    def ingest(paths: list[Path]) -> None:
        run_ingest(settings, paths, quiet=True, source="arxiv")

    fetch = arxiv_fetcher(settings, ingest, ctx.catalog, lambda m: err.print(m, highlight=False))
    lines = None if quiet or err.is_terminal else LineStages(err)  # cron, CI, a pipe: timed lines, not a bar
    with Progress(
        TextColumn("[bold]audit"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, disable=quiet or lines is not None, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("", total=None)

        def advance(done: int, total: int) -> None:
            if lines is not None:
                lines.advance("audit", done, total)
            progress.update(task, completed=done, total=total)

        checkpoint = AuditCheckpoint(settings.home / "audit" / "checkpoints")
        try:
            report = run_audit(
                audit_input, ctx, judge=judge, fetch=fetch,
                progress=advance,
                max_claims=max_claims or None, checkpoint=checkpoint,
                say=lambda message: quiet or err.print(message, highlight=False, markup=False, soft_wrap=True),
            )  # fmt: skip
        except KeyboardInterrupt:
            if checkpoint.path is not None:
                err.print(f"verdicts so far are saved in {checkpoint.path}: run the same command again to resume",
                          highlight=False, markup=False, soft_wrap=True)  # fmt: skip
            raise
    if lines is not None:
        lines.finish("audit", f"{len(report.claims)} claims checked")
    measurable = list(dict.fromkeys(c.text for c in report.claims if c.needs_measurement))
    if measurable and measure != "off" and not quiet:
        err.print(
            f"measuring {len(measurable)} claim(s) with the benchmark runner ({measure}, budget {measure_budget:.0f} s;"
            " --measure off skips this)",
            highlight=False,
        )
    with tempfile.TemporaryDirectory(prefix="synth-audit-bench-") as store:
        done = measure_within_budget(measurable, settings, cast("MeasureMode", measure), measure_budget, Path(store))
    report.measurement = done.stage
    report.empirical = [
        c for checks in done.checks.values() for c in checks if c.plan.specs or c.plan.inconclusive_reason
    ]
    text = render(report, fmt)
    if output is not None:
        atomic_write_text(output, text)
        if not quiet:
            s = report.summary
            checked = (
                f"{s.claims} of {s.claims_total} claims (--max-claims)" if s.skipped_by_cap else f"{s.claims} claims"
            )
            err.print(
                f"wrote {output}: {checked}, {s.supported} supported, {s.refuted} refuted, "
                f"{s.disagreements} disagreements with the report, {s.needs_measurement} need a measurement",
                highlight=False,
            )
    else:
        typer.echo(text, nl=False)
    checkpoint.remove()
