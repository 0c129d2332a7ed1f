"""Typed records that flow from the readers through chunking into the index."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Page(BaseModel):
    number: int = Field(description="1-based page number in the source file (1 for formats without pages).")
    text: str = Field(description="Normalised page text; chunk offsets refer to this string.")


class ParsedDocument(BaseModel):
    """What a reader returns: raw structure, before sectioning and chunking."""

    path: str = Field(description="Absolute path of the source file.")
    content_hash: str = Field(description="sha256 of the file's bytes; drives incremental ingest.")
    format: str = Field(description="pdf, markdown, latex or text.")
    pages: list[Page]
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    arxiv_id: str | None = Field(None, description="Bare arXiv id without version, when one was found.")
    layouts: dict[int, str] = Field(
        default_factory=dict,
        description="Text laid out in columns (pypdf layout mode) of the pages that hold a table, by page number.",
    )


class Section(BaseModel):
    """A heading's position in a page, used to label the chunks that follow it."""

    page: int
    offset: int = Field(description="Character offset of the heading in its page's text.")
    heading: str = Field(description="The heading line as printed.")
    kind: str = Field(
        description="Canonical name: abstract, introduction, method, results, conclusion, limitations, "
        "references, appendix, or other."
    )


class Chunk(BaseModel):
    chunk_id: str = Field(description="Stable id: doc id, ordinal and a hash of the text.")
    doc_id: str
    ordinal: int = Field(description="Position of the chunk in its document.")
    text: str
    page_start: int
    page_end: int
    char_start: int = Field(description="Offset of the chunk's first character in page `page_start`'s text.")
    char_end: int = Field(description="Offset just past the chunk's last character in page `page_end`'s text.")
    section: str = Field(description="Canonical section kind (see Section.kind).")
    heading: str = Field("", description="The nearest heading above the chunk, as printed.")

    @property
    def pages(self) -> list[int]:
        return list(range(self.page_start, self.page_end + 1))


class Document(BaseModel):
    """An indexed document: metadata, per-page text and its bibliography."""

    doc_id: str = Field(description="arXiv id when known, else `sha-` plus the first 16 hex of the content hash.")
    path: str
    content_hash: str
    format: str
    title: str
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    arxiv_id: str | None = None
    n_pages: int
    bibliography: list[str] = Field(default_factory=list, description="Reference entries, kept out of search.")
    sections: list[Section] = Field(default_factory=list)
    source: str = Field("local", description="local or arxiv.")
    parser: int = Field(1, description="Version of the reading/chunking code that indexed it (re-read when older).")
