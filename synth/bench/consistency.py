"""Self-consistency's choice for free-form answers: the sample most similar to the others.

Majority voting needs a discrete answer; code has none, so (as in the paper)
the sample with the highest mean pairwise embedding similarity stands for the
consensus. Pure given the embeddings; the embedder is injected.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def most_consistent(embeddings: np.ndarray) -> int:
    """Index of the row with the highest mean cosine similarity to the other rows (ties: the first)."""
    n = embeddings.shape[0]
    if n <= 2:
        return 0
    unit = embeddings / np.clip(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12, None)
    sims = unit @ unit.T
    mean_other = (sims.sum(axis=1) - np.diag(sims)) / (n - 1)
    return int(np.argmax(mean_other))


def pick_consistent(texts: list[str], embedder: Any) -> int:
    if len(texts) <= 2:
        return 0
    return most_consistent(np.asarray(embedder.embed(texts), dtype=np.float32))


class ConsistencyPicker:
    """Loads the embedding model on first use and keeps it for the run (not once per prompt)."""

    def __init__(self, load: Callable[[], Any]) -> None:
        self._load = load
        self._embedder: Any | None = None

    def pick(self, texts: list[str]) -> int:
        if len(texts) <= 2:
            return 0
        if self._embedder is None:
            self._embedder = self._load()
        return pick_consistent(texts, self._embedder)


def picker_for(settings: Any) -> ConsistencyPicker:
    def load() -> Any:
        from synth.retrieve.embeddings import embedder_for

        return embedder_for(settings)

    return ConsistencyPicker(load)
