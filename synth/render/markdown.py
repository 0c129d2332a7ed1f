"""Markdown report from a ReportRun (synth/templates/report.md.j2).

Every value the template prints is Markdown-escaped unless a filter built it as `TrustedMarkdown`
(synth.core.escape): a paper's title or text can add no HTML and no link to the report."""

from __future__ import annotations

from synth.core.run import ReportRun
from synth.render.view import date_of, template_env


def render_markdown(run: ReportRun) -> str:
    text = template_env(markdown=True).get_template("report.md.j2").render(r=run, s=run.synthesis, date=date_of(run))
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:  # at most one blank line in a row
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n"
