"""The `synth` command: a thin shell over the library.

Only typer and rich are imported at start-up; torch, transformers, chromadb
and llama.cpp are imported inside the commands that need them, which keeps
`synth --help` well under a second.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from synth import __version__

app = typer.Typer(
    name="synth",
    help="Literature-claims synthesis and verification: search papers, check claims, measure what can be measured.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click help: literal brackets ("[values]", "[--format F ...]") survive, and flags show no "<bool>".
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"synth {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="TOML settings file (default: ./synth.toml if present).")
    ] = None,
    home: Annotated[
        Path | None, typer.Option("--home", help="Data dir (default $SYNTH_HOME or ~/.cache/synth).")
    ] = None,
    offline: Annotated[bool | None, typer.Option("--offline/--online", help="Never touch the network.")] = None,
    preset: Annotated[
        str | None,
        typer.Option(
            "--preset",
            help="Named settings preset: fast, thorough or gpu (default $SYNTH_PRESET or `preset` in the config "
            "file); the config file, environment and flags override its values.",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    ctx.obj = {"config": config, "home": home, "offline": offline, "preset": preset}


def settings_from(ctx: typer.Context, **overrides: Any) -> Any:
    """Effective settings: this command's flags over the global flags over env, file and defaults."""
    from synth.settings import load_settings

    obj = ctx.find_root().obj or {}
    settings = load_settings(
        obj.get("config"), home=obj.get("home"), offline=obj.get("offline"), preset=obj.get("preset"), **overrides
    )
    _LAST_HOME["home"] = settings.home
    return settings


# NOTE: the data dir of the running command, so that a full-disk error escaping to `main` can name it.
_LAST_HOME: dict[str, Path] = {}


def _register() -> None:
    from synth.cli import (
        audit_cmd,
        bench_cmd,
        check_cmd,
        config_cmd,
        corpus_cmd,
        digest_cmd,
        eval_cmd,
        models_cmd,
        report_cmd,
        search_cmd,
    )

    app.command(name="report", help="Answer a research question with a verified, reviewed report.")(report_cmd.report)
    app.command(name="render", help="Re-render a report run directory (no recomputation).")(report_cmd.render)
    app.add_typer(config_cmd.app, name="config", help="Show the effective settings.")
    app.add_typer(models_cmd.app, name="models", help="Fetch, list and verify the offline models.")
    app.add_typer(corpus_cmd.app, name="corpus", help="Add, list and remove documents in the local corpus.")
    app.command(name="search", help="Hybrid (vector + BM25) search over the corpus.")(search_cmd.search)
    app.command(name="audit", help="Check the claims of a report or paper against the corpus.")(audit_cmd.audit)
    app.add_typer(eval_cmd.app, name="eval", help="Measure synth's stages on labelled data.")
    app.command(name="check-claims", help="Re-measure a file's throughput, memory and quantization claims.")(
        check_cmd.check_claims
    )
    app.add_typer(bench_cmd.app, name="bench", help="Run, list, show and compare benchmark experiments.")
    app.command(name="calibrate", help="Fit the verifier's label models and confidence calibration.")(
        eval_cmd.calibrate
    )
    app.add_typer(digest_cmd.app, name="digest", help="Scheduled research digests: what changed since the last run.")


_register()


def main() -> None:
    """Entry point: user errors and a full disk become one line on stderr and exit code 2, never a traceback."""
    from synth.errors import UserError
    from synth.models.offline import stay_offline

    stay_offline()
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    try:
        app()
    except UserError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        full = _disk_full(exc)
        if full is None:
            raise
        from synth.io import storage_error

        home = _LAST_HOME.get("home")
        data_dir = f"the data directory {home}" if home else "the data directory"
        if isinstance(full, OSError):  # without a file name it was a write through an open file: any of these
            where = full.filename or f"its output ({data_dir}, an -o file or stdout)"
        else:
            where = f"in {data_dir}"
        typer.echo(f"error: {storage_error(full, where)}", err=True)
        sys.exit(2)


def _disk_full(exc: BaseException) -> BaseException | None:
    """The full-disk error behind `exc`, if any: the last line of defence for writes no lower layer wrapped.

    The cause chain is searched because a failed cleanup (a ROLLBACK after SQLite already rolled back,
    a temp file that cannot be removed) often raises a second error that hides the real one.
    """
    from synth.io import disk_full

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if disk_full(current):
            return current
        current = current.__cause__ or current.__context__
    return None
