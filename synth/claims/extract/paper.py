"""A paper prepared for extraction, and a candidate claim with the sentence it came from.

Both extractors produce `Candidate`s; ranking turns the kept ones into
`Claim`s, whose provenance is the exact page span of the source sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from synth.claims.extract.sentences import SourceSentence, document_sentences, sentences_in_span
from synth.claims.extract.subject import system_name
from synth.claims.gates import CAPTION
from synth.core.claims import Claim, ClaimKind, Provenance
from synth.core.documents import Page, Section
from synth.core.quantities import extract_numbers
from synth.corpus.text import join_broken_names

if TYPE_CHECKING:
    from synth.core.hits import Hit
    from synth.corpus.catalog import Catalog

ABSTRACT_SENTENCES = 12  # enough of the front matter to find a name introduced there
SHORT_TITLE_WORDS = 8  # a longer title head makes an unreadable subject


@dataclass
class Paper:
    doc_id: str
    title: str
    name: str | None  # the system the paper is about, used for "we"/"our method"
    sentences: list[SourceSentence]
    focus: set[int] = field(default_factory=set)  # ordinals inside passages retrieved for the question
    # ... for each later part of a multi-part question, with the stems a sentence answering it uses
    part_focus: list[tuple[set[int], frozenset[str]]] = field(default_factory=list)
    # claim-worthiness by ordinal, shared with the copies each later part reads the paper through
    worth: dict[int, float] = field(default_factory=dict, repr=False)

    @property
    def subject(self) -> str | None:
        """What "we"/"our method" becomes: the system's name, else the paper's short title
        ('the method of "LLM in a flash"'), else None (such sentences are dropped)."""
        if self.name:
            return self.name
        head = self.title.split(":", 1)[0].strip()
        if head and head != self.doc_id and len(head.split()) <= SHORT_TITLE_WORDS:
            return f'the method of "{head}"'
        return None


@dataclass
class Candidate:
    text: str  # the claim as it will be shown: self-contained, no first person
    source: SourceSentence
    worthiness: float
    kind: ClaimKind
    title: str = ""
    extractor: str = "extractive"

    def to_claim(self, relevance: float | None) -> Claim:
        return Claim(
            text=self.text,
            kind=self.kind,
            numbers=extract_numbers(self.text),
            provenance=Provenance(
                doc_id=self.source.doc_id,
                page=self.source.page,
                section=self.source.section,
                char_start=self.source.start,
                char_end=self.source.end,
                passage=self.source.text,
            ),
            relevance=None if relevance is None else round(float(relevance), 4),
            source_title=self.title or None,
            extractor=self.extractor,
        )


def _abstract_text(sentences: list[SourceSentence]) -> str:
    abstract = [s.text for s in sentences if s.section == "abstract"]
    return " ".join(abstract or [s.text for s in sentences[:ABSTRACT_SENTENCES]])


def paper_from_pages(doc_id: str, title: str | None, pages: list[Page], sections: list[Section] | None = None) -> Paper:
    """A paper from its page texts (sections detected when not given), with its system's name."""
    sentences = document_sentences(doc_id, pages, sections, title=title)
    return Paper(doc_id=doc_id, title=title or doc_id, name=system_name(title, _abstract_text(sentences)),
                 sentences=sentences)  # fmt: skip


def indexed_paper(catalog: Catalog, doc_id: str) -> Paper | None:
    """A paper of the index, or None when the id is unknown."""
    doc = catalog.get_document(doc_id)
    if doc is None:
        return None
    return paper_from_pages(doc_id, doc.title, catalog.pages(doc_id), doc.sections)


def focus_of(paper: Paper, hits: list[Hit]) -> set[int]:
    """The ordinals of the paper's sentences that lie in the hits' passages."""
    out: set[int] = set()
    for hit in hits:
        if hit.doc_id == paper.doc_id:
            inside = sentences_in_span(paper.sentences, hit.page_start, hit.char_start, hit.page_end, hit.char_end)
            out.update(s.ordinal for s in inside)
    return out


def mark_focus(paper: Paper, hits: list[Hit]) -> None:
    """Remember which sentences lie in passages retrieved for the question (they are preferred)."""
    paper.focus.update(focus_of(paper, hits))


_NUMBERED_CITATION = re.compile(r"\s*\[\d+(?:\s*[,–-]\s*\d+)*\]")
_ENUMERATOR = re.compile(r"^(?:\(?(?:\d{1,2}|[ivx]{1,4}|[a-h])\)|[-*•▪–]|\d{1,2}\.)\s+")
# A list item's run-in label: "Reasoning tasks: (1) DeepSeek-R1 achieves ...", "Observation 2: Total and ...".
_RUN_IN_LABEL = re.compile(r"^[A-Z][\w-]*(?:\s+[\w-]+){0,4}:\s+(?=\(?(?:\d{1,2}|[ivx]{1,4}|[a-h])\)\s|[A-Z])")


def strip_lead(text: str) -> str:
    """A list item as a sentence: its bullet or enumerator and its run-in label removed ("• Reasoning tasks: (1)
    DeepSeek-R1 achieves 79.8% ..." -> "DeepSeek-R1 achieves 79.8% ..."). Done before a sentence is judged, so the
    bullet does not make it read as starting mid-sentence."""
    text = " ".join(text.split())
    text = _ENUMERATOR.sub("", text)
    if not CAPTION.match(text):  # "Table 3: Experiments comparing ..." stays a caption
        text = _RUN_IN_LABEL.sub("", text)
    return _ENUMERATOR.sub("", text)


_MARKUP = re.compile(r"\*\*|__|`")


def tidy(text: str) -> str:
    """Claim text as shown: PDF line-break residue ("EAGLE- 2", "3.05x- 4.26x") joined again, numbered
    citations ("[42]") and a leading enumerator ("(4) ") removed; the provenance keeps the original."""
    text = join_broken_names(" ".join(text.split()))
    text = _ENUMERATOR.sub("", _NUMBERED_CITATION.sub("", _MARKUP.sub("", text)))
    return text[:1].upper() + text[1:] if text[:1].islower() and not re.match(r"^[a-z]+[A-Z]", text) else text
