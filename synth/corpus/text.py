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


def normalize_page_text(text: str) -> str:
    """NFKC (ligatures), join words hyphenated across lines, trim spaces; keep line breaks.

    Line breaks are kept because heading detection works on lines.
    """
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
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
