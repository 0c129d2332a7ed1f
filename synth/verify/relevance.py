"""The LM judge as the extraction reranker: P(Yes) that a claim answers the question.

Embedding similarity finds claims on the question's topic; the judge prefers the
ones that state a finding about it. The question leads the prompt, so its KV
cache is computed once and reused for every claim of the shortlist.
"""

from __future__ import annotations

from typing import Any

from synth.core.claims import Claim


class JudgeReranker:
    def __init__(self, judge: Any) -> None:
        self.judge = judge  # an LMJudge (the cached wrapper delegates to it)
        self.calls = 0

    def __call__(self, question: str, claims: list[Claim]) -> list[float]:
        lm = getattr(self.judge, "judge", self.judge)
        self.calls += len(claims)
        return [lm.ask("judge_relevance", question=question, claim=c.text) for c in claims]
