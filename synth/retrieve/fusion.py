"""Reciprocal rank fusion (Cormack, Clarke & Buettcher, SIGIR 2009).

RRF needs no score calibration between BM25 and cosine similarity, which is
why it is the default way to combine the two rankers.
"""

from __future__ import annotations

from collections.abc import Sequence


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = 60) -> list[tuple[str, float]]:
    """Fuse ranked id lists; ties keep the order of first appearance."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank + 1)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def cap_per_group(items: Sequence[tuple[str, float]], group_of: dict[str, str], cap: int) -> list[tuple[str, float]]:
    """Keep at most `cap` items per group (document), preserving order; cap 0 means no cap."""
    if cap <= 0:
        return list(items)
    seen: dict[str, int] = {}
    out: list[tuple[str, float]] = []
    for item, score in items:
        group = group_of.get(item, item)
        if seen.get(group, 0) < cap:
            seen[group] = seen.get(group, 0) + 1
            out.append((item, score))
    return out


def add_group_prior(
    fused: Sequence[tuple[str, float]], group_ranking: Sequence[str], weight: float, k: int = 60
) -> list[tuple[str, float]]:
    """Add each item's group (document) RRF term to its score and re-sort.

    Passages rarely restate what their paper is about; a document-level
    ranking lets a passage from the paper *about* the query beat a passing
    mention in a survey.
    """
    rank = {group: i for i, group in enumerate(group_ranking)}
    rescored = []
    for item, score in fused:
        group = item.split(":")[0]
        prior = weight / (k + rank[group] + 1) if group in rank else 0.0
        rescored.append((item, score + prior))
    return sorted(rescored, key=lambda kv: -kv[1])
