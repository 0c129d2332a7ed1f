"""Conflicting evidence, shown as such: figures that disagree, other papers that say otherwise, measurements.

Three kinds, all read off the run's own records (pure functions):
* `contradiction`: a claim its own paper supports, while another paper's page
  states a different figure for the same quantity (kept by the verify stage);
* `numeric_spread`: figures from different papers for the same method and metric
  that do not overlap in an overlapping setting (the figures table's cross-check:
  Medusa 2.2x in its paper, 1.5x in a survey);
* `measurement`: our own benchmark run disagrees with the claimed ratio.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from synth.core.run import Conflict, ReportClaim
from synth.synthesize.figures import ReportedFigure, method_key


def find_conflicts(
    claims: list[ReportClaim], usable: set[int], figures: Sequence[ReportedFigure] = ()
) -> list[Conflict]:
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
    out.extend(_spreads(figures))
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


def _spreads(figures: Sequence[ReportedFigure]) -> list[Conflict]:
    """Figures of one method and metric that other papers contradict (the figures table's cross-check)."""
    groups: dict[tuple[str, str, str, str], list[ReportedFigure]] = defaultdict(list)
    for f in figures:
        groups[(method_key(f.method), f.metric, f.unit, f.role)].append(f)
    out = []
    for rows in groups.values():
        if not any(f.check in ("contradicted", "mixed") for f in rows) or len({f.doc_id for f in rows}) < 2:
            continue
        listed = "; ".join(
            f"{f.source or f.doc_id} p. {f.page}: {f.shown()}" + (f" [{f.claim}]" if f.claim else "") for f in rows
        )
        out.append(
            Conflict(
                topic=rows[0].method,
                claims=sorted({f.claim for f in rows if f.claim is not None}),
                kind="numeric_spread",
                description=f"{rows[0].metric} figures for {rows[0].method} differ between papers ({listed}): setups "
                "differ (models, hardware, tasks), so read each with its source",
            )
        )
    return out


def _short(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
