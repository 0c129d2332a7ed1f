"""From aggregated checker features to a label and a calibrated confidence.

A multinomial logistic regression over the features is multi-class Platt
scaling: its probabilities are already close to calibrated, and a map fitted on
held-out predictions (`synth calibrate`: Platt on a small set, isotonic on a
large one) removes what is left, so a
confidence of 0.8 means "right about 80% of the time" on data like the fit set.
Parameters are shipped as numbers in `params/verify_models.json` with the data
set and date they came from; no training data is shipped.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, Field

from synth.errors import UserError
from synth.verify.calibration import Calibrator, fit_isotonic, fit_platt
from synth.verify.probe import LinearProbe

PARAMS_FILE = "verify_models.json"
# Held-out predictions below which the calibration map is a logistic curve (2 parameters), not a step function:
# on claims_dev (~190 predictions a fold) the isotonic map's steps follow the fold, ECE 0.090 held out vs 0.053.
ISOTONIC_MIN = 1000


class Prediction(BaseModel):
    label: str
    confidence: float = Field(description="Calibrated probability that `label` is right.")
    raw_confidence: float = Field(description="The label model's own probability of `label`.")
    probabilities: dict[str, float]


class LabelModel(BaseModel):
    labels: tuple[str, ...]
    features: tuple[str, ...]
    coef: list[list[float]] = Field(description="One row per label (softmax), one column per feature.")
    intercept: list[float]
    calibrator: Calibrator = Field(default_factory=Calibrator)
    fitted_on: str = ""
    n: int = 0
    refute_requires: tuple[str, ...] = Field(
        (), description="REFUTED only when one of these features fires (a specific mismatch); else its mass moves."
    )
    support_vetoed_by: tuple[str, ...] = Field(
        (), description="No SUPPORTED when one of these fires (every figure contradicted); its mass moves."
    )

    def probabilities(self, values: dict[str, float]) -> dict[str, float]:
        x = [values.get(name, 0.0) for name in self.features]
        rows = zip(self.coef, self.intercept, strict=True)
        z = [sum(w * v for w, v in zip(row, x, strict=True)) + b for row, b in rows]
        if len(self.labels) == 2 and len(z) == 1:  # sklearn stores one row for binary problems
            z = [0.0, z[0]]
        top = max(z)
        e = [math.exp(v - top) for v in z]
        total = sum(e)
        probs = {label: v / total for label, v in zip(self.labels, e, strict=True)}
        return gate(probs, values, self.refute_requires, self.support_vetoed_by)

    def predict(self, values: dict[str, float]) -> Prediction:
        probs = self.probabilities(values)
        label = max(probs, key=probs.__getitem__)
        raw = probs[label]
        return Prediction(label=label, confidence=self.calibrator.apply(raw), raw_confidence=raw, probabilities=probs)


# The specific mismatches a REFUTED verdict can name: a figure changed or attached to something else, a
# figure missing from the passage about it, a reversed comparison, a negation, an overgeneralised scope, another
# model/hardware named, two slots whose descriptions trade places, a numeric mismatch.
REFUTE_SIGNALS = (
    "al_any_bad", "al_absent_on_topic", "al_polarity_flip", "al_negation_flip", "al_scope", "al_name_swap",
    "al_role_swap", "num_mismatch",
)  # fmt: skip


SUPPORT_VETOES = ("al_all_bad",)


def _move_mass(probs: dict[str, float], label: str) -> dict[str, float]:
    rest = {k: v for k, v in probs.items() if k != label}
    total = sum(rest.values())
    if total <= 0:
        return probs
    return {**{k: v / total for k, v in rest.items()}, label: 0.0}


def gate(
    probs: dict[str, float],
    values: dict[str, float],
    refute_requires: Sequence[str],
    support_vetoes: Sequence[str] = (),
) -> dict[str, float]:
    """Both directions need a named reason. No REFUTED without a specific mismatch (a verifier that can only
    say "the scores lean to contradiction" cannot tell the user what is wrong, and on held-out claims such
    verdicts mostly reflect the fit set's base rates); no SUPPORTED when every figure of the claim is
    contradicted by the passage about it. The vetoed label's probability is spread over the others:
    P(label | features, that label ruled out)."""
    if refute_requires and "REFUTED" in probs and not any(values.get(f, 0.0) > 0 for f in refute_requires):
        probs = _move_mass(probs, "REFUTED")
    if support_vetoes and "SUPPORTED" in probs and any(values.get(f, 0.0) > 0 for f in support_vetoes):
        probs = _move_mass(probs, "SUPPORTED")
    return probs


class LabelModels(BaseModel):
    """Fitted models keyed by task (`3way`/`2way`) and checker set, e.g. `3way:judge`."""

    models: dict[str, LabelModel] = Field(default_factory=dict)
    probes: list[LinearProbe] = Field(default_factory=list, description="Probes on the LM judge's hidden state.")
    created: str = ""

    def probes_for(self, model_id: str, prompt_versions: Sequence[str]) -> list[LinearProbe]:
        """The probes fitted on this judge model and these prompts (others would read a foreign state)."""
        return [p for p in self.probes if p.applies_to(model_id, prompt_versions)]

    def pick(self, task: str, feature_names: Sequence[str]) -> LabelModel | None:
        """The model for the task whose features are all available (the richest such one)."""
        have = set(feature_names)
        usable = [m for key, m in self.models.items() if key.split(":")[0] == task and set(m.features) <= have]
        return max(usable, key=lambda m: len(m.features)) if usable else None


def fit_label_model(
    rows: Sequence[dict[str, float]],
    gold: Sequence[str],
    labels: Sequence[str],
    features: Sequence[str],
    fitted_on: str,
    calibration_rows: Sequence[dict[str, float]] | None = None,
    calibration_gold: Sequence[str] | None = None,
    groups: Sequence[str] | None = None,
) -> LabelModel:
    """Fit the softmax regression (on standardised features), then a map from its top probability to correctness
    (Platt below `ISOTONIC_MIN` predictions, isotonic from there).

    The map is fitted on `calibration_rows` when given (held out from the
    regression), else on cross-validated predictions of the fit rows; with `groups` (a claim's paper) the
    folds keep each group whole, so the map learns how often the model is right on papers it has not seen.
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x = np.array([[r.get(f, 0.0) for f in features] for r in rows])
    y = np.array([labels.index(g) for g in gold])
    lr = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced"))
    lr.fit(x, y)
    model, scaler = lr[-1], lr[0]
    # The regression is fitted on standardised features, so its penalty weighs a count (al_numbers) and a share
    # (al_agree) alike; the shipped coefficients are mapped back to raw features: w / s, b - sum(w * m / s).
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    raw_coef = model.coef_ / scale
    raw_intercept = model.intercept_ - (model.coef_ * scaler.mean_ / scale).sum(axis=1)
    order = list(model.classes_)
    coef = [[0.0] * len(features) for _ in labels]
    intercept = [0.0] * len(labels)
    if len(order) == 2 and raw_coef.shape[0] == 1:
        coef[order[1]] = [float(v) for v in raw_coef[0]]
        intercept[order[1]] = float(raw_intercept[0])
    else:
        for row, cls in enumerate(order):
            coef[cls] = [float(v) for v in raw_coef[row]]
            intercept[cls] = float(raw_intercept[row])
    aligned = any(f.startswith("al_") for f in features)
    requires = tuple(f for f in REFUTE_SIGNALS if f in features) if aligned else ()
    vetoes = tuple(f for f in SUPPORT_VETOES if f in features) if aligned else ()
    fitted = LabelModel(
        labels=tuple(labels), features=tuple(features), coef=coef, intercept=intercept, fitted_on=fitted_on,
        n=len(rows), refute_requires=requires, support_vetoed_by=vetoes,
    )  # fmt: skip
    if calibration_rows is not None and calibration_gold is not None:
        preds = [fitted.predict(r) for r in calibration_rows]
        correct = [p.label == g for p, g in zip(preds, calibration_gold, strict=True)]
        raw = [p.raw_confidence for p in preds]
    else:
        folds = min(5, int(np.bincount(y).min())) if len(set(y)) > 1 else 0
        if groups is not None and len(set(groups)) >= 3 and folds >= 2:
            from sklearn.model_selection import GroupKFold

            cv = GroupKFold(n_splits=min(5, len(set(groups))))
            probs = cross_val_predict(lr, x, y, cv=cv, groups=list(groups), method="predict_proba")
        elif folds >= 2:
            probs = cross_val_predict(lr, x, y, cv=folds, method="predict_proba")
        else:
            probs = model.predict_proba(x)
        gated = [
            gate({labels[order[k]]: float(v) for k, v in enumerate(p)}, row, requires, vetoes)
            for p, row in zip(probs, rows, strict=True)
        ]  # the calibration map sees the labels the model will give
        raw = [max(g.values()) for g in gated]
        correct = [max(g, key=g.__getitem__) == gold_label for g, gold_label in zip(gated, gold, strict=True)]
    calibrate = fit_isotonic if len(raw) >= ISOTONIC_MIN else fit_platt
    fitted.calibrator = calibrate(raw, correct, fitted_on=fitted_on)
    return fitted


def shipped_models_path() -> Path:
    return Path(str(resources.files("synth.verify").joinpath("params", PARAMS_FILE)))


def load_label_models(path: Path | None = None) -> LabelModels:
    path = path or shipped_models_path()
    if not path.is_file():
        if path == shipped_models_path():
            return LabelModels()
        raise UserError(
            f"calibration file {path} not found: run `synth calibrate -o {path}` or unset verify.calibration"
        )
    try:
        return LabelModels.model_validate(json.loads(path.read_text()))
    except (ValueError, TypeError) as exc:
        raise UserError(f"calibration file {path} is not valid: {exc}; re-run `synth calibrate`") from exc
