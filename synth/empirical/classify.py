"""Read a measurable claim into two arms, a quantity and a claimed relation, by rules alone.

Absolute figures from a paper depend on its GPU, so what can be re-measured
here is a *ratio* between two arms that differ in one knob: a technique
(CAD vs vanilla), a precision (int8 vs int4), a model size (2B vs 1B), or MoE
vs dense. Rules (not an LM) keep every reading explainable by the span it came
from, and cheap enough to run on every claim of a report.

Sentences from papers are often compound ("CAD boosts pass@10 ..., while RAG
has minimal impact on throughput"), so the reader works on located hits:
quantity cues, relation cues and arm mentions. Each relation goes to the
nearest quantity cue; each quantity with a relation is one part, whose arms
are the mentions in its clauses (or the nearest ones before them).
`classify_claim_parts` returns every measurable part; `classify_claim` the first.
The lexicon (what each word means) is in `cues`; this module assembles it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from synth.core.measurement import AbsoluteFigure, Arm, Axis, ClaimCategory, ClaimType, Direction, Relation
from synth.empirical.cues import (
    ABSOLUTE,
    HARDWARE,
    Mention,
    QuantityHit,
    RelationHit,
    Span,
    find_mentions,
    find_quantities,
    find_relations,
)


@dataclass
class _Part:
    quantity: str
    qhits: list[QuantityHit] = field(default_factory=list)
    rhits: list[RelationHit] = field(default_factory=list)


# ---------------------------------------------------------------- clauses, pivots

_BOUNDARY = re.compile(
    r";|:\s|\s[-–—]\s|—|,\s*(?=(?:while|whereas|although|though|but|albeit|yet)\b)|"
    r"\s(?=(?:while|whereas|although|but)\s)",
    re.I,
)
_PIVOT = re.compile(
    r"\bthan\b|\bcompared\s+(?:to|with|against)\b|\brelative\s+to\b|\bversus\b|\bvs\.?(?=\s)|\boutperform\w*|"
    r"\bover\b|\brival\w*|\bagainst\b|\bas\s+\w+\s+as\b|"
    r"\b(?:comparable|similar|equal|identical|close|equivalent)\b(?:\s+\w+){0,4}?\s+(?:to|with)\b|\bsimilarly\s+to\b",
    re.I,
)
_TRADE_OFF = re.compile(r"\btrade-?offs?\b", re.I)
_TABLE = re.compile(r"\(\s*[↑↓†î]\s*\)|\\(?:up|down)arrow")
_MAX_NUMBERS = 16  # a sentence with more figures than this is a table flattened by PDF extraction
_FEASIBILITY = re.compile(r"\bcan\s+(?:be\s+)?(?:deployed|run|fit|used|served)\b", re.I)


# Stronger than a clause: a new sentence or a bullet glued on by PDF extraction starts a new part.
_SEGMENT = re.compile(r"\.(?:\[\d+\]|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)?\s+(?=[A-Z•*\-–—])|\s[-–—•]\s|\*\*|:\s")  # not "sec. for"


@dataclass(frozen=True)
class _Layout:
    text: str
    clause: list[int]  # clause index of every character
    segment: list[int]  # segment index of every character


def _index_of(text: str, *boundaries: re.Pattern[str]) -> list[int]:
    index = [0] * (len(text) + 1)
    bounds = sorted({m.start() for boundary in boundaries for m in boundary.finditer(text)})
    current, b = 0, 0
    for i in range(len(text) + 1):
        while b < len(bounds) and bounds[b] <= i:
            current += 1
            b += 1
        index[i] = current
    return index


def _layout(text: str) -> _Layout:
    """Clauses end at ';', ':', a dash or ', while/although/but'; segments at sentence ends and bullets."""
    return _Layout(text, _index_of(text, _BOUNDARY, _SEGMENT), _index_of(text, _SEGMENT))


def _distance(a: Span, b: Span, layout: _Layout) -> int:
    gap = max(0, max(a.start, b.start) - min(a.end, b.end))
    gap += 1000 if layout.clause[a.start] != layout.clause[b.start] else 0
    return gap + (5000 if layout.segment[a.start] != layout.segment[b.start] else 0)


# ---------------------------------------------------------------- parts


def _parts(qhits: list[QuantityHit], rhits: list[RelationHit], layout: _Layout) -> list[_Part]:
    """One part per quantity per segment; each relation goes to its nearest quantity cue."""
    parts: dict[tuple[str, int], _Part] = {}
    for q in qhits:
        parts.setdefault((q.quantity, layout.segment[q.start]), _Part(q.quantity)).qhits.append(q)
    if not qhits:
        return []
    for r in rhits:
        nearest = min(qhits, key=lambda q: (_distance(r, q, layout), q.start))
        if layout.segment[nearest.start] == layout.segment[r.start]:  # a relation never crosses a sentence
            parts[(nearest.quantity, layout.segment[nearest.start])].rhits.append(r)
    return list(parts.values())


def _resolve_direction(direction: str | None, quantity: str) -> Direction | None:
    """'better' means higher throughput or accuracy but lower latency or memory."""
    if direction is None:
        return None
    lower_is_better = quantity in ("latency", "memory")
    mapping = {
        "better": "lower" if lower_is_better else "higher",
        "worse": "higher" if lower_is_better else "lower",
        "not_better": "not_lower" if lower_is_better else "not_higher",
        "not_worse": "not_higher" if lower_is_better else "not_lower",
    }
    return mapping.get(direction, direction)  # type: ignore[return-value]


def _relation(part: _Part) -> Relation | None:
    if not part.rhits:
        return None
    best = min(part.rhits, key=lambda r: (r.rank, r.start))
    direction = _resolve_direction(best.direction, part.quantity)
    if best.ratio is not None and direction is None:
        direction = "same" if best.ratio == 1.0 else None
    return Relation(
        ratio=best.ratio, low=best.low, high=best.high, direction=direction, max_abs_diff=best.max_abs_diff,
        text=" ".join(best.text.split()),
    )  # fmt: skip


def _scope_mentions(part: _Part, mentions: list[Mention], layout: _Layout) -> list[Mention]:
    """Mentions in the part's clauses; else the nearest before them (the subject of 'although at the cost ...')."""
    clause = layout.clause
    clauses = {clause[h.start] for h in part.qhits} | {clause[h.start] for h in part.rhits}
    inside = [m for m in mentions if clause[m.start] in clauses]
    if inside:
        return inside
    segment = layout.segment[part.qhits[0].start]
    same = [m for m in mentions if layout.segment[m.start] == segment]
    first = min(clauses)
    before = [m for m in same if clause[m.start] < first]
    if before:
        last_clause = max(clause[m.start] for m in before)
        near = [m for m in before if clause[m.start] == last_clause]
        picked: list[Mention] = []
        for axis in dict.fromkeys(m.axis for m in near):
            values = _dedupe([m for m in near if m.axis == axis])  # first mention of each value
            picked.append(values[-1])  # the last-named value of each axis: the nearest subject
            if len(values) > 1 and _coordinated(layout.text, values[-2], values[-1]):
                picked.append(values[-2])  # "CAD and RAG ... faster": both, refused as ambiguous later
        return sorted(picked, key=lambda m: m.start)
    after = [m for m in same if clause[m.start] > max(clauses)]
    if after:
        nxt = min(clause[m.start] for m in after)
        return [m for m in after if clause[m.start] == nxt]
    return []


