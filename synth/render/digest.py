"""Render a DigestReport as Markdown (jinja2 template `synth/templates/digest.md.j2`) or JSON."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from synth.core.digest import DigestReport
from synth.render.environment import template_environment


def _when(stamp: str | None) -> str:
    if not stamp:
        return "—"
    return dt.datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M UTC")


def render_markdown(report: DigestReport, templates: Path | None = None) -> str:
    """Every value the template prints is Markdown-escaped (synth.core.escape: `|` too, so table cells stay
    whole); `cell` folds a value onto one line, `code` and `link` write code spans and links."""
    env = template_environment("markdown", templates, trim_blocks=False)
    env.filters["when"] = _when
    text = env.get_template("digest.md.j2").render(r=report, d=report.drift)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip() + "\n"


def render_json(report: DigestReport) -> str:
    return report.model_dump_json(indent=1) + "\n"
