"""Vector store: an embedded chromadb PersistentClient holding chunk vectors.

Vectors are computed by our own Embedder and passed in; the collection is
created with `embedding_function=None` so chroma's default model (a hub
download) is never touched, and telemetry is off (no network).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

COLLECTION = "synth-chunks"


class DenseStore:
    def __init__(self, path: Path) -> None:
        import chromadb
        from chromadb.config import Settings

        path.mkdir(parents=True, exist_ok=True)
        self.client = chromadb.PersistentClient(
            path=str(path), settings=Settings(anonymized_telemetry=False, allow_reset=False)
        )
        self.collection: Any = self.client.get_or_create_collection(
            COLLECTION, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )

    def count(self) -> int:
        return int(self.collection.count())

    def ids(self) -> set[str]:
        return set(self.collection.get(include=[])["ids"])

    def add(self, ids: list[str], vectors: np.ndarray, doc_ids: list[str]) -> None:
        for start in range(0, len(ids), 1000):
            end = start + 1000
            self.collection.upsert(
                ids=ids[start:end],
                embeddings=vectors[start:end].tolist(),
                metadatas=[{"doc_id": d} for d in doc_ids[start:end]],
            )

    def delete_doc(self, doc_id: str) -> None:
        self.collection.delete(where={"doc_id": doc_id})

    def delete_ids(self, ids: list[str]) -> None:
        for start in range(0, len(ids), 1000):
            self.collection.delete(ids=ids[start : start + 1000])

    def query(self, vector: np.ndarray, k: int, doc_ids: set[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) best first, optionally only from some documents."""
        n = self.count()
        if n == 0:
            return []
        where = {"doc_id": {"$in": sorted(doc_ids)}} if doc_ids else None
        res = self.collection.query(
            query_embeddings=[vector.tolist()], n_results=min(k, n), include=["distances"], where=where
        )
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(res["ids"][0], res["distances"][0], strict=True)]
