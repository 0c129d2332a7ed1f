"""The reviewer panel: run every reviewer on a finished run and aggregate to one "quality score X/10".

The score is the plain mean of the reviewers that scored (a reviewer that does
not apply, or an LM judge without a usable reply, has score None and is left
out). An unweighted mean because each reviewer already scores one aspect on
the same 0-10 scale, and there is no labelled set of reports to fit weights
on: any weights would be opinions stated as numbers. The spread is shown
instead: the population standard deviation of the scores says how much the
aspects disagree, so "7/10 ± 0.5" and "7/10 ± 3" read differently.

With two or more LM judges that scored, `agreement` is the mean over pairs of
1 - |score_a - score_b| / 10 (1: identical scores, 0: one gave 0 and the other
10). The judges score different rubrics, so this measures how consistently the
model rates the same report, not inter-rater reliability on one question.
"""

from __future__ import annotations

import itertools
import statistics
from typing import TYPE_CHECKING

from synth.core.run import ReportRun, Review, ReviewPanel
from synth.review.answer import review_answer
from synth.review.coverage import review_coverage
from synth.review.faithfulness import review_faithfulness
from synth.review.grounding import review_grounding
from synth.review.relevance import TextEmbedder, review_relevance
from synth.review.rubric import review_rubrics
from synth.settings import ReviewSettings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


_DEFAULTS = ReviewSettings()


def judge_agreement(reviews: list[Review]) -> float | None:
    """Mean pairwise 1 - |a - b| / 10 over the LM judges that scored; None with fewer than two."""
    scores = [r.score for r in reviews if r.kind == "lm" and r.score is not None]
    pairs = list(itertools.combinations(scores, 2))
    if not pairs:
        return None
    return sum(1.0 - abs(a - b) / 10.0 for a, b in pairs) / len(pairs)


def aggregate(reviews: list[Review]) -> ReviewPanel:
    """Mean and population std of the non-None scores, LM-judge agreement, and a sentence saying how."""
    scored = [r for r in reviews if r.score is not None]
    scores = [float(r.score) for r in scored if r.score is not None]
    skipped = [r.reviewer for r in reviews if r.score is None]
    agreement = judge_agreement(reviews)
    if not scores:
        method = f"no reviewer could score this run ({', '.join(skipped) or 'no reviewers'}): score 0 by convention"
        return ReviewPanel(reviews=reviews, score=0.0, std=0.0, agreement=agreement, method=method)
    mean, std = statistics.fmean(scores), statistics.pstdev(scores)
    method = (
        f"unweighted mean of {len(scores)} reviewers' 0-10 scores ({', '.join(r.reviewer for r in scored)}); "
        f"std is the population standard deviation of those scores"
        + (f"; not scored, left out: {', '.join(skipped)}" if skipped else "")
        + ("; agreement = mean pairwise 1 - |difference|/10 over the LM judges" if agreement is not None else "")
    )
    return ReviewPanel(
        reviews=reviews, score=round(mean, 2), std=round(std, 2),
        agreement=None if agreement is None else round(agreement, 3), method=method,
    )  # fmt: skip


def review_report(
    run: ReportRun,
    *,
    embedder: TextEmbedder | None = None,
    chat_model: BaseChatModel | None = None,
    config: ReviewSettings = _DEFAULTS,
) -> ReviewPanel:
    """All metric reviewers, plus the LM rubric judges of `config.rubrics` when a chat model is given, aggregated."""
    reviews = [
        review_faithfulness(run),
        review_relevance(run, embedder=embedder, config=config),
        review_coverage(run, config),
        review_grounding(run, config),
        review_answer(run),
    ]
    if chat_model is not None:
        reviews += review_rubrics(run, chat_model, config)
    return aggregate(reviews)
