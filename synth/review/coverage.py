"""Coverage reviewer: does the prose draw on the papers retrieval found, and on more than one of them?

A paper *contributes* when the prose cites at least one SUPPORTED claim taken
from it. The papers that count are the *relevant* retrieved ones: those that
gave the report at least one claim (a retrieved paper with nothing to say about
the question is retrieval's miss, not the prose's); all retrieved papers when
no claim records its paper. Two figures:

- contributing share = contributing papers / relevant papers;
- source diversity = entropy of the prose's SUPPORTED citations over relevant
  papers (each SUPPORTED claim cited in each sentence is one citation; a
  citation of an unsupported claim brings no finding), divided by log(number
  of relevant papers): 1 when the prose leans on every relevant paper equally,
  0 when it cites one paper only (1 when there is a single relevant paper and
  the prose cites it).

Score = 10 x (w x share + (1 - w) x diversity), w = `review.coverage_share_weight`
(0.6). The share weighs more because leaving a source out loses its findings,
while an uneven spread over sources that are all used only over-weights some of them.
"""

from __future__ import annotations

import math
from collections import Counter

from synth.core.run import ReportRun, Review
from synth.review.prose import claims_by_number, prose_sentences
from synth.settings import ReviewSettings

ASPECT = "coverage: the prose draws on the relevant retrieved papers, evenly"
_DEFAULTS = ReviewSettings()


def normalised_entropy(counts: Counter[int], outcomes: int) -> float:
    """Shannon entropy of `counts` divided by log(outcomes): 0-1; 1 for a single outcome that occurs."""
    total = sum(counts.values())
    if total == 0:
        return 0.0
    if outcomes <= 1:
        return 1.0
    entropy = -sum(c / total * math.log(c / total) for c in counts.values() if c > 0)
    return min(1.0, entropy / math.log(outcomes))


def review_coverage(run: ReportRun, config: ReviewSettings = _DEFAULTS) -> Review:
    """Score 0-10 from contributing share and source diversity; None without retrieved papers or prose."""
    papers = run.retrieval.papers if run.retrieval is not None else []
    sentences = prose_sentences(run)
    if not papers or not sentences:
        missing = "retrieved papers" if not papers else "prose sentences"
        return Review(
            reviewer="coverage", aspect=ASPECT, score=None,
            rationale=f"Not scored: the run has no {missing}, so there is no use of sources to measure.",
        )  # fmt: skip
    retrieved = {p.number for p in papers}
    with_claims = {c.paper for c in run.claims if c.paper is not None and c.paper in retrieved}
    relevant = with_claims or retrieved
    claims = claims_by_number(run)
    citations: Counter[int] = Counter()
    for sentence in sentences:
        for number in sentence.claims:
            claim = claims.get(number)
            if claim is not None and claim.supported and claim.paper in relevant:
                citations[claim.paper] += 1
    contributing = set(citations)
    share = len(contributing) / len(relevant)
    diversity = normalised_entropy(citations, len(relevant))
    share_weight = config.coverage_share_weight
    diversity_weight = round(1.0 - share_weight, 6)  # 0.4, not 0.40000000000000002, in the rationale
    score = 10.0 * (share_weight * share + diversity_weight * diversity)
    top = citations.most_common(1)
    lead = (
        f"; the most cited paper, [{top[0][0]}], takes {top[0][1]} of {sum(citations.values())} SUPPORTED citations"
        if top else "; the prose cites no SUPPORTED claim of theirs"
    )  # fmt: skip
    rationale = (
        f"{len(contributing)} of {len(relevant)} relevant retrieved papers contribute a SUPPORTED claim cited in "
        f"the prose (relevant: {len(relevant)} of {len(retrieved)} retrieved papers gave the report a claim)"
        f"{lead}. Source diversity (normalised entropy of citations over the relevant papers) is {diversity:.2f}. "
        f"Score = 10 x ({share_weight} x share {share:.2f} + {diversity_weight} x diversity {diversity:.2f}) "
        f"= {score:.1f}/10."
    )
    return Review(
        reviewer="coverage", aspect=ASPECT, score=round(score, 2), rationale=rationale,
        details={
            "retrieved": len(retrieved), "relevant": len(relevant), "contributing": len(contributing),
            "contributing_share": round(share, 4), "diversity": round(diversity, 4),
            "citations": sum(citations.values()), "cited_papers": len(citations),
        },
    )  # fmt: skip
