"""Ranking candidate claims: relevance to the question, near-duplicate removal, caps.

Relevance is the cosine between the question and the claim under the
corpus's own embedding model (MiniLM), lifted a little by claim-worthiness
so that, between two equally on-topic sentences, the one stating a result
wins. An optional rerank hook (the LM judge, wired by the verifier) reorders
the shortlist. Selection is greedy in score order: a claim too similar to
one already kept is a duplicate, and per-paper and total caps are applied
last. All of it is pure over arrays, so it is tested without a model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from synth.core.claims import Claim

# Scores a shortlist of claims against the question (higher is better), e.g. the LM judge's P(Yes).
Reranker = Callable[[str, list[Claim]], list[float]]

WORTHINESS_WEIGHT = 0.8  # a finding beats a topical but empty sentence of the same similarity
JACCARD_DUPLICATE = 0.7  # lexical fallback when no embedding model is at hand


@dataclass
class Selection:
    order: list[int] = field(default_factory=list)  # indices of the kept candidates, best first
    duplicates: int = 0
    capped: int = 0


def combined_scores(relevance: np.ndarray | None, worthiness: Sequence[float]) -> np.ndarray:
    """Relevance plus a small worthiness term; worthiness alone when there is no question."""
    worth = np.asarray(worthiness, dtype=np.float64)
    if relevance is None:
        return worth
    return np.asarray(relevance, dtype=np.float64) + WORTHINESS_WEIGHT * worth


def word_set(text: str) -> set[str]:
    return set(text.lower().split())


def jaccard(a: set[str], b: set[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def jaccard_matrix(texts: Sequence[str]) -> np.ndarray:
    """Word-set Jaccard similarity of every pair, for deduplication without an embedder."""
    sets = [word_set(t) for t in texts]
    n = len(sets)
    out = np.eye(n)
    for i in range(n):
        for j in range(i + 1, n):
            out[i, j] = out[j, i] = jaccard(sets[i], sets[j])
    return out


SAME_NUMBERS_BONUS = 0.1  # two claims stating the same figures are likely one finding said twice
OTHER_NUMBERS_PENALTY = 0.1  # two claims stating different figures are two findings, however alike their words


def same_numbers_boost(similarity: np.ndarray, numbers: Sequence[frozenset[float]]) -> np.ndarray:
    """Similarity raised for pairs stating the same non-empty set of figures, lowered for pairs whose figures
    have nothing in common.

    MiniLM puts "X improves throughput by 1.28x on average and up to 2.01x" (introduction) and
    "X improves throughput by up to 1.28x on average and by up to 2.01x" (conclusion) at 0.84,
    under the usual duplicate threshold; their figures say they are one claim. "On MATH-500, X attains
    97.3%" and "X achieves 79.8% Pass@1 on AIME 2024" read alike, but are two results.
    """
    out = similarity.copy()
    for i in range(len(numbers)):
        for j in range(i + 1, len(numbers)):
            if numbers[i] and numbers[i] == numbers[j]:
                out[i, j] = out[j, i] = out[i, j] + SAME_NUMBERS_BONUS
            elif numbers[i] and numbers[j] and not numbers[i] & numbers[j]:
                out[i, j] = out[j, i] = out[i, j] - OTHER_NUMBERS_PENALTY
    return out


def more_specific(candidate: frozenset[float], kept: frozenset[float]) -> bool:
    """Whether a near-duplicate states more of the finding than the claim kept for it: every figure of the
    kept one and more ("from >780GB of GPU memory to <48GB" against "on a single 48GB GPU")."""
    return bool(candidate) and kept < candidate


def fill_facets(
    chosen: Sequence[int],
    ranked: Sequence[int],
    texts: Sequence[str],
    groups: Sequence[str],
    facets: Sequence[str],
    mentions: Callable[[str, str], bool],
    duplicate: Callable[[int, int], bool],
    per_paper: int | None = None,
) -> list[int]:
    """The chosen claims with, for each facet the question lists that none of them speaks to ("at what cost
    (… training, memory …)"), the best-ranked candidate that does in place of the last-ranked claim of a paper
    that keeps another and speaks to no facet: EAGLE's "trainable within 1-2 days on an A100 server" answers
    "training" better than a paper's fourth speed-up figure, and the Answer no longer says no paper covers it.
    The swap keeps the per-paper cap (`per_paper`). Indices are the candidates'; `ranked` is every on-topic
    candidate best first."""
    out = list(chosen)
    for facet in facets:
        if any(mentions(facet, texts[i]) for i in out):
            continue
        counts: dict[str, int] = {}
        for i in out:
            counts[groups[i]] = counts.get(groups[i], 0) + 1
        drop = next(
            (i for i in reversed(out) if counts[groups[i]] >= 2 and not any(mentions(f, texts[i]) for f in facets)),
            None,
        )
        if drop is None:
            continue
        # the paper stays within the cap once `drop` has left
        left = {g: n - (g == groups[drop]) for g, n in counts.items()}
        pick = next(
            (
                j for j in ranked
                if j not in out and (per_paper is None or left.get(groups[j], 0) < per_paper)
                and mentions(facet, texts[j]) and not any(duplicate(j, k) for k in out)
            ),
            None,
        )  # fmt: skip
        if pick is not None:
            out.remove(drop)
            out.append(pick)
    return out


def fill_parts(
    chosen: Sequence[int],
    answers: Sequence[Sequence[int]],
    groups: Sequence[str],
    quota: int,
    duplicate: Callable[[int, int], bool],
    per_group_cap: int | None = None,
) -> list[int]:
    """The chosen claims with at least `quota` answering each later part of a multi-part question, within
    `per_group_cap` claims per paper.

    `answers[k]`: the candidates that answer later part k, best first. "…, and at what cost (training, memory,
    …)?": ranked by closeness to the whole question, the budget goes to speed-up figures and no claim says what
    the speed-up costs. A missing answer takes the place of the last-ranked claim of a paper that keeps another
    and answers no later part. Indices are the candidates'."""
    out = list(chosen)
    answering = {j for part in answers for j in part}
    for part in answers:
        have = sum(1 for i in out if i in part)
        for pick in part:
            if have >= quota:
                break
            if pick in out or any(duplicate(pick, i) for i in out):
                continue
            counts: dict[str, int] = {}
            for i in out:
                counts[groups[i]] = counts.get(groups[i], 0) + 1
            drop = next((i for i in reversed(out) if counts[groups[i]] >= 2 and i not in answering), None)
            if drop is None:
                break
            full = per_group_cap is not None and counts.get(groups[pick], 0) >= per_group_cap
            if full and groups[drop] != groups[pick]:
                continue  # the pick's paper has its share: its next answer may be of another paper
            out.remove(drop)
            out.append(pick)
            have += 1
    return out


