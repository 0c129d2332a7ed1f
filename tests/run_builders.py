"""The parts every hand-built `synth report` run is made of (report_fixtures.py, review_fixtures.py).

A claim goes into a run with its verdict, which names the claim's id; prose is sentences that cite claims by
number; and the run's options asked for exactly the papers and claims it holds, retrieved from the 40 papers
of the shared corpus.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from synth.core.claims import Claim, Evidence, Verdict, VerdictLabel
from synth.core.measurement import EmpiricalCheck
from synth.core.run import CitedSentence, PaperRef, ReportClaim, ReportOptions, ReportRun, RetrievalResult

CORPUS_DOCUMENTS = 40


def cited(text: str, *claims: int) -> CitedSentence:
    return CitedSentence(text=text, claims=list(claims))


def verified_claim(
    number: int,
    claim: Claim,
    paper: int | None,
    label: VerdictLabel,
    confidence: float,
    *,
    checks: Sequence[str],
    evidence: Sequence[Evidence] = (),
    measurable: Sequence[str] = (),
    empirical: Sequence[EmpiricalCheck] = (),
) -> ReportClaim:
    """Claim `number` of a run (from paper `paper`), with the verdict the checkers `checks` reached."""
    verdict = Verdict(
        claim_id=claim.claim_id, label=label, confidence=confidence, evidence=list(evidence), checks=list(checks)
    )
    return ReportClaim(
        number=number, claim=claim, paper=paper, verdict=verdict, measurable=list(measurable), empirical=list(empirical)
    )


def report_run(
    run_id: str,
    question: str,
    created: str,
    papers: list[PaperRef],
    claims: list[ReportClaim],
    *,
    options: dict[str, Any] | None = None,
    retrieval: dict[str, Any] | None = None,
    **stages: Any,
) -> ReportRun:
    """The run: `options` and `retrieval` add to what the papers and claims say; `stages` are ReportRun fields."""
    return ReportRun(
        run_id=run_id,
        question=question,
        created=created,
        options=ReportOptions(question=question, papers=len(papers), claims=len(claims), **(options or {})),
        retrieval=RetrievalResult(papers=papers, corpus_documents=CORPUS_DOCUMENTS, **(retrieval or {})),
        claims=claims,
        **stages,
    )
