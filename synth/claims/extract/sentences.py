"""A paper as located sentences: page, character span and section kind for each.

Both extractors work on these: the extractive one scores them, the LM one is
shown a few and must point back at them, so every claim either mode returns
carries the exact span of the page text it came from.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from synth.core.documents import Page, Section
from synth.corpus.chunking import Sentence, section_spans, split_sentences
from synth.corpus.sections import detect_sections
from synth.corpus.text import collapse_ws

SKIPPED_SECTIONS = {"references"}


@dataclass(frozen=True)
class SourceSentence:
    doc_id: str
    page: int
    start: int = 0  # offset of the first character in the page text
    end: int = 0  # offset just past the last character
    section: str = "other"
    text: str = ""  # whitespace collapsed; the page text itself keeps line breaks
    ordinal: int = 0  # position in the document, for reading order and neighbours


def document_sentences(
    doc_id: str, pages: list[Page], sections: list[Section] | None = None, title: str | None = None
) -> list[SourceSentence]:
    """Every sentence outside the reference list, in reading order.

    `sections` defaults to the headings detected in `pages` (what ingest stores
    on the Document), so a paper outside the index is cut the same way. Heading
    lines and a running title (the paper's title repeated at the top of a page)
    are cut off the sentence they would otherwise be glued to.
    """
    if sections is None:
        sections = detect_sections(pages)
    page_text = {p.number: p.text for p in pages}
    running = _running_pattern(title, pages)
    out: list[SourceSentence] = []
    for span in section_spans(pages, sections):
        if span.kind in SKIPPED_SECTIONS:
            continue
        start = span.start + _heading_length(page_text[span.page], span.start, span.heading)
        text = page_text[span.page][start : span.end]
        for sentence in _split_before_names(split_sentences(text, span.page, start), page_text[span.page]):
            first = sentence.start
            if running is not None:
                match = running.match(page_text[span.page], first, sentence.end)
                if match:
                    first = match.end()
            raw = page_text[span.page][first : sentence.end]
            first += len(raw) - len(raw.lstrip())
            if first >= sentence.end:
                continue
            out.append(
                SourceSentence(
                    doc_id=doc_id,
                    page=sentence.page,
                    start=first,
                    end=sentence.end,
                    section=span.kind,
                    text=collapse_ws(page_text[span.page][first : sentence.end]),
                    ordinal=len(out),
                )
            )
    return out


_NAME_START = re.compile(
    r"(?<=[A-Za-z0-9)%][.!?])\s+(?=[a-z]+[A-Z])|\s*\n[ \t]*(?=(?:[-*•▪]|\d{1,2}\.)\s+\S|–\s+[A-Z])"
)
_NOT_AN_END = re.compile(r"(?:\b(?:e\.g|i\.e|vs|cf|al|etc)|\b[A-Z])\.$")
# "..., as part of opinions, etc. We also note ...": "etc." ends the sentence before a capitalised plain word.
_ETC_END = re.compile(r"\betc\.(\s+)(?=[A-Z][a-z]+\s+[a-z])")
# A footnote mark glued to the period: "... without chain of thought.3 We generate ...", "... 910B.1 Step-3 ...".
_FOOTNOTE_END = re.compile(r"(?<=[A-Za-z0-9][A-Za-z]\.)\d{1,2}\s+(?=[A-Z][a-z])")
_FOOTNOTE_NOT_AFTER = {"fig", "figs", "eq", "eqs", "sec", "secs", "tab", "no", "app", "appx", "ch", "vol", "pp", "ref"}
# A run-in heading before the first-person sentence it heads: "CoVe improves precision on list-based answer tasks We
# find that ...", "Summary Our results consistently show ...", "(Contribution 2) We show that ...".
_RUN_IN_HEAD = re.compile(r"(?<=[A-Za-z0-9)])\s+(?=(?:We|Our)\s+[a-z])")
RUN_IN_HEAD_WORDS = 12


def _cuts(page: str, sentence: Sentence) -> list[tuple[int, int]]:
    """(end of one sentence, start of the next) inside `sentence` that the corpus splitter left joined."""
    cuts: list[tuple[int, int]] = []
    for match in _NAME_START.finditer(page, sentence.start, sentence.end):
        if not _NOT_AN_END.search(page, max(sentence.start, match.start() - 8), match.start()):
            cuts.append((match.start(), match.end()))
    for match in _ETC_END.finditer(page, sentence.start, sentence.end):
        cuts.append((match.start(1), match.end()))
    for match in _FOOTNOTE_END.finditer(page, sentence.start, sentence.end):
        word = re.search(r"([A-Za-z]+)\.$", page[max(sentence.start, match.start() - 12) : match.start()])
        if word is None or word.group(1).lower() not in _FOOTNOTE_NOT_AFTER:
            cuts.append((match.start(), match.end()))
    head = _RUN_IN_HEAD.search(page, sentence.start, sentence.end)
    if head is not None:
        before = page[sentence.start : head.start()]
        if len(before.split()) <= RUN_IN_HEAD_WORDS and not re.search(r"[,;:!?]|\.(?!\d)", before):
            cuts.append((head.start(), head.end()))
    return sorted(set(cuts))


def _split_before_names(sentences: list[Sentence], page: str) -> list[Sentence]:
    """Also cut where the corpus splitter leaves two sentences joined: before a sentence that starts with a
    lower-case name ("... than vLLM. vLLM also ..."), before list items on their own line ("- **RAG offers ...**",
    "– For example, ..."), after "etc." and after a footnote mark ("thought.3 We ..."), and after a run-in heading
    ("Summary Our results show ...")."""
    out: list[Sentence] = []
    for sentence in sentences:
        start = sentence.start
        for end, nxt in _cuts(page, sentence):
            if end <= start:
                continue
            out.append(Sentence(sentence.page, start, end, page[start:end]))
            start = nxt
        out.append(Sentence(sentence.page, start, sentence.end, page[start : sentence.end]))
    return out


def _heading_length(page: str, offset: int, heading: str) -> int:
    """Characters of the heading line at `offset` (0 when the span does not start with one)."""
    if heading and page.startswith(heading, offset):
        return len(heading)
    return 0


def running_headers(pages: list[Page], min_share: float = 0.3) -> list[str]:
    """First lines repeated at the top of many pages ("Published as a conference paper at ICLR 2025")."""
    firsts = Counter(next((ln.strip() for ln in p.text.split("\n") if ln.strip()), "") for p in pages)
    floor = max(3, min_share * len(pages))
    return [line for line, n in firsts.items() if n >= floor and len(line.split()) >= 3]


def _running_pattern(title: str | None, pages: list[Page]) -> re.Pattern[str] | None:
    """Text a sentence may start with that belongs to the page furniture: the title or a running header."""
    phrases = [p for p in [title or "", *running_headers(pages)] if len(p.split()) >= 3]
    if not phrases:
        return None
    alternatives = ["\\s+".join(re.escape(w) for w in phrase.split()) for phrase in phrases]
    return re.compile(r"\s*(?:" + "|".join(alternatives) + r")\s*", re.I)


def sentences_in_span(
    sentences: list[SourceSentence], page_start: int, char_start: int, page_end: int, char_end: int
) -> list[SourceSentence]:
    """The sentences inside a passage's (page, offset) span, e.g. a retrieved chunk."""
    lo, hi = (page_start, char_start), (page_end, char_end)
    return [s for s in sentences if lo <= (s.page, s.start) and (s.page, s.end) <= hi]
