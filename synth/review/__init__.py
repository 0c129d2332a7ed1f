"""Reviewer panel of a `synth report` run: one score per aspect, each with its rationale, and their mean.

Metric reviewers (faithfulness, relevance, coverage, empirical grounding) are pure
functions of the run's records; LM rubric judges (clarity, completeness) read the
report through a chat model passed in. `review_report` runs them all and fills
`ReportRun.review`.

>>> panel = review_report(run, embedder=embedder, chat_model=chat)  # both optional
>>> f"quality score {panel.score:.1f}/10 (± {panel.std:.1f})"
"""

from synth.review.coverage import review_coverage
from synth.review.faithfulness import review_faithfulness
from synth.review.grounding import review_grounding
from synth.review.panel import aggregate, judge_agreement, review_report
from synth.review.relevance import review_relevance
from synth.review.rubric import RUBRICS, review_rubric, review_rubrics

__all__ = [
    "RUBRICS",
    "aggregate",
    "judge_agreement",
    "review_coverage",
    "review_faithfulness",
    "review_grounding",
    "review_relevance",
    "review_report",
    "review_rubric",
    "review_rubrics",
]
