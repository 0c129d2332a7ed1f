"""Empirical checks as Markdown (a table, then per-claim details) and as JSON.

The table is what a reader scans; the details are what makes a verdict
checkable: which specs ran, on what hardware, and what stood in for what the
claim named. JSON is the records' own dump, so it reloads into EmpiricalCheck.
Every text in the Markdown is escaped (synth.core.escape): claim text comes from
papers and users' files, and the output may be rendered.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from synth.core.escape import code_span, escape_markdown, one_line
from synth.core.measurement import EmpiricalCheck
from synth.empirical.judge import METRIC_NAMES


def _cell(text: str, limit: int = 160) -> str:
    """One line, cut to `limit`, then Markdown-escaped: claim text comes from a paper or a user's file."""
    text = one_line(text)
    return escape_markdown(text if len(text) <= limit else text[: limit - 1] + "…")


def _text(text: object) -> str:
    return escape_markdown(one_line(text))


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
    lines = [f"# {_text(title)}", "", header, "|---|---|---|---|---|---|---|"]
    for i, c in enumerate(checks, 1):
        verdict = c.verdict.verdict.value if c.verdict else "—"
        lines.append(
            f"| {i} | {_cell(c.claim_text)} | {c.claim_type.type.value} | {_cell(c.claim_type.claimed(), 60)} | "
            f"{_cell(_measured(c))} | {verdict} | {_cell(_reason(c), 200)} |"
        )
    lines += ["", "## Details", ""]
    for i, c in enumerate(checks, 1):
        lines += _details(i, c)
    return "\n".join(lines).rstrip() + "\n"


def _details(i: int, c: EmpiricalCheck) -> list[str]:
    t, plan = c.claim_type, c.plan
    out = [f"### {i}. {t.type.value}", "", f"> {_text(c.claim_text)}", ""]
    if t.arm_a is not None and t.arm_b is not None:
        out.append(
            f"- arms: A = {_text(t.arm_a.label)}; B = {_text(t.arm_b.label)} "
            f"({_text(t.quantity)}, claimed {_text(t.claimed())})"
        )
    if t.notes:
        out.append(f"- read as: {_text('; '.join(t.notes))}")
    if plan.arm_a is not None and plan.arm_b is not None:
        metric = METRIC_NAMES.get(plan.metric or "", plan.metric or "")
        inverse = " (time ratio = inverse of the throughput ratio)" if plan.invert else ""
        out.append(
            f"- runs: A = {code_span(plan.arm_a.label())}, B = {code_span(plan.arm_b.label())}; "
            f"compared on {_text(metric)}{inverse}"
        )
        for extra in plan.extras:
            out.append(f"- extra: {_text(extra.label)} = {code_span(extra.spec.label())}")
    if plan.substitutions:
        out.append("- substitutions:")
        out += [f"  - {_text(s)}" for s in plan.substitutions]
    if plan.inconclusive_reason:
        out.append(f"- not measured: {_text(plan.inconclusive_reason)}")
    v = c.verdict
    if v is not None:
        out.append(f"- verdict: **{v.verdict.value}**: {_text(v.reason)}")
        if v.extras:
            out.append(f"- beside it: {_text('; '.join(e.text for e in v.extras))}")
        if v.hardware:
            out.append(f"- hardware: {_text(v.hardware)}")
        if v.labels:
            out.append(f"- labels: {_text(', '.join(v.labels))}")
    out.append("")
    return out


def render_json(checks: Sequence[EmpiricalCheck]) -> str:
    return json.dumps([c.model_dump(mode="json") for c in checks], indent=2, ensure_ascii=False) + "\n"
