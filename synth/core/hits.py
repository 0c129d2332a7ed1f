"""Typed search results handed to later stages (claims, verification, reports)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Hit(BaseModel):
    chunk_id: str
    doc_id: str
    title: str
    arxiv_id: str | None = None
    year: int | None = None
    page_start: int = Field(description="First page of the passage (1-based).")
    page_end: int
    section: str
    heading: str = ""
    char_start: int
    char_end: int
    text: str
    score: float = Field(description="Fused score (RRF) or the single ranker's score.")
    dense_rank: int | None = Field(None, description="1-based rank in the vector ranking, if present there.")
    lexical_rank: int | None = Field(None, description="1-based rank in the BM25 ranking, if present there.")

    @property
    def pages_label(self) -> str:
        return f"p. {self.page_start}" if self.page_start == self.page_end else f"pp. {self.page_start}-{self.page_end}"


class DocumentHit(BaseModel):
    doc_id: str
    title: str
    score: float
    best: Hit