_COORDINATION = re.compile(r"[\s),]*(?:(?:and|or|&|/)\s+)?(?:the\s+)?", re.I)


def _coordinated(text: str, first: Mention, second: Mention) -> bool:
    """'CAD and RAG', 'RAG or CoT', 'CAD, RAG': one statement about both, not a comparison of them."""
    between = re.sub(r"\([^()]{0,40}\)", "", text[first.end : second.start])  # "decoding (CAD) and ..."
    linked = re.search(r"[,&/]|\b(?:and|or)\b", between)
    return bool(between.strip()) and bool(linked) and bool(_COORDINATION.fullmatch(between))


def _dedupe(mentions: list[Mention]) -> list[Mention]:
    seen: set[tuple[object, ...]] = set()
    out = []
    for m in mentions:
        if m.key() not in seen:
            seen.add(m.key())
            out.append(m)
    return out


def _arm(mentions: list[Mention], label: str, named: bool = True) -> Arm:
    arm = Arm(label=label or "(unnamed)", named=named)
    for m in mentions:
        if m.axis == "technique":
            arm.technique = m.technique
        elif m.axis == "precision":
            arm.precision = m.precision
        elif m.axis == "size":
            arm.family, arm.version, arm.sizes_b = m.family, m.version, list(m.sizes_b)
            arm.relative_size = m.relative_size  # type: ignore[assignment]
        elif m.axis == "moe":
            arm.moe = m.moe
    return arm


