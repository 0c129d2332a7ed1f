"""Small formatting helpers shared by the report templates (registered as jinja2 filters and globals)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synth.report.records import CitedSentence, ReportClaim, ReportRun

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"


def uncited(sentence: CitedSentence) -> list[int]:
    """The sentence's claims not already cited inline ('HiSpec 1.28x [1]; PEARL 4.43x [6]' cites its own)."""
    return [n for n in sentence.claims if f"[{n}]" not in sentence.text]


def cite(sentence: CitedSentence, fmt: str = "md") -> str:
    """The sentence with its citations before the final stop: 'Medusa reaches 2.2x [3][5].'"""
    text = " ".join(sentence.text.split())
    numbers = uncited(sentence)
    if not numbers:
        return text
    marks = "".join(f"[{n}]" for n in numbers)
    if fmt == "md":
        marks = "".join(f"[\\[{n}\\]](#claim-{n})" for n in numbers)
    if text.endswith((".", "!", "?")):
        return f"{text[:-1]} {marks}{text[-1]}"
    return f"{text} {marks}"


def support_probability(claim: ReportClaim) -> float:
    """P(the claim is supported): the seeds' 'Confidence' column means this, whatever our label is."""
    if claim.probabilities.get("SUPPORTED") is not None:
        return float(claim.probabilities["SUPPORTED"])
    if claim.verdict is None:
        return 0.0
    return claim.verdict.confidence if claim.supported else 1.0 - claim.verdict.confidence


def evidence_cell(claim: ReportClaim, limit: int = 240) -> str:
    if claim.verdict is None or not claim.verdict.evidence:
        return ""
    ev = claim.verdict.evidence[0]
    quote = " ".join(ev.quote.split())
    if len(quote) > limit:
        quote = quote[: limit - 1].rstrip() + "…"
    page = f", p. {ev.page}" if ev.page else ""
    return f"\u201c{quote}\u201d ({ev.doc_id}{page})"


def measured_cell(claim: ReportClaim) -> str:
    parts = []
    for check in claim.empirical:
        v = check.verdict
        if v is None:
            continue
        measured = v.measured.short() if v.measured else "—"
        parts.append(f"{v.verdict.value}: claimed {v.claimed}, measured {measured}")
    if parts:
        return "; ".join(parts)
    return "measurable, not measured" if claim.measurable else ""


def md_cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def one_line(text: str) -> str:
    return " ".join(str(text).replace("\t", " ").split())


def template_env(autoescape: bool = False) -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)), undefined=StrictUndefined, keep_trailing_newline=True,
        autoescape=autoescape, trim_blocks=True, lstrip_blocks=True,
    )  # fmt: skip
    env.filters.update(
        cite=cite, md=md_cell, one_line=one_line, evidence=evidence_cell, measured=measured_cell,
        p_support=support_probability,
    )  # fmt: skip
    return env


def date_of(run: ReportRun) -> str:
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(run.created).strftime("%B %d, %Y").replace(" 0", " ")
    except ValueError:
        return run.created[:10]
