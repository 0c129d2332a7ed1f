"""The limitations section of one run: what this run could not see, check or measure (never boilerplate)."""

from __future__ import annotations

from synth.core.run import ReportRun, VerificationSummary
from synth.settings import ReportSettings

CONFIDENCE_FLOOR: float = ReportSettings.model_fields["min_confidence"].default  # a run's own: report.min_confidence


def run_limitations(run: ReportRun, usable: set[int], min_confidence: float = CONFIDENCE_FLOOR) -> list[str]:
    out: list[str] = []
    r = run.retrieval
    if r is not None:
        if r.arxiv and not r.arxiv.startswith("searched"):
            out.append(
                f"arXiv was not searched ({r.arxiv}): only the {r.corpus_documents} papers of the local "
                "corpus were considered, so newer or uncollected work is missing."
            )
        if len(r.papers) < run.options.papers:
            out.append(f"Only {len(r.papers)} papers matched the question (asked for {run.options.papers}).")
        contributing = {c.paper for c in run.claims if c.number in usable}
        silent = [p for p in r.papers if p.number not in contributing]
        if silent:
            names = ", ".join(_short_title(p.title) for p in silent[:4])
            out.append(
                f"{len(silent)} of {len(r.papers)} retrieved papers contributed no verified claim ({names}"
                f"{', …' if len(silent) > 4 else ''}); their findings are not in the synthesis."
            )
    if run.extraction is not None and run.extraction.mode == "extractive":
        out.append(
            "Claims were extracted without a language model: they are sentences of the papers, with "
            "first-person subjects replaced by the system's name, so some keep context-dependent wording."
        )
    ver = run.verification or VerificationSummary()
    checks = list(ver.checks)
    if checks and "lm_judge" not in checks:
        out.append(
            f"Verification used only the {' and '.join(checks)} checkers (no LM judge): a paraphrase that "
            "changes the meaning without changing the numbers can pass as SUPPORTED."
        )
    for note in ver.notes:
        out.append(f"{note}.")
    verified_from_source = sum(
        1
        for c in run.claims
        if c.verdict
        and c.verdict.evidence
        and c.claim.provenance
        and all(e.doc_id == c.claim.provenance.doc_id for e in c.verdict.evidence[:1])
    )
    if run.claims and verified_from_source == len(run.claims):
        out.append(
            "Every verdict's best evidence is the claim's own paper; no independent paper confirmed the "
            "figures, which were taken as reported."
        )
    low = [
        c.number
        for c in run.claims
        if c.verdict and c.verdict.label.value == "SUPPORTED" and c.verdict.confidence < min_confidence
    ]
    if low:
        out.append(
            f"{len(low)} claim(s) were SUPPORTED with confidence below {min_confidence} "
            f"({_refs(low)}) and were left out of the answer."
        )
    nei = [c.number for c in run.claims if c.verdict and c.verdict.label.value == "NOT_ENOUGH_INFO"]
    if nei:
        out.append(f"{len(nei)} claim(s) could not be checked against the retrieved text ({_refs(nei)}).")
    m = run.measurement
    measurable = [c for c in run.claims if c.measurable]
    if m is None or m.mode == "off":
        if measurable:
            out.append(f"{len(measurable)} claim(s) state measurable figures but were not re-measured (--measure off).")
    else:
        out.extend(f"Not measured: {s}." for s in m.skipped)
        subs = {s for c in run.claims for ch in c.empirical for s in (ch.verdict.substitutions if ch.verdict else [])}
        labels = {x for c in run.claims for ch in c.empirical for x in (ch.verdict.labels if ch.verdict else [])}
        if subs:
            out.append("Measurements used substitutes for what the claims name: " + "; ".join(sorted(subs)[:5]) + ".")
        if labels:
            out.append("Measurement labels: " + "; ".join(sorted(labels)) + ".")
        if m.hardware:
            out.append(f"Measured on {m.hardware}; ratios transfer across hardware better than absolute figures.")
        unplanned = [
            c.number for c in measurable if c.empirical and all(ch.plan.inconclusive_reason for ch in c.empirical)
        ]
        if unplanned:
            out.append(
                f"{len(unplanned)} measurable claim(s) ({_refs(unplanned)}) name setups the bundled benchmark "
                "runner cannot reproduce here (their reasons are in the measurement table)."
            )
    return out


def _refs(numbers: list[int], most: int = 8) -> str:
    shown = "".join(f"[{n}]" for n in numbers[:most])
    return shown + (" …" if len(numbers) > most else "")


def _short_title(title: str, words: int = 6) -> str:
    head = title.split(":", 1)[0].strip()
    parts = head.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")
