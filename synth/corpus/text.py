"""Normalising extracted text so offsets, search and display agree.

PDF text layers carry ligatures (ﬁ), soft hyphens at line ends and odd
spacing; cleaning them once, before any offsets are taken, is what lets a
chunk's character span point back into its page exactly.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_HYPHEN_BREAK = re.compile(r"(\w)-\n(?=[a-z])")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_MULTI_SPACE = re.compile(r"[ \t\u00a0]{2,}")
_WS = re.compile(r"\s+")
# pypdf quirks that stop numbers and words from parsing: "2.54ˆ" for 2.54× (a TeX \times in some fonts),
# "m “ 7" for m = 7, "base- line" for a word hyphenated at a line break and joined with a space ("pre- and
# post-training" keeps its hyphen).
_PDF_TIMES = re.compile(r"(?<=\d)(\s?)ˆ")
_PDF_EQUALS = re.compile(r"(?<=\w) “ (?=\w)")
_SPACED_HYPHEN = re.compile(r"(?<=[a-z])- (?!(?:and|or|to|as|vs)\b)(?=[a-z])")
# A name or figure broken at a line end and joined with a space: "EAGLE- 3 achieves", "At- Speed", "3.05x- 4.26x".
# Only before a capital or a digit, so "pre- and post-training" keeps its words.
_BROKEN_NAME = re.compile(r"(?<=\w)- (?=[\dA-Z])")


def join_broken_names(text: str) -> str:
    """'EAGLE- 3' → 'EAGLE-3': read whole by search, the claim extractor and the figures table."""
    return _BROKEN_NAME.sub("-", text)


def fix_pdf_glyphs(text: str) -> str:
    """NFKC (ligatures) and pypdf's × / = / spaced-hyphen / broken-name quirks: what every check parses.

    Applied at ingest (so stored pages, chunks and quotes are clean and offsets refer to the cleaned
    text) and again by the checkers on text that did not come through ingest (claims, given evidence)."""
    text = unicodedata.normalize("NFKC", text)
    text = _PDF_TIMES.sub(r"\1×", text)
    text = _PDF_EQUALS.sub(" = ", text)
    return join_broken_names(_SPACED_HYPHEN.sub("", text))


def normalize_page_text(text: str) -> str:
    """Glyph fixes, join words hyphenated across lines, trim spaces; keep line breaks.

    Line breaks are kept because heading detection works on lines.
    """
    text = fix_pdf_glyphs(text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00ad", "")  # soft hyphen
    text = _HYPHEN_BREAK.sub(r"\1", text)
    text = _TRAILING_SPACE.sub("\n", text)
    text = _MULTI_SPACE.sub(" ", text)
    return text.strip("\n")


_DIGITS = re.compile(r"\d+")
_EDGE_LINES = 2  # a running header or footer sits in a page's first or last two lines


def _line_key(line: str) -> str:
    """Page numbers and dates vary from page to page; the rest of a running line does not."""
    return _DIGITS.sub("#", _WS.sub(" ", line).strip().lower())


def strip_running_lines(pages: list[str]) -> list[str]:
    """Drop running headers and footers: a page's edge line repeated at the edge of most pages.

    pypdf puts "EAGLE: Speculative Sampling Requires Rethinking Feature Uncertainty" and the page
    number at the top or bottom of every page, so a sentence that runs across a page break reads
    "… the draft model 4 EAGLE: Speculative Sampling … predicts …" and its figures and words
    parse wrongly. A line counts as running when it sits in the first or last two lines of at
    least 3 pages and of 60% of the odd or of the even pages (journals alternate their headers);
    the first page, where a running header is usually absent, does not count against it. Lines
    repeated only on some appendix pages (a few-shot prompt printed for several examples) stay.
    """
    if len(pages) < 4:
        return pages
    edges: list[set[str]] = []
    for text in pages:
        lines = [ln for ln in text.split("\n") if ln.strip()]
        edges.append({_line_key(ln) for ln in lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]})
    running: set[str] = set()
    for parity in (0, 1):
        group = [e for i, e in enumerate(edges) if i > 0 and i % 2 == parity]
        counts = Counter(k for e in group for k in e)
        running |= {k for k, c in counts.items() if c >= 3 and c >= 0.6 * len(group)}
    if not running:
        return pages
    out = []
    for n, text in enumerate(pages):
        lines = text.split("\n")
        filled = [i for i, ln in enumerate(lines) if ln.strip()]
        # The first page's top lines are its title block, which a running header often repeats
        # (Medusa's, EAGLE's): they stay, for the title reader. Its page number at the foot goes.
        edge = set(([] if n == 0 else filled[:_EDGE_LINES]) + filled[-_EDGE_LINES:])
        kept = [ln for i, ln in enumerate(lines) if i not in edge or _line_key(ln) not in running]
        out.append("\n".join(kept).strip("\n"))
    return out


def collapse_ws(text: str) -> str:
    """One space for any run of whitespace: the form chunks are shown and compared in."""
    return _WS.sub(" ", text).strip()


def word_count(text: str) -> int:
    return len(text.split())
