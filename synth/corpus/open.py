"""Wiring: settings -> a CorpusIndex with the configured embedding model."""

from __future__ import annotations

from synth.corpus.index import CorpusIndex
from synth.settings import SynthSettings, load_settings


def open_index(settings: SynthSettings | None = None) -> CorpusIndex:
    settings = settings or load_settings()
    name = settings.models.embedding

    def factory():  # noqa: ANN202
        from synth.models.registry import require_model
        from synth.retrieve.embeddings import Embedder

        path = require_model(name, settings.models_dir, settings.models.pip_target)
        return Embedder(path, settings.models.device, settings.models.embed_batch_size, settings.models.embed_dtype)

    return CorpusIndex(settings.index_dir, factory, embedding_key=name)
