"""Answer-completeness reviewer: does the Answer answer what was asked, from the papers about it?

An expert reading the Answer asks three things, each measured from the run:

- facets: the share of the things the question lists ("extra draft models or
  heads, training, memory, output quality") that the Answer mentions;
- breadth: the share of retrieved papers about the question's subject (the topic
  gate's verdict) that the Answer cites (a paper on the subject left out of the answer is a missing source);
- on topic: the share of the report's claims taken from papers the topic gate
  found about the question's subject (`synth.synthesize.topic`): claims about something else
  (flash-memory loading in a speculative decoding report) count against it.

Score = 10 x the mean of the parts that apply. An Answer saying the corpus does
not cover the question scores 0: the report does not answer it, however honest.
"""

from __future__ import annotations

import re

from synth.core.facets import facet_mentioned, facets
from synth.core.run import ReportRun, Review
from synth.synthesize.answer import answer_bullets, off_topic
from synth.synthesize.topic import subject_phrases

ASPECT = "answer completeness: the question's facets, the primary papers' results, claims on the subject"


def review_answer(run: ReportRun) -> Review:
    s = run.synthesis
    if s is None or not s.answer:
        return Review(reviewer="answer", aspect=ASPECT, score=None,
                      rationale="Not scored: the run has no Answer section.")  # fmt: skip
    if off_topic(run):
        return Review(
            reviewer="answer", aspect=ASPECT, score=0.0,
            rationale="The Answer says the corpus does not cover the question: the report does not answer it.",
        )  # fmt: skip
    text = answer_bullets(s.answer, markdown=False).lower()
    parts: dict[str, float] = {}
    asked = facets(run.question)
    if asked:
        parts["facets"] = sum(1 for f in asked if facet_mentioned(f, text)) / len(asked)
    papers = run.retrieval.papers if run.retrieval else []
    texts = [p.title + " " + " ".join(h.text for h in p.passages) for p in papers]
    subject = subject_phrases(run.question, texts) if texts else []
    # The topic gate's verdict (`choose_papers`), not a looser reading of its own: speculative decoding's
    # "verification" of draft tokens does not make a paper about self-verification.
    on = {p.number for p in papers if p.on_topic}
    if on:
        cited = {int(n) for n in re.findall(r"\[r(\d+)", text)}
        cited |= {c.paper for c in run.claims if c.paper is not None and f"[{c.number}]" in text}
        parts["breadth"] = len(on & cited) / len(on)
    if subject and run.claims:
        parts["on_topic"] = sum(1 for c in run.claims if c.paper in on) / len(run.claims)
    if not parts:
        return Review(reviewer="answer", aspect=ASPECT, score=None,
                      rationale="Not scored: the question lists no facets and no paper reports figures.")  # fmt: skip
    score = 10 * sum(parts.values()) / len(parts)
    detail = "; ".join(f"{k} {v:.2f}" for k, v in parts.items())
    missing = [f for f in asked if not facet_mentioned(f, text)]
    rationale = f"Mean of {detail}."
    if missing:
        rationale += f" Facets the Answer does not mention: {', '.join(missing)}."
    return Review(
        reviewer="answer", aspect=ASPECT, score=round(score, 2), rationale=re.sub(r"\s+", " ", rationale),
        details={k: round(v, 3) for k, v in parts.items()},
    )  # fmt: skip
