"""Retrieval over the local corpus.

>>> from synth.retrieve import open_retriever
>>> hits = open_retriever().search("PagedAttention KV cache paging", k=5)
>>> hits[0].doc_id, hits[0].page_start
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from synth.core.hits import DocumentHit, Hit

if TYPE_CHECKING:
    from synth.corpus.index import CorpusIndex
    from synth.retrieve.hybrid import HybridRetriever
    from synth.settings import SynthSettings

__all__ = ["Hit", "DocumentHit", "open_index", "open_retriever"]


def open_index(settings: SynthSettings | None = None) -> CorpusIndex:
    from synth.corpus.open import open_index as _open

    return _open(settings)


def open_retriever(settings: SynthSettings | None = None) -> HybridRetriever:
    """Reading never creates an index: a mistyped data dir must be an error, not an empty corpus with no hits."""
    from synth.corpus.open import require_index
    from synth.retrieve.hybrid import HybridRetriever
    from synth.settings import load_settings

    settings = settings or load_settings()
    require_index(settings)
    return HybridRetriever(open_index(settings), settings.retrieve)
