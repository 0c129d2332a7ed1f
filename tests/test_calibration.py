from __future__ import annotations

import math
import random

import pytest

from synth.verify.calibration import Calibrator, expected_calibration_error, fit_isotonic, fit_platt
from synth.verify.metrics import verifier_metrics

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`


def _synthetic(n: int = 2000, seed: int = 0) -> tuple[list[float], list[bool]]:
    """Scores that are over-confident: true P(correct | s) = 0.25 + 0.5 * s."""
    rng = random.Random(seed)
    scores = [rng.random() for _ in range(n)]
    return scores, [rng.random() < 0.25 + 0.5 * s for s in scores]


def test_ece_by_hand() -> None:
    assert expected_calibration_error([0.9, 0.9, 0.1, 0.1], [True, False, False, False]) == pytest.approx(0.25)
    assert expected_calibration_error([], []) == 0.0


@pytest.mark.parametrize("fit", [fit_platt, fit_isotonic])
def test_fitting_reduces_calibration_error(fit) -> None:  # noqa: ANN001
    scores, correct = _synthetic()
    raw = expected_calibration_error(scores, correct)
    calibrator = fit(scores, correct, fitted_on="synthetic")
    test_scores, test_correct = _synthetic(seed=1)
    after = expected_calibration_error([calibrator.apply(s) for s in test_scores], test_correct)
    assert raw > 0.1 and after < 0.05
    again = Calibrator.model_validate_json(calibrator.model_dump_json())  # shipped as numbers
    assert again.apply(0.7) == pytest.approx(calibrator.apply(0.7))
    assert calibrator.apply(0.1) <= calibrator.apply(0.9)


def test_identity_clamps() -> None:
    assert Calibrator().apply(1.3) == 1.0 and Calibrator().apply(-0.2) == 0.0


def test_verifier_metrics() -> None:
    gold = ["SUPPORTED", "SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"]
    pred = ["SUPPORTED", "REFUTED", "REFUTED", "NOT_ENOUGH_INFO"]
    m = verifier_metrics(gold, pred, ["SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"])
    assert m.balanced_accuracy == pytest.approx((0.5 + 1 + 1) / 3)
    assert m.per_class["REFUTED"].precision == pytest.approx(0.5) and m.accuracy == pytest.approx(0.75)


def test_platt_on_one_class_is_the_constant_rate() -> None:
    """Every held-out verdict right (a small fold): no logistic curve exists, the map is the observed rate."""
    calibrator = fit_platt([0.4, 0.6, 0.9], [True, True, True])
    assert calibrator.apply(0.1) == calibrator.apply(0.95) == 1.0


def test_parameters_fitted_on_the_raw_score_still_apply() -> None:
    """A params file from before the log-odds curve keeps its meaning."""
    old = Calibrator(method="platt", a=4.46, b=-2.64)
    assert old.apply(0.8) == pytest.approx(1 / (1 + math.exp(-(4.46 * 0.8 - 2.64))))
    assert fit_platt([0.4, 0.6, 0.7, 0.9, 0.95], [False, True, False, True, True]).method == "logit_platt"
