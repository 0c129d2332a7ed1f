"""The answer: an abstract and results built from verified claims only, every finding sentence citing them.

Template mode (no LM) groups the usable claims by theme (gains, costs,
quality, method), opens the gains paragraph with the range of the figures the
papers report, and states each claim as its own cited sentence: nothing is said
that a SUPPORTED claim does not say. NOT_ENOUGH_INFO, REFUTED and low-confidence
claims are listed apart and never cited as support. The LM mode
(synth.synthesize.llm_synthesis) rewrites the abstract and results in prose and
keeps this module's conflicts, lists and limitations.
"""

from __future__ import annotations

from synth.core.run import CitedSentence, Paragraph, ReportClaim, ReportRun, Synthesis
from synth.synthesize.answer import build_answer, collect_figures, off_topic
from synth.synthesize.conflicts import find_conflicts
from synth.synthesize.limitations import CONFIDENCE_FLOOR, run_limitations
from synth.synthesize.themes import HEADINGS, THEMES, theme_of


def partition(
    claims: list[ReportClaim], min_confidence: float = CONFIDENCE_FLOOR
) -> tuple[list[ReportClaim], list[int], list[int], list[int]]:
    """(usable claims, low-confidence SUPPORTED, NOT_ENOUGH_INFO, REFUTED) — only the first may support prose."""
    usable, low, nei, refuted = [], [], [], []
    for c in claims:
        label = c.label
        if label == "SUPPORTED" and c.confidence >= min_confidence:
            usable.append(c)
        elif label == "SUPPORTED":
            low.append(c.number)
        elif label == "REFUTED":
            refuted.append(c.number)
        else:
            nei.append(c.number)
    return usable, low, nei, refuted


def as_sentence(text: str) -> str:
    text = " ".join(text.split()).strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _meta(text: str) -> CitedSentence:
    return CitedSentence(text=as_sentence(text), claims=[], kind="meta")


def template_synthesis(run: ReportRun, min_confidence: float = CONFIDENCE_FLOOR) -> Synthesis:
    """`min_confidence`: the `report.min_confidence` setting, below which a SUPPORTED claim is not a finding."""
    usable, low, nei, refuted = partition(run.claims, min_confidence)
    numbers = {c.number for c in usable}
    by_theme: dict[str, list[ReportClaim]] = {t: [] for t in THEMES}
    for c in usable:
        by_theme[theme_of(c.claim)].append(c)
    results: list[Paragraph] = []
    leads: dict[str, CitedSentence] = {}
    for theme in THEMES:
        members = by_theme[theme]
        if not members:
            continue
        leads[theme] = CitedSentence(text=as_sentence(members[0].claim.text), claims=[members[0].number])
        sentences = [CitedSentence(text=as_sentence(c.claim.text), claims=[c.number]) for c in members]
        results.append(Paragraph(heading=HEADINGS[theme], sentences=sentences))
    unrelated = off_topic(run)
    if unrelated:  # the claims are about something else: listed in the claims table, never as findings
        results, leads, numbers = [], {}, set()
    figures = [] if unrelated else collect_figures(run, usable)
    conflicts = find_conflicts(run.claims, numbers, figures)
    synthesis = Synthesis(
        method="template",
        title=title_for(run.question),
        answer=build_answer(run, usable, figures),
        figures=figures,
        abstract=_abstract(run, [] if unrelated else usable, leads, len(conflicts), min_confidence),
        introduction=_introduction(run),
        methodology=_methodology(run, min_confidence),
        results=results,
        conflicts=conflicts,
        not_enough_info=nei,
        refuted=refuted,
        low_confidence=low,
    )
    synthesis.limitations = run_limitations(run, numbers, min_confidence)
    if unrelated:
        papers = len(run.retrieval.papers) if run.retrieval else 0
        synthesis.abstract[0] = _meta(
            f"This report was asked \u201c{' '.join(run.question.split())}\u201d; the {papers} closest papers of the "
            f"corpus are about other subjects, so none of the {len(run.claims)} extracted claims is used as an answer"
        )
        synthesis.abstract.insert(1, synthesis.answer[0])
        synthesis.notes.append("the corpus does not cover the question's subject: no claim is used as a finding")
    elif not usable:
        synthesis.notes.append("no claim was verified with enough confidence to answer the question")
    return synthesis


def title_for(question: str) -> str:
    q = " ".join(question.split()).rstrip("?.! ")
    return f"Evidence report: {q}?" if question.strip().endswith("?") else f"Evidence report: {q}"


