"""Claim extraction: the sentences of retrieved papers that answer a question, as self-contained claims.

Two modes (`extract.mode`): `llm` asks the configured chat model once per paper
(synth/prompts/extract_claims.j2), `extractive` scores the papers' own sentences
without an LM. Both name the paper's system instead of "we", keep each
claim's page span, rank by similarity to the question, drop near-duplicates
and cap per paper and in total.

>>> from synth.claims.extract import extract_claims
>>> result = extract_claims(question, doc_ids, retriever, settings, mode="extractive")
>>> [(c.text, c.provenance.page) for c in result.claims]
"""

from synth.claims.extract.pipeline import (
    ExtractionResult,
    ExtractionStats,
    extract_claims,
    extract_from_pages,
    resolve_mode,
)
from synth.claims.extract.ranking import Reranker

__all__ = [
    "ExtractionResult",
    "ExtractionStats",
    "Reranker",
    "extract_claims",
    "extract_from_pages",
    "resolve_mode",
]
