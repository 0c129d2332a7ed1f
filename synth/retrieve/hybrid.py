"""Hybrid retrieval: chroma vectors + BM25, fused with reciprocal rank fusion."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synth.core.hits import DocumentHit, Hit
from synth.corpus.catalog import Catalog
from synth.corpus.index import CorpusIndex
from synth.retrieve.base import Retriever
from synth.retrieve.embeddings import Embedder
from synth.retrieve.fusion import add_group_prior, cap_per_group, reciprocal_rank_fusion
from synth.settings import RetrieveSettings


class HybridRetriever(Retriever):
    def __init__(self, index: CorpusIndex, settings: RetrieveSettings) -> None:
        self.index = index
        self.settings = settings
        self._titles: dict[str, tuple[str, str | None, int | None]] | None = None
        self._titles_generation = -1
        self._model_checked = False

    @property
    def catalog(self) -> Catalog:
        """The documents and chunks behind the hits (page text for quotes, titles, generation)."""
        return self.index.catalog

    @property
    def embedder(self) -> Embedder:
        """The model that embeds queries, so callers embed claims and passages in the same space."""
        return self.index.embedder

    def close(self) -> None:
        self.index.close()

    def _doc_info(self) -> dict[str, tuple[str, str | None, int | None]]:
        generation = self.index.catalog.generation
        if self._titles is None or self._titles_generation != generation:
            self._titles = {d.doc_id: (d.title, d.arxiv_id, d.year) for d in self.index.catalog.documents()}
            self._titles_generation = generation
        return self._titles

    def warm_up(self) -> None:
        """Load the model, the store and BM25 so the first query is not the slow one."""
        self.index.embedder.embed_query("warm up")
        self.index.lexical()
        self.index.dense.count()
        self._doc_info()

    def _rankings(self, query: str, doc_ids: set[str] | None, mode: str) -> Rankings:
        """Chunk rankings (dense, lexical) and document rankings over title + abstract profiles."""
        out = Rankings()
        # A document filter is applied inside chroma; BM25 is cheap enough to rank everything then filter.
        widen = 1 if not doc_ids else 1000
        if mode in {"hybrid", "dense"}:
            if not self._model_checked:
                self.index.check_embedding_key(record=False)
                self._model_checked = True
            vector = self.index.embedder.embed_query(query)
            out.dense = [cid for cid, _ in self.index.dense.query(vector, self.settings.dense_k, doc_ids)]
            ids, matrix = self.index.doc_matrix()
            if ids:
                out.docs_dense = [ids[i] for i in np.argsort(-(matrix @ vector), kind="stable")]  # ties: doc id order
        if mode in {"hybrid", "lexical"}:
            out.lexical = [cid for cid, _ in self.index.lexical().query(query, self.settings.lexical_k * widen)]
            out.docs_lexical = [d for d, _ in self.index.doc_lexical().query(query, 1000)]
        if doc_ids:
            keep = lambda cid: cid.split(":")[0] in doc_ids  # noqa: E731
            out.dense, out.lexical = [c for c in out.dense if keep(c)], [c for c in out.lexical if keep(c)]
            out.docs_dense = [d for d in out.docs_dense if d in doc_ids]
            out.docs_lexical = [d for d in out.docs_lexical if d in doc_ids]
        return out

    def _query(self, query: str, k: int | None, doc_ids: set[str] | None) -> list[Hit]:
        return self.search(query, k=k, doc_ids=doc_ids)

    def search(
        self,
        query: str,
        k: int | None = None,
        doc_ids: set[str] | None = None,
        per_doc_cap: int | None = None,
        mode: str | None = None,
    ) -> list[Hit]:
        k = k or self.settings.k
        mode = mode or self.settings.mode
        cap = self.settings.per_doc_cap if per_doc_cap is None else per_doc_cap
        ranks = self._rankings(query, doc_ids, mode)
        fused = self._fuse_chunks(ranks)
        group = {cid: cid.split(":")[0] for cid, _ in fused}
        ranked = cap_per_group(fused, group, cap)[: k * 2]
        return self._hits(ranked, ranks, k)

    def _fuse_chunks(self, ranks: Rankings) -> list[tuple[str, float]]:
        fused = reciprocal_rank_fusion([r for r in (ranks.dense, ranks.lexical) if r], k=self.settings.rrf_k)
        doc_ranking = [d for d, _ in reciprocal_rank_fusion([r for r in (ranks.docs_dense, ranks.docs_lexical) if r])]
        if self.settings.doc_weight > 0 and doc_ranking:
            fused = add_group_prior(fused, doc_ranking, self.settings.doc_weight, self.settings.doc_rrf_k)
        return fused

    def _hits(self, ranked: list[tuple[str, float]], ranks: Rankings, k: int) -> list[Hit]:
        chunks = self.index.catalog.get_chunks(cid for cid, _ in ranked)
        dense_rank = {cid: i + 1 for i, cid in enumerate(ranks.dense)}
        lexical_rank = {cid: i + 1 for i, cid in enumerate(ranks.lexical)}
        info = self._doc_info()
        hits: list[Hit] = []
        for cid, score in ranked:
            chunk = chunks.get(cid)
            if chunk is None:  # a vector whose catalog row is gone (crash residue): never shown
                continue
            title, arxiv_id, year = info.get(chunk.doc_id, (chunk.doc_id, None, None))
            hits.append(
                Hit(
                    chunk_id=cid,
                    doc_id=chunk.doc_id,
                    title=title,
                    arxiv_id=arxiv_id,
                    year=year,
                    page_start=chunk.page_start,
                    page_end=chunk.page_end,
                    section=chunk.section,
                    heading=chunk.heading,
                    char_start=chunk.char_start,
                    char_end=chunk.char_end,
                    text=chunk.text,
                    score=score,
                    dense_rank=dense_rank.get(cid),
                    lexical_rank=lexical_rank.get(cid),
                )  # fmt: skip
            )
            if len(hits) == k:
                break
        return hits

    def abstract_passages(self, doc_id: str, limit: int = 2) -> list[Hit]:
        """A paper's abstract (else its first body passage on page 1): where its headline results are stated,
        whatever words the question used."""
        chunks = self.index.catalog.chunks(doc_id)
        chosen = [c for c in chunks if c.section == "abstract"][:limit]
        if not chosen:
            chosen = [c for c in chunks if c.page_start == 1 and c.section not in ("front", "references")][:1]
        return self._hits([(c.chunk_id, 0.0) for c in chosen], Rankings(), limit)

    def search_documents(self, query: str, k: int = 10, mode: str | None = None) -> list[DocumentHit]:
        """Documents ranked by fusing four views: profile vectors, profile BM25, and the
        document order of the dense and BM25 passage rankings; each with its best passage."""
        ranks = self._rankings(query, None, mode or self.settings.mode)
        chunk_docs_dense = list(dict.fromkeys(c.split(":")[0] for c in ranks.dense))
        chunk_docs_lexical = list(dict.fromkeys(c.split(":")[0] for c in ranks.lexical))
        views = [ranks.docs_dense, ranks.docs_lexical, chunk_docs_dense, chunk_docs_lexical]
        docs = reciprocal_rank_fusion([v for v in views if v], k=self.settings.doc_rrf_k)[:k]
        best: dict[str, tuple[str, float]] = {}
        for cid, score in self._fuse_chunks(ranks):
            best.setdefault(cid.split(":")[0], (cid, score))
        for doc_id, _ in docs:
            if doc_id not in best:  # ranked by its profile only: show its opening passage
                first = self.index.catalog.chunks(doc_id)[:1]
                if first:
                    best[doc_id] = (first[0].chunk_id, 0.0)
        hits = {h.doc_id: h for h in self._hits([best[d] for d, _ in docs if d in best], ranks, k)}
        return [DocumentHit(doc_id=d, title=hits[d].title, score=score, best=hits[d]) for d, score in docs if d in hits]


@dataclass
class Rankings:
    dense: list[str] = field(default_factory=list)
    lexical: list[str] = field(default_factory=list)
    docs_dense: list[str] = field(default_factory=list)
    docs_lexical: list[str] = field(default_factory=list)
