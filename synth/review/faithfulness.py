"""Faithfulness reviewer: does every prose sentence rest on claims the verifier SUPPORTED, and how surely?

Each prose sentence earns the mean, over the claims it cites, of the claim's
verdict confidence when the verdict is SUPPORTED and 0 otherwise (REFUTED,
NOT_ENOUGH_INFO, unverified, or a citation number with no claim behind it). An
uncited sentence earns 0: a report's prose should say nothing its evidence does
not carry. The score is 10 x the mean over sentences, so one unsupported
sentence in ten costs about one point, and weak support costs in proportion.
"""

from __future__ import annotations

from synth.core.run import CitedSentence, ReportClaim, ReportRun, Review
from synth.review.prose import claims_by_number, prose_sentences

ASPECT = "faithfulness: prose sentences rest on SUPPORTED claims, weighted by verdict confidence"


def sentence_support(sentence: CitedSentence, claims: dict[int, ReportClaim]) -> float:
    """Mean over the cited claims of (confidence if SUPPORTED else 0); 0 for an uncited sentence."""
    if not sentence.claims:
        return 0.0
    cited = [claims.get(n) for n in sentence.claims]
    return sum(c.confidence if c is not None and c.supported else 0.0 for c in cited) / len(cited)


def review_faithfulness(run: ReportRun) -> Review:
    """Score 0-10 = 10 x mean sentence support; None when the run has no prose to read."""
    sentences = prose_sentences(run)
    if not sentences:
        return Review(
            reviewer="faithfulness", aspect=ASPECT, score=None,
            rationale="Not scored: the run has no prose sentences (no synthesis, or an empty one), so there is "
            "nothing whose support could be checked.",
        )  # fmt: skip
    claims = claims_by_number(run)
    cited = [s for s in sentences if s.claims]
    only_supported = sum(1 for s in cited if all(n in claims and claims[n].supported for n in s.claims))
    partly = len(cited) - only_supported
    uncited = len(sentences) - len(cited)
    dangling = sum(1 for s in cited for n in s.claims if n not in claims)
    confidences = [claims[n].confidence for s in cited for n in s.claims if n in claims and claims[n].supported]
    mean_conf = sum(confidences) / len(confidences) if confidences else 0.0
    mean_support = sum(sentence_support(s, claims) for s in sentences) / len(sentences)
    score = 10.0 * mean_support
    rationale = (
        f"{only_supported} of {len(sentences)} prose sentences cite only SUPPORTED claims "
        f"(mean confidence {mean_conf:.2f} over the SUPPORTED citations); {partly} cite at least one claim that is "
        f"REFUTED, NOT_ENOUGH_INFO or unverified, and {uncited} cite nothing"
        + (f"; {dangling} of the citations point at no claim" if dangling else "")
        + ". Each sentence earns the mean confidence of its SUPPORTED citations (0 for any other citation and "
        f"for an uncited sentence); the mean over sentences is {mean_support:.2f}, so the score is {score:.1f}/10."
    )
    return Review(
        reviewer="faithfulness", aspect=ASPECT, score=round(score, 2), rationale=rationale,
        details={
            "sentences": len(sentences), "cited": len(cited), "only_supported": only_supported,
            "partly_unsupported": partly, "uncited": uncited, "dangling_citations": dangling,
            "mean_supported_confidence": round(mean_conf, 4), "mean_support": round(mean_support, 4),
        },
    )  # fmt: skip
