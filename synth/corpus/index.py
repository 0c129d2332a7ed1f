"""The corpus index on disk: catalog (truth) + chroma vectors + BM25, kept consistent.

Layout under `<home>/index/`: `catalog.sqlite`, `chroma/` (or `chroma-server.json`, naming the collection on
the Chroma server of `retrieve.chroma_url`), `bm25/gen-N/`, `.lock`.
Vectors and BM25 are derived data; `reconcile` repairs them after a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from filelock import FileLock, Timeout

from synth.core.documents import Chunk, Document
from synth.corpus.catalog import Catalog
from synth.errors import UserError

if TYPE_CHECKING:
    from synth.retrieve.dense import DenseStore
    from synth.retrieve.embeddings import Embedder
    from synth.retrieve.lexical import LexicalIndex


class IndexBusyError(UserError):
    """Another synth process holds the index lock."""


class IndexMismatchError(UserError):
    """The index was built with another embedding model than the settings name."""


class CorpusIndex:
    def __init__(
        self, root: Path, embedder_factory: Callable[[], Embedder], embedding_key: str, chroma_url: str | None = None
    ) -> None:
        self.root = root
        self.chroma_url = chroma_url
        root.mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(root / "catalog.sqlite")
        self._embedder_factory = embedder_factory
        self.embedding_key = embedding_key
        self._lexical: LexicalIndex | None = None
        self._lexical_generation = -1
        self._doc_lexical: LexicalIndex | None = None
        self._doc_matrix: tuple[int, list[str], np.ndarray] | None = None

    def close(self) -> None:
        self.catalog.close()

    # --- components, created lazily so warm paths never pay for them --------------
    @cached_property
    def dense(self) -> DenseStore:
        from synth.retrieve.dense import open_dense_store

        return open_dense_store(self.root / "chroma", self.chroma_url)

    @cached_property
    def embedder(self) -> Embedder:
        return self._embedder_factory()

    def lock(self, timeout: float = 10.0) -> FileLock:
        lock = FileLock(str(self.root / ".lock"), timeout=timeout)
        try:
            lock.acquire()
        except Timeout as exc:
            raise IndexBusyError(
                f"index {self.root} is locked by another synth process; wait for it to finish"
            ) from exc
        return lock

    def check_embedding_key(self, record: bool = True) -> None:
        """Vectors from different embedding models must not be mixed or queried across.

        Ingest records the model name on first use; search only compares.
        """
        stored = self.catalog.get_meta("embedding_key")
        if stored is None:
            if record:
                self.catalog.set_meta("embedding_key", self.embedding_key)
            return
        if stored != self.embedding_key:
            raise IndexMismatchError(
                f"index {self.root} was built with embedding model {stored}, settings ask for "
                f"{self.embedding_key}: set models.embedding = {stored!r}, use another --home, or delete "
                f"{self.root} and ingest again"
            )

    # --- consistency -------------------------------------------------------------
    def mark_dirty(self, dirty: bool) -> None:
        self.catalog.set_meta("dirty", "1" if dirty else "0")

    @property
    def dirty(self) -> bool:
        return self.catalog.get_meta("dirty", "0") == "1"

    def reconcile(self) -> dict[str, int]:
        """Drop vectors the catalog does not know; re-mark documents whose vectors are missing.

        A document whose vectors are incomplete is removed from the catalog
        (its file is then re-ingested as new), so search never returns a
        catalog chunk without its vector or a vector without its chunk.
        """
        catalog_ids = self.catalog.chunk_ids()
        vector_ids = self.dense.ids()
        orphans = sorted(vector_ids - catalog_ids)
        if orphans:
            self.dense.delete_ids(orphans)
        missing = catalog_ids - vector_ids
        broken_docs = sorted({cid.split(":")[0] for cid in missing})
        for doc_id in broken_docs:
            self.catalog.remove_document(doc_id)
            self.dense.delete_doc(doc_id)
        return {"orphan_vectors": len(orphans), "incomplete_documents": len(broken_docs)}

    # --- lexical -----------------------------------------------------------------
    def lexical(self) -> LexicalIndex:
        """The BM25 index for the current catalog generation, rebuilt if stale or missing."""
        from synth.retrieve.lexical import LexicalIndex

        generation = self.catalog.generation
        if self._lexical is not None and self._lexical_generation == generation:
            return self._lexical
        loaded = LexicalIndex.load(self.root / "bm25", generation)
        if loaded is None:
            return self.rebuild_lexical()
        self._lexical, self._lexical_generation = loaded, generation
        self._doc_lexical = None
        return loaded

    def rebuild_lexical(self) -> LexicalIndex:
        """Rebuild both BM25 indexes (chunks, and document profiles) for the current generation."""
        from synth.retrieve.lexical import LexicalIndex

        generation = self.catalog.generation
        chunks = self.catalog.chunks()
        titles = {d.doc_id: d.title for d in self.catalog.documents()}
        lexical = LexicalIndex.build(
            [c.chunk_id for c in chunks], [indexed_text(c, titles.get(c.doc_id, "")) for c in chunks]
        )
        profiles = self.catalog.doc_profiles()
        doc_lexical = LexicalIndex.build([p[0] for p in profiles], [p[1] for p in profiles])
        doc_lexical.save(self.root / "bm25-docs", generation)
        lexical.save(self.root / "bm25", generation)
        self._lexical, self._lexical_generation = lexical, generation
        self._doc_lexical = doc_lexical
        return lexical

    def doc_lexical(self) -> LexicalIndex:
        """BM25 over document profiles (title + abstract), matching the current generation."""
        from synth.retrieve.lexical import LexicalIndex

        self.lexical()  # rebuilds both when stale
        if self._doc_lexical is None:
            self._doc_lexical = LexicalIndex.load(self.root / "bm25-docs", self._lexical_generation)
            if self._doc_lexical is None:
                self.rebuild_lexical()
        assert self._doc_lexical is not None
        return self._doc_lexical

    def doc_matrix(self) -> tuple[list[str], np.ndarray]:
        """Document-profile vectors as one matrix (a few KB per paper), cached per generation."""
        generation = self.catalog.generation
        if self._doc_matrix is None or self._doc_matrix[0] != generation:
            rows = self.catalog.doc_profiles()
            ids = [r[0] for r in rows]
            matrix = (
                np.stack([np.frombuffer(r[2], dtype=np.float32) for r in rows])
                if rows
                else np.zeros((0, 1), dtype=np.float32)
            )
            self._doc_matrix = (generation, ids, matrix)
        return self._doc_matrix[1], self._doc_matrix[2]

    def remove(self, doc_id: str) -> bool:
        with self.lock():
            found = self.catalog.remove_document(doc_id)
            if found:
                self.dense.delete_doc(doc_id)
                self.rebuild_lexical()
            return found


def doc_profile(doc: Document, chunks: list[Chunk], words: int = 180) -> str:
    """Title plus the start of the abstract (else of the text): what the paper is about, in one passage."""
    body = [c.text for c in chunks if c.section == "abstract"] or [c.text for c in chunks[:2]]
    return f"{doc.title}\n{' '.join(' '.join(body).split()[:words])}"


def indexed_text(chunk: Chunk, title: str) -> str:
    """What both rankers see: the paper title and heading in front of the chunk.

    A passage rarely repeats the paper's topic ("speculative decoding") in
    every paragraph; the title header lets both BM25 and the embedding tie
    it back (contextual chunk headers).
    """
    header = " — ".join(part for part in (title, chunk.heading) if part)
    return f"{header}\n{chunk.text}" if header else chunk.text
