"""Golden readings of the one quantity parser (synth.core.quantities), shared by claims, verify and empirical."""

from __future__ import annotations

import pytest

from synth.core.claims import ClaimNumber as RecordsClaimNumber
from synth.core.quantities import ClaimNumber, Quantity, extract_numbers, parse_number
from synth.empirical.cues import find_relations
from synth.verify.numeric import extract_numbers as verify_extract_numbers

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`

# sentence -> [(text, value, unit, extra fields that must hold)]
GOLDEN: list[tuple[str, list[tuple[str, float, str, dict[str, object]]]]] = [
    ("CAD halves the latency of decoding.", [("halves", 0.5, "x", {"direction": "lower"})]),
    ("EAGLE is twice as fast as vanilla decoding.", [("twice", 2.0, "x", {"direction": "higher"})]),
    ("SC reduces throughput by a factor of three.", [("a factor of three", 3.0, "x", {"direction": "lower"})]),
    ("It runs faster by a factor of three.", [("a factor of three", 3.0, "x", {"direction": "higher"})]),
    (
        "incoherent bridging objects 39.2 vs irrelevant 26.2",
        [("39.2", 39.2, "", {"direction": None}), ("26.2", 26.2, "", {"direction": None})],
    ),
    ("PLD's 1.01x in FP32", [("1.01x", 1.01, "x", {"quantity": Quantity.SPEEDUP})]),
    ("EAGLE-2 reaches a 2.54ˆ speedup.", [("2.54ˆ", 2.54, "x", {"direction": "higher"})]),
    ("It reaches a 2.54× speedup and 2.54x on MT-bench.", [("2.54×", 2.54, "x", {}), ("2.54x", 2.54, "x", {})]),
    ("It solves about 20% of the tasks.", [("20%", 20.0, "%", {"approx": True, "bound": "approx"})]),
    ("We set the maximum generation length to 2048 tokens.", [("2048", 2048.0, "", {})]),  # a length, not a year
    (  # a multiple of something named right after it is not a speed-up; one over a baseline is
        "MEDUSA achieves 44× FLOP/s and 41× Operational Intensity, and 2.2x over vanilla decoding.",
        [
            ("44×", 44.0, "x", {"quantity": Quantity.OTHER}),
            ("41×", 41.0, "x", {"quantity": Quantity.OTHER}),
            ("2.2x", 2.2, "x", {"quantity": Quantity.SPEEDUP}),
        ],
    ),
    ("Released in 2023 with 1950 tokens of context.", [("1950", 1950.0, "", {})]),  # 2023 is a year, 1950 a count
    (  # a share next to a model size is not a parameter count
        "With only 28.5% of computations, DeepSeekMoE 145B matches DeepSeek 67B.",
        [
            ("28.5%", 28.5, "%", {"quantity": Quantity.OTHER}),
            ("145B", 145.0, "B", {"quantity": Quantity.SIZE}),
            ("67B", 67.0, "B", {"quantity": Quantity.SIZE}),
        ],
    ),  # fmt: skip
    ("Accuracy is 20.4%.", [("20.4%", 20.4, "%", {"approx": False, "bound": None, "quantity": Quantity.ACCURACY})]),
    (
        "Speedups reach up to 4.43× and 1.50× respectively.",
        [("4.43×", 4.43, "x", {"bound": "le"}), ("1.50×", 1.5, "x", {"bound": None})],
    ),
    (
        "Accuracy rises from 39.07% to 45.23% with retrieval.",
        [
            ("39.07%", 39.07, "%", {"role": "from", "direction": "higher"}),
            ("45.23%", 45.23, "%", {"role": "to", "direction": "higher"}),
        ],
    ),
    (  # "ranging from A to B" is one figure's span, not a change from A to B
        "EAGLE achieves a speedup ratio ranging from 2.4× to 2.5×.",
        [("2.4× to 2.5×", 2.45, "x", {"low": 2.4, "high": 2.5, "role": None})],
    ),
    (  # "T=0" is a setting's value: it ends no range with the figure after it
        "EAGLE improves from about 1.7x at T=0 to about 2.1x at T=1.",
        [("1.7x", 1.7, "x", {"low": None}), ("0", 0.0, "", {}), ("2.1x", 2.1, "x", {"low": None}), ("1", 1.0, "", {})],
    ),
    ("Gains vary from 3% to 5% across tasks.", [("3% to 5%", 4.0, "%", {"low": 3.0, "high": 5.0})]),
    ("CoT improves by 5 percentage points.", [("5 percentage points", 5.0, "pp", {"direction": "higher"})]),
    ("It yields a >3% improvement.", [("3%", 3.0, "%", {"bound": "ge", "direction": "higher"})]),
    ("The drop is less than 2% on MMLU.", [("2%", 2.0, "%", {"bound": "le", "direction": None})]),
    (
        "It needs at least 16 GB and over 2x the memory.",
        [("16 GB", 16.0, "GB", {"bound": "ge"}), ("2x", 2.0, "x", {"bound": "ge"})],
    ),  # fmt: skip
    (
        "Roughly 3x faster, nearly 40% lower, ~12 ms.",
        [
            ("3x", 3.0, "x", {"approx": True, "direction": "higher"}),
            ("40%", 40.0, "%", {"approx": True, "direction": "lower"}),
            ("12 ms", 0.012, "s", {"approx": True}),
        ],
    ),  # fmt: skip
    (
        "Decoding takes 34.2 ms and 77.0 ms per token.",
        [("34.2 ms", 0.0342, "s", {"quantity": Quantity.LATENCY}), ("77.0 ms", 0.077, "s", {})],
    ),
    ("The system performs 7.12 elastic scale-up operations per 10 seconds.", [("7.12", 7.12, "", {})]),
    ("It decodes 4,039 tokens per second.", [("4,039 tokens per second", 4039.0, "tokens/s", {})]),
    ("It decodes 2k tokens per second.", [("2k tokens per second", 2000.0, "tokens/s", {})]),
    (  # a K is a thousand of whatever it counts, unless it counts parameters
        "Trained at a 128K sequence length for 2k steps; a 125K-parameter probe.",
        [("128K", 128000.0, "", {}), ("2k", 2000.0, "", {}), ("125K", 0.000125, "B", {})],
    ),
    (
        "Qwen3 is pretrained on 36 trillion tokens and Seed-Coder on 6T tokens.",
        [("36 trillion", 36e12, "", {}), ("6T", 6e12, "", {})],
    ),
    (  # a billion of nothing counted is a model size; of tokens, a count
        "It has 146 billion total parameters, 22 billion activated, seen over 1.5 billion tokens.",
        [("146 billion", 146.0, "B", {}), ("22 billion", 22.0, "B", {}), ("1.5 billion", 1.5e9, "", {})],
    ),
    (
        "It serves 12 requests/s and 58 tokens/s.",
        [("12 requests/s", 12.0, "requests/s", {}), ("58 tokens/s", 58.0, "tokens/s", {})],
    ),  # fmt: skip
    ("Agreement is 80-90% across raters.", [("80-90%", 85.0, "%", {"low": 80.0, "high": 90.0})]),
    ("Speedups of 2.4× to 2.5× on A100.", [("2.4× to 2.5×", 2.45, "x", {"low": 2.4, "high": 2.5})]),
    ("Medusa gives 1.5-2.1x speedups.", [("1.5-2.1x", 1.8, "x", {"low": 1.5, "high": 2.1, "direction": "higher"})]),
    (
        "DeepSeek-Coder 1.3B/6.7B/33B models",
        [("1.3B", 1.3, "B", {}), ("6.7B", 6.7, "B", {}), ("33B", 33.0, "B", {"quantity": Quantity.SIZE})],
    ),
    ("Qwen2.5-7B and Llama-3.1-8B-Instruct", [("7B", 7.0, "B", {}), ("8B", 8.0, "B", {})]),
    ("We quantize weights to 8-bit.", [("8-bit", 8.0, "bit", {})]),
    ("EAGLE-2 and GSM8K with Llama-3 and v1.5 at pass@1", []),
    ("The method was published in 2023.", []),
    (
        "Self-consistency is three times slower than greedy decoding.",
        [("three times", 3.0, "x", {"direction": "lower"})],
    ),
    (
        "a 2B model is 5x slower than a 1B one",
        [("2B", 2.0, "B", {}), ("5x", 5.0, "x", {"direction": "lower"}), ("1B", 1.0, "B", {})],
    ),  # fmt: skip
    ("It thrice the cost; it doubles throughput", [("thrice", 3.0, "x", {}), ("doubles", 2.0, "x", {})]),
    (
        "KV cache needs an order of magnitude less memory.",
        [("an order of magnitude", 10.0, "x", {"direction": "lower"})],
    ),
    ("Run the 3B model in half-precision.", [("3B", 3.0, "B", {})]),
    (
        "Latency drops from 120 ms to 0.08 s.",
        [("120 ms", 0.12, "s", {"role": "from", "direction": "lower"}), ("0.08 s", 0.08, "s", {"role": "to"})],
    ),  # fmt: skip
    (
        "lower throughput (from 110 to 22 tokens / sec. for HumanEval",
        [("110", 110.0, "tokens/s", {"role": "from"}), ("22 tokens / sec", 22.0, "tokens/s", {"role": "to"})],
    ),
    ("with only a 13% reduction in throughput", [("13%", 13.0, "%", {"direction": "lower"})]),
    (  # the cue past a comma is the next figure's: EAGLE's 2.7-3.5x is a speed-up, "doubled" is throughput
        "EAGLE achieved a latency speedup ratio of 2.7x-3.5x, doubled throughput.",
        [
            ("2.7x-3.5x", 3.1, "x", {"quantity": Quantity.SPEEDUP}),
            ("doubled", 2.0, "x", {"quantity": Quantity.THROUGHPUT}),
        ],
    ),
]


def _reading(n: ClaimNumber) -> tuple[str, float, str]:
    return (n.text, round(n.value, 6), n.unit)


@pytest.mark.parametrize(("sentence", "expected"), GOLDEN, ids=[s[:40] for s, _ in GOLDEN])
def test_golden_readings(sentence: str, expected: list[tuple[str, float, str, dict[str, object]]]) -> None:
    numbers = extract_numbers(sentence)
    assert [_reading(n) for n in numbers] == [(t, round(v, 6), u) for t, v, u, _ in expected]
    for n, (_, _, _, fields) in zip(numbers, expected, strict=True):
        for name, value in fields.items():
            assert getattr(n, name) == value, (n.text, name, getattr(n, name), value)
        assert sentence[n.start : n.end] == n.text and n.end == n.start + len(n.text)
        assert n.phrase_start <= n.start and n.end <= n.phrase_end


def test_phrase_spans_cover_bounds_and_direction_words() -> None:
    sentence = "SC reduces throughput by up to about 40%."
    [n] = extract_numbers(sentence)
    assert (n.bound, n.approx, n.direction) == ("le", True, "lower")
    assert sentence[n.phrase_start : n.phrase_end] == "reduces throughput by up to about 40%"


def test_records_are_backwards_compatible() -> None:
    assert RecordsClaimNumber is ClaimNumber and verify_extract_numbers is extract_numbers
    old = ClaimNumber.model_validate({"value": 2.0, "unit": "x", "text": "2x", "start": 5})  # a stored record
    assert (old.end, old.approx, old.bound, old.direction, old.role) == (7, False, None, None, None)
    assert (old.phrase_start, old.phrase_end) == (5, 7)


def test_number_words() -> None:
    assert [parse_number(t) for t in ("three", "Twice", "half", "4,039", "2.5", "a hundred")] == [
        3.0, 2.0, 0.5, 4039.0, 2.5, 100.0]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "ratio"),
    [
        ("CAD halves the latency", 0.5),
        ("EAGLE is twice as fast as vanilla decoding", 2.0),
        ("SC reduces throughput by a factor of three", 1 / 3),
        ("int4 decoding is 2.54× faster", 2.54),
        ("a 13% reduction in throughput", 0.87),
        ("throughput rises from 110 to 22 tokens / sec", 0.2),
        ("it reduces latency by 2.5x", 0.4),
    ],
)
def test_empirical_relations_read_the_same_figures(text: str, ratio: float) -> None:
    """The empirical reader takes its figures from the same parser; only what a direction means stays its own."""
    ratios = [h.ratio for h in find_relations(text) if h.ratio is not None]
    assert ratios == [pytest.approx(ratio)]
