"""Wiring: settings -> a CorpusIndex with the configured embedding model."""

from __future__ import annotations

from synth.corpus.index import CorpusIndex
from synth.errors import UserError
from synth.settings import SynthSettings, load_settings


class NoCorpusError(UserError):
    """A read of the corpus found no index at all: most often SYNTH_HOME or --home is mistyped."""


def require_index(settings: SynthSettings) -> None:
    """Refuse to read a corpus that was never created, before opening it creates an empty one.

    Opening an index makes its folder and catalog, so a mistyped SYNTH_HOME used to turn into a new,
    empty data dir and "no hits"; readers call this first so the user hears about the path instead.
    """
    if not (settings.index_dir / "catalog.sqlite").is_file():
        raise NoCorpusError(
            f"no corpus at {settings.home}: add papers with `synth corpus add PATH` (or --corpus DIR where "
            "the command takes it), or check SYNTH_HOME / --home if the data dir is elsewhere"
        )


def open_index(settings: SynthSettings | None = None) -> CorpusIndex:
    settings = settings or load_settings()

    def factory():  # noqa: ANN202
        from synth.retrieve.embeddings import embedder_for

        return embedder_for(settings)

    return CorpusIndex(
        settings.index_dir, factory, embedding_key=settings.models.embedding, chroma_url=settings.retrieve.chroma_url
    )
