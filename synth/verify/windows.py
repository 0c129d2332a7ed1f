"""Evidence windows: runs of consecutive sentences short enough for the LM judge.

MiniCheck-style checkers score a claim against chunks of a few sentences and
keep the best chunk; a short window keeps the judge's context (and its cost on
two CPU cores) small, while a passage that already fits is judged whole so that
evidence spread over neighbouring sentences is not cut apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from synth.corpus.chunking import split_sentences


@dataclass(frozen=True)
class Window:
    text: str
    start: int  # character offsets into the passage the window was cut from
    end: int
    page: int | None = None


def evidence_windows(
    passage: str, max_words: int = 100, whole_max_words: int = 260, page: int | None = None
) -> list[Window]:
    """Windows of whole sentences of at most `max_words` words, overlapping by one sentence.

    A passage of at most `whole_max_words` words is returned as a single window.
    """
    text = passage.strip()
    if not text:
        return []
    offset = passage.find(text)
    if len(text.split()) <= whole_max_words:
        return [Window(text, offset, offset + len(text), page)]
    sentences = split_sentences(text)
    windows: list[Window] = []
    i = 0
    while i < len(sentences):
        j, words = i, 0
        while j < len(sentences) and (j == i or words + len(sentences[j].text.split()) <= max_words):
            words += len(sentences[j].text.split())
            j += 1
        s, e = sentences[i].start, sentences[j - 1].end
        windows.append(Window(text[s:e], offset + s, offset + e, page))
        if j >= len(sentences):
            break
        i = max(i + 1, j - 1)  # one sentence of overlap
    return windows


# How a summary says where a claim comes from ("Per the 'Speculative Decoding and Beyond' survey,", "Xia et al.'s
# survey states that"): words about the source, not about the finding, so they are left out of what the evidence
# is searched and ranked with (a survey's title then outranked the sentence stating PEARL's 4.43x).
_ATTRIBUTION = re.compile(
    r"^(?:(?:According to|Per|As reported (?:in|by))\s+[^,]{3,90},\s+|[A-Z][\w-]+ et al\.(?:'s)?\s+(?:[\w'-]+\s+){0,6}?"
    r"(?:reports?|reported|finds?|found|shows?|showed|states?|stated|notes?|noted|observes?|observed)\s+(?:that\s+)?)"
)


def evidence_query(claim: str) -> str:
    """The claim without its attribution frame: what its evidence is searched and ranked with."""
    rest = _ATTRIBUTION.sub("", claim.strip(), count=1)
    return rest[:1].upper() + rest[1:] if rest else claim
