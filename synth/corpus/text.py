"""Normalising extracted text so offsets, search and display agree.

PDF text layers carry ligatures (ﬁ), soft hyphens at line ends and odd
spacing; cleaning them once, before any offsets are taken, is what lets a
chunk's character span point back into its page exactly.
"""

from __future__ import annotations

import re
import unicodedata

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


def collapse_ws(text: str) -> str:
    """One space for any run of whitespace: the form chunks are shown and compared in."""
    return _WS.sub(" ", text).strip()


def word_count(text: str) -> int:
    return len(text.split())
