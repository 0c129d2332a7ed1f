"""Evidence windows, MiniCheck aggregation, the label model and the verifier without an LM."""

from __future__ import annotations

import random

import pytest

from synth.verify.aggregate import WindowScore, aggregate, best_per_document
from synth.verify.label_model import LabelModels, fit_label_model
from synth.verify.lm_judge import JudgeScore
from synth.verify.numeric import check_numbers
from synth.verify.verifier import Passage, Verifier, quote_sentences, to_verdict
from synth.verify.windows import evidence_query, evidence_windows

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`

PASSAGE = (
    "We evaluate vLLM on a range of models. Our evaluations show that vLLM improves the throughput of popular "
    "LLMs by 2-4x with the same level of latency compared to the state-of-the-art systems, such as "
    "FasterTransformer and Orca. The improvement is more pronounced with longer sequences. "
) * 6


def test_windows_are_whole_sentences_that_overlap_by_one() -> None:
    windows = evidence_windows(PASSAGE, max_words=40, whole_max_words=40)
    assert len(windows) > 3
    for w in windows:
        assert PASSAGE[w.start : w.end] == w.text
        assert len(w.text.split()) <= 40 or w.text.count(". ") == 0
    for a, b in zip(windows, windows[1:], strict=False):
        assert b.start < a.end  # one sentence shared


def test_a_short_passage_is_one_window() -> None:
    assert [w.text for w in evidence_windows("  One sentence. Two.  ")] == ["One sentence. Two."]
    assert evidence_windows("   ") == []


def test_best_window_per_document_then_best_document() -> None:
    scores = [
        WindowScore("a", "x", support=0.2), WindowScore("a", "y", support=0.9),
        WindowScore("b", "z", support=0.5), WindowScore("c", "w", similarity=0.99),
    ]  # fmt: skip
    best = best_per_document(scores)
    assert [(s.doc_id, s.text) for s in best[:2]] == [("a", "y"), ("c", "w")] or best[0].text == "y"
    assert best[0].text == "y"


def test_aggregate_numeric_mismatch_needs_no_match_elsewhere() -> None:
    claim = "vLLM improves throughput by 7x over Orca."
    good = WindowScore("d", PASSAGE, numeric=check_numbers(claim, PASSAGE), support=0.3, contradict=0.8)
    features = aggregate([good])
    assert features.values["num_mismatch"] == 1.0 and features.values["num_match"] == 0.0
    assert {"support_logit", "contradict_logit", "contradict_at_best_logit"} <= set(features.values)
    matched = aggregate([good, WindowScore("e", "Throughput rises 7x over Orca.",
                                           numeric=check_numbers(claim, "Throughput rises 7x over Orca."),
                                           support=0.9, contradict=0.1)])  # fmt: skip
    assert matched.values["num_mismatch"] == 0.0 and matched.values["num_match"] == 1.0


def _synthetic(n: int, seed: int) -> tuple[list[dict[str, float]], list[str]]:
    rng = random.Random(seed)
    rows, gold = [], []
    for _ in range(n):
        label = rng.choice(["SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"])
        s = {"SUPPORTED": 2.0, "REFUTED": -2.0, "NOT_ENOUGH_INFO": -1.5}[label] + rng.gauss(0, 1)
        c = {"SUPPORTED": -2.0, "REFUTED": 2.0, "NOT_ENOUGH_INFO": -1.0}[label] + rng.gauss(0, 1)
        rows.append({"support_logit": s, "contradict_logit": c})
        gold.append(label)
    return rows, gold


def test_label_model_learns_and_its_confidence_is_calibrated() -> None:
    from synth.verify.calibration import expected_calibration_error

    labels = ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")
    rows, gold = _synthetic(900, 0)
    model = fit_label_model(rows, gold, labels, ("support_logit", "contradict_logit"), "synthetic")
    test_rows, test_gold = _synthetic(900, 1)
    preds = [model.predict(r) for r in test_rows]
    correct = [p.label == g for p, g in zip(preds, test_gold, strict=True)]
    assert sum(correct) / len(correct) > 0.75
    assert expected_calibration_error([p.confidence for p in preds], correct) < 0.06
    # A round trip through JSON (the shipped form) predicts the same.
    again = LabelModels.model_validate_json(LabelModels(models={"3way:judge": model}).model_dump_json())
    assert again.models["3way:judge"].predict(test_rows[0]) == preds[0]


def test_binary_label_model() -> None:
    rows, gold = _synthetic(400, 2)
    two = ["SUPPORTED" if g == "SUPPORTED" else "NOT_SUPPORTED" for g in gold]
    model = fit_label_model(rows, two, ("SUPPORTED", "NOT_SUPPORTED"), ("support_logit",), "synthetic")
    assert model.predict({"support_logit": 3.0}).label == "SUPPORTED"
    assert model.predict({"support_logit": -3.0}).label == "NOT_SUPPORTED"


def test_pick_takes_the_richest_model_whose_features_are_available() -> None:
    rows, gold = _synthetic(300, 3)
    small = fit_label_model(rows, gold, ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"), ("support_logit",), "s")
    big = fit_label_model(rows, gold, ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"),
                          ("support_logit", "contradict_logit"), "b")  # fmt: skip
    models = LabelModels(models={"3way:small": small, "3way:big": big})
    assert models.pick("3way", ["support_logit", "contradict_logit", "x"]) is big
    assert models.pick("3way", ["support_logit"]) is small
    assert models.pick("2way", ["support_logit"]) is None


class FakeJudge:
    """Stands in for the LM (tested for real in test_lm_judge.py): supports windows that state '2-4x'."""

    prompt_versions = ("fake@1",)

    def __init__(self) -> None:
        self.calls = 0

    def score(self, claim: str, document: str) -> JudgeScore:
        self.calls += 1
        hit = "2-4x" in document
        return JudgeScore(support=0.95 if hit else 0.05, contradict=0.02 if hit else 0.1, prompt_versions=("fake@1",))


def test_verifier_judges_only_the_top_windows_and_quotes_the_page() -> None:
    rows, gold = _synthetic(300, 4)
    model = fit_label_model(rows, gold, ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"),
                            ("support_logit", "contradict_logit"), "synthetic")  # fmt: skip
    judge = FakeJudge()
    verifier = Verifier(LabelModels(models={"3way:judge": model}), judge=judge, judge_windows=2, window_words=40)
    passages = [Passage("2309.06180", PASSAGE, page=2), Passage("other", "Unrelated text about cooking. " * 30, 5)]
    claim = "vLLM improves the throughput of popular LLMs by 2-4x compared to Orca."
    result = verifier.verify(claim, passages)
    assert judge.calls == 2
    assert result.label == "SUPPORTED" and result.confidence > 0.5
    verdict = to_verdict(claim, "id", result, {"2309.06180": "vLLM"})
    assert verdict.evidence[0].doc_id == "2309.06180" and verdict.evidence[0].page == 2
    assert verdict.evidence[0].quote in PASSAGE and "2-4x" in verdict.evidence[0].quote
    assert "lm_judge" in verdict.checks and verdict.evidence[0].title == "vLLM"


def test_quote_keeps_the_sentences_about_the_claim() -> None:
    window = "Setup is standard. EAGLE-2 reaches a 3.05x-4.26x speedup. Other details follow. More text here."
    assert quote_sentences("EAGLE-2 speedup 3.05x-4.26x", window, most=1) == "EAGLE-2 reaches a 3.05x-4.26x speedup."


def test_verifier_without_a_fitted_model_says_how_to_fix_it() -> None:
    from synth.errors import UserError

    with pytest.raises(UserError, match="synth calibrate"):
        Verifier(LabelModels()).verify("claim", [Passage("d", "text")])


def test_judging_stops_once_a_window_supports_the_claim() -> None:
    rows, gold = _synthetic(300, 4)
    model = fit_label_model(rows, gold, ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"),
                            ("support_logit", "contradict_logit"), "synthetic")  # fmt: skip
    passages = [Passage("2309.06180", PASSAGE, page=2), Passage("other", "vLLM and Orca serve models. " * 30, 5)]
    claim = "vLLM improves the throughput of popular LLMs by 2-4x compared to Orca."
    calls = {}
    for stop_at in (0.9, 1.0):
        judge = FakeJudge()
        verifier = Verifier(LabelModels(models={"3way:judge": model}), judge=judge, judge_windows=3,
                            window_words=40, judge_stop_at=stop_at)  # fmt: skip
        assert verifier.verify(claim, passages).label == "SUPPORTED"
        calls[stop_at] = judge.calls
    assert calls[0.9] == 1 and calls[1.0] == 3


def test_both_directions_need_a_named_reason() -> None:
    """No REFUTED without a specific mismatch; no SUPPORTED when every figure is contradicted."""
    from synth.verify.label_model import gate

    probs = {"SUPPORTED": 0.2, "REFUTED": 0.6, "NOT_ENOUGH_INFO": 0.2}
    quiet = gate(probs, {"al_any_bad": 0.0}, ("al_any_bad",), ("al_all_bad",))
    assert quiet["REFUTED"] == 0.0 and abs(quiet["SUPPORTED"] - 0.5) < 1e-9
    named = gate(probs, {"al_any_bad": 1.0}, ("al_any_bad",), ("al_all_bad",))
    assert named == probs
    vetoed = gate({"SUPPORTED": 0.7, "REFUTED": 0.2, "NOT_ENOUGH_INFO": 0.1}, {"al_any_bad": 1.0, "al_all_bad": 1.0},
                  ("al_any_bad",), ("al_all_bad",))  # fmt: skip
    assert vetoed["SUPPORTED"] == 0.0 and max(vetoed, key=vetoed.__getitem__) == "REFUTED"
    assert gate(probs, {}, (), ()) == probs  # models without alignment features are not gated


def test_checks_list_only_what_the_task_reads() -> None:
    """A run header names the judge only when the task's label model reads it (the 3-way model fitted on
    claims-dev does not: listing "lm_judge" there would claim a check that was never made)."""
    rows, gold = _synthetic(120, 5)
    labels = ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")
    judged = fit_label_model(rows, gold, labels, ("support_logit", "contradict_logit"), "synthetic")
    plain_rows = [{"similarity": r["support_logit"], "overlap": 0.5} for r in rows]
    plain = fit_label_model(plain_rows, gold, labels, ("similarity", "overlap"), "synthetic")
    with_judge = Verifier(LabelModels(models={"3way:judge": judged}), judge=FakeJudge())
    assert with_judge.judge_used("3way") and "lm_judge" in with_judge.checks_for("3way")
    without = Verifier(LabelModels(models={"3way:no-judge": plain}), judge=FakeJudge())
    assert not without.judge_used("3way")
    assert "lm_judge" not in without.checks_for("3way") and "numeric" in without.checks_for("3way")


def test_the_evidence_is_searched_without_the_claims_attribution_frame() -> None:
    """A survey's title words would outrank the sentence that states the finding."""
    claim = "Per the 'Speculative Decoding and Beyond' survey, PEARL runs about 4.4x faster than standard SD."
    assert evidence_query(claim) == "PEARL runs about 4.4x faster than standard SD."
    assert evidence_query("Xia et al.'s survey states that EAGLE is fastest.") == "EAGLE is fastest."
    kept = "In the SCoT ablation on Mistral-7B, one demonstration raised AQuA accuracy."  # a setting, not a source
    assert evidence_query(kept) == kept
