"""Verify stage: every claim against its source paper first, then the rest of the corpus; resumable per claim.

Besides the verdict, each claim keeps the best window of every *other* paper
whose numbers disagree with it on the same quantity: that is what the report
shows as conflicting evidence instead of averaging it away.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from synth.claims.measurable import measurable_tags
from synth.claims.records import Claim, Evidence, Verdict
from synth.report.records import ReportClaim
from synth.report.rundir import RunDir
from synth.report.themes import subject_of
from synth.verify.aggregate import content_words
from synth.verify.evidence import corpus_passages
from synth.verify.numeric import NumericOutcome, check_numbers
from synth.verify.verifier import Passage, Verifier, quote_sentences, to_verdict

PROGRESS_FILE = "verdicts"
COUNTER_MIN_SIMILARITY = 0.6  # a differing number only counts on a window about the same thing
EVIDENCE_DOCS = 3


class VerifiedClaim(BaseModel):
    """One line of the resume file."""

    number: int
    claim_id: str
    verdict: Verdict
    probabilities: dict[str, float] = Field(default_factory=dict)
    counter_evidence: list[Evidence] = Field(default_factory=list)
    judge_calls: int = 0
    seconds: float = 0.0


def source_passage(claim: Claim, catalog: Any, titles: dict[str, str], context: int = 500) -> list[Passage]:
    """The page text around the sentence the claim was taken from: retrieval may rank that chunk below others."""
    prov = claim.provenance
    if prov is None or prov.page is None or prov.char_start is None or prov.char_end is None:
        return []
    text = catalog.page_text(prov.doc_id, prov.page) or ""
    if not text:
        return []
    start, end = max(0, prov.char_start - context), min(len(text), prov.char_end + context)
    return [Passage(prov.doc_id, text[start:end], prov.page, titles.get(prov.doc_id, ""))]


ATTRIBUTION_OVERLAP = 0.85  # share of the claim's content words found in its source sentence


def restated_by(claim_text: str, passage: str, subject: str = "") -> bool:
    """True when `passage` states the claim: (nearly) all its content words, and no figure that differs.

    `subject` (the paper's title) holds the words extraction put in place of "we"/"our method";
    they are not expected in the passage.
    """
    if not passage:
        return False
    words = content_words(claim_text) - content_words(subject)
    if not words or len(words & content_words(passage)) / len(words) < ATTRIBUTION_OVERLAP:
        return False
    return check_numbers(claim_text, passage).outcome is not NumericOutcome.MISMATCH


def attributed(claim: Claim) -> bool:
    """True when the claim restates the sentence it was extracted from: same content words, same figures.

    Such a claim is what its paper says; the question left for verification is whether the paper (and the
    rest of the corpus) supports it or merely mentions it, not whether its own sentence refutes it.
    """
    prov = claim.provenance
    return prov is not None and restated_by(claim.text, prov.passage, claim.source_title or "")


def condition_on_attribution(result: Any) -> None:
    """P(label | features, not refuted by its own sentence): REFUTED's mass is removed and the rest renormalised.

    NOTE: the no-judge label model was fitted partly on biomedical pairs where a REFUTED claim is a
    near-copy of its evidence with one word negated, so similarity alone leaves a verbatim restatement
    about as likely REFUTED as SUPPORTED. For a claim that restates its source sentence that prior is
    wrong: its own paper cannot refute it. This conditions the calibrated posterior on that fact (a
    disagreeing paper elsewhere is reported as a conflict, not folded in here).
    """
    probs = dict(result.probabilities)
    refuted = probs.pop("REFUTED", 0.0)
    total = sum(probs.values())
    if not probs or total <= 0 or refuted <= 0:
        return
    probs = {k: v / total for k, v in probs.items()}
    label = max(probs, key=probs.__getitem__)
    result.probabilities = {**probs, "REFUTED": 0.0}
    result.label, result.confidence = label, probs[label]
    result.checks = [*result.checks, "attribution"]


def counter_evidence(result: Any, claim_text: str, source_doc: str | None, titles: dict[str, str]) -> list[Evidence]:
    """Best windows of other papers that state a different figure for the claim's quantity."""
    subject = subject_of(claim_text)
    if subject is None:
        return []  # without a named system, a different figure elsewhere is most likely about something else
    out = []
    for window in result.best:
        if window.doc_id == source_doc or window.numeric is None or subject not in window.text.lower():
            continue
        if window.numeric.outcome is NumericOutcome.MISMATCH and window.similarity >= COUNTER_MIN_SIMILARITY:
            details = "; ".join(f"{c.claim.text}: {c.detail}" for c in window.numeric.mismatches)
            out.append(
                Evidence(
                    doc_id=window.doc_id, page=window.page, quote=quote_sentences(claim_text, window.text),
                    score=round(window.similarity, 4),
                    title=titles.get(window.doc_id, "") + (f" — differs: {details}" if details else ""),
                )
            )  # fmt: skip
    return out[:2]


def verify_claims(
    claims: list[ReportClaim],
    verifier: Verifier,
    retriever: Any,
    settings: Any,
    rundir: RunDir,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[ReportClaim], dict[str, Any]]:
    """Verdicts for every claim; those already in the run directory's progress file are reused."""
    started = time.perf_counter()
    catalog = retriever.index.catalog
    titles = {d.doc_id: d.title for d in catalog.documents()}
    done = {v.claim_id: v for v in rundir.read_lines(PROGRESS_FILE, VerifiedClaim)}
    reused = judge_calls = 0
    for i, rc in enumerate(claims):
        claim = rc.claim
        record = done.get(claim.claim_id)
        if record is None:
            source = claim.provenance.doc_id if claim.provenance else None
            passages = source_passage(claim, catalog, titles) + corpus_passages(
                claim.text, retriever, catalog, source_doc_id=source, k=settings.verify.candidate_chunks
            )
            result = verifier.verify(claim.text, passages)
            if attributed(claim):
                condition_on_attribution(result)
            verdict = to_verdict(
                claim.text, claim.claim_id, result, titles, settings.settings_md5, evidence_docs=EVIDENCE_DOCS
            )
            record = VerifiedClaim(
                number=rc.number, claim_id=claim.claim_id, verdict=verdict, probabilities=result.probabilities,
                counter_evidence=counter_evidence(result, claim.text, source, titles), judge_calls=result.judge_calls,
                seconds=round(result.seconds, 3),
            )  # fmt: skip
            rundir.append_line(PROGRESS_FILE, record)
        else:
            reused += 1
        judge_calls += record.judge_calls
        rc.verdict, rc.probabilities = record.verdict, record.probabilities
        rc.counter_evidence = record.counter_evidence
        rc.measurable = [t.value for t in measurable_tags(claim.text)]
        if progress:
            progress(i + 1, len(claims))
    info = {
        "checks": verifier.checker_names, "judge_calls": judge_calls, "reused_from_resume": reused,
        "seconds": round(time.perf_counter() - started, 3),
    }  # fmt: skip
    return claims, info
