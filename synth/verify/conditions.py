"""What a sentence says about the setting of one of its figures, besides its value: the hardware it ran on,
whether it is an average or a maximum, what a count is per, the unit a table's header gives its cells.

Pure functions of the text (and a figure's span in it), used by slot alignment (`synth.verify.align`) to tell a
figure stated for another setting from the claim's own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from synth.verify.numeric import extract_numbers

_HEADER_UNIT = re.compile(
    r"\((ns|µs|μs|us|ms|s|sec|seconds|milliseconds|microseconds|min|minutes|KB|MB|GB|TB|KiB|MiB|GiB)\)"
)


def header_unit(sentence: str) -> tuple[str, float] | None:
    """The one unit a table's header gives its cells ("Latency (ms)"): (normalised unit, scale), read by the
    quantity parser; None when the header gives none or several."""
    units = set()
    for written in _HEADER_UNIT.findall(sentence):
        numbers = extract_numbers(f"1 {written}")
        if numbers and numbers[0].unit:
            units.add((numbers[0].unit, numbers[0].value))
    return units.pop() if len(units) == 1 else None


_ACCELERATOR = re.compile(
    r"\b(?:[AHLBV]\d{2,3}S?|[AH]800|A10G?|T4|P100|A6000|GH200|GB200|(?:RTX|GTX)\s?\d{4}(?:\s?Ti)?|MI\d{3}X?|"
    r"TPU\s?v\d\w*|Gaudi\s?\d?)\b"
)


def accelerators(text: str) -> set[str]:
    """The GPU or accelerator models a text names ("A100", "H100", "RTX 4090", "TPU v4"), spaces dropped."""
    return {m.group(0).replace(" ", "").upper() for m in _ACCELERATOR.finditer(text)}


def hardware_swapped(claim: str, sentences: Sequence[str]) -> str:
    """The evidence's sentence naming the hardware the experiments ran on, when it is not the claim's: a paper
    states its hardware, so "eight H100 GPUs" against "8 A100 GPUs" is a swapped condition, not a missing one. ""
    when the claim names no accelerator or the evidence names the claim's."""
    mine = accelerators(claim)
    if not mine:
        return ""
    named = [(s, accelerators(s)) for s in sentences]
    if any(mine & theirs for _, theirs in named):
        return ""
    return next((s for s, theirs in named if theirs and _GPU_WORD.search(s)), "")


_GPU_WORD = re.compile(r"\b(?:GPUs?|TPUs?|accelerators?|devices?|nodes?|cards?)\b", re.I)


_MAX_BEFORE = re.compile(
    r"(?:\bup to|\bat most|\bas (?:high|much|fast|large) as|\bpeak(?:s|ed|ing)?(?: at)?|\btop(?:s|ped|ping)? out at|"
    r"\bmaximum(?: \w+)?(?: of)?|\bhighest(?: \w+)?(?: of)?|\bbest(?: \w+)? of)\s*"
    r"(?:about|roughly|around|approximately|nearly|~|≈)?\s*$",
    re.I,
)
_MEAN_BEFORE = re.compile(
    r"\b(?:on average|average(?:s|d)?|mean|avg\.?)(?:\s+[\w-]+){0,2}(?:\s+(?:of|by|is|was))?\s*$", re.I
)
_MEAN_AFTER = re.compile(r"^\s*(?:\w+\s+)?(?:on|in) (?:average|avg\.?)\b", re.I)  # not "4,096 average context"


def statistic_of(sentence: str, start: int, end: int) -> str:
    """Which statistic a figure is, where the sentence says: "maximum" ("up to 2.08x", "tops out at") or "average"
    ("1.7x on average", "an average speedup of 1.7x"); "" otherwise."""
    before = sentence[max(0, start - 40) : start]
    if _MAX_BEFORE.search(before):
        return "maximum"
    if _MEAN_BEFORE.search(before) or _MEAN_AFTER.match(sentence[end : end + 25]):
        return "average"
    return ""


_PER_UNIT = re.compile(
    r"^[^\d;:]{0,60}?\bper\s+(?:(?P<n>\d+(?:\.\d+)?|a|an|one|each)\s+)?"
    r"(?P<u>seconds?|secs?|minutes?|mins?|hours?|days?|steps?|iterations?|tokens?|requests?|queries|query|GPUs?|"
    r"nodes?|batch(?:es)?|samples?)\b",
    re.I,
)
_PER_SECONDS = {"second": 1.0, "sec": 1.0, "minute": 60.0, "min": 60.0, "hour": 3600.0, "day": 86400.0}


def per_unit(sentence: str, end: int) -> tuple[float, str, str] | None:
    """What a count is per ("7.12 scale-up operations per 10 seconds"): (amount in seconds or 1, unit, as
    written), or None. Time denominators compare by length, so "per 60 seconds" is "per minute"."""
    m = _PER_UNIT.match(sentence[end:])
    if not m:
        return None
    unit = m["u"].lower()
    unit = {"queries": "query", "batches": "batch"}.get(unit, unit.rstrip("s") if unit not in ("s",) else unit)
    amount = float(m["n"]) if m["n"] and m["n"][0].isdigit() else 1.0
    if unit in _PER_SECONDS:
        return (amount * _PER_SECONDS[unit], "s", m.group(0)[m.start("n") if m["n"] else m.start("u") :].strip())
    return (amount, unit, m.group(0)[m.start("n") if m["n"] else m.start("u") :].strip())
