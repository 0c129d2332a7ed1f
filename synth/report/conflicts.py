"""Conflicting evidence, shown as such: figures that disagree, other papers that say otherwise, measurements.

Three kinds, all read off the run's own records (pure functions):
* `contradiction`: a claim its own paper supports, while another paper's page
  states a different figure for the same quantity (kept by the verify stage);
* `numeric_spread`: claims from different papers about the same named system
  whose speed-up figures do not overlap (Medusa 2.2x in its paper, 1.5x in a survey);
* `measurement`: our own benchmark run disagrees with the claimed ratio.
"""

from __future__ import annotations

from collections import defaultdict

from synth.report.records import Conflict, ReportClaim
from synth.report.themes import multipliers, subject_of

SPREAD_FACTOR = 1.25  # two figures this far apart (after their stated ranges) are in conflict


def find_conflicts(claims: list[ReportClaim], usable: set[int]) -> list[Conflict]:
    out: list[Conflict] = []
    for c in claims:
        if c.number not in usable:
            continue
        for ev in c.counter_evidence:
            page = f", p. {ev.page}" if ev.page else ""
            out.append(
                Conflict(
                    topic=c.claim.text[:80],
                    claims=[c.number],
                    kind="contradiction",
                    description=f"[{c.number}] is supported by its own paper, but {ev.doc_id}{page} states a "
                    f"different figure: \u201c{_short(ev.quote)}\u201d",
                )
            )
    out.extend(_spreads(claims, usable))
    for c in claims:
        for check in c.empirical:
            v = check.verdict
            if v is not None and v.verdict.value == "INCONSISTENT":
                measured = v.measured.short() if v.measured else "no figure"
                out.append(
                    Conflict(
                        topic=c.claim.text[:80],
                        claims=[c.number],
                        kind="measurement",
                        description=f"[{c.number}] claims {v.claimed}; measured here {measured} ({v.reason})",
                    )
                )
    return out


def _spreads(claims: list[ReportClaim], usable: set[int]) -> list[Conflict]:
    by_subject: dict[str, list[tuple[ReportClaim, float, float]]] = defaultdict(list)
    for c in claims:
        if c.number not in usable:
            continue
        subject = subject_of(c.claim.text)
        figures = multipliers(c.number, c.claim)
        if subject and figures:
            by_subject[subject].append((c, min(f.low for f in figures), max(f.high for f in figures)))
    out = []
    for subject, rows in by_subject.items():
        papers = {r[0].claim.provenance.doc_id if r[0].claim.provenance else r[0].number for r in rows}
        if len(rows) < 2 or len(papers) < 2:
            continue
        lows = max(r[1] for r in rows)
        highs = min(r[2] for r in rows)
        if lows > highs * SPREAD_FACTOR:
            listed = "; ".join(f"[{c.number}] {lo:g}x" + (f"–{hi:g}x" if hi != lo else "") for c, lo, hi in rows)
            out.append(
                Conflict(
                    topic=subject,
                    claims=[c.number for c, _, _ in rows],
                    kind="numeric_spread",
                    description=f"figures for {subject} differ between papers ({listed}): setups differ (models, "
                    "hardware, tasks), so read each with its source",
                )
            )
    return out


def _short(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
