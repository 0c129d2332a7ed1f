"""Dense search returns the same ranking in every process: exact cosine over the approximate index's candidates,
ties in chunk-id order (the embedded HNSW graph is partly rebuilt, in no fixed order, each time it is opened)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from synth.retrieve.dense import DENSE_OVERFETCH, DenseStore, exact_top_k

pytestmark = pytest.mark.unit

QUERY = np.array([1.0, 0.0, 0.0], dtype=np.float32)
CANDIDATES = {
    "d:2": [0.6, 0.8, 0.0],  # cosine 0.6, tied with d:1 and d:3
    "d:1": [0.6, 0.0, 0.8],
    "d:3": [1.2, 1.6, 0.0],  # not unit length: still cosine 0.6
    "d:0": [0.9, 0.1, 0.0],  # the best
    "d:4": [0.0, 1.0, 0.0],
}


def test_exact_top_k_does_not_depend_on_the_candidates_order() -> None:
    results = {
        tuple(cid for cid, _ in exact_top_k(QUERY, list(ids), [CANDIDATES[i] for i in ids], k=4))
        for ids in itertools.permutations(CANDIDATES)
    }
    assert results == {("d:0", "d:1", "d:2", "d:3")}  # equal cosines in chunk-id order
    assert exact_top_k(QUERY, [], [], k=3) == []


class _Collection:
    """A stand-in for chroma's collection that returns its candidates in a given (arbitrary) order."""

    def __init__(self, order: list[str]) -> None:
        self.order = order
        self.asked: dict[str, Any] = {}

    def count(self) -> int:
        return len(self.order)

    def query(self, **kwargs: Any) -> dict[str, Any]:
        self.asked = kwargs
        ids = self.order[: kwargs["n_results"]]
        return {"ids": [ids], "embeddings": [np.array([CANDIDATES[i] for i in ids])]}

    def get(self, **kwargs: Any) -> dict[str, Any]:
        self.asked = {"get": kwargs}
        return {
            "ids": list(self.order),
            "embeddings": np.array([CANDIDATES[i] for i in self.order]),
            "metadatas": [{"doc_id": i.split(":")[0]} for i in self.order],
        }


def test_a_small_store_is_searched_exactly_whatever_order_it_holds_its_vectors_in() -> None:
    """Up to EXACT_MAX vectors a query reads them all: the approximate graph's tail changed between processes."""
    runs = []
    for order in (sorted(CANDIDATES), sorted(CANDIDATES, reverse=True), list(CANDIDATES)):
        collection = _Collection(order)
        runs.append(DenseStore(collection).query(QUERY, k=3, doc_ids={"d"}))
        assert "get" in collection.asked
    assert all(run == runs[0] for run in runs)
    assert [cid for cid, _ in runs[0]] == ["d:0", "d:1", "d:2"]
    assert DenseStore(_Collection(list(CANDIDATES))).query(QUERY, k=3, doc_ids={"c"}) == []


def test_query_overfetches_and_reranks_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("synth.retrieve.dense.EXACT_MAX", 0)  # a store too large to read whole
    runs = []
    for order in (sorted(CANDIDATES), sorted(CANDIDATES, reverse=True), list(CANDIDATES)):
        collection = _Collection(order)
        runs.append(DenseStore(collection).query(QUERY, k=2, doc_ids={"d", "c"}))
        assert collection.asked["n_results"] == min(2 * DENSE_OVERFETCH, len(CANDIDATES))
        assert collection.asked["where"] == {"doc_id": {"$in": ["c", "d"]}}
    assert all(run == runs[0] for run in runs)
    assert [cid for cid, _ in runs[0]] == ["d:0", "d:1"]
    assert runs[0][0][1] == pytest.approx(0.9 / np.linalg.norm([0.9, 0.1, 0.0]))


def test_embedded_store_query_is_the_exact_ranking(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(300, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [f"doc{i % 7}:{i:04d}" for i in range(len(vectors))]
    store = DenseStore.embedded(tmp_path / "chroma")
    store.add(ids, vectors, [cid.split(":")[0] for cid in ids])
    query = vectors[5] + 0.5 * vectors[17]
    exact = np.argsort(-(vectors @ query), kind="stable")[:20]
    assert [cid for cid, _ in store.query(query, k=20)] == [ids[i] for i in exact]
    only = [i for i in np.argsort(-(vectors @ query), kind="stable") if ids[i].startswith(("doc1:", "doc3:"))][:5]
    assert [cid for cid, _ in store.query(query, k=5, doc_ids={"doc3", "doc1"})] == [ids[i] for i in only]
