from __future__ import annotations

from math import comb

import pytest

from synth.bench.passk import aggregate_pass_at_k, pass_at_k

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [
        (5, 1, 1, 0.2),
        (10, 3, 1, 0.3),
        (10, 3, 5, 1 - 21 / 252),  # 1 - C(7,5)/C(10,5)
        (10, 0, 5, 0.0),
        (10, 8, 5, 1.0),  # n - c = 2 < k: every 5 samples include a correct one
        (5, 5, 5, 1.0),
        (1, 0, 1, 0.0),
    ],
)
def test_hand_computed_values(n: int, c: int, k: int, expected: float) -> None:
    assert pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)


def test_matches_the_binomial_form_at_large_n() -> None:
    for n, c, k in [(200, 13, 10), (200, 1, 100), (50, 49, 2)]:
        assert pass_at_k(n, c, k) == pytest.approx(1 - comb(n - c, k) / comb(n, k), rel=1e-9)


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError, match="at least 10 samples"):
        pass_at_k(5, 1, 10)
    for n, c, k in [(5, 6, 1), (5, -1, 1), (0, 0, 1), (5, 1, 0)]:
        with pytest.raises(ValueError):
            pass_at_k(n, c, k)


def test_aggregate_is_the_mean_and_skips_k_above_the_smallest_n() -> None:
    result = aggregate_pass_at_k([(10, 3), (10, 0)], [1, 5, 10])
    assert result == pytest.approx({"1": 0.15, "5": (1 - 21 / 252) / 2, "10": 0.5})
    assert list(result) == ["1", "5", "10"]
    mixed = aggregate_pass_at_k([(10, 3), (5, 1)], [10, 1, 5, 5])  # n=5 cannot give pass@10
    assert mixed == pytest.approx({"1": 0.25, "5": (1 - 21 / 252 + 1) / 2})
    assert aggregate_pass_at_k([(1, 1)], [5, 10]) == {}
    assert aggregate_pass_at_k([], [1]) == {}