_PRIMARY_ORDER = ("moe", "technique", "precision", "size")
_DEFAULT_A = {
    "technique": Arm(label="vanilla decoding (the claim's baseline)", technique="vanilla", named=False),
    "precision": Arm(label="unquantized weights (the claim's reference)", precision="unquantized", named=False),
    "size": Arm(label="the claim's reference model (not named)", named=False),
    "moe": Arm(label="a dense model (the claim's reference)", moe=False, named=False),
}
_STEP_DOWN = {"fp32": "fp16", "bf16": "int8", "fp16": "int8", "int8": "int4", "int4": "int3", "unquantized": "int8"}
_STEP_UP = {v: k for k, v in _STEP_DOWN.items() if k != "bf16" and k != "unquantized"}


def _from_to_pair(text: str, ms: list[Mention]) -> tuple[Mention, Mention] | None:
    for a, b in zip(ms, ms[1:], strict=False):
        if a.axis != b.axis:
            continue
        if re.search(r"\bfrom\s+(?:the\s+|a\s+|an\s+)?$", text[max(0, a.start - 12) : a.start], re.I) and re.fullmatch(
            r"\W*(?:\w+\W+){0,3}?to\s+(?:the\s+|a\s+|an\s+)?", text[a.end : b.start], re.I
        ):
            return a, b
    return None


def _arms(text: str, scope: list[Mention], notes: list[str]) -> tuple[Arm, Arm, list[str]] | str | None:
    """Arm A (reference) and arm B (the claim's subject), and the axes on which they differ."""
    scope = [m for m in scope if not (m.axis == "moe" and m.moe is False and not any(x.moe for x in scope))]
    if not scope:
        return None
    pair = _from_to_pair(text, scope)
    if pair is not None:
        a_side, b_side = [pair[0]], [pair[1]]
        rest = [m for m in scope if m is not pair[0] and m is not pair[1]]
    else:
        pivots = [p for p in _PIVOT.finditer(text) if scope[0].start < p.start() < scope[-1].end]
        a_side, b_side, rest = [], [], []
        for p in pivots:
            before = [m for m in scope if m.end <= p.start()]
            after = [m for m in scope if m.start >= p.end()]
            axes_both = {m.axis for m in before} & {m.axis for m in after}
            if axes_both:
                b_side = [m for m in before if m.axis in axes_both]
                a_side = [m for m in after if m.axis in axes_both]
                rest = [m for m in scope if m not in b_side and m not in a_side]
                break
    if a_side and b_side:
        shared = {m.axis: m for m in reversed(rest)}
        arm_b = _arm([*shared.values(), *_first_per_axis(b_side)], " ".join(m.label for m in _dedupe(b_side)))
        arm_a = _arm([*shared.values(), *_first_per_axis(a_side)], " ".join(m.label for m in _dedupe(a_side)))
        _resolve_relative_precision(arm_a, arm_b, notes)
        return arm_a, arm_b, _differing(arm_a, arm_b)
    # No pivot: the primary axis varies (first value is B, a second value or the default is A); others are shared.
    distinct = _dedupe(scope)
    by_axis: dict[str, list[Mention]] = {}
    for m in distinct:
        if m.axis == "technique" and m.technique == "vanilla":
            continue
        by_axis.setdefault(m.axis, []).append(m)
    primary = next((axis for axis in _PRIMARY_ORDER if axis in by_axis), None)
    if primary is None:
        return None
    values = by_axis[primary]
    if len(values) > 1 and _coordinated(text, values[0], values[1]):
        both = f"{values[0].label} and {values[1].label}"
        return f"it says the same of {both} at once, with no reference arm: state one claim each"
    if primary == "size" and any(v.relative_size for v in values) and any(not v.relative_size for v in values):
        values = [v for v in values if not v.relative_size]  # "smaller LMs (3B or less)": one arm, said twice
    shared = [ms[0] for axis, ms in by_axis.items() if axis != primary]
    arm_b = _arm([*shared, values[0]], values[0].label)
    if len(values) > 1:
        arm_a = _arm([*shared, values[1]], values[1].label)
        if len(values) > 2:
            notes.append(f"also names {', '.join(v.label for v in values[2:])}: only the first two are compared")
    else:
        default = _DEFAULT_A[primary].model_copy(deep=True)
        arm_a = _arm(shared, "", named=False)
        for name in ("technique", "precision", "moe"):
            if getattr(default, name) is not None:
                setattr(arm_a, name, getattr(default, name))
        arm_a.label = default.label
        if primary == "size":
            arm_a.family = arm_a.version = None
            arm_a.sizes_b = []
    _resolve_relative_precision(arm_a, arm_b, notes)
    return arm_a, arm_b, _differing(arm_a, arm_b)


