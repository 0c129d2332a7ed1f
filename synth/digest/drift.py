"""How one digest run differs from the last: pure functions of two runs' claims and papers, no I/O."""

from __future__ import annotations

import hashlib
import json

from synth.core.digest import ClaimChange, ClaimState, Drift
from synth.core.run import ReportOptions, ReportRun
from synth.digest.records import CorpusPaper
from synth.digest.store import SeenPaper


def fingerprint(question: str, options: ReportOptions, settings_md5: str, papers: list[CorpusPaper]) -> str:
    """What the report depends on that a digest can see before running it."""
    payload = {
        "question": question,
        "options": options.model_dump(mode="json"),
        "settings_md5": settings_md5,
        "corpus": sorted((p.doc_id, p.content_hash) for p in papers),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def compute_drift(
    previous: list[ClaimState] | None,
    current: list[ClaimState],
    threshold: float,
    seen_before: set[str] | frozenset[str] = frozenset(),
) -> Drift:
    """New claims, claims whose label changed or whose confidence moved by >= threshold, claims gone.

    `previous` is None on the first run (every claim is new). `seen_before` are
    claim ids of any earlier run: a new claim among them is marked returning.
    """
    before = {c.claim_id: c for c in previous or []}
    now = {c.claim_id: c for c in current}
    drift = Drift(first_run=previous is None, threshold=threshold)
    for cid, claim in now.items():
        old = before.get(cid)
        if old is None:
            drift.new.append(claim)
            if cid in seen_before:
                drift.returning.append(cid)
        elif old.label != claim.label or round(abs(claim.confidence - old.confidence), 6) >= threshold:
            drift.changed.append(ClaimChange(before=old, after=claim))
        else:
            drift.unchanged += 1
    drift.disappeared = [c for cid, c in before.items() if cid not in now]
    return drift


def new_papers(seen: list[SeenPaper], current: list[CorpusPaper]) -> list[tuple[CorpusPaper, str]]:
    """Papers not seen by an earlier run, each with `new` or `updated` (same id, other content)."""
    pairs = {(p.doc_id, p.content_hash) for p in seen}
    ids = {p.doc_id for p in seen}
    return [(p, "updated" if p.doc_id in ids else "new") for p in current if (p.doc_id, p.content_hash) not in pairs]


def claim_states(run: ReportRun) -> list[ClaimState]:
    out: dict[str, ClaimState] = {}
    for rc in run.claims:
        prov = rc.claim.provenance
        paper = run.paper(rc.paper)
        doc_id = prov.doc_id if prov is not None else (paper.doc_id if paper else None)
        state = ClaimState(
            claim_id=rc.claim.claim_id, text=rc.claim.text, label=rc.label, confidence=round(rc.confidence, 4),
            doc_id=doc_id, page=prov.page if prov is not None else None,
        )  # fmt: skip
        out.setdefault(state.claim_id, state)
    return list(out.values())
