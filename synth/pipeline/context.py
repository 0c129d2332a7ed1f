"""What a run works with, built once: settings, the corpus retriever, its catalog and embedder, the verifier and
the chat model.

Every orchestrator (report, audit, digest, eval) builds one `RunContext` and hands it to the stages, instead of
each stage opening its own index, building its own embedder or verifier and reaching into the retriever's
internals. Models load on first use, so a run that only re-renders (or never verifies) never loads them; what
tests inject (a fake chat model, a benchmark runner, an open retriever) is used as given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synth.pipeline.progress import NoProgress, StageProgress
from synth.settings import SynthSettings

if TYPE_CHECKING:
    from synth.corpus.catalog import Catalog
    from synth.empirical.budget import Runner
    from synth.retrieve.embeddings import MemoEmbedder
    from synth.verify.verifier import Verifier


@dataclass
class RunContext:
    settings: SynthSettings
    progress: StageProgress = field(default_factory=NoProgress)
    bench_runner: Runner | None = None
    _retriever: Any | None = None
    _chat_model: Any | None = None
    _owned: bool = field(default=False, init=False)  # opened here, so closed here
    _embedder: MemoEmbedder | None = field(default=None, init=False)
    _verifiers: dict[tuple[bool, bool], tuple[Verifier, list[str]]] = field(default_factory=dict, init=False)
    _given_verifier: Verifier | None = field(default=None, init=False)

    @classmethod
    def build(
        cls,
        settings: SynthSettings,
        *,
        retriever: Any | None = None,
        chat_model: Any | None = None,
        bench_runner: Runner | None = None,
        progress: StageProgress | None = None,
        verifier: Verifier | None = None,
    ) -> RunContext:
        """`retriever`, `chat_model`, `bench_runner` and `verifier`: used as given (tests, a digest's shared
        retriever); what is not given is made from the settings on first use."""
        ctx = cls(
            settings, progress=progress or NoProgress(), bench_runner=bench_runner, _retriever=retriever,
            _chat_model=chat_model,
        )  # fmt: skip
        ctx._given_verifier = verifier
        return ctx

    # ------------------------------------------------------------------ corpus

    @property
    def retriever(self) -> Any:
        """The hybrid retriever over the configured index, opened on first use."""
        if self._retriever is None:
            from synth.retrieve import open_retriever

            self._retriever, self._owned = open_retriever(self.settings), True
        return self._retriever

    @property
    def retriever_open(self) -> bool:
        return self._retriever is not None

    @property
    def catalog(self) -> Catalog:
        return self.retriever.catalog

    @property
    def embedder(self) -> MemoEmbedder:
        """One memo over the configured embedder for the whole run: the verify and review stages embed many of
        the same sentences (claims, quotes), and the memo's counters say how many were reused. The open index's
        embedder when there is one (its model is loaded once); a run without a corpus never opens the index."""
        if self._embedder is None:
            from synth.retrieve.embeddings import MemoEmbedder, embedder_for

            base = self._retriever.embedder if self._retriever is not None else embedder_for(self.settings)
            self._embedder = MemoEmbedder(base)
        return self._embedder

    def require_documents(self) -> None:
        """Fail with the fix before any stage runs on an empty corpus."""
        if self.catalog.stats()["documents"] == 0:
            from synth.errors import UserError

            raise UserError(
                f"the corpus at {self.settings.index_dir} is empty: pass --corpus DIR or run `synth corpus add`"
            )

    def ingest(self, paths: Sequence[Path], source: str = "local") -> Any:
        """Add files to the index; an open retriever is then reopened, so its BM25, vectors and titles see them."""
        from synth.corpus.ingest import ingest
        from synth.corpus.open import open_index

        index = open_index(self.settings)
        try:
            result = ingest(list(paths), index, self.settings.corpus, source=source, fault=self.settings.fault)
        finally:
            index.close()
        if self._retriever is not None:
            self.close()
            self._retriever, self._embedder = None, None
            self._verifiers.clear()
        return result

    # ------------------------------------------------------------------ models

    def verifier(self, judge: bool, keep_hidden: bool = False) -> tuple[Verifier, list[str]]:
        """The verifier (with the LM judge when asked and available) and the notes on what it runs without;
        `keep_hidden` keeps the judge's hidden states (for fitting probes)."""
        if self._given_verifier is not None:
            return self._given_verifier, []
        key = (judge, keep_hidden)
        if key not in self._verifiers:
            from synth.verify.factory import build_verifier

            self._verifiers[key] = build_verifier(
                self.settings, embedder=self.embedder, judge=judge, keep_hidden=keep_hidden
            )
        verifier, notes = self._verifiers[key]
        return verifier, list(notes)  # callers add their own notes

    @property
    def chat_model(self) -> Any:
        """The configured chat model (local llama.cpp or an OpenAI-compatible server), made on first use."""
        if self._chat_model is None:
            from synth.llm.chat import make_chat_model

            self._chat_model = make_chat_model(self.settings)
        return self._chat_model

    @property
    def injected_chat_model(self) -> Any | None:
        """The chat model given by the caller, if any (the extract stage decides its mode from it)."""
        return self._chat_model

    def close(self) -> None:
        """Close what this context opened (a retriever the caller passed in stays the caller's)."""
        if self._retriever is not None and self._owned:
            self._retriever.close()
            self._retriever, self._owned = None, False
