from __future__ import annotations

import pytest

from synth.core.claims import Quantity
from synth.verify.numeric import NumericOutcome, check_numbers, extract_numbers

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`


def _n(sentence: str) -> list[tuple[str, float, str]]:
    return [(n.text, round(n.value, 6), n.unit) for n in extract_numbers(sentence)]


def test_units_are_normalised() -> None:
    assert _n("Latency drops from 120 ms to 0.08 s.") == [("120 ms", 0.12, "s"), ("0.08 s", 0.08, "s")]
    assert _n("It needs 16 GB, or 512 MiB per layer.") == [("16 GB", 16.0, "GB"), ("512 MiB", 0.536871, "GB")]
    assert _n("Decoding runs at 58 tokens/s on a 1.5B model.") == [
        ("58 tokens/s", 58.0, "tokens/s"),
        ("1.5B", 1.5, "B"),
    ]
    assert _n("Throughput improves 2.3x, then 5× and 3 times.") == [
        ("2.3x", 2.3, "x"),
        ("5×", 5.0, "x"),
        ("3 times", 3.0, "x"),
    ]


def test_ranges_words_and_names() -> None:
    [r] = extract_numbers("vLLM improves throughput by 2-4× over Orca.")
    assert (r.low, r.high, r.value, r.unit, r.quantity) == (2.0, 4.0, 3.0, "x", Quantity.THROUGHPUT)
    assert _n("INT8 loses 1-3% accuracy.") == [("1-3%", 2.0, "%")]
    assert _n("CAD halves throughput; SC doubles latency; an order of magnitude less memory.") == [
        ("halves", 0.5, "x"), ("doubles", 2.0, "x"), ("an order of magnitude", 10.0, "x")]  # fmt: skip
    assert _n("EAGLE-2 on GSM8K with Llama-3 in 2024") == []  # names and years are not measurements


def test_percent_versus_percentage_points() -> None:
    assert _n("Accuracy rises by 5 percentage points (5 pp).") == [
        ("5 percentage points", 5.0, "pp"),
        ("5 pp", 5.0, "pp"),
    ]
    evidence = "Accuracy goes from 60.1% to 65.2% on GSM8K."
    assert check_numbers("Accuracy rises by 5 percentage points.", evidence).outcome is NumericOutcome.MATCH
    assert check_numbers("Accuracy rises by 8.5%.", evidence).outcome is NumericOutcome.MATCH  # relative change
    assert check_numbers("Accuracy reaches 65.2%.", evidence).outcome is NumericOutcome.MATCH
    assert check_numbers("Accuracy reaches 71.3%.", evidence).outcome is NumericOutcome.MISMATCH


@pytest.mark.parametrize(
    ("claim", "evidence", "outcome"),
    [
        (
            "vLLM improves throughput by 3x over Orca.",
            "vLLM improves the throughput by 2-4× compared to Orca.",
            "match",
        ),
        (
            "vLLM improves throughput by 6x over Orca.",
            "vLLM improves the throughput by 2-4× compared to Orca.",
            "mismatch",
        ),
        ("CAD halves throughput.", "CAD runs at 58 tokens/s while vanilla decoding reaches 110 tokens/s.", "match"),
        (
            "CAD cuts throughput to 0.2x.",
            "CAD runs at 58 tokens/s while vanilla decoding reaches 110 tokens/s.",
            "mismatch",
        ),
        ("o1-mini achieves 96.2% pass@1 on HumanEval.", "o1-mini reaches 96.2% pass@1 on HumanEval.", "match"),
        ("o1-mini achieves 92.2% pass@1 on HumanEval.", "o1-mini reaches 96.2% pass@1 on HumanEval.", "mismatch"),
        ("The model needs 16 GB of memory.", "It fits into 16384 MB of GPU memory.", "match"),
        ("EAGLE-2 is 3.5x faster.", "EAGLE-2 achieves speedups of 3.05x-4.26x.", "match"),
        ("EAGLE-2 reaches 3.05x on MT-bench.", "Memory use is 14 GB.", "unchecked"),
        ("Models were tested at 2-, 4- and 8-bit precision.", "We quantize to 4 bits.", "unchecked"),
    ],
)
def test_claim_against_evidence(claim: str, evidence: str, outcome: str) -> None:
    result = check_numbers(claim, evidence)
    assert result.outcome.value == outcome, [(c.claim.text, c.outcome, c.detail) for c in result.checks]
    if outcome == "mismatch":
        assert result.mismatches and result.mismatches[0].evidence