def _abstract(
    run: ReportRun, usable: list[ReportClaim], leads: dict[str, CitedSentence], conflicts: int, min_confidence: float
) -> list[CitedSentence]:
    papers = len(run.retrieval.papers) if run.retrieval else 0
    out = [
        _meta(
            f"This report answers \u201c{' '.join(run.question.split())}\u201d from {papers} papers; "
            f"{len(usable)} of {len(run.claims)} extracted claims were verified as SUPPORTED with confidence "
            f"\u2265 {min_confidence} and are the only ones the answer rests on"
        )
    ]
    for theme in ("gains", "costs", "quality"):
        if theme in leads:
            out.append(leads[theme])
    if not any(t in leads for t in ("gains", "costs", "quality")) and leads:
        out.append(next(iter(leads.values())))
    if conflicts:
        out.append(_meta(f"{conflicts} conflict(s) between sources are shown under Conflicting evidence"))
    out.append(_meta(_measurement_summary(run)))
    return out


def _measurement_summary(run: ReportRun) -> str:
    m = run.measurement
    measurable = [c for c in run.claims if c.measurable]
    if m is None or m.mode == "off":
        return f"{len(measurable)} claim(s) state measurable figures; measurement was off for this run"
    checks = [ch for c in run.claims for ch in c.empirical if ch.verdict is not None]
    decided = [ch for ch in checks if ch.verdict and ch.verdict.verdict.value != "INCONCLUSIVE"]
    consistent = sum(1 for ch in decided if ch.verdict and ch.verdict.verdict.value == "CONSISTENT")
    where = f" on {m.hardware}" if m.hardware else ""
    return (
        f"{len(measurable)} claim(s) state measurable figures; {m.run} benchmark run(s){where} gave "
        f"{len(decided)} decided check(s), {consistent} consistent with the claim and {len(decided) - consistent} not"
    )


def _introduction(run: ReportRun) -> str:
    r = run.retrieval
    if r is None or not r.papers:
        return f"Research question: {run.question}"
    top = "; ".join(f"{p.title} [{_ref_label(p.number)}]" for p in r.papers[:5])
    source = "the local corpus" + (" and arXiv" if r.arxiv.startswith("searched") else "")
    return (
        f"Research question: {run.question} The question was put to {source} ({r.corpus_documents} documents). "
        f"The papers that match it best are: {top}."
    )


def _ref_label(number: int) -> str:
    return f"R{number}"


def _methodology(run: ReportRun, min_confidence: float) -> str:
    o = run.options
    ext = run.extraction
    checks = ", ".join(run.verification.checks if run.verification else []) or "numeric and similarity"
    mode = ext.mode if ext else o.mode
    skipped = (
        f", which read the {ext.papers - ext.llm_skipped} best-ranked papers within its time budget "
        f"(`extract.llm_seconds`; the other {ext.llm_skipped} offered their own sentences)"
        if ext and ext.llm_skipped
        else ""
    )
    extraction = (
        f"Claims were extracted with the language model {ext.model if ext else None} "
        f"(prompt {ext.prompt if ext else None}){skipped}"
        if mode == "llm"
        else "Claims were extracted without a language model: sentences stating findings, numbers and comparisons "
        "were scored for claim-worthiness, first-person subjects were replaced by the system's name"
    )
    measure = {
        "off": "Measurement was off.",
        "auto": f"Claims stating throughput, latency, memory or quantization effects were turned into benchmark "
        f"runs of the bundled runner within a {o.measure_budget_s:.0f} s budget.",
        "all": "Every measurable claim was turned into benchmark runs of the bundled runner.",
    }[o.measure]
    listed = len(run.retrieval.papers) if run.retrieval else o.papers
    kept = f"the {o.papers} best kept"
    if listed != o.papers:  # choose_papers: off-topic papers gave way, cited methods' own papers came in
        kept += (
            f", off-topic ones listed but replaced by lower-ranked papers about the question's subject and the own "
            f"papers of methods those name ({listed} papers listed)"
        )
    return (
        f"Papers were ranked by hybrid retrieval (BM25 and MiniLM dense vectors fused by reciprocal rank) and "
        f"{kept}. {extraction}; claims were ranked by similarity to the question, near-duplicates "
        f"dropped, and at most {o.claims} kept. Each claim was checked against passages of its own paper and of the "
        f"rest of the corpus by the {checks} checkers; confidences are calibrated probabilities that the label is "
        f"right. Only SUPPORTED claims with confidence \u2265 {min_confidence} are used in the answer. {measure} "
        "A panel of reviewers scored the result from the run's own data."
    )
