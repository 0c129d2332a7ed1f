"""`synth config show`."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)  # help text is literal: "[values]" stays


def to_toml(data: dict[str, Any]) -> str:
    """Small TOML writer for the settings tree (tables of scalars and lists); None is shown as a comment."""
    lines: list[str] = []
    tables: list[tuple[str, dict[str, Any]]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append(_toml_line(key, value))
    for name, table in tables:
        lines.append(f"\n[{name}]")
        lines.extend(_toml_line(k, v) for k, v in table.items())
    return "\n".join(lines).strip() + "\n"


def _toml_line(key: str, value: Any) -> str:
    if value is None:
        return f"# {key} = (unset)"
    return f"{key} = {json.dumps(value)}"


@app.command("show")
def show(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of TOML.")] = False,
) -> None:
    """Print the effective settings (flags > SYNTH_* env > TOML file > preset > defaults)."""
    from synth.cli import settings_from

    settings = settings_from(ctx)
    data = settings.model_dump(mode="json")
    if as_json:
        typer.echo(json.dumps(data, indent=2))
    else:
        md5 = data.pop("settings_md5")
        preset = f"preset {data['preset']}" if data["preset"] else "no preset"
        typer.echo(f"# effective settings; {preset}; settings_md5 = {md5}\n" + to_toml(data))
