"""Small formatting helpers shared by the report templates (registered as jinja2 filters and globals)."""

from __future__ import annotations

from typing import Any

from synth.core.escape import TrustedMarkdown, escape_markdown, one_line
from synth.core.run import CitedSentence, ReportClaim, ReportRun
from synth.render.environment import template_environment


def uncited(sentence: CitedSentence) -> list[int]:
    """The sentence's claims not already cited inline ('HiSpec 1.28x [1]; PEARL 4.43x [6]' cites its own)."""
    return [n for n in sentence.claims if f"[{n}]" not in sentence.text]


def cite(sentence: CitedSentence, fmt: str = "md") -> str:
    """The sentence with its citations before the final stop: 'Medusa reaches 2.2x [3][5].'

    Markdown (`fmt="md"`): the sentence is paper text, so it is escaped; the citations are links to the claims
    table (`[\\[3\\]](#claim-3)`), also where the sentence cites inline ('HiSpec 1.28x [1]'); the result is
    `TrustedMarkdown`. Other formats get plain text."""
    text = " ".join(sentence.text.split())
    numbers = uncited(sentence)
    stop = text[-1] if text.endswith((".", "!", "?")) else ""
    body = text[: len(text) - len(stop)]
    if fmt == "md":
        escaped = escape_markdown(body)
        for n in sentence.claims:
            if n not in numbers:  # cited inline: escaped to '\\[n\\]', made the same link as an appended mark
                escaped = escaped.replace(f"\\[{n}\\]", _claim_link(n))
        marks = "".join(_claim_link(n) for n in numbers)
        return TrustedMarkdown(f"{escaped} {marks}{stop}" if marks else escaped + stop)
    if not numbers:
        return text
    marks = "".join(f"[{n}]" for n in numbers)
    return f"{body} {marks}{stop}" if stop else f"{text} {marks}"


def _claim_link(n: int) -> str:
    return f"[\\[{n}\\]](#claim-{n})"


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
    if ev.table:
        return f"table cells: {quote} ({ev.doc_id}{page})"
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
    """One line, for a table cell or list item; escaping (`|` included) is the Markdown environment's finalize."""
    return one_line(text)


def template_env(markdown: bool = False) -> Any:
    """The report templates' environment (`synth.render.environment`), with the report's filters: `markdown=True`:
    every `{{ … }}` value is Markdown-escaped unless it is `TrustedMarkdown` (synth.core.escape), and `code` / `url`
    filters write code spans and autolinks; otherwise plain text."""
    env = template_environment("markdown" if markdown else "text")
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
