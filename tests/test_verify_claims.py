"""The default install's verifier end to end: real MiniLM, the shipped label model, slot alignment.

Passages are written for the test in the shape of ML papers' sentences and flattened tables; each
verdict must carry its reason (the mismatch with its page, the figures found, or what is missing).
"""

from __future__ import annotations

import pytest

from synth.verify.label_model import load_label_models
from synth.verify.verifier import Passage, Verifier, to_verdict

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`

RESULTS = (
    "Table 3 reports the results. On HumanEval, FooCoder-7B reaches 61.2% pass@1, while BarCoder-7B reaches "
    "48.5% pass@1. FooCoder-7B decodes at 35.4 tokens per second on one A100 GPU, 1.8x faster than BarCoder-7B."
)
SETUP = "We train all models for 3 epochs with a learning rate of 2e-5 and a batch size of 256 sequences."


@pytest.fixture(scope="module")
def verifier() -> Verifier:
    from synth.retrieve.embeddings import embedder_for
    from synth.settings import load_settings

    return Verifier(models=load_label_models(), embedder=embedder_for(load_settings()))


def _verify(verifier: Verifier, claim: str, passages: list[Passage]):  # noqa: ANN202
    result = verifier.verify(claim, passages)
    return result, to_verdict(claim, "c1", result, {"p1": "FooCoder"})


def _paper(*texts: str) -> list[Passage]:
    return [Passage("p1", text, page=i + 4, title="FooCoder") for i, text in enumerate(texts)]


def test_the_shipped_model_reads_alignment(verifier: Verifier) -> None:
    model = verifier.models.pick("3way", [*verifier.models.models["3way:no-judge"].features])
    assert model is not None and any(f.startswith("al_") for f in model.features)


def test_a_rounded_figure_is_supported_with_its_page(verifier: Verifier) -> None:
    result, verdict = _verify(verifier, "FooCoder-7B reaches about 61% pass@1 on HumanEval.", _paper(SETUP, RESULTS))
    assert verdict.label.value == "SUPPORTED"
    assert "61%" in verdict.reason and "p. 5" in verdict.reason
    assert result.features["al_all_agree"] == 1.0


def test_a_changed_figure_is_refuted_and_the_reason_names_it(verifier: Verifier) -> None:
    result, verdict = _verify(verifier, "FooCoder-7B reaches about 75% pass@1 on HumanEval.", _paper(SETUP, RESULTS))
    assert result.features["al_all_agree"] == 0.0
    assert verdict.label.value != "SUPPORTED"
    if verdict.label.value == "REFUTED":
        assert "75%" in verdict.reason and "p. 5" in verdict.reason


def test_an_attribution_swap_is_not_supported(verifier: Verifier) -> None:
    claim = "BarCoder-7B reaches 61.2% pass@1 on HumanEval, ahead of FooCoder-7B at 48.5%."
    result, verdict = _verify(verifier, claim, _paper(SETUP, RESULTS))
    assert result.features["al_any_bad"] == 1.0
    assert verdict.label.value != "SUPPORTED"


def test_an_absent_quantity_is_not_enough_info_with_the_closest_passage(verifier: Verifier) -> None:
    claim = "FooCoder-7B needs 14 GB of GPU memory at batch size 1 on an A100."
    result, verdict = _verify(verifier, claim, _paper(SETUP, RESULTS))
    assert verdict.label.value == "NOT_ENOUGH_INFO"
    assert verdict.evidence and verdict.evidence[0].page in (4, 5)
    assert "no passage states" in verdict.reason


@pytest.mark.parametrize(
    "passages",
    [
        [],
        [Passage("p1", "", page=1), Passage("p1", "   \n  ", page=2)],
        [Passage("p1", "| Model | HumanEval | MBPP |\n| FooCoder | 61.2 |\n| 48.5 | | | | 12 |\n|", page=3)],
        [Passage("p1", "61.2 48.5 35.4 1.8x 2e-5 256 3 7B " * 60, page=3)],
    ],
)
def test_malformed_evidence_gives_a_verdict(verifier: Verifier, passages: list[Passage]) -> None:
    _, verdict = _verify(verifier, "FooCoder-7B reaches about 61% pass@1 on HumanEval.", passages)
    assert verdict.label.value in {"SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"}
    assert 0.0 <= verdict.confidence <= 1.0
