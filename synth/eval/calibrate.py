"""Fit the verifier's label models on labelled train splits (`synth calibrate`).

Per task up to three models: over all checkers with the hidden-state probes,
over the checkers with the judge's Yes/No answers only (another chat model has
no probe), and without the judge, so a machine without llama.cpp still gets
calibrated confidences.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from synth.eval.datasets import REFUTED, SUPPORTED
from synth.eval.verify_eval import PairOutcome
from synth.verify.aggregate import NO_JUDGE_FEATURES
from synth.verify.label_model import LabelModel, fit_label_model
from synth.verify.probe import LinearProbe, fit_probe, is_probe_feature, probe_feature


def _stamp(names: Sequence[str], n: int) -> str:
    return f"{' + '.join(names)}, n={n}, fitted {dt.date.today().isoformat()}"


def fit_task_models(
    task: str, labels: Sequence[str], outcomes: Sequence[PairOutcome], data_names: Sequence[str]
) -> dict[str, LabelModel]:
    fitted_on = _stamp(data_names, len(outcomes))
    gold = [o.gold for o in outcomes]
    groups = [o.group or o.pair_id for o in outcomes]  # calibration folds keep a paper's claims together
    models = {
        f"{task}:no-judge": fit_label_model(
            [o.features_no_judge for o in outcomes], gold, labels, NO_JUDGE_FEATURES, fitted_on, groups=groups
        )
    }
    judged = [o for o in outcomes if "support_logit" in o.features]
    if judged and len(judged) == len(outcomes):
        plain = tuple(sorted(f for f in judged[0].features if not is_probe_feature(f)))
        models[f"{task}:judge"] = fit_label_model(
            [o.features for o in judged], gold, labels, plain, fitted_on, groups=groups
        )
        probed = tuple(sorted(set.intersection(*(set(o.features) for o in judged))))
        if len(probed) > len(plain) and probe_feature(task, "support") in probed:
            models[f"{task}:judge+probe"] = fit_label_model(
                [o.features for o in judged], gold, labels, probed, fitted_on, groups=groups
            )
    return models


def probe_prompts(prompt_versions: Sequence[str]) -> dict[str, str]:
    """Which prompt's answer-position state each probe reads. Both read the "supported?" question:
    on the development sets the 1.5B model's "contradicts?" answer rises with support rather than
    with refutation, and a refute probe on its state did no better."""
    return {"support": prompt_versions[0], "refute": prompt_versions[0]}


def fit_probes(
    outcomes: Sequence[tuple[str, PairOutcome]],
    model_id: str,
    prompts: dict[str, str],
    data_names: dict[str, list[str]],
) -> list[LinearProbe]:
    """Fit probes on the judge's hidden states, per task, and write their logits into every outcome's
    features: out-of-fold for the rows a probe was fitted on (a label model stacked on top must see
    honest probe outputs, not memorised ones), plain predictions for the other rows.

    `outcomes` pairs each outcome with its task; `data_names` names each task's sets. Each task gets
    a support probe (SUPPORTED or not, from that task's rows: on the development data a probe fitted
    on SciFact alone beat one fitted on SciFact plus Check-COVID, on SciFact); 3-way sets also get a
    refute probe.
    """
    probes: list[LinearProbe] = []
    tasks = sorted({t for t, _ in outcomes})
    for task in tasks:
        for target in ("support", "refute"):
            if target == "refute" and task != "3way":
                continue
            prompt = prompts[target]
            rows = [(t, o) for t, o in outcomes if prompt in o.hidden]
            fit_rows = [o for t, o in rows if t == task]
            positive = [o.gold == (SUPPORTED if target == "support" else REFUTED) for o in fit_rows]
            if len(fit_rows) < 20 or len(set(positive)) < 2:
                continue
            x = np.array([o.hidden[prompt] for o in fit_rows], dtype=np.float64)
            stamp = _stamp(data_names.get(task, []), len(fit_rows))
            probe, oof = fit_probe(x, positive, task, target, model_id, prompt, stamp)
            probes.append(probe)
            fitted = {id(o) for o in fit_rows}
            for o, value in zip(fit_rows, oof, strict=True):
                o.features[probe.feature] = float(value)
            for _, o in rows:
                if id(o) not in fitted:
                    o.features[probe.feature] = probe.logit(o.hidden[prompt])
    return probes
