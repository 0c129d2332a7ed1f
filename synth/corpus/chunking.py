"""Sentence splitting with offsets, and sentence-aligned chunks with page provenance.

NOTE: a small regex splitter rather than pysbd/nltk: we need exact character
offsets across page boundaries, nltk's punkt model is a hub download, and
pysbd is ~50x slower on 40 papers. Abbreviations and initials are handled;
the splitter is a pure function with its own tests.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from synth.core.documents import Chunk, Page, Section
from synth.corpus.text import collapse_ws

_BOUNDARY = re.compile(r"(?<=[.!?])([\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9])|()\n[ \t]*\n")
_ABBREVIATIONS = {
    "e.g", "i.e", "al", "fig", "figs", "eq", "eqs", "sec", "secs", "tab", "no", "vs", "cf", "approx",
    "etc", "resp", "dr", "mr", "ms", "prof", "st", "jr", "inc", "ltd", "co", "vol", "pp", "ch", "ref",
    "refs", "appx", "app", "def", "thm", "lem", "alg", "avg", "max", "min", "et", "viz", "mt",
}  # fmt: skip
MAX_SENTENCE_WORDS = 80


@dataclass(frozen=True)
class Sentence:
    page: int
    start: int
    end: int
    text: str


def _is_false_boundary(text: str, dot_index: int) -> bool:
    """True when the period at `dot_index` ends an abbreviation or an initial, not a sentence.

    The token before the period is found by scanning back from it, never by a regex over the
    text before it: that rescans the whole page at every boundary and made ingest quadratic
    in document size (a 1 MB one-section file took minutes).
    """
    if text[dot_index] != ".":
        return False
    start = dot_index
    while start > 0 and (text[start - 1] == "." or _is_ascii_letter(text[start - 1])):
        start -= 1
    token = text[start:dot_index]
    if not token or not _is_ascii_letter(token[0]):
        return False
    if start > 0 and not (text[start - 1].isspace() or text[start - 1] in "(["):
        return False
    if token.lower().rstrip(".") in _ABBREVIATIONS:
        return True
    return len(token) == 1 and token.isupper()  # "J. Smith"


def _is_ascii_letter(char: str) -> bool:
    return ("a" <= char <= "z") or ("A" <= char <= "Z")


def split_sentences(text: str, page: int = 1, base: int = 0) -> list[Sentence]:
    """Sentences of `text` with offsets into it (shifted by `base`); overlong runs are cut at line breaks."""
    pieces: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        paragraph = match.group(1) is None
        if not paragraph and _is_false_boundary(text, match.start() - 1):
            continue
        end = match.start() if paragraph else match.end(1)  # closing quotes/brackets stay with the sentence
        pieces.append((start, end))
        start = match.end()
    pieces.append((start, len(text)))
    sentences: list[Sentence] = []
    for s, e in pieces:
        for ss, ee in _cut_long(text, s, e):
            chunk = text[ss:ee]
            lead = len(chunk) - len(chunk.lstrip())
            trail = len(chunk.rstrip())
            if trail > lead:
                sentences.append(Sentence(page, base + ss + lead, base + ss + trail, text[ss + lead : ss + trail]))
    return sentences


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    if len(text[start:end].split()) <= MAX_SENTENCE_WORDS:
        return [(start, end)]
    out: list[tuple[int, int]] = []
    cur = start
    words = 0
    for match in re.finditer(r"\S+", text[start:end]):
        words += 1
        if words >= MAX_SENTENCE_WORDS:
            cut = start + match.end()
            out.append((cur, cut))
            cur, words = cut, 0
    if cur < end:
        out.append((cur, end))
    return out


@dataclass(frozen=True)
class Span:
    """A stretch of one page under one heading."""

    page: int
    start: int
    end: int
    kind: str
    heading: str


def section_spans(pages: list[Page], sections: list[Section]) -> list[Span]:
    """Cut pages at headings; each span carries the heading above it."""
    marks = sorted(sections, key=lambda s: (s.page, s.offset))
    spans: list[Span] = []
    kind, heading = "front", ""
    idx = 0
    for page in pages:
        pos = 0
        while idx < len(marks) and marks[idx].page == page.number:
            mark = marks[idx]
            if mark.offset > pos:
                spans.append(Span(page.number, pos, mark.offset, kind, heading))
            kind, heading, pos = mark.kind, mark.heading, mark.offset
            idx += 1
        if pos < len(page.text):
            spans.append(Span(page.number, pos, len(page.text), kind, heading))
    return spans


def chunk_document(
    doc_id: str,
    pages: list[Page],
    sections: list[Section],
    chunk_words: int = 250,
    overlap_sentences: int = 1,
    min_chunk_words: int = 25,
) -> tuple[list[Chunk], str]:
    """Chunks of the searchable text and the raw reference-list text (kept out of search)."""
    page_text = {p.number: p.text for p in pages}
    bibliography: list[str] = []
    units: list[tuple[Sentence, str, str]] = []
    for span in section_spans(pages, sections):
        text = page_text[span.page][span.start : span.end]
        if span.kind == "references":
            bibliography.append(text)
            continue
        for sentence in split_sentences(text, span.page, span.start):
            units.append((sentence, span.kind, span.heading))

    chunks: list[Chunk] = []
    current: list[tuple[Sentence, str, str]] = []
    words = 0
    fresh = 0  # units in `current` not carried over as overlap

    def flush() -> None:
        nonlocal current, words, fresh
        if not fresh:
            return
        text = collapse_ws(" ".join(s.text for s, _, _ in current))
        first, kind, heading = current[0]
        last = current[-1][0]
        ordinal = len(chunks)
        digest = hashlib.sha1(text.encode()).hexdigest()[:8]
        chunks.append(
            Chunk(
                chunk_id=f"{doc_id}:{ordinal:04d}:{digest}",
                doc_id=doc_id,
                ordinal=ordinal,
                text=text,
                page_start=first.page,
                page_end=last.page,
                char_start=first.start,
                char_end=last.end,
                section=kind,
                heading=heading,
            )
        )
        keep = current[-overlap_sentences:] if overlap_sentences else []
        current = [u for u in keep if u[1] == kind and u[2] == current[-1][2]]
        words = sum(len(u[0].text.split()) for u in current)
        fresh = 0

    for unit in units:
        sentence, kind, heading = unit
        n = len(sentence.text.split())
        boundary = bool(current) and (kind != current[-1][1] or heading != current[-1][2])
        if boundary and words < min_chunk_words and current[-1][1] == "front" and kind == "abstract":
            # A title block run into the abstract labelled it "front" (QLoRA's "65B ... single 48GB GPU" was no
            # abstract to the topic gate or the claims); alone it is a title-and-authors passage that answers
            # nothing, and every chunk is searched with the title in front of it already.
            current, words, fresh = [], 0, 0
        elif boundary and words >= min_chunk_words:
            flush()
            current, words = [], 0
        elif current and fresh and words + n > chunk_words:
            flush()
            if current and (current[-1][1], current[-1][2]) != (kind, heading):
                current, words = [], 0
        current.append(unit)
        words += n
        fresh += 1
    flush()
    return chunks, "\n".join(bibliography)
