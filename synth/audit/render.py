"""Render an AuditReport as Markdown (jinja2 template in `templates/`) or JSON."""

from __future__ import annotations

from pathlib import Path

from synth.audit.run import AuditOutcome, AuditReport

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"
SECTIONS = [
    ("Disagreements with the report", AuditOutcome.DISAGREEMENT),
    ("Agreements with the report", AuditOutcome.AGREEMENT),
    ("Verdicts on the paper's claims", AuditOutcome.NO_MARK),
    ("Unverifiable claims (not enough information, or confidence below 0.5)", AuditOutcome.UNVERIFIABLE),
]


def render_markdown(report: AuditReport, templates: Path = TEMPLATES_DIR) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(templates)), undefined=StrictUndefined, keep_trailing_newline=True)
    text = env.get_template("audit.md.j2").render(r=report, sections=SECTIONS)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip() + "\n"


def render(report: AuditReport, fmt: str) -> str:
    if fmt == "json":
        return report.model_dump_json(indent=1) + "\n"
    return render_markdown(report)
