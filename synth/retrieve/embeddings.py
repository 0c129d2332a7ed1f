"""Sentence-transformers embeddings from a locally installed model folder.

The model path comes from the model registry (a PyPI package that carries
the weights); nothing is ever fetched from a hub, and chroma's default
embedding function is never used (it downloads a model).
"""

from __future__ import annotations

import contextlib
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from synth.models.offline import stay_offline

if TYPE_CHECKING:
    from synth.settings import SynthSettings


def pick_device(requested: str) -> tuple[str, str | None]:
    """Resolve `auto`/`cuda` to a usable device; the note explains a fallback to CPU."""
    if requested == "cpu":
        return "cpu", None
    import torch

    if torch.cuda.is_available():
        return "cuda", None
    if requested == "cuda":
        return "cpu", "CUDA requested but not available (no GPU or CPU-only torch): running on CPU"
    return "cpu", None


def cpu_has_bf16() -> bool:
    """bf16 matmuls are fast only with AMX or AVX512-BF16; elsewhere they are slower than fp32."""
    try:
        with open("/proc/cpuinfo") as fh:
            flags = fh.read(200_000)
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def resolve_dtype(requested: str, device: str) -> str:
    if requested != "auto":
        return requested
    if device == "cuda":
        return "fp16"
    return "bf16" if cpu_has_bf16() else "fp32"


def embedder_for(settings: SynthSettings) -> Embedder:
    """The configured embedding model (the one every stage and the index use); loads on first use, and fails
    closed with the install command when the model package is missing."""
    from synth.models.registry import require_model

    m = settings.models
    return Embedder(
        require_model(m.embedding, settings.models_dir, m.pip_target), m.device, m.embed_batch_size, m.embed_dtype
    )


class Embedder:
    """Lazy wrapper: the model loads on first use so `synth --help` and warm ingests stay fast."""

    def __init__(self, model_path: Path, device: str = "auto", batch_size: int = 32, dtype: str = "auto") -> None:
        self.model_path = Path(model_path)
        self.requested_device = device
        self.batch_size = batch_size
        self.requested_dtype = dtype
        self.device_note: str | None = None
        self.dtype: str = "fp32"  # of stored vectors (`embed_stored`); run-time vectors are always fp32
        self._autocast: Any | None = None

    @cached_property
    def model(self) -> Any:
        stay_offline()
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" bars would garble the CLI's own progress

        device, self.device_note = pick_device(self.requested_device)
        model = SentenceTransformer(str(self.model_path), device=device, local_files_only=True)
        self.dtype = resolve_dtype(self.requested_dtype, device)
        reduced = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(self.dtype)
        self._autocast = None if reduced is None else torch.autocast(device_type=model.device.type, dtype=reduced)
        return model

    @property
    def dimension(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-normalised float32 vectors, so cosine similarity is a dot product; computed in fp32, so a text's
        vector does not depend on the batch it came in (in bf16 it moved by up to 0.004 cosine with its
        batch-mates, and a claim's verdict changed between two identical runs)."""
        return self._encode(texts, reduced=False)

    def embed_stored(self, texts: list[str]) -> np.ndarray:
        """Vectors computed once and stored (the index's chunks), in the configured precision (`embed_dtype`:
        bf16 on CPUs with AMX, about twice as fast): a stored vector is never recomputed, so no run sees it move."""
        return self._encode(texts, reduced=True)

    def _encode(self, texts: list[str], reduced: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self.model
        with self._autocast if reduced and self._autocast is not None else contextlib.nullcontext():
            vectors = model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


class MemoEmbedder:
    """An embedder that remembers every text it embedded (bounded, oldest first out).

    Verifying a report's claims embeds the same evidence windows again and again:
    claims about one topic retrieve the same chunks. Remembering them halves the
    verify stage on 2 cores.
    """

    def __init__(self, inner: Any, capacity: int = 50_000) -> None:
        self.inner = inner
        self.capacity = capacity
        self._memo: dict[str, np.ndarray] = {}
        self.hits = 0
        self.misses = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._memo))
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing:
            for text, vector in zip(missing, self.inner.embed(missing), strict=True):
                self._memo[text] = vector
            while len(self._memo) > self.capacity:
                self._memo.pop(next(iter(self._memo)))
        if not texts:
            return self.inner.embed([])
        return np.stack([self._memo[t] for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
