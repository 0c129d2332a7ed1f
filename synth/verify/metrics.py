"""Verifier quality figures: per-class precision/recall, balanced accuracy, macro-F1 (higher is better)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel


class ClassScores(BaseModel):
    precision: float
    recall: float
    f1: float
    support: int


class VerifierMetrics(BaseModel):
    per_class: dict[str, ClassScores]
    balanced_accuracy: float
    macro_f1: float
    accuracy: float
    n: int


def verifier_metrics(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> VerifierMetrics:
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, precision_recall_fscore_support

    p, r, f, s = precision_recall_fscore_support(gold, predicted, labels=list(labels), zero_division=0)
    per_class = {
        label: ClassScores(precision=float(p[i]), recall=float(r[i]), f1=float(f[i]), support=int(s[i]))
        for i, label in enumerate(labels)
    }
    present = [lab for lab in labels if per_class[lab].support > 0]
    return VerifierMetrics(
        per_class=per_class,
        balanced_accuracy=float(balanced_accuracy_score(gold, predicted)) if gold else 0.0,
        macro_f1=sum(per_class[lab].f1 for lab in present) / max(1, len(present)),
        accuracy=float(accuracy_score(gold, predicted)) if gold else 0.0,
        n=len(gold),
    )
