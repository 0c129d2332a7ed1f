"""Section headings and the reference list.

Chunks carry a canonical section kind so later stages can prefer abstract,
results and conclusion text for claims, and the reference list is cut out of
the searchable text: citations match every query and answer none.
"""

from __future__ import annotations

import re

from synth.core.documents import Page, Section

CANONICAL: list[tuple[str, re.Pattern[str]]] = [
    ("abstract", re.compile(r"^abstract$")),
    ("introduction", re.compile(r"^(introduction|overview|motivation)$")),
    ("references", re.compile(r"^(references|bibliography|works cited|literature cited)$")),
    ("appendix", re.compile(r"^(appendix|appendices|supplementary( material)?)\b")),
    ("limitations", re.compile(r"\b(limitations?|broader impacts?|ethic\w*)\b")),
    ("conclusion", re.compile(r"\b(conclusions?|concluding remarks|discussion|summary|future work)\b")),
    (
        "results",
        re.compile(r"\b(results?|experiments?|experimental|evaluations?|ablations?|analysis|benchmarks?)\b"),
    ),
    ("related_work", re.compile(r"\b(related work|background|preliminar\w*|prior work)\b")),
    (
        "method",
        re.compile(r"\b(methods?|methodology|approach|design|architecture|framework|model|algorithm|system)\b"),
    ),
]

_NUMBER = r"(?:(?:\d{1,2}(?:\.\d{1,2}){0,3}|[IVX]{1,4}|[A-H](?:\.\d{1,2}){0,2})\.?\s+)"
_NUMBERED = re.compile(rf"^{_NUMBER}([A-Z][^\n]{{1,80}})$")
_BARE = re.compile(r"^([A-Z][A-Za-z][A-Za-z \-&]{1,40})$")
_BARE_KINDS = {"abstract", "introduction", "references", "appendix", "conclusion", "limitations", "related_work"}
_LETTERED = re.compile(r"^[A-H](?:\.\d{1,2}){0,2}\.?\s+[A-Z]")
# "Abstract—Sequential dependencies …", "ABSTRACT: We …": the heading run into its first sentence (IEEE style).
_INLINE_ABSTRACT = re.compile(r"^\s*(abstract)(?:\s*[—–:.]|\s+-)\s*[A-Z]", re.I)  # not "Abstract-Level Reasoning"


def canonical_kind(title: str) -> str | None:
    key = " ".join(title.lower().replace("&", "and").split()).strip(" .:")
    for kind, pattern in CANONICAL:
        if pattern.search(key):
            return kind
    return None


def _is_heading_line(line: str) -> tuple[str, bool] | None:
    """Return (heading text, numbered?) when the line looks like a heading."""
    line = line.strip()
    if not line or len(line) > 90 or line.endswith((".", ",", ";")) and not re.match(r"^\d", line):
        return None
    numbered = _NUMBERED.match(line)
    if numbered:
        text = numbered.group(1).strip()
        words = text.split()
        digits = sum(ch.isdigit() for ch in text)
        capitalised = sum(w[0].isupper() for w in words)
        if len(words) <= 10 and digits <= 2 and not text.endswith((".", ",")) and capitalised * 2 >= len(words):
            return text, True
        return None
    bare = _BARE.match(line)
    if bare and len(bare.group(1).split()) <= 4 and canonical_kind(bare.group(1)) in _BARE_KINDS:
        return bare.group(1).strip(), False
    return None


def detect_sections(pages: list[Page]) -> list[Section]:
    """Headings in reading order, each with a canonical kind.

    Sub-headings and unknown top-level headings inherit the last known kind,
    except that an unknown numbered heading after the introduction starts the
    body ("method") — papers put their method first.
    """
    sections: list[Section] = []
    current = "front"
    for page in pages:
        offset = 0
        for raw in page.text.split("\n"):
            found = _is_heading_line(raw)
            inline = _INLINE_ABSTRACT.match(raw) if current == "front" and not found else None
            if inline:  # only before any heading: elsewhere "Abstract: …" may be prose
                found = (inline.group(1), False)
            if found:
                text, numbered = found
                kind = canonical_kind(text)
                if current == "references" and kind is None and (_LETTERED.match(raw.strip()) or not numbered):
                    kind = "appendix" if _LETTERED.match(raw.strip()) else None
                if kind is None:
                    if current == "references":
                        offset += len(raw) + 1
                        continue  # numbered lines inside a bibliography are entries, not headings
                    top_level = numbered and re.match(r"^\d{1,2}\.?\s", raw.strip()) is not None
                    kind = "method" if top_level and current in {"introduction", "related_work"} else current
                    kind = "body" if kind == "front" and numbered else kind
                heading = inline.group(1) if inline else raw.strip()
                sections.append(Section(page=page.number, offset=offset, heading=heading, kind=kind))
                current = kind
            offset += len(raw) + 1
    return sections


def section_at(sections: list[Section], page: int, offset: int) -> Section | None:
    """The last heading at or before (page, offset)."""
    best: Section | None = None
    for section in sections:
        if (section.page, section.offset) <= (page, offset):
            best = section
        else:
            break
    return best


def without_references(pages: list[Page], sections: list[Section]) -> str:
    """The pages' text, joined, without the reference list (the spans under a "references" heading; an appendix
    after it stays). A model or benchmark a paper names only among the works it cites is one it has no result for:
    "PaLM" in the bibliography of a paper that tests GPT-3 alone."""
    bounds = sorted((s.page, s.offset, s.kind) for s in sections)
    kind, b, kept = "front", 0, []
    for page in pages:
        cut = 0
        while b < len(bounds) and bounds[b][0] <= page.number:
            at = bounds[b][1] if bounds[b][0] == page.number else 0
            if kind != "references":
                kept.append(page.text[cut:at])
            cut, kind, b = at, bounds[b][2], b + 1
        if kind != "references":
            kept.append(page.text[cut:])
        kept.append("\n")
    return "".join(kept)


_VENUE_START = re.compile(
    r"^(In |Proceedings|Advances|arXiv|URL|CoRR|Journal|Transactions|Conference|International|Association|"
    r"Springer|IEEE|ACM|Available|Retrieved|Accessed)"
)


def _starts_entry(previous: str, line: str) -> bool:
    """A new reference starts after a line ending a sentence, with an author list or an organisation."""
    if not previous.rstrip().endswith((".", ".)")) or not re.match(r"[A-Z]", line) or _VENUE_START.match(line):
        return False
    return "," in line[:40] or re.match(r"[A-Z][\w&'\- ]{1,40}\.\s", line) is not None


def split_bibliography(text: str) -> list[str]:
    """Split a reference list into entries: `[n]` markers when present, else author-list line starts."""
    text = text.strip()
    if not text:
        return []
    if len(re.findall(r"^\s*\[\d+\]", text, re.MULTILINE)) >= 3:
        parts = re.split(r"^\s*\[\d+\]\s*", text, flags=re.MULTILINE)
    else:
        parts, current = [], []
        for line in text.split("\n"):
            line = line.strip()
            if not line or line.isdigit():  # blank lines and page numbers
                continue
            if current and _starts_entry(current[-1], line):
                parts.append(" ".join(current))
                current = []
            current.append(line)
        parts.append(" ".join(current))
    entries = [" ".join(p.split()) for p in parts]
    entries = [e for e in entries if len(e) > 15]
    if entries and re.match(r"^(references|bibliography)\b", entries[0], re.IGNORECASE):
        entries[0] = re.sub(r"^(references|bibliography)\s*", "", entries[0], flags=re.IGNORECASE)
    return entries
