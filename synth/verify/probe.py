"""Linear probes on the LM judge's last hidden state.

A 1.5B model's Yes/No logits use one fixed direction of its final hidden state
(the difference of the "Yes" and "No" output embeddings). Whether the claim is
supported, refuted or merely on topic is often readable from that same state
along other directions that the zero-shot answer ignores; a logistic
regression fitted on a few hundred labelled pairs finds them (linear probing,
as in Burns et al. 2022 and Azaria & Mitchell 2023). The probe costs nothing at
run time: the hidden state comes out of the forward pass the judge makes anyway.

A probe belongs to one model file and one prompt: the hidden state of another
model, or of another prompt, means something else, so `applies_to` refuses it.
Parameters are numbers (one weight per hidden unit, with the standardisation
folded in), shipped in `params/verify_models.json` beside the label models.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, Field

PROBE_PREFIX = "probe"


class LinearProbe(BaseModel):
    task: str = Field(description="The label set it was fitted on: 2way (supported or not) or 3way.")
    target: str = Field(description="What the probe predicts: 'support' (SUPPORTED vs not) or 'refute'.")
    model_id: str = Field(description="The judge model's file name and size; the probe reads only its states.")
    prompt: str = Field(description="Versioned prompt whose answer-position state is read, e.g. judge_support@1.")
    coef: list[float]
    intercept: float
    C: float = Field(description="Inverse L2 strength chosen by cross-validation.")
    cv_balanced_accuracy: float = Field(description="Cross-validated balanced accuracy on the fit set.")
    fitted_on: str = ""
    n: int = 0

    @property
    def feature(self) -> str:
        """The label-model feature it feeds, e.g. `probe3_refute_logit`."""
        return probe_feature(self.task, self.target)

    def applies_to(self, model_id: str, prompt_versions: Sequence[str]) -> bool:
        return self.model_id == model_id and self.prompt in prompt_versions

    def logit(self, hidden: Sequence[float] | np.ndarray) -> float:
        h = np.asarray(hidden, dtype=np.float64)
        if h.shape != (len(self.coef),):
            raise ValueError(f"probe {self.target} expects {len(self.coef)} hidden units, got {h.shape}")
        return float(np.clip(h @ np.asarray(self.coef) + self.intercept, -12.0, 12.0))


def probe_feature(task: str, target: str) -> str:
    return f"{PROBE_PREFIX}{task[0]}_{target}_logit"


def is_probe_feature(name: str) -> bool:
    return name.startswith(PROBE_PREFIX)


def fit_probe(
    hidden: np.ndarray,
    positive: Sequence[bool],
    task: str,
    target: str,
    model_id: str,
    prompt: str,
    fitted_on: str,
    grid: Sequence[float] = (0.0003, 0.001, 0.003, 0.01, 0.03),
    folds: int = 5,
    seed: int = 0,
) -> tuple[LinearProbe, np.ndarray]:
    """Fit the probe, choosing L2 strength by stratified cross-validation.

    Returns the probe and its out-of-fold logits for the fit rows: a label model
    stacked on top must be fitted on those, not on in-sample logits, or it learns
    to trust a probe that has memorised its training pairs.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.model_selection import StratifiedKFold

    x = np.asarray(hidden, dtype=np.float64)
    y = np.asarray(positive, dtype=int)
    if len(set(y.tolist())) < 2:
        raise ValueError(f"probe {task} {target}: the fit set has only one class")
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    folds = max(2, min(folds, int(np.bincount(y).min())))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    best: tuple[float, float, np.ndarray] | None = None
    for c in grid:
        oof = np.zeros(len(y))
        for train, test in splitter.split(z, y):
            lr = LogisticRegression(C=c, max_iter=4000, class_weight="balanced").fit(z[train], y[train])
            oof[test] = lr.decision_function(z[test])
        score = balanced_accuracy_score(y, oof > 0)
        if best is None or score > best[0] + 1e-9:
            best = (score, c, oof)
    assert best is not None
    score, c, oof = best
    lr = LogisticRegression(C=c, max_iter=4000, class_weight="balanced").fit(z, y)
    w = lr.coef_[0] / scale
    b = float(lr.intercept_[0] - np.dot(w, mean))
    probe = LinearProbe(
        task=task, target=target, model_id=model_id, prompt=prompt, coef=[round(float(v), 7) for v in w],
        intercept=b, C=c, cv_balanced_accuracy=round(float(score), 4), fitted_on=fitted_on, n=len(y),
    )  # fmt: skip
    return probe, np.clip(oof, -12.0, 12.0)
