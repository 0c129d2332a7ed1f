"""Numeric checking: read the numbers a claim states and compare them with the evidence.

An LM judge is poor at arithmetic; a claim that says "2.3x" where the paper says
"1.6x" is the commonest way a synthesis goes wrong in quantitative ML papers.
Everything here is a pure function over strings, so it is cheap to run on every
(claim, evidence window) pair and easy to test. The numbers are read by the one
quantity parser, `synth.core.quantities.extract_numbers` (re-exported here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from synth.core.quantities import ClaimNumber, Quantity, extract_numbers

__all__ = [
    "ClaimNumber", "NumberCheck", "NumericOutcome", "NumericResult", "Quantity", "check_numbers", "extract_numbers",
]  # fmt: skip

_CHANGE = re.compile(
    r"improv|increas|decreas|reduc|drop|gain|rais|rise|rose|fall|fell|cut|lower|higher|more|less|fewer|faster|"
    r"slower|by\s+\d|relative|boost|degrad|loss|lost|saving|overhead",
    re.I,
)


class NumericOutcome(StrEnum):
    MATCH = "match"  # every checkable number agrees with the evidence
    MISMATCH = "mismatch"  # a number about the same quantity disagrees: strong evidence of REFUTED
    UNCHECKED = "unchecked"  # the evidence states nothing comparable


@dataclass
class NumberCheck:
    claim: ClaimNumber
    outcome: NumericOutcome
    evidence: str | None = None
    detail: str = ""


@dataclass
class NumericResult:
    outcome: NumericOutcome
    checks: list[NumberCheck] = field(default_factory=list)

    @property
    def mismatches(self) -> list[NumberCheck]:
        return [c for c in self.checks if c.outcome is NumericOutcome.MISMATCH]


def _close(a: float, b: float, rel_tol: float, abs_tol: float = 0.0) -> bool:
    return abs(a - b) <= max(rel_tol * max(abs(a), abs(b)), abs_tol)


def _within(claim: ClaimNumber, value: float, rel_tol: float, abs_tol: float = 0.0) -> bool:
    if claim.low is not None and claim.high is not None:
        return claim.low * (1 - rel_tol) - abs_tol <= value <= claim.high * (1 + rel_tol) + abs_tol
    return _close(claim.value, value, rel_tol, abs_tol)


def _derived(evidence: list[ClaimNumber]) -> list[tuple[str, float, str]]:
    """Values a claim may state that the evidence implies: ratios of two same-unit figures
    (58 vs 110 tokens/s -> 0.53x, 1.9x) and differences of two percentages (in pp)."""
    out: list[tuple[str, float, str]] = []
    for i, a in enumerate(evidence):
        for b in evidence[i + 1 :]:
            if a.unit != b.unit or a.unit in {"x", "pp", "bit", ""} or a.value == 0 or b.value == 0:
                continue
            out.append(("x", b.value / a.value, f"{b.text} / {a.text}"))
            out.append(("x", a.value / b.value, f"{a.text} / {b.text}"))
            if a.unit == "%":
                out.append(("pp", abs(b.value - a.value), f"{b.text} - {a.text}"))
                out.append(("%", abs(b.value / a.value - 1) * 100, f"relative change {a.text} -> {b.text}"))
    return out


def check_numbers(claim: str, evidence: str, rel_tol: float = 0.03, ratio_tol: float = 0.10) -> NumericResult:
    """Compare the numbers stated in `claim` with those in `evidence`.

    A claim number matches an evidence number of the same unit (and compatible
    quantity) within `rel_tol` (percentages: within 0.5 points, printed rounding),
    or a ratio/difference the evidence implies within `ratio_tol`. A claim number
    whose same-unit, same-quantity evidence numbers (stated or implied) all
    disagree is a mismatch.
    """
    claim_numbers = [n for n in extract_numbers(claim) if n.unit not in {"", "bit"}]
    evidence_numbers = extract_numbers(evidence)
    derived = _derived(evidence_numbers)
    checks: list[NumberCheck] = []
    for number in claim_numbers:
        same_unit = [e for e in evidence_numbers if e.unit == number.unit]
        comparable = [
            e for e in same_unit if number.quantity is Quantity.OTHER or e.quantity in {number.quantity, Quantity.OTHER}
        ]
        percent = number.unit in {"%", "pp"}
        abs_tol, tol = (0.5, 0.0) if percent else (0.0, rel_tol)
        hit = next(
            (e for e in comparable if _within(number, e.value, tol, abs_tol) or _within(e, number.value, tol, abs_tol)),
            None,
        )
        if hit is None and number.unit == "pp":  # "5 pp" may be printed as "5%" in a table
            hit = next((e for e in evidence_numbers if e.unit == "%" and _within(number, e.value, 0.0, 0.5)), None)
        if hit is not None:
            checks.append(NumberCheck(number, NumericOutcome.MATCH, hit.text, "stated in the evidence"))
            continue
        implied_same_unit = [d for d in derived if d[0] == number.unit]
        if number.unit == "%" and not _CHANGE.search(claim[max(0, number.start - 40) : number.start + 40]):
            implied_same_unit = []  # "reaches 17%" is a level, not a relative change
        implied = next((d for d in implied_same_unit if _within(number, d[1], ratio_tol, abs_tol)), None)
        if implied is not None:
            checks.append(NumberCheck(number, NumericOutcome.MATCH, implied[2], f"implied: {implied[1]:.3g}"))
            continue
        if comparable:
            stated = ", ".join(e.text for e in comparable[:4])
            checks.append(NumberCheck(number, NumericOutcome.MISMATCH, stated, f"evidence states {stated}"))
        elif number.unit == "x" and implied_same_unit:
            ratios = ", ".join(f"{d[1]:.2f}x ({d[2]})" for d in implied_same_unit[:2])
            checks.append(NumberCheck(number, NumericOutcome.MISMATCH, ratios, f"evidence implies {ratios}"))
        else:
            checks.append(NumberCheck(number, NumericOutcome.UNCHECKED, None, "nothing comparable in the evidence"))
    if any(c.outcome is NumericOutcome.MISMATCH for c in checks):
        outcome = NumericOutcome.MISMATCH
    elif checks and all(c.outcome is NumericOutcome.MATCH for c in checks):
        outcome = NumericOutcome.MATCH
    else:
        outcome = NumericOutcome.UNCHECKED
    return NumericResult(outcome, checks)