def _first_per_axis(ms: list[Mention]) -> list[Mention]:
    out: dict[str, Mention] = {}
    for m in ms:
        out.setdefault(m.axis, m)
    return list(out.values())


def _resolve_relative_precision(arm_a: Arm, arm_b: Arm, notes: list[str]) -> None:
    """'lower precision models' means one step below the other arm's precision (int8 → int4)."""
    for this, other in ((arm_a, arm_b), (arm_b, arm_a)):
        if this.precision in ("lower", "higher") and other.precision:
            table = _STEP_DOWN if this.precision == "lower" else _STEP_UP
            resolved = table.get(other.precision)
            if resolved:
                notes.append(f"'{this.label}' read as {resolved} (one step from {other.precision})")
                this.precision = resolved


def _differing(a: Arm, b: Arm) -> list[str]:
    axes = []
    if (a.moe is not None or b.moe is not None) and a.moe != b.moe:
        axes.append("moe")
    if (a.technique or "vanilla") != (b.technique or "vanilla"):
        axes.append("technique")
    if a.precision != b.precision and (a.precision or b.precision):
        axes.append("precision")
    if (a.family, tuple(a.sizes_b), a.relative_size) != (b.family, tuple(b.sizes_b), b.relative_size):
        axes.append("size")
    return axes


# ---------------------------------------------------------------- type


def _unmeasurable(text: str, reason: str, quantity: str | None = None, relation: Relation | None = None) -> ClaimType:
    return ClaimType(
        text=text, type=ClaimCategory.UNMEASURABLE, reason=reason, quantity=quantity,  # type: ignore[arg-type]
        relation=relation,
    )  # fmt: skip


_MEMORY_PEAK = re.compile(r"overhead|during\s+(?:generation|inference|decoding)|kv[- ]?cache|activation|peak", re.I)


def _memory_kind(text: str, axes: list[str]) -> str:
    if _MEMORY_PEAK.search(text) or axes == ["technique"]:
        return "peak"
    return "model"


