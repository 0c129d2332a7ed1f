"""Render a `ReportRun` as one self-contained HTML page (jinja2 template `synth/templates/report.html.j2`).

The page loads nothing: CSS and the table-sorting script are inline, plots are
inline SVG (`synth.render.plots`), and a Content-Security-Policy (`default-src
'none'`, the script allowed by its hash) makes the browser refuse anything else,
so a stray external reference shows up as a console error rather than a request.
Links (arXiv pages) are not assets and stay.

The template gets the run (`r`) and a view model (`v`) computed here: rows of the
claims and measurement tables, reviewer bars, the claims left out of the prose,
so the template only lays them out. Any stage may be missing (a run is rendered
as it progresses); autoescaping is on, and only our own SVG is marked safe.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from synth.render.environment import template_environment
from synth.render.plots import config_label, pass_at_1, throughput_of

if TYPE_CHECKING:
    from markupsafe import Markup

    from synth.core.bench_spec import BenchSpec
    from synth.core.claims import Evidence
    from synth.core.measurement import EmpiricalCheck
    from synth.core.run import ReportClaim, ReportRun

TEMPLATE = "report.html.j2"
LABEL_TEXT = {
    "SUPPORTED": "supported",
    "REFUTED": "refuted",
    "NOT_ENOUGH_INFO": "not enough info",
    "UNVERIFIED": "not verified",
}


@dataclass
class Measured:
    """One empirical check of a claim, as the claims and measurement tables show it."""

    claim: int
    claim_text: str
    anchor: str
    verdict: str
    claimed: str
    measured: str
    short: str
    arms: list[str]
    reason: str
    hardware: str
    substitutions: list[str]
    labels: list[str]
    extras: list[str]
    results: list[str]


@dataclass
class ClaimRow:
    number: int
    anchor: str
    text: str
    label: str
    label_text: str
    confidence: float | None
    source: str
    source_title: str
    paper: int | None
    doc: str
    page: int | None
    evidence: list[Evidence]
    measured: list[Measured] = field(default_factory=list)
    measurable: list[str] = field(default_factory=list)
    checked: str = ""  # what the verdict rests on: quoted, corroborated by another paper, measured here
    reason: str = ""  # the verifier's why: the mismatch (quote and page), the figures found, or what is missing


@dataclass
class ReviewerBar:
    reviewer: str
    aspect: str
    score: float | None
    percent: int
    rationale: str
    kind: str


@dataclass
class Plot:
    key: str
    title: str
    svg: str | None
    caption: str
    missing: str


@dataclass
class HtmlView:
    title: str
    date: str
    stages: list[tuple[str, bool, str]]
    claims: list[ClaimRow]
    cite: dict[int, str]
    measured: list[Measured]
    reviewers: list[ReviewerBar]
    unused: list[tuple[str, list[ClaimRow]]]
    plots: list[Plot]
    settings: list[tuple[str, str]]


def _date(created: str) -> str:
    try:
        when = dt.datetime.fromisoformat(created)
    except ValueError:
        return created
    zone = " UTC" if when.utcoffset() == dt.timedelta(0) else ""
    return when.strftime("%Y-%m-%d %H:%M") + zone


def _arm(spec: BenchSpec) -> str:
    """'llama-3.2-1b int4, cpu, 150-token prompts → 32 tokens' or 'qwen… bf16, cpu, humaneval[:10]'."""
    p = spec.prompts
    if p.kind == "synthetic":
        setup = f"{'/'.join(map(str, p.prompt_tokens))}-token prompts → {spec.generation.max_new_tokens} tokens"
    else:
        setup = p.kind + (f"[:{p.limit}]" if p.limit else "")
    return f"{spec.model.name} {spec.precision}, {spec.device}, {setup}"


def _measured(claim: ReportClaim, check: EmpiricalCheck) -> Measured:
    from synth.empirical.judge import METRIC_NAMES  # synth.empirical is slow to import; only runs with checks

    v = check.verdict
    plan = check.plan
    arms = []
    if plan.arm_a is not None and plan.arm_b is not None:
        arms = [f"B: {_arm(plan.arm_b)}", f"A: {_arm(plan.arm_a)}"]
    measured, short = "", "—"
    if v is not None and v.measured is not None:
        m = v.measured
        short = m.short()
        measured = f"{METRIC_NAMES.get(m.metric, m.metric)}: B {m.b_mean:.3g} vs A {m.a_mean:.3g}"
    results = []
    for r in check.results:
        line = f"{config_label(r)}: {r.status}"
        if r.measurements is not None:
            speed, acc = throughput_of(r), pass_at_1(r)
            if speed is not None:
                line += f", {speed[0]:.2f} ± {speed[1]:.2f} tokens/s ({speed[2]})"
            if acc is not None:
                line += f", pass@1 {acc:.2f}"
            if r.measurements.model_memory_mb is not None:
                line += f", model {r.measurements.model_memory_mb:.0f} MB"
        elif r.reason:
            line += f" ({r.reason})"
        results.append(line)
    return Measured(
        claim=claim.number, claim_text=claim.claim.text, anchor=f"claim-{claim.number}",
        verdict=v.verdict.value if v is not None else "NOT RUN",
        claimed=v.claimed if v is not None else check.claim_type.claimed(), measured=measured, short=short, arms=arms,
        reason=(v.reason if v is not None else plan.inconclusive_reason or "dry run: planned, not measured"),
        hardware=v.hardware if v is not None else "", substitutions=list(v.substitutions if v else plan.substitutions),
        labels=list(v.labels) if v is not None else [], extras=[e.text for e in v.extras] if v is not None else [],
        results=results,
    )  # fmt: skip


def _claim_row(run: ReportRun, c: ReportClaim) -> ClaimRow:
    paper = run.paper(c.paper)
    page = c.claim.provenance.page if c.claim.provenance is not None else None
    if paper is not None:
        doc = paper.arxiv_id or paper.doc_id
    else:
        doc = c.claim.provenance.doc_id if c.claim.provenance is not None else ""
    location = doc + (f", p. {page}" if page is not None else "")
    source = (f"[{paper.number}] " if paper is not None else "") + location
    return ClaimRow(
        number=c.number, anchor=f"claim-{c.number}", text=c.claim.text, label=c.label,
        label_text=LABEL_TEXT.get(c.label, c.label),
        confidence=c.verdict.confidence if c.verdict is not None and c.independent else None, checked=c.checked,
        source=source.strip(), source_title=paper.title if paper is not None else (c.claim.source_title or ""),
        paper=paper.number if paper is not None else None, doc=doc, page=page,
        evidence=list(c.verdict.evidence) if c.verdict is not None else [],
        measured=[_measured(c, check) for check in c.empirical], measurable=list(c.measurable),
        reason=c.verdict.reason if c.verdict is not None else "",
    )  # fmt: skip


def _stages(run: ReportRun) -> list[tuple[str, bool, str]]:
    verified = sum(1 for c in run.claims if c.verdict is not None)
    m = run.measurement
    return [
        ("retrieval", run.retrieval is not None,
         f"{len(run.retrieval.papers)} papers" if run.retrieval is not None else "not run"),
        ("claims", bool(run.claims), str(len(run.claims)) if run.claims else "none yet"),
        ("verification", verified > 0, f"{verified} of {len(run.claims)} verified"),
        ("measurement", m is not None, f"{m.mode}: {m.run} of {m.planned} runs" if m is not None else "not run"),
        ("synthesis", run.synthesis is not None, run.synthesis.method if run.synthesis is not None else "not run"),
        ("review", run.review is not None,
         f"{len(run.review.reviews)} reviewers" if run.review is not None else "not run"),
    ]  # fmt: skip


def _unused(run: ReportRun, rows: list[ClaimRow]) -> list[tuple[str, list[ClaimRow]]]:
    """Claims the prose does not rest on: NOT_ENOUGH_INFO, REFUTED (the synthesis's lists when it ran), unverified."""
    by_number = {row.number: row for row in rows}
    s = run.synthesis
    if s is not None:
        nei = [by_number[n] for n in s.not_enough_info if n in by_number]
        refuted = [by_number[n] for n in s.refuted if n in by_number]
    else:
        nei = [row for row in rows if row.label == "NOT_ENOUGH_INFO"]
        refuted = [row for row in rows if row.label == "REFUTED"]
    unverified = [row for row in rows if row.label == "UNVERIFIED"]
    groups = [("Not enough information", nei), ("Refuted", refuted), ("Not verified", unverified)]
    return [(title, group) for title, group in groups if group]


def _plots(run: ReportRun) -> list[Plot]:
    from synth.render import plots

    measured = any(check.results for c in run.claims for check in c.empirical)
    checks = any(c.empirical for c in run.claims)
    return [
        Plot("confidence", "Verifier confidence", plots.confidence_histogram(run),
             "Claims by the verifier's calibrated confidence in its verdict, stacked by verdict.",
             "No claim has been verified yet."),
        Plot("figures", "Reported figures", plots.reported_figures(run),
             "Multipliers the papers report, one row per method: filled points from the method's own paper, open "
             "points re-measured by another paper, bars for stated ranges; each point links to its source.",
             "Fewer than two methods report a multiplier."),
        Plot("accuracy", "Accuracy vs throughput", plots.accuracy_vs_throughput(run),
             "One point per benchmark configuration measured here (deduplicated across claims): pass@1 against "
             "tokens/s, the accuracy-efficiency trade-off; configurations with no accuracy measured (random "
             "weights measure speed only) are shown as throughput bars.",
             "No benchmark result with throughput or accuracy: nothing was measured on this machine."
             if not measured else "The benchmark results report neither throughput nor accuracy."),
        Plot("ratios", "Claimed vs measured ratios", plots.claimed_vs_measured(run),
             "Per empirical check: the ratio the claim states (grey, range as whiskers) and the ratio measured "
             "here (± its propagated spread), coloured by the empirical verdict.",
             "No claim states a ratio that was checked." if checks else "No claim went through the empirical stage."),
    ]  # fmt: skip


def _settings(run: ReportRun) -> list[tuple[str, str]]:
    o = run.options
    items = [
        ("mode", o.mode), ("papers", str(o.papers)), ("claims", str(o.claims)),
        ("measure", f"{o.measure} (budget {o.measure_budget_s:.0f} s)"), ("arXiv", "yes" if o.arxiv else "no"),
        ("LM judge", "yes" if o.judge else "no"), ("formats", ", ".join(o.formats)),
    ]  # fmt: skip
    if o.corpus:
        items.append(("corpus", ", ".join(o.corpus)))
    for name, stage in (("extraction", run.extraction), ("verification", run.verification)):
        if stage:
            items.append((name, "; ".join(f"{k}: {_plain(v)}" for k, v in stage.model_dump().items())))
    return items


def _plain(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value)


def sentence_parts(text: str) -> tuple[str, str]:
    """('Medusa reaches 2.2x', '.'): citations go before the final stop."""
    text = " ".join(text.split())
    if text.endswith((".", "!", "?")):
        return text[:-1], text[-1]
    return text, ""


def build_view(run: ReportRun) -> HtmlView:
    """Everything the template lays out, computed once from the run."""
    rows = [_claim_row(run, c) for c in run.claims]
    reviewers = []
    if run.review is not None:
        for r in run.review.reviews:
            percent = round(max(0.0, min(10.0, r.score)) * 10) if r.score is not None else 0
            reviewers.append(ReviewerBar(r.reviewer, r.aspect, r.score, percent, r.rationale, r.kind))
    title = run.synthesis.title if run.synthesis is not None and run.synthesis.title else run.question
    return HtmlView(
        title=title, date=_date(run.created), stages=_stages(run), claims=rows,
        cite={row.number: row.anchor for row in rows}, measured=[m for row in rows for m in row.measured],
        reviewers=reviewers, unused=_unused(run, rows), plots=_plots(run), settings=_settings(run),
    )  # fmt: skip


def csp_hash(text: str) -> Markup:
    """CSP source expression allowing exactly this inline script: 'sha256-<base64>'."""
    from markupsafe import Markup

    digest = hashlib.sha256(str(text).encode("utf-8")).digest()
    return Markup(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")


def render_html(run: ReportRun, templates: Path | None = None) -> str:
    """The whole report as one HTML page that needs no network and no other file."""
    from synth.render.view import uncited

    env = template_environment("html", templates)
    env.filters.update(csp_hash=csp_hash, sentence_parts=sentence_parts, uncited=uncited)
    return env.get_template(TEMPLATE).render(r=run, v=build_view(run)).lstrip()
