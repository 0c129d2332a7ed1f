"""Fit the verifier's label models on labelled train splits (`synth calibrate`).

Two models per task: one over all checkers (LM judge included) and one without
the judge, so a machine without llama.cpp still gets calibrated confidences.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from synth.eval.verify_eval import NO_JUDGE_FEATURES, PairOutcome
from synth.verify.label_model import LabelModel, fit_label_model


def fit_task_models(
    task: str, labels: Sequence[str], outcomes: Sequence[PairOutcome], data_names: Sequence[str]
) -> dict[str, LabelModel]:
    today = dt.date.today().isoformat()
    fitted_on = f"{' + '.join(data_names)}, n={len(outcomes)}, fitted {today}"
    gold = [o.gold for o in outcomes]
    models = {
        f"{task}:no-judge": fit_label_model(
            [o.features_no_judge for o in outcomes], gold, labels, NO_JUDGE_FEATURES, fitted_on
        )
    }
    judged = [o for o in outcomes if "support_logit" in o.features]
    if judged and len(judged) == len(outcomes):
        names = tuple(sorted(judged[0].features))
        models[f"{task}:judge"] = fit_label_model([o.features for o in judged], gold, labels, names, fitted_on)
    return models