def _type_part(text: str, part: _Part, mentions: list[Mention], layout: _Layout) -> ClaimType:
    relation = _relation(part)
    quantity = part.quantity
    hardware_match = HARDWARE.search(text)
    hardware = hardware_match.group(0) if hardware_match else None
    notes: list[str] = []
    scope = _scope_mentions(part, mentions, layout)
    arms = _arms(text, scope, notes)
    if relation is None or relation.ratio is None and relation.direction is None:
        absolute = _absolute_in(text, part, layout.clause)
        if absolute is not None and quantity != "accuracy":
            return ClaimType(
                text=text, type=ClaimCategory.ABSOLUTE_ON_HARDWARE, quantity=quantity,  # type: ignore[arg-type]
                arm_b=arms[1] if isinstance(arms, tuple) else None, absolute=absolute,
                hardware=hardware or "unstated hardware",
            )  # fmt: skip
        return _unmeasurable(text, "it states no comparison or figure to re-measure (a description, not a result)",
                             quantity)  # fmt: skip
    if isinstance(arms, str):
        return _unmeasurable(text, arms, quantity, relation)
    if arms is None or not arms[2]:
        return _unmeasurable(
            text, "it names no technique, precision or model to measure (a pronoun or a generic phrase stands for "
            "it): restate the claim with what is compared", quantity, relation,
        )  # fmt: skip
    arm_a, arm_b, axes = arms
    if axes == ["size"] and not (arm_a.sizes_b or arm_b.sizes_b or arm_a.family or arm_b.family):
        return _unmeasurable(
            text, "it speaks of larger or smaller models in general and names no model or size to measure",
            quantity, relation,
        )  # fmt: skip
    if not arm_a.named and relation.ratio is None and relation.direction in ("higher", "lower"):
        absolute = _absolute_in(text, part, layout.clause)
        if absolute is not None and "size" in axes:
            return ClaimType(
                text=text, type=ClaimCategory.ABSOLUTE_ON_HARDWARE, quantity=quantity,  # type: ignore[arg-type]
                arm_b=arm_b, absolute=absolute, hardware=hardware or "unstated hardware",
            )  # fmt: skip
    if quantity == "accuracy":
        if "precision" not in axes:
            return _unmeasurable(
                text, "accuracy is re-measured only across precisions: a technique's or another model's pass@k "
                "needs the paper's own weights and full benchmark", quantity, relation,
            )  # fmt: skip
        category = ClaimCategory.ACCURACY_UNDER_QUANTIZATION
    elif quantity == "memory":
        category = ClaimCategory.RELATIVE_MEMORY
    elif "moe" in axes:
        category = ClaimCategory.MOE_VS_DENSE
    elif "technique" in axes:
        category = ClaimCategory.RELATIVE_THROUGHPUT_TECHNIQUES
    elif "precision" in axes:
        category = ClaimCategory.RELATIVE_THROUGHPUT_PRECISIONS
    else:
        category = ClaimCategory.RELATIVE_THROUGHPUT_SIZES
    ordered: list[Axis] = [a for a in ("moe", "technique", "precision", "size") if a in axes]  # type: ignore[misc]
    return ClaimType(
        text=text, type=category, quantity=quantity, axes=ordered, arm_a=arm_a, arm_b=arm_b,  # type: ignore[arg-type]
        relation=relation, hardware=hardware, notes=notes,
        memory_kind=_memory_kind(text, axes) if quantity == "memory" else None,  # type: ignore[arg-type]
    )  # fmt: skip


def _absolute_in(text: str, part: _Part, clause: list[int]) -> AbsoluteFigure | None:
    clauses = {clause[h.start] for h in part.qhits}
    for m in ABSOLUTE.finditer(text):
        unit = " ".join(m["unit"].split())
        kind = "memory" if unit.lower() in ("gb", "gib", "mb", "mib") else "latency" if unit == "ms" else "throughput"
        if kind == part.quantity and clause[m.start()] in clauses:
            return AbsoluteFigure(value=float(m["v"]), unit=unit, text=m.group(0))
    return None


def classify_claim_parts(text: str) -> list[ClaimType]:
    """Every measurable quantity of a claim as its own check; one unmeasurable record when there is none."""
    text = " ".join(text.split())
    if _TABLE.search(text) or len(re.findall(r"\d+(?:\.\d+)?", text)) > _MAX_NUMBERS:
        return [_unmeasurable(text, "it reads as a flattened table, not a sentence: state its rows as claims")]
    if _TRADE_OFF.search(text):
        return [_unmeasurable(text, "a trade-off judgement names no single figure or pair of arms to re-measure")]
    qhits = find_quantities(text)
    if not qhits:
        reason = (
            "a feasibility statement ('can be deployed / run on ...') with no figure to re-measure"
            if _FEASIBILITY.search(text)
            else "it states no throughput, latency, memory or accuracy outcome"
        )
        return [_unmeasurable(text, reason)]
    mentions = find_mentions(text)
    spans = [(m.start, m.end) for m in mentions]
    # 'lower precision' and 'larger model' are arms, not claimed directions
    rhits = [r for r in find_relations(text) if not any(s <= r.start and r.end <= e for s, e in spans)]
    layout = _layout(text)
    typed = [_type_part(text, part, mentions, layout) for part in _parts(qhits, rhits, layout)]
    measurable = [t for t in typed if t.type != ClaimCategory.UNMEASURABLE]
    if measurable:
        unique: dict[str, ClaimType] = {}
        for t in measurable:  # "the worst throughput" again later in the sentence is the same check
            key = t.model_dump_json(include={"type", "quantity", "arm_a", "arm_b"})
            unique.setdefault(key, t)
        return list(unique.values())
    # Say why the cost part cannot be measured rather than the accuracy aside next to it.
    ranked = sorted(typed, key=lambda t: (t.relation is None, t.quantity == "accuracy"))
    return [ranked[0]]


def classify_claim(text: str) -> ClaimType:
    """The first measurable reading of a claim (or why it is unmeasurable)."""
    return classify_claim_parts(text)[0]
