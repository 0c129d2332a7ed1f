"""Markdown reader: `#` headings become heading lines, the first H1 the title."""

from __future__ import annotations

import re
from pathlib import Path

from synth.corpus.metadata import guess_metadata
from synth.corpus.readers.plaintext import decode_text, pages_from_text
from synth.corpus.records import ParsedDocument

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
    pages = pages_from_text(text)
    meta = guess_metadata(first_page=pages[0].text if pages else "", file_name=path.name, meta_title=h1)
    return ParsedDocument(
        path=str(path.resolve()),
        content_hash=content_hash,
        format="markdown",
        pages=pages,
        title=meta.title,
        authors=meta.authors,
        year=meta.year,
        arxiv_id=meta.arxiv_id,
    )
