"""Linear probes on the judge's hidden state: fitting, applying, caching and stacking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from synth.eval.calibrate import fit_probes, fit_task_models
from synth.eval.verify_eval import PairOutcome
from synth.verify.judge_cache import CachedJudge, JudgeCache
from synth.verify.label_model import LabelModels
from synth.verify.lm_judge import JudgeScore
from synth.verify.probe import LinearProbe, fit_probe
from synth.verify.verifier import Passage, Verifier

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`

DIM = 32
PROMPTS = ("judge_support@1", "judge_contradict@1")


def _states(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Hidden states with a large common offset and scale (as a real model's are) and one informative unit."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)  # 0 supported, 1 refuted, 2 nei
    x = rng.normal(5.0, 3.0, size=(n, DIM))
    x[:, 3] += np.where(y == 0, 7.0, -7.0)  # support direction
    x[:, 7] += np.where(y == 1, 14.0, 0.0)  # refute direction
    return x, y


def test_probe_finds_the_direction_and_folds_the_scaling_into_its_weights() -> None:
    x, y = _states(200)
    probe, oof = fit_probe(x, y == 0, "3way", "support", "m:1", PROMPTS[0], "synthetic")
    assert probe.cv_balanced_accuracy > 0.95 and len(oof) == 200
    assert np.mean((oof > 0) == (y == 0)) > 0.95  # out-of-fold logits agree with the labels
    test_x, test_y = _states(100, seed=1)
    predicted = np.array([probe.logit(h) > 0 for h in test_x])
    assert np.mean(predicted == (test_y == 0)) > 0.95
    assert int(np.argmax(np.abs(probe.coef))) == 3
    with pytest.raises(ValueError, match="hidden units"):
        probe.logit(np.zeros(DIM + 1))
    assert probe.applies_to("m:1", PROMPTS) and not probe.applies_to("other:1", PROMPTS)
    assert not probe.applies_to("m:1", ("judge_support@2",))


def test_probe_refuses_a_one_class_fit_set() -> None:
    x, _ = _states(30)
    with pytest.raises(ValueError, match="one class"):
        fit_probe(x, [True] * 30, "2way", "support", "m:1", PROMPTS[0], "synthetic")


def _outcome(i: int, gold: str, h: np.ndarray, support: float) -> PairOutcome:
    feats = {"support_logit": support, "contradict_logit": 0.0, "similarity": 0.5}
    return PairOutcome(
        pair_id=str(i), gold=gold, features=feats, features_no_judge={"similarity": 0.5}, seconds=0.1,
        judge_calls=1, windows=1, hidden={PROMPTS[0]: [float(v) for v in h]},
    )  # fmt: skip


def test_fit_probes_writes_out_of_fold_features_and_label_models_stack_on_them() -> None:
    x, y = _states(240)
    names = ["SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"]
    three = [
        ("3way", _outcome(i, names[int(c)], h, 0.0)) for i, (h, c) in enumerate(zip(x[:160], y[:160], strict=True))
    ]
    two_gold = ["SUPPORTED" if c == 0 else "NOT_SUPPORTED" for c in y[160:]]
    two = [("2way", _outcome(1000 + i, g, h, 0.0)) for i, (h, g) in enumerate(zip(x[160:], two_gold, strict=True))]
    prompts = {"support": PROMPTS[0], "refute": PROMPTS[0]}
    probes = fit_probes(three + two, "m:1", prompts, {"3way": ["a"], "2way": ["b"]})
    assert {(p.task, p.target) for p in probes} == {("3way", "support"), ("3way", "refute"), ("2way", "support")}
    by_key = {(p.task, p.target): p for p in probes}
    assert by_key["3way", "refute"].n == 160 and by_key["2way", "support"].n == 80  # each fitted on its task
    assert by_key["2way", "support"].fitted_on.startswith("b, n=80")
    for _, o in three + two:
        assert {"probe3_support_logit", "probe3_refute_logit", "probe2_support_logit"} <= set(o.features)
    models = fit_task_models("3way", names, [o for _, o in three], ["synthetic"])
    assert set(models) == {"3way:no-judge", "3way:judge", "3way:judge+probe"}
    assert not any(f.startswith("probe") for f in models["3way:judge"].features)
    stacked = models["3way:judge+probe"]
    correct = [stacked.predict(o.features).label == o.gold for _, o in three]
    assert np.mean(correct) > 0.9  # the probes carry the signal the Yes/No answer (0 here) lacks


def test_judge_cache_keeps_hidden_states_and_recomputes_when_they_are_missing(tmp_path: Path) -> None:
    class Judge:
        prompt_versions = PROMPTS
        capture_hidden = False
        calls = 0

        def score(self, claim: str, document: str) -> JudgeScore:
            self.calls += 1
            hidden = {p: np.full(DIM, 0.5, dtype=np.float32) for p in PROMPTS} if self.capture_hidden else {}
            return JudgeScore(support=0.9, contradict=0.1, prompt_versions=PROMPTS, hidden=hidden)

    inner = Judge()
    cached = CachedJudge(inner, JudgeCache(tmp_path / "judge.sqlite"), "m:1")
    cached.score("claim", "doc")  # scores only
    cached.capture_hidden = True
    assert inner.capture_hidden
    first = cached.score("claim", "doc")  # cached scores but no states: computed again
    assert inner.calls == 2 and first.hidden[PROMPTS[0]].shape == (DIM,)
    again = cached.score("claim", "doc")
    assert inner.calls == 2 and cached.hits == 1
    assert np.allclose(again.hidden[PROMPTS[0]], 0.5)


def test_verifier_reads_probes_for_its_judge_and_reports_the_check() -> None:
    direction = np.zeros(DIM)
    direction[3] = 1.0

    class Judge:
        prompt_versions = PROMPTS
        capture_hidden = False

        def score(self, claim: str, document: str) -> JudgeScore:
            h = direction * (4.0 if "2-4x" in document else -4.0)
            return JudgeScore(support=0.5, contradict=0.5, prompt_versions=PROMPTS, hidden={PROMPTS[0]: h})

    probe = LinearProbe(
        task="3way", target="support", model_id="m:1", prompt=PROMPTS[0], coef=list(direction), intercept=0.0, C=1.0,
        cv_balanced_accuracy=1.0,
    )  # fmt: skip
    judge = Judge()
    verifier = Verifier(LabelModels(), judge=judge, probes=[probe], judge_windows=1)
    assert judge.capture_hidden and "probe" in verifier.checker_names
    scores, _ = verifier.score_windows("vLLM is 2-4x faster.", [Passage("d", "vLLM is 2-4x faster than Orca.")])
    assert scores[0].probes == {"probe3_support_logit": pytest.approx(4.0)}
    assert LabelModels(probes=[probe]).probes_for("m:1", PROMPTS) == [probe]
    assert LabelModels(probes=[probe]).probes_for("m:2", PROMPTS) == []
