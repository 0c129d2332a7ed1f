"""The retrieval stage's interface: one public method, one hook for implementations."""

from __future__ import annotations

from abc import ABC, abstractmethod

from synth.core.hits import Hit
from synth.errors import UserError


class RetrievalError(UserError):
    """Retrieval could not run (no index, missing model); the message says what to do."""


class Retriever(ABC):
    def retrieve(self, query: str, k: int | None = None, doc_ids: set[str] | None = None) -> list[Hit]:
        """Best passages for `query`, optionally restricted to some documents."""
        query = query.strip()
        if not query:
            raise RetrievalError("empty query: pass some words to search for")
        return self._query(query, k, doc_ids)

    @abstractmethod
    def _query(self, query: str, k: int | None, doc_ids: set[str] | None) -> list[Hit]: ...
