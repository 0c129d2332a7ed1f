"""MiniCheck-style aggregation: score every evidence window, keep the best window per
document and the best document, and turn the checkers' outputs into one feature vector.

Everything here is a pure function of the per-window scores, so the expensive
checkers run once and aggregation, label mapping and calibration can be refitted
and tested without a model.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from synth.verify.align import AlignResult, align
from synth.verify.numeric import NumericOutcome, NumericResult

BASE_FEATURES = ("similarity", "overlap", "num_match", "num_mismatch")
# Slot alignment (`synth.verify.align`): what the default install decides with, besides the base checkers.
ALIGN_FEATURES = (
    "al_absent", "al_absent_on_topic", "al_agree", "al_all_agree", "al_all_bad", "al_any_bad", "al_bad_beside_agree",
    "al_best_overlap",
    "al_changed", "al_conflict", "al_name_coverage", "al_name_swap", "al_negation_flip", "al_numbers",
    "al_polarity_flip", "al_role_swap", "al_scope", "al_unit", "al_unnamed", "al_hardware",
)  # fmt: skip
NO_JUDGE_FEATURES = BASE_FEATURES + ALIGN_FEATURES
JUDGE_FEATURES = ("support_logit", "contradict_logit", "contradict_at_best_logit")
ALIGN_WINDOWS = 6  # the most similar windows that slot alignment reads (the source page is among them ~90%)

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-]+|\d+(?:\.\d+)?")
_STOP_WORDS = """the a an of to in and or for on with by is are was were be been that this these those it its
as at from than which who has have had can could may might will would not no into over under between their our"""
_STOP = frozenset(_STOP_WORDS.split())


@dataclass
class WindowScore:
    """What the checkers said about one (claim, evidence window) pair."""

    doc_id: str
    text: str
    page: int | None = None
    table: bool = False  # cut from a table chunk (`synth.corpus.tables`): its text is recovered cells, not prose
    similarity: float = 0.0  # cosine of MiniLM embeddings, or lexical overlap without an embedder
    overlap: float = 0.0  # share of the claim's content words found in the window
    numeric: NumericResult | None = None
    support: float | None = None  # LM judge P(Yes | "supported?")
    contradict: float | None = None  # LM judge P(Yes | "contradicts?")
    nli_entail: float | None = None
    nli_contradict: float | None = None
    probes: dict[str, float] = field(default_factory=dict)  # linear-probe logits on the judge's hidden state
    hidden: dict[str, Any] = field(default_factory=dict, repr=False)  # kept for fitting probes

    @property
    def numeric_outcome(self) -> NumericOutcome:
        return self.numeric.outcome if self.numeric else NumericOutcome.UNCHECKED

    def strength(self) -> float:
        """How strongly the window supports the claim, by the best checker that scored it."""
        if self.support is not None:
            return self.support
        if self.nli_entail is not None:
            return self.nli_entail
        return 0.5 * self.similarity + 0.5 * self.overlap


@dataclass
class ClaimFeatures:
    """The aggregate the label model reads; `names` says which checkers contributed."""

    values: dict[str, float] = field(default_factory=dict)
    best: list[WindowScore] = field(default_factory=list)  # best window per document, best document first
    alignment: AlignResult | None = None
    aligned: list[WindowScore] = field(default_factory=list)  # the windows alignment read, in its window order

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self.values))


def content_words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if w.lower() not in _STOP and len(w) > 1}


def word_overlap(claim: str, window: str) -> float:
    words = content_words(claim)
    return len(words & content_words(window)) / len(words) if words else 0.0


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def best_per_document(scores: Sequence[WindowScore]) -> list[WindowScore]:
    """Best window of each document, strongest document first (MiniCheck: max over chunks, then docs)."""
    best: dict[str, WindowScore] = {}
    for s in scores:
        if s.doc_id not in best or s.strength() > best[s.doc_id].strength():
            best[s.doc_id] = s
    return sorted(best.values(), key=lambda s: -s.strength())


def align_windows(scores: Sequence[WindowScore]) -> list[WindowScore]:
    """The windows slot alignment reads: the most similar few (judged ones first)."""
    judged = [s for s in scores if s.support is not None]
    rest = sorted((s for s in scores if s.support is None), key=lambda s: -(s.similarity + 0.5 * s.overlap))
    return (judged + rest)[:ALIGN_WINDOWS]


def aggregate(scores: Sequence[WindowScore], claim: str | None = None, paper_text: str = "") -> ClaimFeatures:
    """Features of the claim: the best window's scores, plus the numeric verdict over the windows
    that bear on it (a number contradicted anywhere relevant counts, a match anywhere counts).

    With `claim`, slot alignment (`synth.verify.align`) reads the most similar windows too, and the source
    paper's whole text when given (`paper_text`)."""
    aligned = align_windows(scores) if claim is not None else []
    alignment = align(claim, [s.text for s in aligned], paper_text) if claim is not None else None
    if not scores:
        values = {"similarity": 0.0, "overlap": 0.0, "num_match": 0.0, "num_mismatch": 0.0}
        if alignment is not None:
            values.update(alignment.features())
        return ClaimFeatures(values=values, alignment=alignment, aligned=aligned)
    ranked = best_per_document(scores)
    top = ranked[0]
    judged = [s for s in scores if s.support is not None]
    values: dict[str, float] = {
        "similarity": top.similarity,
        "overlap": max(s.overlap for s in scores),
    }
    # Numbers: judge them on the windows about the claim (the judged ones, else the most similar few).
    pool = judged or sorted(scores, key=lambda s: -s.similarity)[:3]
    outcomes = {s.numeric_outcome for s in pool}
    values["num_match"] = float(NumericOutcome.MATCH in outcomes)
    values["num_mismatch"] = float(NumericOutcome.MISMATCH in outcomes and NumericOutcome.MATCH not in outcomes)
    if judged:
        values["support_logit"] = _logit(max(s.support or 0.0 for s in judged))
        values["contradict_logit"] = _logit(max(s.contradict for s in judged if s.contradict is not None))
        # Contradiction said about the window that best supports the claim separates REFUTED from NEI.
        values["contradict_at_best_logit"] = _logit(top.contradict if top.contradict is not None else 0.0)
    for name in sorted({name for s in judged for name in s.probes}):
        values[name] = max(s.probes[name] for s in judged if name in s.probes)
    nli = [s for s in scores if s.nli_entail is not None]
    if nli:
        values["nli_entail"] = max(s.nli_entail or 0.0 for s in nli)
        values["nli_contradict"] = max(s.nli_contradict or 0.0 for s in nli)
    if alignment is not None:
        values.update(alignment.features())
    return ClaimFeatures(values=values, best=ranked, alignment=alignment, aligned=aligned)
