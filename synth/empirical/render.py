"""Empirical checks as Markdown (a table, then per-claim details) and as JSON.

The table is what a reader scans; the details are what makes a verdict
checkable: which specs ran, on what hardware, and what stood in for what the
claim named. JSON is the records' own dump, so it reloads into EmpiricalCheck.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from synth.empirical.judge import METRIC_NAMES
from synth.empirical.records import EmpiricalCheck


def _cell(text: str, limit: int = 160) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _measured(check: EmpiricalCheck) -> str:
    v = check.verdict
    if v is None:
        return "not run (dry run)" if check.plan.specs else "—"
    if v.measured is None:
        return "—"
    return v.measured.short()


def _reason(check: EmpiricalCheck) -> str:
    if check.verdict is not None:
        return check.verdict.reason
    if check.plan.inconclusive_reason:
        return check.plan.inconclusive_reason
    return f"planned: {len(check.plan.specs)} runs"


def render_markdown(checks: Sequence[EmpiricalCheck], title: str = "Empirical claim checks") -> str:
    header = "| # | claim | type | claimed | measured | verdict | reason |"
    lines = [f"# {title}", "", header, "|---|---|---|---|---|---|---|"]
    for i, c in enumerate(checks, 1):
        verdict = c.verdict.verdict.value if c.verdict else "—"
        lines.append(
            f"| {i} | {_cell(c.claim_text)} | {c.claim_type.type.value} | {_cell(c.claim_type.claimed(), 60)} | "
            f"{_measured(c)} | {verdict} | {_cell(_reason(c), 200)} |"
        )
    lines += ["", "## Details", ""]
    for i, c in enumerate(checks, 1):
        lines += _details(i, c)
    return "\n".join(lines).rstrip() + "\n"


def _details(i: int, c: EmpiricalCheck) -> list[str]:
    t, plan = c.claim_type, c.plan
    out = [f"### {i}. {t.type.value}", "", f"> {' '.join(c.claim_text.split())}", ""]
    if t.arm_a is not None and t.arm_b is not None:
        out.append(f"- arms: A = {t.arm_a.label}; B = {t.arm_b.label} ({t.quantity}, claimed {t.claimed()})")
    if t.notes:
        out.append(f"- read as: {'; '.join(t.notes)}")
    if plan.arm_a is not None and plan.arm_b is not None:
        metric = METRIC_NAMES.get(plan.metric or "", plan.metric or "")
        inverse = " (time ratio = inverse of the throughput ratio)" if plan.invert else ""
        out.append(f"- runs: A = `{plan.arm_a.label()}`, B = `{plan.arm_b.label()}`; compared on {metric}{inverse}")
        for extra in plan.extras:
            out.append(f"- extra: {extra.label} = `{extra.spec.label()}`")
    if plan.substitutions:
        out.append("- substitutions:")
        out += [f"  - {s}" for s in plan.substitutions]
    if plan.inconclusive_reason:
        out.append(f"- not measured: {plan.inconclusive_reason}")
    v = c.verdict
    if v is not None:
        out.append(f"- verdict: **{v.verdict.value}**: {v.reason}")
        if v.extras:
            out.append(f"- beside it: {'; '.join(e.text for e in v.extras)}")
        if v.hardware:
            out.append(f"- hardware: {v.hardware}")
        if v.labels:
            out.append(f"- labels: {', '.join(v.labels)}")
    out.append("")
    return out


def render_json(checks: Sequence[EmpiricalCheck]) -> str:
    return json.dumps([c.model_dump(mode="json") for c in checks], indent=2, ensure_ascii=False) + "\n"
