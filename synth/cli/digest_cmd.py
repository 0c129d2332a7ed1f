"""`synth digest add | list | remove | run | serve | cron`: scheduled research digests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)  # help text is literal: "[values]" stays
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)  # one line per message, however narrow: logs and pipes stay greppable

MEASURE_MODES = ("off", "auto", "all")
MODES = ("extractive", "llm", "auto")


def _open(ctx: typer.Context) -> tuple[Any, Any]:
    from synth.cli import settings_from
    from synth.digest.store import Store

    settings = settings_from(ctx)
    return settings, Store.for_settings(settings)


def _base_command(ctx: typer.Context, settings: Any) -> list[str]:
    from synth.digest.schedule import synth_command

    obj = ctx.find_root().obj or {}
    return synth_command(settings.home, obj.get("config"), obj.get("offline"))


def _print_schedule(ctx: typer.Context, settings: Any, name: str, expr: str) -> None:
    from synth.digest.schedule import both_day_fields, crontab_line, systemd_units

    base = _base_command(ctx, settings)
    cwd = Path.cwd()
    typer.echo("# crontab line (crontab -e); cron passes no SYNTH_* variables: keep settings in synth.toml")
    typer.echo(crontab_line(name, expr, base, cwd))
    if both_day_fields(expr):
        typer.echo("# note: cron fires when EITHER day field matches; `synth digest serve` only when both do")
    typer.echo("")
    typer.echo(systemd_units(name, expr, base, cwd))


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Digest name (letters, digits, . _ -), e.g. spec-decoding.")],
    question: Annotated[str, typer.Argument(help="The research question the digest re-asks on every run.")],
    every: Annotated[
        str, typer.Option("--every", help="Cron schedule, 'minute hour day month weekday', e.g. '0 7 * * 1'.")
    ],
    corpus: Annotated[
        list[Path] | None,
        typer.Option("--corpus", help="Folder of papers ingested before each run (repeatable; default corpus.paths)."),
    ] = None,
    papers: Annotated[int, typer.Option("--papers", min=1, help="Papers retrieved per run.")] = 10,
    claims: Annotated[int, typer.Option("--claims", min=1, help="Claims kept per run.")] = 20,
    measure: Annotated[
        str | None,
        typer.Option(
            "--measure",
            help="off|auto|all (default digest.measure, off: measuring runs benchmarks for minutes on every "
            "scheduled run, and run-to-run hardware noise would show up as claim drift).",
        ),
    ] = None,
    arxiv: Annotated[
        bool, typer.Option("--arxiv/--no-arxiv", help="Online: also search arXiv; its new results are new papers.")
    ] = True,
    judge: Annotated[
        bool | None,
        typer.Option(
            "--judge/--no-judge", help="Verify with the LM judge when installed (default: from [verify] judge, true)."
        ),
    ] = None,
    mode: Annotated[str, typer.Option("--mode", help="Claim extraction: extractive, llm or auto.")] = "extractive",
    drift_threshold: Annotated[
        float | None,
        typer.Option(
            "--drift-threshold",
            help="Confidence move that counts as drift (default digest.drift_threshold, 0.10).",
            min=0.01,
            max=1,
        ),
    ] = None,
) -> None:
    """Add a digest; prints the crontab and systemd-timer lines for those who schedule it themselves."""
    from synth.core.run import ReportOptions
    from synth.digest.schedule import next_fire, validate_cron
    from synth.digest.store import DigestSpec, check_name, utcnow
    from synth.errors import UserError

    check_name(name)
    cron = validate_cron(every)
    if measure is not None and measure not in MEASURE_MODES:
        raise UserError(f"unknown --measure {measure!r}: use off, auto or all")
    if mode not in MODES:
        raise UserError(f"unknown --mode {mode!r}: use extractive, llm or auto")
    if not question.strip():
        raise UserError("the QUESTION is empty: pass the research question in quotes")
    settings, store = _open(ctx)
    with store:
        folders = [Path(p).expanduser().resolve() for p in (corpus or settings.corpus.paths)]
        for folder in folders:
            if not folder.exists():
                raise UserError(f"--corpus {folder}: no such file or folder")
        if not folders and not arxiv:
            raise UserError("no corpus: pass --corpus DIR (or set corpus.paths), or allow --arxiv")
        policy = settings.digest
        options = ReportOptions(
            question=question.strip(), papers=papers, claims=claims, measure=measure or policy.measure,
            formats=list(policy.formats), arxiv=arxiv, corpus=[str(f) for f in folders], mode=mode,
            judge=settings.verify.judge if judge is None else judge,
        )  # fmt: skip
        threshold = policy.drift_threshold if drift_threshold is None else drift_threshold
        spec = store.add(DigestSpec(name=name, cron=cron, options=options, drift_threshold=threshold))
    where = ", ".join(spec.options.corpus) or "arXiv only"
    fire = next_fire(cron, utcnow())
    then = f", then on schedule (next {fire:%Y-%m-%d %H:%M %Z})" if fire else ""
    console.print(
        f"added digest [bold]{name}[/] on '{cron}' over {where}; first run: `synth digest run {name}` "
        f"(or `synth digest run --due`){then}",
        highlight=False,
    )
    if settings.offline is False and arxiv:
        console.print("online: arXiv results not seen before count as new papers", style="dim", highlight=False)
    _print_schedule(ctx, settings, name, cron)


@app.command("cron")
def cron_cmd(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Digest name.")]) -> None:
    """Print the crontab line and a systemd service + timer for a digest."""
    settings, store = _open(ctx)
    with store:
        spec = store.require(name)
    _print_schedule(ctx, settings, spec.name, spec.cron)


def _due_text(spec: Any, checked: Any, now: Any) -> str:
    from synth.digest.schedule import is_due, next_fire

    if checked is None:
        return "now (never run)"
    if is_due(spec.cron, checked, now):
        return "now"
    fire = next_fire(spec.cron, checked)
    return f"{fire:%Y-%m-%d %H:%M %Z}" if fire else "never"


@app.command("list")
def list_cmd(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="JSON lines.")] = False) -> None:
    """Digests with their schedule, last run, next due time and number of runs."""
    from synth.digest.store import utcnow

    _, store = _open(ctx)
    now = utcnow()
    rows = []
    with store:
        for spec in store.digests():
            last = store.last_run(spec.name)
            checked = store.checked(spec.name)
            rows.append((spec, last, checked, store.run_count(spec.name)))
    if as_json:
        for spec, last, checked, count in rows:
            flat = spec.options.model_dump() | spec.model_dump(exclude={"options"})  # one level, as scripts read it
            data = flat | {
                "last_run": last.started if last else None,
                "last_report_dir": last.report_dir if last else None,
                "last_checked": checked.isoformat() if checked else None,
                "next_due": _due_text(spec, checked, now),
                "runs": count,
            }
            typer.echo(json.dumps(data))
        return
    table = Table("name", "question", "cron", "last run", "next due", "runs")
    for spec, last, checked, count in rows:
        last_text = last.started[:16].replace("T", " ") + " UTC" if last else "—"
        table.add_row(
            spec.name, spec.options.question[:60], spec.cron, last_text, _due_text(spec, checked, now), str(count)
        )
    console.print(table)
    console.print(f"{len(rows)} digests")


@app.command("remove")
def remove(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Exact digest name.")]) -> None:
    """Delete a digest, its runs and its state (no confirmation: the exact name is required)."""
    import shutil

    from synth.digest.run import digest_lock
    from synth.digest.store import digest_dir, lock_path

    _, store = _open(ctx)
    with store:
        spec = store.require(name)
        runs = store.run_count(name)
        with digest_lock(store.root, spec.name):
            store.remove(spec.name)
            shutil.rmtree(digest_dir(store.root, spec.name), ignore_errors=True)
        lock_path(store.root, spec.name).unlink(missing_ok=True)
    console.print(f"removed digest {name} and its {runs} run(s)", highlight=False)


def _run_one(spec: Any, settings: Any, store: Any, quiet: bool) -> Any:
    from synth.cli.progress import LineStages
    from synth.digest.run import run_digest

    outcome = run_digest(
        spec, settings, store, progress=None if quiet else LineStages(err),
        log=None if quiet else lambda m: err.print(m, highlight=False),
    )  # fmt: skip
    if not quiet:
        console.print(f"digest {spec.name}: {outcome.message}", highlight=False)
    return outcome


@app.command("run")
def run_cmd(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Digest to run now.")] = None,
    due: Annotated[
        bool, typer.Option("--due", help="Run every digest whose schedule fired since its last run.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No output unless something fails (for cron).")] = False,
) -> None:
    """Run a digest now (NAME) or every due one (--due); nothing new since the last run is said, not re-run."""
    from synth.digest.schedule import is_due
    from synth.digest.store import utcnow
    from synth.errors import UserError

    if (name is None) == (not due):
        raise UserError("pass a digest NAME or --due (not both), e.g. `synth digest run spec-decoding`")
    settings, store = _open(ctx)
    with store:
        if name is not None:
            _run_one(store.require(name), settings, store, quiet)
            return
        now = utcnow()
        todo = [s for s in store.digests() if is_due(s.cron, store.checked(s.name), now)]
        if not todo and not quiet:
            console.print("no digest is due", highlight=False)
        failed = 0
        for spec in todo:
            try:
                _run_one(spec, settings, store, quiet)
            except UserError as exc:
                err.print(f"error: digest {spec.name}: {exc}", highlight=False)
                failed += 1
            except Exception as exc:  # one broken digest must not keep the others from running
                err.print(
                    f"error: digest {spec.name} failed ({type(exc).__name__}: {exc}); its state is as before the run",
                    highlight=False,
                )
                failed += 1
    if failed:
        raise typer.Exit(1)


@app.command("serve")
def serve_cmd(
    ctx: typer.Context,
    catch_up: Annotated[
        bool, typer.Option("--catch-up/--no-catch-up", help="At start, run the digests already due.")
    ] = True,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Digests run at the same time (default digest.workers).")
    ] = None,
    reload_seconds: Annotated[
        float | None,
        typer.Option(
            "--reload-seconds",
            min=1,
            help="Re-read the digest list this often, and on SIGHUP (default digest.reload_seconds).",
        ),
    ] = None,
) -> None:
    """Run every digest on its cron schedule until SIGTERM or Ctrl-C (which wait for the runs in progress)."""
    import logging

    from synth.cli import settings_from
    from synth.digest.schedule import serve

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = settings_from(ctx)
    serve(settings, catch_up=catch_up, workers=workers, reload_seconds=reload_seconds, out=typer.echo)
