"""The report's prose as the reviewers read it: the cited sentences, and a plain-text rendering for LM judges.

Faithfulness and coverage both walk the same sentences (abstract first, then every
results paragraph), so what counts as "the prose" is decided once, here.
"""

from __future__ import annotations

import re

from synth.core.run import CitedSentence, ReportClaim, ReportRun

_WORD = re.compile(r"\w")


def is_structural(sentence: CitedSentence) -> bool:
    """True for a sentence that states nothing: empty, or punctuation only (a separator, a dash).

    NOTE: only these are skipped. An uncited sentence with words in it is prose that
    makes an unsupported statement, so the reviewers count it; that is the point.
    """
    return _WORD.search(sentence.text) is None


def prose_sentences(run: ReportRun) -> list[CitedSentence]:
    """The Answer's sentences, the abstract's, then those of every results paragraph; structural and `meta` ones
    left out.

    The Answer is what a reader reads first and often alone, so its sentences are held to the same standard as
    the rest. A `meta` sentence states facts about the run itself ("14 of 20 claims were verified"), read off the
    run's records; it makes no claim about the literature to be supported.
    """
    synthesis = run.synthesis
    if synthesis is None:
        return []
    sentences = [*synthesis.answer, *synthesis.abstract]
    sentences += [s for paragraph in synthesis.results for s in paragraph.sentences]
    return [s for s in sentences if not is_structural(s) and s.kind != "meta"]


def _cited(sentence: CitedSentence) -> str:
    marks = "".join(f"[{n}]" for n in sentence.claims)
    return f"{sentence.text} {marks}".strip() if marks else sentence.text


def report_text(run: ReportRun, max_words: int = 900) -> str:
    """Title, abstract and results as plain text with [n] citation marks, cut after `max_words` words.

    The cap (`review.report_words`) keeps the judge prompt inside a small local model's
    context (2048 tokens with the prompt and the reply); a cut is marked so the judge
    does not mistake it for an unfinished report.
    """
    synthesis = run.synthesis
    if synthesis is None:
        return "(the run has no synthesis)"
    blocks = [synthesis.title]
    if synthesis.answer:  # the report opens with it: the judges read what a reader reads first
        blocks.append("Answer\n" + "\n".join("- " + _cited(s) for s in synthesis.answer if not is_structural(s)))
    if synthesis.abstract:
        blocks.append(" ".join(_cited(s) for s in synthesis.abstract if not is_structural(s)))
    for paragraph in synthesis.results:
        body = " ".join(_cited(s) for s in paragraph.sentences if not is_structural(s))
        blocks.append(f"{paragraph.heading}\n{body}" if paragraph.heading else body)
    words = "\n\n".join(b for b in blocks if b).split(" ")
    if len(words) <= max_words:
        return " ".join(words)
    return " ".join(words[:max_words]) + " [... report cut here for length]"


def claims_by_number(run: ReportRun) -> dict[int, ReportClaim]:
    """The run's claims keyed by their citation number (a citation with no claim behind it maps to nothing)."""
    return {c.number: c for c in run.claims}
