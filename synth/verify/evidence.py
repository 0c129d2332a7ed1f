"""Evidence for a claim from the local corpus: its source document first, then the rest.

Passages are cut on page boundaries so that every quoted window carries the page
it was printed on (a chunk may straddle two pages).
"""

from __future__ import annotations

from typing import Any

from synth.core.claims import Claim
from synth.core.hits import Hit
from synth.corpus.catalog import Catalog
from synth.verify.verifier import Passage
from synth.verify.windows import evidence_query


def hit_passages(hit: Hit, catalog: Catalog) -> list[Passage]:
    """The hit's text split at page boundaries, each piece taken verbatim from its page."""
    if hit.page_start == hit.page_end:
        return [Passage(hit.doc_id, hit.text, hit.page_start, hit.title)]
    out: list[Passage] = []
    for number in range(hit.page_start, hit.page_end + 1):
        text = catalog.page_text(hit.doc_id, number) or ""
        start = hit.char_start if number == hit.page_start else 0
        end = hit.char_end if number == hit.page_end else len(text)
        piece = text[start:end]
        if piece.strip():
            out.append(Passage(hit.doc_id, piece, number, hit.title))
    return out


def corpus_passages(
    claim: str,
    retriever: object,
    catalog: Catalog,
    source_doc_id: str | None = None,
    k: int = 8,
    source_doc_ids: set[str] | None = None,
    exclude: set[str] | None = None,
) -> list[Passage]:
    """Passages for `claim`: up to k/2 from its source document(s), then k from the whole corpus.

    `exclude` keeps documents out of the evidence (an audited paper must not confirm itself).
    """
    claim = evidence_query(claim)
    sources = set(source_doc_ids or ()) | ({source_doc_id} if source_doc_id else set())
    sources -= exclude or set()
    hits: list[Hit] = []
    seen: set[str] = set()
    if sources:
        for hit in retriever.search(claim, k=max(2, k // 2), doc_ids=sources, per_doc_cap=0):  # type: ignore[attr-defined]
            hits.append(hit)
            seen.add(hit.chunk_id)
    extra = len(exclude or ()) * 3
    rest = [h for h in retriever.search(claim, k=k + extra, per_doc_cap=2) if h.doc_id not in (exclude or set())]  # type: ignore[attr-defined]
    for hit in rest[:k]:
        if hit.chunk_id not in seen:
            hits.append(hit)
            seen.add(hit.chunk_id)
    return [p for hit in hits for p in hit_passages(hit, catalog)]


def source_passage(claim: Claim, catalog: Any, titles: dict[str, str], context: int = 500) -> list[Passage]:
    """The page text around the sentence the claim was taken from: retrieval may rank that chunk below others."""
    prov = claim.provenance
    if prov is None or prov.page is None or prov.char_start is None or prov.char_end is None:
        return []
    text = catalog.page_text(prov.doc_id, prov.page) or ""
    if not text:
        return []
    start, end = max(0, prov.char_start - context), min(len(text), prov.char_end + context)
    return [Passage(prov.doc_id, text[start:end], prov.page, titles.get(prov.doc_id, ""))]
