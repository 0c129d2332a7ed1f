"""Render a DigestReport as Markdown (jinja2 template `templates/digest.md.j2`) or JSON."""

from __future__ import annotations

from pathlib import Path

from synth.digest.run import DigestReport
from synth.digest.store import parse_iso

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"


def _when(stamp: str | None) -> str:
    if not stamp:
        return "—"
    return parse_iso(stamp).strftime("%Y-%m-%d %H:%M UTC")


def _cell(text: object) -> str:
    """Safe inside a Markdown table cell: one line, no pipes."""
    return " ".join(str(text).split()).replace("|", "\\|")


def render_markdown(report: DigestReport, templates: Path = TEMPLATES_DIR) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(templates)), undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters["when"] = _when
    env.filters["cell"] = _cell
    text = env.get_template("digest.md.j2").render(r=report, d=report.drift)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip() + "\n"


def render_json(report: DigestReport) -> str:
    return report.model_dump_json(indent=1) + "\n"
