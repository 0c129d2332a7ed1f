"""What every reader does last: guess metadata from page one and build the record."""

from __future__ import annotations

from pathlib import Path

from synth.core.documents import Page, ParsedDocument
from synth.corpus.metadata import guess_metadata


def build_document(
    path: Path,
    content_hash: str,
    fmt: str,
    pages: list[Page],
    meta_title: str | None = None,
    meta_author: str | None = None,
) -> ParsedDocument:
    meta = guess_metadata(
        first_page=pages[0].text if pages else "", file_name=path.name, meta_title=meta_title, meta_author=meta_author
    )
    return ParsedDocument(
        path=str(path.resolve()),
        content_hash=content_hash,
        format=fmt,
        pages=pages,
        title=meta.title,
        authors=meta.authors,
        year=meta.year,
        arxiv_id=meta.arxiv_id,
    )
