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
from synth.claims.subject import subject_of
from synth.core.claims import Evidence, Verdict
from synth.core.run import ReportClaim
from synth.pipeline.rundir import RunDir
from synth.verify.numeric import NumericOutcome
from synth.verify.service import VerifyContext, claim_policy, verify_claim
from synth.verify.verifier import Verifier, quote_sentences, to_verdict

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
    context = VerifyContext.of(verifier, retriever)
    titles = context.titles
    done = {v.claim_id: v for v in rundir.read_lines(PROGRESS_FILE, VerifiedClaim)}
    reused = judge_calls = 0
    for i, rc in enumerate(claims):
        claim = rc.claim
        record = done.get(claim.claim_id)
        if record is None:
            source = claim.provenance.doc_id if claim.provenance else None
            result = verify_claim(claim.text, claim_policy(claim, context, settings.verify.candidate_chunks), context)
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
        "checks": verifier.checks_for("3way"), "judge_calls": judge_calls, "reused_from_resume": reused,
        "seconds": round(time.perf_counter() - started, 3),
    }  # fmt: skip
    return claims, info
