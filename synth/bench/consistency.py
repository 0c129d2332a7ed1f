"""Self-consistency's choice for free-form answers: the sample most similar to the others.

Majority voting needs a discrete answer; code has none, so (as in the paper)
the sample with the highest mean pairwise embedding similarity stands for the
consensus. Pure given the embeddings; the embedder is injected.
"""

from __future__ import annotations

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
