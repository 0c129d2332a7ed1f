"""Render an AuditReport as Markdown (jinja2 template `synth/templates/audit.md.j2`) or JSON."""

from __future__ import annotations

from pathlib import Path

from synth.core.audit import AuditOutcome, AuditReport
from synth.render.environment import template_environment

SECTIONS = [
    ("Disagreements with the report", AuditOutcome.DISAGREEMENT),
    ("Agreements with the report", AuditOutcome.AGREEMENT),
    ("Verdicts on the paper's claims", AuditOutcome.NO_MARK),
    ("Unverifiable claims (not enough information, or confidence below 0.5)", AuditOutcome.UNVERIFIABLE),
]


def render_markdown(report: AuditReport, templates: Path | None = None) -> str:
    """Every value the template prints is Markdown-escaped (synth.core.escape): the audited report's title,
    question and claims, and the evidence quoted from papers, can add no HTML and no link."""
    env = template_environment("markdown", templates, trim_blocks=False)
    text = env.get_template("audit.md.j2").render(r=report, sections=SECTIONS)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip() + "\n"


def render(report: AuditReport, fmt: str) -> str:
    if fmt == "json":
        return report.model_dump_json(indent=1) + "\n"
    return render_markdown(report)
