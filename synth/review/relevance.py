"""Relevance reviewer: do the report's claims answer the question it was asked?

Every claim of the report counts with equal weight, cited in the prose or not:
the report lists all of them in its claims table, so an off-topic claim costs
the reader attention wherever it appears. Each claim gets a relevance in 0-1
from the best signal available, mapped to 0-10 by a clipped linear map, and the
score is the mean. Signals, best first:

1. an embedder passed in: cosine of "<paper title>: <claim>" to the question
   (the extractor's own reading; a claim names its system, rarely the topic);
2. `Claim.relevance` stored by the extractor, when every claim has one;
3. lexical overlap: the share of the question's content words found in the
   title and claim (a rough fallback that needs no model).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import numpy as np

from synth.core.claims import Claim
from synth.core.run import ReportRun, Review
from synth.settings import ReviewSettings

ASPECT = "relevance: the report's claims address the research question"


class TextEmbedder(Protocol):
    """What the reviewer needs of `synth.retrieve.embeddings.Embedder`: unit-normalised vectors."""

    def embed(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


@dataclass(frozen=True)
class Scale:
    """Clipped linear map of a raw relevance to 0-1: `low` and below is 0, `high` and above is 1.

    `on_topic` is the raw value from which a claim counts as answering the question.
    """

    name: str
    low: float
    high: float
    on_topic: float

    def unit(self, raw: float) -> float:
        return float(np.clip((raw - self.low) / (self.high - self.low), 0.0, 1.0))


def cosine_scale(config: ReviewSettings) -> Scale:
    """The cosine scale of the `review.relevance_*` settings."""
    return Scale("cosine", low=config.relevance_low, high=config.relevance_high, on_topic=config.relevance_on_topic)


_DEFAULTS = ReviewSettings()
# NOTE: the defaults were measured with all-MiniLM-L6-v2 on "<title>: <claim>" against a speculative-decoding
# question: on-topic claims 0.34-0.67 (EAGLE-2's speedup 0.34, Leviathan et al. 0.63), a neighbouring topic
# (vLLM serving) 0.37, protein folding 0.14, cooking 0.08, glaciers -0.01. 0.10 → 0 and 0.50 → 10 spreads that
# range; 0.30 as "on topic" sits above the extractor's drop threshold (0.15) and below every on-topic claim.
# Another embedding model needs its own (`review.relevance_low`, `_high`, `_on_topic`).
COSINE = cosine_scale(_DEFAULTS)
# A claim sharing half the question's content words is as on-topic as word overlap can tell.
LEXICAL = Scale("lexical", low=0.0, high=0.5, on_topic=0.2)

_TOKEN = re.compile(r"[a-z][a-z0-9-]+")
_QUESTION_WORDS = frozenset({"much", "many", "more", "less", "most"})  # not in bm25s's list, empty in a question


@lru_cache(maxsize=1)
def _stemming() -> tuple[Any, frozenset[str]]:
    """The English Snowball stemmer and stop words of the lexical index (synth.retrieve.lexical), loaded once."""
    import Stemmer
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return Stemmer.Stemmer("english"), frozenset(STOPWORDS_EN_PLUS) | _QUESTION_WORDS


def titled(claim: Claim) -> str:
    """The claim as the extractor embedded it: after its paper's title, which names the topic."""
    return f"{claim.source_title}: {claim.text}" if claim.source_title else claim.text


def _terms(text: str) -> set[str]:
    """Stemmed content words (decoding/decode, speculative/speculation meet), as BM25 reads them."""
    stemmer, stop = _stemming()
    return set(stemmer.stemWords([w for w in _TOKEN.findall(text.lower()) if w not in stop and len(w) > 2]))


def lexical_overlap(question: str, text: str) -> float:
    """Share of the question's content terms that appear in `text` (0 when the question has none)."""
    wanted = _terms(question)
    return len(wanted & _terms(text)) / len(wanted) if wanted else 0.0


def raw_relevance(
    run: ReportRun, embedder: TextEmbedder | None, cosine: Scale = COSINE
) -> tuple[list[float], Scale, str]:
    """Per-claim raw relevance, the scale it is read on (`cosine` for embeddings), and where it came from."""
    claims = [rc.claim for rc in run.claims]
    if embedder is not None:
        vectors = embedder.embed([titled(c) for c in claims])
        cosines = vectors @ embedder.embed_query(run.question)
        return [float(x) for x in cosines], cosine, "cosine from the embedder passed in"
    if all(c.relevance is not None for c in claims):
        return [float(c.relevance or 0.0) for c in claims], cosine, "cosine stored by the extractor"
    return [lexical_overlap(run.question, titled(c)) for c in claims], LEXICAL, "lexical overlap (no embeddings)"


def review_relevance(
    run: ReportRun, *, embedder: TextEmbedder | None = None, config: ReviewSettings = _DEFAULTS
) -> Review:
    """Score 0-10 = 10 x mean over all report claims of the scale's clipped linear map; None without claims."""
    if not run.claims:
        return Review(
            reviewer="relevance", aspect=ASPECT, score=None,
            rationale="Not scored: the run has no claims, so there is nothing to compare with the question.",
        )  # fmt: skip
    raw, scale, source = raw_relevance(run, embedder, cosine_scale(config))
    units = [scale.unit(x) for x in raw]
    on_topic = sum(1 for x in raw if x >= scale.on_topic)
    score = 10.0 * sum(units) / len(units)
    worst = min(range(len(raw)), key=raw.__getitem__)
    lowest = raw[worst] if abs(raw[worst]) >= 0.005 else 0.0  # no '-0.00'
    rationale = (
        f"{on_topic} of {len(raw)} claims are on topic ({scale.name} relevance to the question at least "
        f"{scale.on_topic:.2f}, read as {source}); mean {scale.name} {np.mean(raw):.2f}, lowest {lowest:.2f} "
        f"for claim [{run.claims[worst].number}]. Each claim maps linearly from {scale.low:.2f} (0) to "
        f"{scale.high:.2f} (10), clipped, and every claim counts equally whether or not the prose cites it, "
        f"since the report lists them all; the mean is {score:.1f}/10."
    )
    return Review(
        reviewer="relevance", aspect=ASPECT, score=round(score, 2), rationale=rationale,
        details={
            "claims": len(raw), "on_topic": on_topic, "on_topic_share": round(on_topic / len(raw), 4),
            "mean_raw": round(float(np.mean(raw)), 4), "min_raw": round(raw[worst], 4), "scale": scale.name,
            "source": source, "low": scale.low, "high": scale.high, "on_topic_threshold": scale.on_topic,
        },
    )  # fmt: skip
