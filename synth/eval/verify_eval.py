"""Run the verifier over a labelled set: features per pair, then labels, metrics and calibration error.

Features are computed once per pair (the slow part: the LM judge) and kept in
`PairOutcome`, so `synth calibrate` can fit label models on them and
`synth eval verify` can score any fitted model without re-running checkers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from synth.eval.datasets import NOT_SUPPORTED, SUPPORTED, LabelledPair, LabelledSet
from synth.verify.aggregate import WindowScore, aggregate
from synth.verify.calibration import expected_calibration_error
from synth.verify.label_model import LabelModel, LabelModels, Prediction
from synth.verify.metrics import VerifierMetrics, verifier_metrics
from synth.verify.service import EvidencePolicy
from synth.verify.verifier import Passage, Verifier


class PairOutcome(BaseModel):
    pair_id: str
    gold: str
    features: dict[str, float]
    features_no_judge: dict[str, float]
    seconds: float
    judge_calls: int
    windows: int
    group: str | None = Field(None, description="Cross-validation group (the paper), when the set names one.")
    hidden: dict[str, list[float]] = Field(
        default_factory=dict, description="Judge hidden states of the best judged window, when kept (probe fitting)."
    )


class EvalReport(BaseModel):
    data: str
    n: int
    labels: list[str]
    model: str
    metrics: VerifierMetrics
    ece: float = Field(description="Expected calibration error, 10 equal-width bins, of the calibrated confidence.")
    ece_raw: float = Field(description="The same for the label model's uncalibrated probability.")
    pairs_per_s: float
    judge_calls: int


def task_of(data: LabelledSet) -> str:
    return "2way" if NOT_SUPPORTED in data.labels else "3way"


def _strip_judge(scores: list[WindowScore]) -> list[WindowScore]:
    return [
        WindowScore(doc_id=s.doc_id, text=s.text, page=s.page, table=s.table, similarity=s.similarity,
                    overlap=s.overlap, numeric=s.numeric)
        for s in scores
    ]  # fmt: skip


def text_passages(pair: LabelledPair) -> list[Passage]:
    return [Passage(doc_id=f"{pair.pair_id}#{i}", text=t, whole=True) for i, t in enumerate(pair.evidence)]


def pair_policy(pair: LabelledPair, doc_id: str | None, k: int) -> EvidencePolicy:
    """The evidence policy of a labelled pair: its gold evidence when it has some; else, when it names an arXiv
    paper, that paper (`doc_id`, None when not in the corpus) first and then the rest of the corpus."""
    if pair.evidence or not pair.arxiv_id:
        return EvidencePolicy(given=tuple(text_passages(pair)), search_corpus=False)
    return EvidencePolicy(source_doc_ids=frozenset({doc_id} if doc_id else ()), k=k, source_missing=doc_id is None)


class PrefetchedEmbedder:
    """Embeds every text of a labelled set in large batches up front, then answers from memory.

    One encode call per pair spends most of its time in per-call overhead; a set
    of a few hundred pairs embeds several times faster in batches.
    """

    def __init__(self, embedder: Any, texts: Sequence[str]) -> None:
        unique = list(dict.fromkeys(texts))
        vectors = embedder.embed(unique) if unique else np.zeros((0, 0), dtype=np.float32)
        self._vectors = dict(zip(unique, vectors, strict=True))
        self._embedder = embedder

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, self._embedder.embed(missing), strict=True))
        return np.stack([self._vectors[t] for t in texts])


def _window_texts(verifier: Verifier, claim: str, passages: list[Passage]) -> list[str]:
    from synth.verify.verifier import WHOLE_PASSAGE_WORDS
    from synth.verify.windows import evidence_windows

    out = [claim]
    for p in passages:
        whole = WHOLE_PASSAGE_WORDS if p.whole else verifier.window_words
        out += [w.text for w in evidence_windows(p.text, max_words=verifier.window_words, whole_max_words=whole)]
    return out


def compute_outcomes(
    verifier: Verifier,
    data: LabelledSet,
    passages_for: Callable[[LabelledPair], list[Passage]] = text_passages,
    progress: Callable[[int], None] | None = None,
    paper_text_for: Callable[[LabelledPair], str] | None = None,
) -> list[PairOutcome]:
    """Checker features of every pair. `paper_text_for`: the pair's source paper text, as `verify_claim` reads
    it under the same policy (what the paper never names)."""
    outcomes = []
    start = time.perf_counter()
    passages = {pair.pair_id: passages_for(pair) for pair in data.pairs}
    if verifier.embedder is not None and not isinstance(verifier.embedder, PrefetchedEmbedder):
        texts = [t for pair in data.pairs for t in _window_texts(verifier, pair.claim, passages[pair.pair_id])]
        verifier.embedder = PrefetchedEmbedder(verifier.embedder, texts)
    # Retrieval and batched embedding are shared work: spread their time over the pairs (pairs/s is honest).
    shared = (time.perf_counter() - start) / max(1, len(data.pairs))
    for pair in data.pairs:
        start = time.perf_counter()
        scores, calls = verifier.score_windows(pair.claim, passages[pair.pair_id])
        paper = paper_text_for(pair) if paper_text_for else ""
        judged = [s for s in scores if s.hidden]
        best = max(judged, key=lambda s: s.support or 0.0) if judged else None
        outcomes.append(
            PairOutcome(
                pair_id=pair.pair_id, gold=pair.label,
                features=aggregate(scores, claim=pair.claim, paper_text=paper).values,
                features_no_judge=aggregate(_strip_judge(scores), claim=pair.claim, paper_text=paper).values,
                seconds=time.perf_counter() - start + shared,
                judge_calls=calls, windows=len(scores), group=pair.group,
                hidden={k: [float(x) for x in v] for k, v in best.hidden.items()} if best else {},
            )
        )  # fmt: skip
        if progress:
            progress(1)
    return outcomes


def collapse(label: str, labels: Sequence[str]) -> str:
    """A 3-way prediction read in a 2-way set: anything but SUPPORTED is NOT_SUPPORTED."""
    return label if label in labels else (SUPPORTED if label == SUPPORTED else NOT_SUPPORTED)


def pick_model(models: LabelModels, task: str, features: Iterable[str]) -> tuple[LabelModel, str] | None:
    """The label model `synth eval verify` scores with (the task's, else the 3-way one) and its key."""
    model = models.pick(task, features) or models.pick("3way", features)
    if model is None:
        return None
    return model, next(k for k, m in models.models.items() if m is model)


def predict_outcome(outcome: PairOutcome, model: LabelModel, labels: Sequence[str]) -> tuple[str, float, Prediction]:
    """The label `synth eval verify` gives a pair (in the set's labels), its confidence, and the model's prediction."""
    p = model.predict(outcome.features if "support_logit" in model.features else outcome.features_no_judge)
    label = collapse(p.label, labels)
    conf = p.confidence if label == p.label else sum(v for k, v in p.probabilities.items() if k != SUPPORTED)
    return label, conf, p


def evaluate(
    outcomes: Sequence[PairOutcome], model: LabelModel, model_key: str, data_name: str, labels: Sequence[str]
) -> EvalReport:
    gold, predicted, confidence, raw, correct = [], [], [], [], []
    for o in outcomes:
        label, conf, p = predict_outcome(o, model, labels)
        gold.append(o.gold)
        predicted.append(label)
        confidence.append(conf)
        raw.append(p.raw_confidence)
        correct.append(label == o.gold)
    seconds = sum(o.seconds for o in outcomes)
    return EvalReport(
        data=data_name,
        n=len(outcomes),
        labels=list(labels),
        model=f"{model_key} ({model.fitted_on})",
        metrics=verifier_metrics(gold, predicted, labels),
        ece=expected_calibration_error(confidence, correct),
        ece_raw=expected_calibration_error(raw, correct),
        pairs_per_s=len(outcomes) / seconds if seconds > 0 else 0.0,
        judge_calls=sum(o.judge_calls for o in outcomes),
    )
