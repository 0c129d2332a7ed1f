"""BM25 over the same chunks (bm25s with an English Snowball stemmer), persisted beside the store.

The index is rebuilt from the catalog after each ingest (a few seconds for
thousands of chunks) and saved under a folder named for the catalog
generation it matches, so a stale or half-written index is never loaded.
"""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path
from typing import Any

STOPWORDS = "en"


@functools.cache
def _query_stopwords() -> list[str]:
    """Words a question is made of but a passage is not about. bm25s's short English list keeps "how", "does",
    "what" and "much", so "How much does speculative decoding ... cost?" ranked GSM8K exemplars ("How much does
    it cost?") above the speculative-decoding papers. The index keeps its own list (changing it would mean a
    rebuild); dropping words at query time only stops them from scoring."""
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return sorted({*STOPWORDS_EN_PLUS, "much", "many", "whether", "also", "compared", "versus", "vs"})


def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


class LexicalIndex:
    def __init__(self, retriever: Any, chunk_ids: list[str]) -> None:
        self.retriever = retriever
        self.chunk_ids = chunk_ids
        self.stemmer = _stemmer()

    @classmethod
    def build(cls, chunk_ids: list[str], texts: list[str]) -> LexicalIndex:
        import bm25s

        retriever = bm25s.BM25()
        if texts:
            tokens = bm25s.tokenize(texts, stopwords=STOPWORDS, stemmer=_stemmer(), show_progress=False)
            retriever.index(tokens, show_progress=False)
        return cls(retriever, chunk_ids)

    def save(self, root: Path, generation: int) -> Path:
        """Write to a temp folder, then rename: a killed process leaves no half index behind."""
        root.mkdir(parents=True, exist_ok=True)
        final = root / f"gen-{generation}"
        tmp = root / f".tmp-gen-{generation}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        if self.chunk_ids:
            self.retriever.save(str(tmp))
        (tmp / "chunk_ids.json").write_text(json.dumps(self.chunk_ids))
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)
        for old in root.iterdir():
            if old != final and old.name.startswith(("gen-", ".tmp-gen-")):
                shutil.rmtree(old, ignore_errors=True)
        return final

    @classmethod
    def load(cls, root: Path, generation: int) -> LexicalIndex | None:
        import bm25s

        folder = root / f"gen-{generation}"
        ids_file = folder / "chunk_ids.json"
        if not ids_file.is_file():
            return None
        chunk_ids = json.loads(ids_file.read_text())
        retriever = bm25s.BM25.load(str(folder)) if chunk_ids else bm25s.BM25()
        return cls(retriever, chunk_ids)

    def query(self, text: str, k: int) -> list[tuple[str, float]]:
        import bm25s

        if not self.chunk_ids:
            return []
        tokens = bm25s.tokenize(
            [text], stopwords=_query_stopwords(), stemmer=self.stemmer, return_ids=False, show_progress=False
        )
        if not tokens or not tokens[0]:
            return []
        docs, scores = self.retriever.retrieve(tokens, k=min(k, len(self.chunk_ids)), show_progress=False)
        return [(self.chunk_ids[int(i)], float(s)) for i, s in zip(docs[0], scores[0], strict=True) if float(s) > 0.0]