def select(
    scores: np.ndarray,
    similarity: np.ndarray,
    groups: Sequence[str],
    *,
    duplicate_threshold: float,
    per_group_cap: int,
    total_cap: int,
    priority: Sequence[int] | None = None,
    figures: Sequence[frozenset[float]] | None = None,
) -> Selection:
    """Greedy pick in score order (or in `priority` order, e.g. after a rerank).

    A candidate is skipped when it is at least `duplicate_threshold` similar to one
    already kept (the better-scored one stays, unless the later one states its `figures`
    and more: then it takes the kept one's place), or when its paper already has
    `per_group_cap` claims; picking stops at `total_cap`. Counts of each kind of drop
    are returned for the run's statistics.
    """
    out = Selection()
    order = list(priority) if priority is not None else [int(i) for i in np.argsort(-scores, kind="stable")]
    per_group: dict[str, int] = {}
    for idx in order:
        twins = [k for k, kept in enumerate(out.order) if similarity[idx, kept] >= duplicate_threshold]
        if twins:
            out.duplicates += 1
            if figures is not None and len(twins) == 1:
                k = twins[0]
                if groups[out.order[k]] == groups[idx] and more_specific(figures[idx], figures[out.order[k]]):
                    out.order[k] = idx
            continue
        if per_group.get(groups[idx], 0) >= per_group_cap or len(out.order) >= total_cap:
            out.capped += 1
            continue
        per_group[groups[idx]] = per_group.get(groups[idx], 0) + 1
        out.order.append(idx)
    return out


def rerank_order(
    question: str, claims: list[Claim], scores: np.ndarray, rerank: Reranker, shortlist: int
) -> tuple[list[int], list[float]]:
    """Indices in the reranker's order for the top `shortlist` by score, the rest after them by score.

    Only a shortlist is rescored because the intended reranker (the LM judge) costs
    one model call per claim.
    """
    by_score = [int(i) for i in np.argsort(-scores, kind="stable")]
    head, tail = by_score[:shortlist], by_score[shortlist:]
    judged = rerank(question, [claims[i] for i in head])
    if len(judged) != len(head):
        raise ValueError(f"rerank returned {len(judged)} scores for {len(head)} claims")
    ranked = sorted(zip(head, judged, strict=True), key=lambda pair: (-pair[1], -scores[pair[0]]))
    return [i for i, _ in ranked] + tail, [s for _, s in ranked]
