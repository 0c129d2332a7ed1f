"""Cross-validation by group (a paper): the verifier's accuracy on claims about papers it was not fitted on.

Claims about one paper share its wording, tables and systems; fitting and
scoring on claims of the same paper measures memory, not judgement. Every
figure `synth eval verify --cv` prints comes from label models fitted without
the scored paper's claims, calibration included (the calibration map is fitted
inside each training fold).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel, Field

from synth.eval.datasets import REFUTED
from synth.eval.verify_eval import PairOutcome
from synth.verify.aggregate import NO_JUDGE_FEATURES
from synth.verify.calibration import expected_calibration_error
from synth.verify.label_model import fit_label_model
from synth.verify.metrics import VerifierMetrics, verifier_metrics

DEFAULT_FEATURES = NO_JUDGE_FEATURES


class CrossValReport(BaseModel):
    data: str
    n: int
    folds: int
    features: list[str]
    metrics: VerifierMetrics
    ece: float = Field(description="Expected calibration error (10 bins) of the held-out calibrated confidence.")
    error_type_recall: dict[str, float] = Field(description="REFUTED recall per error type (claims-dev notes).")
    error_type_support: dict[str, int]
    predictions: list[dict] = Field(default_factory=list, description="Per pair: id, gold, predicted, confidence.")


def error_type_recall(types: Sequence[str | None], gold: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """REFUTED recall per error type: which kinds of mistakes the verifier catches."""
    support = Counter(t for t in types if t)
    hits = Counter(t for t, p, g in zip(types, predicted, gold, strict=True) if t and g == REFUTED and p == REFUTED)
    return {t: round(hits[t] / n, 4) for t, n in sorted(support.items())}


def group_folds(groups: Sequence[str], folds: int) -> list[list[int]]:
    """Indices per fold; whole groups only, the largest groups spread first so folds have similar sizes."""
    sizes = Counter(groups)
    buckets: list[list[str]] = [[] for _ in range(max(2, min(folds, len(sizes))))]
    load = [0] * len(buckets)
    for group, size in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        k = load.index(min(load))
        buckets[k].append(group)
        load[k] += size
    where = {g: k for k, bucket in enumerate(buckets) for g in bucket}
    out: list[list[int]] = [[] for _ in buckets]
    for i, g in enumerate(groups):
        out[where[g]].append(i)
    return out


def cross_validate(
    outcomes: Sequence[PairOutcome],
    groups: Sequence[str],
    labels: Sequence[str],
    features: Sequence[str],
    data_name: str,
    error_types: Sequence[str | None] | None = None,
    folds: int = 5,
    judged: bool = False,
) -> CrossValReport:
    """Fit on all folds but one, predict the held-out fold; metrics over every held-out prediction."""
    rows = [o.features if judged else o.features_no_judge for o in outcomes]
    gold = [o.gold for o in outcomes]
    predicted: list[str] = [""] * len(outcomes)
    confidence: list[float] = [0.0] * len(outcomes)
    for held in group_folds(groups, folds):
        held_set = set(held)
        train = [i for i in range(len(outcomes)) if i not in held_set]
        model = fit_label_model(
            [rows[i] for i in train], [gold[i] for i in train], labels, features, fitted_on=f"{data_name} (cv fold)",
            groups=[groups[i] for i in train],
        )  # fmt: skip
        for i in held:
            p = model.predict(rows[i])
            predicted[i], confidence[i] = p.label, p.confidence
    correct = [p == g for p, g in zip(predicted, gold, strict=True)]
    types = list(error_types or [None] * len(outcomes))
    support = Counter(t for t in types if t)
    return CrossValReport(
        data=data_name, n=len(outcomes), folds=len(group_folds(groups, folds)), features=list(features),
        metrics=verifier_metrics(gold, predicted, labels), ece=expected_calibration_error(confidence, correct),
        error_type_recall=error_type_recall(types, gold, predicted),
        error_type_support=dict(sorted(support.items())),
        predictions=[
            {"id": o.pair_id, "gold": g, "predicted": p, "confidence": round(c, 4), "error_type": t}
            for o, g, p, c, t in zip(outcomes, gold, predicted, confidence, types, strict=True)
        ],
    )  # fmt: skip
