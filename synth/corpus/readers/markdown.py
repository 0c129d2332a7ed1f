"""Markdown reader: `#` headings become heading lines, the first H1 the title."""

from __future__ import annotations

import re
from pathlib import Path

from synth.core.documents import ParsedDocument
from synth.corpus.readers.base import build_document
from synth.corpus.readers.plaintext import decode_text, pages_from_text

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*\*|__|`)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def markdown_to_text(source: str) -> tuple[str, str | None]:
    """Strip markup that would pollute search; return (text, first H1 or None)."""
    title_match = re.search(r"^\s{0,3}#\s+(.+?)\s*#*\s*$", source, re.MULTILINE)
    text = _HEADING.sub(lambda m: m.group(1), source)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _EMPHASIS.sub("", text)
    return text, title_match.group(1).strip() if title_match else None


def read_markdown(path: Path, content_hash: str) -> ParsedDocument:
    text, h1 = markdown_to_text(decode_text(path))
    return build_document(path, content_hash, "markdown", pages_from_text(text), meta_title=h1)
