"""Run-time vectors do not depend on their batch-mates (the real MiniLM model; no ../shared)."""

from __future__ import annotations

import numpy as np

from synth.retrieve.embeddings import embedder_for
from synth.settings import SynthSettings

CLAIM = "EAGLE-2 achieves speedup ratios of 3.05x-4.26x, 20%-40% faster than EAGLE-1."
LONG = (
    "Speculative decoding accelerates LLM inference by using a smaller draft model to speculate tokens that a "
    "larger target model verifies; verification is often the bottleneck, four times slower than drafting. "
) * 3


def test_a_vector_is_the_same_whatever_batch_it_is_embedded_in() -> None:
    """In bf16 the claim's vector moved by up to 0.004 cosine with the texts embedded beside it, and a verdict
    changed between two identical `synth eval verify` runs; run-time vectors are fp32 now. The stored (index)
    path keeps the configured precision and stays close to them."""
    embedder = embedder_for(SynthSettings(models={"embed_dtype": "bf16"}))
    alone = embedder.embed([CLAIM])[0]
    batched = embedder.embed([LONG, "Medusa-2 2.3-2.8x.", CLAIM, LONG[:90]])[2]
    assert np.abs(alone - batched).max() < 1e-5
    stored = embedder.embed_stored([CLAIM, LONG])
    assert stored.shape == (2, alone.shape[0])
    assert float(stored[0] @ alone) > 0.99
