"""The quantity model: one reader of the numbers a sentence states, for claims, verify and empirical.

`extract_numbers` reads a sentence into `ClaimNumber` records: the value with a
normalised unit (%, pp, x, tokens/s, requests/s, s, GB, B parameters, bit, or ''
for a plain number), a range's ends, a bound ("up to" -> le, "at least" -> ge),
an approximation word ("about", "~"), the direction word of the number's phrase
("2x faster", "reduces latency by 40%", "halves") and a from/to role
("from 39% to 45%"). Multipliers may be written as figures ("2.3x", "2.54×",
pypdf's "2.54ˆ", "3 times", "3-fold") or as words ("twice", "halves",
"by a factor of three", "an order of magnitude"). Numbers inside names
("EAGLE-2", "GSM8K", "Llama-3", "v1.5", "pass@1") and years are not read; a
model name's size ("Qwen2.5-7B") is read as a size.

What a direction *means* for a quantity (slower latency is better, a slower
decoder is worse) is left to the callers; `direction` is only the sense of the
word ("faster", "more", "increase" -> higher; "slower", "less", "reduces" -> lower).
Everything here is a pure function over strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, model_validator

Bound = Literal["le", "ge", "approx"]
Direction = Literal["higher", "lower"]
Role = Literal["from", "to"]


class Quantity(StrEnum):
    """What a number in a claim measures; drives which numbers may be compared."""

    THROUGHPUT = "throughput"
    LATENCY = "latency"
    MEMORY = "memory"
    ACCURACY = "accuracy"
    SPEEDUP = "speedup"
    SIZE = "size"
    COST = "cost"
    OTHER = "other"


class ClaimNumber(BaseModel):
    value: float = Field(description="The number as stated (a range's midpoint when `low`/`high` are set).")
    low: float | None = Field(None, description="Lower end of a stated range.")
    high: float | None = Field(None, description="Upper end of a stated range.")
    unit: str = Field(
        "", description="Normalised unit: %, pp, x, tokens/s, requests/s, s, GB, B (params), bit, or '' (plain)."
    )
    quantity: Quantity = Quantity.OTHER
    text: str = Field(description="The span the number was read from, as written.")
    start: int = Field(description="Character offset of the span in its sentence.")
    end: int = Field(-1, description="Character offset just past the span (start + len(text)).")
    approx: bool = Field(False, description="Stated with an approximation word: about, roughly, ~, nearly, ...")
    bound: Bound | None = Field(
        None,
        description="le: an upper bound ('up to', 'less than', '<'); ge: a lower bound ('over', 'at least', '>'); "
        "approx: approximate and unbounded.",
    )
    direction: Direction | None = Field(
        None,
        description="Sense of the number's direction word ('2x faster', 'reduces ... by 40%', 'halves'): the "
        "word's sense, not whether it is better for the quantity.",
    )
    role: Role | None = Field(None, description="Place in a change 'from A to B'.")
    phrase_start: int = Field(-1, description="Start of the number's phrase: bound/approx words, direction cue.")
    phrase_end: int = Field(-1, description="End of the number's phrase.")

    @model_validator(mode="after")
    def _offsets(self) -> ClaimNumber:
        if self.end < 0:
            self.end = self.start + len(self.text)
        if self.phrase_start < 0:
            self.phrase_start = self.start
        if self.phrase_end < 0:
            self.phrase_end = self.end
        return self


# ---------------------------------------------------------------- numbers and words

NUMBER_WORDS: dict[str, float] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "twenty": 20, "fifty": 50, "hundred": 100, "a hundred": 100, "thousand": 1000,
    "twice": 2, "thrice": 3, "half": 0.5,
}  # fmt: skip
_WORD = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|fifty|(?:a\s+)?hundred|thousand"


def parse_number(token: str) -> float:
    """A figure as written ("4,039", "2.5") or a number word ("three", "twice", "half")."""
    token = " ".join(token.lower().split())
    if token in NUMBER_WORDS:
        return float(NUMBER_WORDS[token])
    return float(token.replace(",", ""))


# A number is not part of a name: "EAGLE-2", "GSM8K", "Llama-3", "v1.5", "pass@1", "ID:42" are not measurements.
_NUM = r"(?<![A-Za-z\d.\-_/@:])(\d+(?:,\d{3})*(?:\.\d+)?)"
_NUM2 = r"(\d+(?:,\d{3})*(?:\.\d+)?)"
_DASH = r"\s*(?:-|–|—|∼|~)\s*"  # "1.8×∼2.4×": a tilde between two figures is a range too
_X = r"[x×ˆ]"  # pypdf renders "×" as "ˆ"
_COUNTED = (
    r"tokens?|words|samples|examples|images|rows|pairs|documents|chunks|steps|context|queries|prompts|sequences|"
    r"instances|problems|questions|tasks|users|requests"
)
_TIME_UNITS = {"ns": 1e-9, "nanosecond": 1e-9, "µs": 1e-6, "μs": 1e-6, "us": 1e-6, "microsecond": 1e-6,
               "ms": 1e-3, "millisecond": 1e-3, "s": 1.0, "sec": 1.0, "second": 1.0, "min": 60.0, "minute": 60.0,
               "h": 3600.0, "hr": 3600.0, "hour": 3600.0}  # fmt: skip
_BYTE_UNITS = {"KB": 1e-6, "MB": 1e-3, "GB": 1.0, "TB": 1e3, "PB": 1e6, "KiB": 2**10 / 1e9, "MiB": 2**20 / 1e9,
               "GiB": 2**30 / 1e9, "TiB": 2**40 / 1e9}  # fmt: skip
_COUNT_SCALES = {"k": 1e3, "K": 1e3, "thousand": 1e3, "M": 1e6, "million": 1e6, "B": 1e9, "billion": 1e9,
                 "T": 1e12, "trillion": 1e12}  # fmt: skip
_PARAM_UNITS = {"K": 1e-6, "M": 1e-3, "B": 1.0, "million": 1e-3, "billion": 1.0}
_APPROX_PREFIX = re.compile(
    r"(?:\b(?:about|roughly|around|approximately|approx\.?|nearly|almost|close\s+to)|~|≈|∼)\s*$", re.I
)
_LE_PREFIX = re.compile(
    r"(?:\b(?:up\s+to|at\s+most|less\s+than|fewer\s+than|lower\s+than|below|under|no\s+more\s+than|within)|<=?|≤)\s*$",
    re.I,
)
_GE_PREFIX = re.compile(
    r"(?:\b(?:over|more\s+than|at\s+least|above|greater\s+than|higher\s+than|exceeding|beyond|no\s+less\s+than|"
    r"upwards\s+of)|>=?|≥)\s*$",
    re.I,
)
_PLACE = re.compile(r"under|over|below|above", re.I)  # "under 4-bit quantization" is a setting, not a bound
_GE_SUFFIX = re.compile(r"^\s*(?:or|and)\s+(?:more|higher|above|greater|over)\b|^\+", re.I)
_LE_SUFFIX = re.compile(r"^\s*(?:or|and)\s+(?:less|lower|below|fewer|under)\b", re.I)
_FROM = re.compile(r"\bfrom\s+$", re.I)
_TO_BETWEEN = re.compile(r"\s*(?:[A-Za-z/.][\w/.]*\s+){0,3}?to\s+")
_BETWEEN = re.compile(r"\bbetween\s+$", re.I)
_LABEL_VALUE = re.compile(r"\b[A-Za-z]\w{0,3}\s?=\s?$")  # "T=0", "L = 12", "k=5": a setting's value
# "ranging from 2.4x to 2.5x", "varies from 3% to 5%": the span of one figure, not a change from one to the other.
_SPAN_FROM = re.compile(r"\b(?:rang(?:e|es|ed|ing)|var(?:y|ies|ied|ying)|spann?(?:s|ed|ing)?)\s+from\s+$", re.I)

# Direction words. After the number: "2x faster", "13% reduction", "twice as fast".
_UP_WORDS = (
    r"faster|quicker|higher|more|greater|larger|bigger|increas\w*|improv\w*|gains?|boosts?|speed-?ups?|"
    r"accelerat\w*|rais\w*|grow\w*|rises?|rose"
)
_DOWN_WORDS = (
    r"slower|lower|less|fewer|smaller|decreas\w*|reduc\w*|degrad\w*|drops?|dropp\w*|loss|losses|lose|loses|"
    r"slow-?downs?|declin\w*|cuts?|cutting|shrink\w*|falls?|fell"
)
_AS_UP = r"fast|quick|high|much|many|large|big"
_AS_DOWN = r"slow|low|few|little|small"
_AFTER = re.compile(
    rf"\s*\)?\s*(?:as\s+(?:(?P<as_up>{_AS_UP})|(?P<as_down>{_AS_DOWN}))\b|"
    rf"(?:(?!(?:than|vs|versus|and|or|to|of|from|but|while|whereas)\b)[A-Za-z][\w@-]*\s+){{0,2}}?"
    rf"(?:(?P<up>{_UP_WORDS})|(?P<down>{_DOWN_WORDS}))\b)",
    re.I,
)
_VERB_UP = r"increas\w*|improv\w*|boost\w*|rais\w*|grow\w*|rises?|rose|accelerat\w*|speeds?\s+up|sped\s+up|gains?|" \
    r"faster|higher|more|speed-?ups?"  # fmt: skip
_VERB_DOWN = r"decreas\w*|reduc\w*|degrad\w*|drops?|dropp\w*|cuts?|cutting|lower\w*|slow\w*|declin\w*|shrink\w*|" \
    r"falls?|fell|lose|loses|losing|loss|slower|less|fewer"  # fmt: skip
_BEFORE_BY = re.compile(
    rf"\b(?:(?P<up>{_VERB_UP})|(?P<down>{_VERB_DOWN}))\s+(?:[A-Za-z][\w@.-]*\s+){{0,3}}?by\s+(?:only\s+|just\s+)?$",
    re.I,
)
_BEFORE_OF = re.compile(
    r"\b(?:(?P<up>increases?|improvements?|gains?|boosts?|speed-?ups?|accelerations?)|"
    r"(?P<down>decreases?|reductions?|drops?|degradations?|loss(?:es)?|slow-?downs?|declines?|cuts?))"
    r"\s+of\s+(?:only\s+|just\s+)?$",
    re.I,
)
_BEFORE_VERB = re.compile(
    r"\b(?:(?P<up>increas\w*|improv\w*|boost\w*|rais\w*|grow\w*|rises?|rose|accelerat\w*|speeds?\s+up|sped\s+up)|"
    r"(?P<down>decreas\w*|reduc\w*|degrad\w*|drops?|dropp\w*|cuts?|cutting|lower(?:s|ed|ing)|slow(?:s|ed|ing)|"
    r"declin\w*|shrink\w*|falls?|fell|lose|loses|losing))\s+"
    r"(?:(?!(?:than|vs|versus|and|or|to|of|from|on|in|at|for|with|the|a|an|is|are|was|were)\b)[A-Za-z][\w@-]*\s+)"
    r"{0,2}$",
    re.I,
)


@dataclass
class _Hit:
    start: int
    end: int
    value: float
    unit: str
    low: float | None = None
    high: float | None = None
    scale: float = 1.0  # normalised value / value as written
    word: str = ""  # a multiplier written in words: times, half, double, triple, quadruple, factor, magnitude
    approx: bool = False
    bound: str | None = None
    direction: str | None = None
    role: Role | None = None
    phrase_start: int = -1
    phrase_end: int = -1


def _f(text: str) -> float:
    return float(text.replace(",", ""))


def _time_scale(unit: str) -> float:
    u = unit.lower() if unit not in ("µs", "μs") else unit
    if u in _TIME_UNITS:
        return _TIME_UNITS[u]
    return _TIME_UNITS.get(u.rstrip("s"), 1.0)


_FIGURES: list[tuple[str, re.Pattern[str]]] = [  # in order: an earlier reading claims its span
    # model-name sizes: "Qwen2.5-7B", "Llama-3.1-8B-Instruct" (the name's other numbers are not read)
    ("named_size", re.compile(r"\b[A-Za-z][\w.\-]*-(?P<n>\d+(?:\.\d+)?)(?P<u>[BMK])\b(?!-?bit)")),
    ("range_x", re.compile(rf"{_NUM}\s*{_X}?{_DASH}{_NUM2}\s*(?:{_X}|times\b|-?fold\b)(?![a-z])", re.I)),
    ("range_pct", re.compile(rf"{_NUM}\s*%?{_DASH}{_NUM2}\s*(?:%|percent\b)")),
    ("range_size", re.compile(rf"{_NUM}\s*(?:[BM])?{_DASH}{_NUM2}\s*([BM])\b(?!-?bit)")),
    ("pp", re.compile(rf"{_NUM}\s*(?:percentage[- ]points?|pp\b|p\.p\.)", re.I)),
    ("pct", re.compile(rf"{_NUM}\s*(?:%|percent\b)", re.I)),
    ("x", re.compile(rf"{_NUM}\s*(?:{_X}(?![a-z0-9])|times\b|-?\s?fold\b)", re.I)),
    ("rate", re.compile(
        rf"{_NUM}(?P<k>[kK])?\s*(?:tokens?\s*/\s*s(?:ec(?:ond)?)?\b|tok\s*/\s*s\b|"
        r"tokens?\s+(?:per|a|each)\s+second\b)", re.I)),
    ("req_rate", re.compile(
        rf"{_NUM}\s*(?:requests?\s*/\s*s(?:ec(?:ond)?)?\b|req\s*/\s*s\b|(?:requests?|queries)\s+per\s+second\b|"
        r"QPS\b|RPS\b)", re.I)),
    ("time", re.compile(
        rf"{_NUM}\s*(ns|nanoseconds?|µs|μs|us|microseconds?|ms|milliseconds?|s|secs?|seconds?|minutes?|mins?|"
        r"hours?|hrs?|h)\b(?!-)", re.I)),
    ("bytes", re.compile(rf"{_NUM}\s*(KB|MB|GB|TB|PB|KiB|MiB|GiB|TiB)\b")),
    # "8K context", "128K sequence length", "2k steps": K is a thousand unless it counts parameters; M, B and T
    # before a counted noun ("1M tokens", "6T tokens") are a million, billion and trillion of it.
    ("count", re.compile(
        rf"{_NUM}\s?(?:(?P<k>[kK])\b(?!-?bit)(?!\s*-?\s*param)|(?P<u>[MBT])\b(?=\s*(?:{_COUNTED})\b))")),
    ("params", re.compile(rf"{_NUM}\s*(B|M|K)\b(?!-?bit)(?!\s*(?:{_COUNTED})\b)")),
    # "146 billion (total) parameters", "22 billion activated": a million or billion of nothing counted is a
    # model size; "1.5 billion tokens" is a count.
    ("params_word", re.compile(rf"{_NUM}\s+(billion|million)\b(?!\s+(?:[\w-]+\s+)?(?:{_COUNTED})\b)", re.I)),
    ("count_word", re.compile(rf"{_NUM}\s+(thousand|million|billion|trillion)\b", re.I)),
    ("bits", re.compile(rf"{_NUM}\s*-?\s*bits?\b", re.I)),
]  # fmt: skip
# A pattern runs only when the sentence holds one of its words (cheap: most sentences state few numbers).
_GATES: dict[str, tuple[str, ...]] = {
    "named_size": ("-",), "range_x": ("-", "–", "—", "∼", "~"), "range_pct": ("-", "–", "—", "∼", "~"),
    "range_size": ("-", "–", "—"),
    "pp": ("p",), "pct": ("%", "percent"), "rate": ("tok",), "req_rate": ("req", "quer", "qps", "rps"),
    "bits": ("bit",), "params_word": ("illion",), "count_word": ("illion", "thousand"),
}  # fmt: skip
_SIZE_LIST = re.compile(r"(?<![\w.])\d+(?:\.\d+)?[BMK](?:\s*/\s*\d+(?:\.\d+)?[BMK])+\b")
_SIZE_ITEM = re.compile(r"(\d+(?:\.\d+)?)([BMK])")
_FACTOR = re.compile(
    rf"\b(?:a\s+)?factor\s+of\s+(?P<pre>(?:about|around|roughly|nearly|approximately|almost)\s+|~\s*)?"
    rf"(?P<n>\d+(?:\.\d+)?|{_WORD})\b",
    re.I,
)
_MAGNITUDE = re.compile(r"\b(?P<n>an|one|two|three|four|five)\s+orders?\s+of\s+magnitude\b", re.I)
_MULTIPLIER_WORDS: list[tuple[str, float, tuple[str, ...], re.Pattern[str]]] = [
    ("times", 0.0, ("times", "fold"), re.compile(rf"\b(?P<n>{_WORD})(?:\s*-\s*|\s+)?(?:times|fold)\b", re.I)),
    ("half", 0.5, ("halv",), re.compile(r"\bhalv(?:es|ed|ing|e)\b", re.I)),
    ("half", 0.5, ("half",), re.compile(
        r"\bhalf\b(?![- ](?:precision|life|duplex|float|floats|the\s+time|of\s+the\s+time))", re.I)),
    ("double", 2.0, ("twice", "doubl"), re.compile(
        r"\btwice\b|\b(?-i:(?!Double[- ][A-Z]))doubl(?:es|ed|ing|e)\b(?![- ](?:precision|blind|check|float))",
        re.I)),
    ("triple", 3.0, ("thrice", "tripl"), re.compile(r"\bthrice\b|\btripl(?:es|ed|ing|e)\b", re.I)),
    ("quadruple", 4.0, ("quadrupl",), re.compile(r"\bquadrupl(?:es|ed|ing|e)\b", re.I)),
]  # fmt: skip
_NOT_A_HALF = re.compile(r"\b(?:first|second|other|latter|former|last|top|bottom|upper|lower)\s+$", re.I)
_PER = re.compile(
    r"\bper\s+(?P<n>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?:ms|milliseconds?|s|secs?|seconds?|minutes?|mins?|hours?|h|"
    r"tokens?|samples?|requests?|queries|steps?|iterations?)\b",
    re.I,
)
_PLAIN = re.compile(rf"(?<!\[){_NUM}(?!\.\d|[\w%\]])")
_VERB_MULTIPLIER = re.compile(r"(?:halv|doubl|tripl|quadrupl)\w*", re.I)
_INTRINSIC = {"half": "lower", "double": "higher", "triple": "higher", "quadruple": "higher"}

_QUANTITY_CUES: list[tuple[Quantity, re.Pattern[str]]] = [
    (Quantity.THROUGHPUT, re.compile(r"throughput|tokens?/s|tok/s|tokens per second|requests?/s", re.I)),
    (Quantity.LATENCY, re.compile(r"latency|time to first token|ttft|\bms\b|seconds?|slower|faster|wall", re.I)),
    (Quantity.MEMORY, re.compile(r"memory|vram|\bram\b|kv.?cache|footprint|\b[GMT]i?B\b", re.I)),
    (Quantity.ACCURACY, re.compile(r"accura|pass@|score|f1|bleu|exact match|success rate|win rate|gsm8k|mmlu", re.I)),
    (Quantity.SPEEDUP, re.compile(r"speed-?up|faster|slower|acceleration", re.I)),
    (Quantity.SIZE, re.compile(r"parameters?|params|\b\d+(?:\.\d+)?[BM]\b", re.I)),
    (Quantity.COST, re.compile(r"cost|\$|usd|price|gpu.?hours", re.I)),
]
_FIXED_QUANTITY = {"tokens/s": Quantity.THROUGHPUT, "requests/s": Quantity.THROUGHPUT, "GB": Quantity.MEMORY,
                   "s": Quantity.LATENCY, "B": Quantity.SIZE}  # fmt: skip


# Quantities a unit cannot measure, so the nearest cue of that kind is someone else's figure.
_NOT_FOR_UNIT = {"%": (Quantity.SIZE,), "pp": (Quantity.SIZE,)}


_NEXT_CLAUSE = 40  # characters a cue past a comma counts as further away: it names the next figure's quantity


def quantity_of(sentence: str, start: int, end: int, unit: str) -> Quantity:
    """The measured quantity: fixed by the unit where it can be, else the cue word nearest the number."""
    if unit in _FIXED_QUANTITY:
        return _FIXED_QUANTITY[unit]
    lo = max(0, start - 50)
    window = sentence[lo : end + 50]
    best: tuple[int, Quantity] | None = None
    for quantity, cue in _QUANTITY_CUES:
        if unit == "x" and quantity is Quantity.LATENCY:
            quantity = Quantity.SPEEDUP  # "3x faster" is a speed-up, not a latency figure
        if quantity in _NOT_FOR_UNIT.get(unit, ()):
            continue  # "with only 28.5% of computations, DeepSeekMoE 145B ...": a share is not a parameter count
        for m in cue.finditer(window):
            a, b = lo + m.start(), lo + m.end()
            distance = start - b if b <= start else a - end if a >= end else 0
            if a >= end and re.search(r"[,;]", sentence[end:a]):
                distance += _NEXT_CLAUSE  # "speedup ratio of 2.7x-3.5x, doubled throughput": the next clause's
            if best is None or distance < best[0]:
                best = (distance, quantity)
    if best is not None:
        return best[1]
    if unit == "x" and multiplies_a_noun(sentence, end):
        return Quantity.OTHER  # "44x FLOP/s", "41x Operational Intensity": a multiple of something, not a speed-up
    return Quantity.SPEEDUP if unit == "x" else Quantity.OTHER


_AFTER_MULTIPLIER = re.compile(r"\s*([A-Za-z][\w/\-]*)((?:\s+[A-Z][\w/\-]*)*)")
# Words that may follow a multiplier that is a speed-up: a comparison, a speed word, a connective.
_SPEED_FOLLOWER_WORDS = """over than vs vs. versus compared relative faster speedup speedups speed-up speed-ups speed
acceleration improvement higher lower better end-to-end wall-clock in on with for at when and or across under while
from to of by the a an on-average average overall"""
_SPEED_FOLLOWERS = frozenset(_SPEED_FOLLOWER_WORDS.split())
_SPEED_NOUN = re.compile(r"(?:\s*[\w/\-]+){0,2}?\s*(?:speed|speed-?ups?|acceleration|throughput|latency)\b", re.I)


_VERB_MULTIPLIER = re.compile(r"\b(?:doubl|tripl|quadrupl|halv)(?:es|ed|ing|e)$", re.I)
_VERB_OBJECT = re.compile(r"\s+(?:the|its|their|our)\s+([A-Za-z][\w\-]*)")


def multiplied_noun(sentence: str, end: int) -> str | None:
    """What a multiplier multiplies, when the words right after it name something other than speed ("MEDUSA
    achieves 44x FLOP/s and 41x Operational Intensity" -> "FLOP/s", "Operational Intensity"); None for "2.7x
    over vanilla decoding", "2x faster", "3x, and"."""
    if _SPEED_NOUN.match(sentence, end) is None and _VERB_MULTIPLIER.search(sentence[:end]):
        obj = _VERB_OBJECT.match(sentence, end)  # "more than doubles the precision": precision, not speed
        if obj:
            return obj.group(1)
    match = _AFTER_MULTIPLIER.match(sentence, end)
    if not match or match.group(1).lower() in _SPEED_FOLLOWERS:
        return None
    if _SPEED_NOUN.match(sentence, end):
        return None  # "1.91x generation speed", "2x decoding speedup": a speed after all
    return (match.group(1) + match.group(2)).strip()


def multiplies_a_noun(sentence: str, end: int) -> bool:
    return multiplied_noun(sentence, end) is not None


# ---------------------------------------------------------------- reading


def _figures(sentence: str) -> list[_Hit]:
    """Every number of the sentence with its unit, longest readings first (a span is read once)."""
    taken: list[tuple[int, int]] = []
    hits: list[_Hit] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add(hit: _Hit) -> None:
        taken.append((hit.start, hit.end))
        hits.append(hit)

    lower = sentence.lower()
    digits = any(c.isdigit() for c in sentence)
    for m in _PER.finditer(sentence) if digits else ():  # "operations per 10 seconds": the 10 is part of the unit
        taken.append((m.start("n"), m.end()))
    for m in _FACTOR.finditer(sentence) if "factor" in lower else ():
        if free(m.start(), m.end()):
            add(_Hit(m.start(), m.end(), parse_number(m["n"]), "x", word="factor", approx=bool(m["pre"])))
    for m in _MAGNITUDE.finditer(sentence) if "magnitude" in lower else ():
        if free(m.start(), m.end()):
            n = 1.0 if m["n"].lower() in ("an", "one") else parse_number(m["n"])
            add(_Hit(m.start(), m.end(), 10.0**n, "x", word="magnitude"))
    for m in _SIZE_LIST.finditer(sentence) if digits and "/" in sentence else ():
        if free(m.start(), m.end()):
            taken.append((m.start(), m.end()))
            for item in _SIZE_ITEM.finditer(m.group(0)):
                scale = _PARAM_UNITS[item[2]]
                a = m.start() + item.start()
                hits.append(_Hit(a, a + len(item.group(0)), _f(item[1]) * scale, "B", scale=scale))
    for kind, pattern in _FIGURES if digits else ():
        gate = _GATES.get(kind)
        if gate and not any(g in lower for g in gate):
            continue
        for m in pattern.finditer(sentence):
            start, end = m.start(), m.end()
            if kind == "named_size":
                start = m.start("n")
            if not free(start, end):
                continue
            groups = [g for g in m.groups() if g is not None]
            low = high = None
            scale = 1.0
            if kind in {"range_x", "range_pct", "range_size"}:
                unit = {"range_x": "x", "range_pct": "%", "range_size": "B"}[kind]
                scale = _PARAM_UNITS[groups[2]] if kind == "range_size" else 1.0
                low, high = _f(groups[0]) * scale, _f(groups[1]) * scale
                if low >= high:
                    continue  # "2-1%" is not a range
                value = (low + high) / 2
            elif kind == "named_size":
                scale, unit = _PARAM_UNITS[m["u"]], "B"
                value = _f(m["n"]) * scale
            elif kind == "time":
                scale, unit = _time_scale(groups[1]), "s"
                value = _f(groups[0]) * scale
            elif kind == "bytes":
                scale, unit = _BYTE_UNITS[groups[1]], "GB"
                value = _f(groups[0]) * scale
            elif kind in ("count", "count_word"):
                key = (m["k"] or m["u"]) if kind == "count" else groups[1].lower()
                scale, unit = _COUNT_SCALES[key], ""
                value = _f(groups[0]) * scale
            elif kind == "rate" and m["k"]:
                scale, unit = 1e3, "tokens/s"  # "2k tokens per second"
                value = _f(groups[0]) * scale
            elif kind in ("params", "params_word"):
                key = groups[1] if kind == "params" else groups[1].lower()
                scale, unit = _PARAM_UNITS[key], "B"
                value = _f(groups[0]) * scale
            else:
                value = _f(groups[0])
                unit = {"pp": "pp", "pct": "%", "x": "x", "rate": "tokens/s", "req_rate": "requests/s",
                        "bits": "bit"}[kind]  # fmt: skip
            add(_Hit(start, end, value, unit, low, high, scale))
    for word, factor, gate, pattern in _MULTIPLIER_WORDS:
        if not any(g in lower for g in gate):
            continue
        for m in pattern.finditer(sentence):
            if m.group(0).lower() == "half" and _NOT_A_HALF.search(sentence, max(0, m.start() - 10), m.start()):
                continue  # "the first half", not a multiplier
            if free(m.start(), m.end()):
                value = parse_number(m["n"]) if word == "times" else factor
                add(_Hit(m.start(), m.end(), value, "x", word=word))
    for m in _PLAIN.finditer(sentence) if digits else ():
        if free(m.start(), m.end()):
            value = _f(m.group(1))
            year = 1900 <= value <= YEAR_MAX and re.fullmatch(r"\d{4}", m.group(1))
            if year and not _COUNTED_AFTER.match(sentence, m.end()):
                continue  # a year, not a measurement ("2048 tokens" is a count)
            add(_Hit(m.start(), m.end(), value, ""))
    return sorted(hits, key=lambda h: h.start)


YEAR_MAX = 2040  # 2048 (a power of two: a length, a batch, a dimension) is never a year in a paper
_COUNTED_AFTER = re.compile(  # the count nouns after a four-digit figure (not `_COUNTED`: a params-regex fragment)
    r"\s*(?:tokens?|steps?|samples?|examples?|sequences?|GPUs?|requests?|words?|dimensions?|"
    r"characters?|queries|prompts?|problems?|images?|documents?|iterations?|layers?)\b",
    re.I,
)


def _prefix(sentence: str, hit: _Hit) -> None:
    """Bound and approximation words before the number ("up to about 3x"); the phrase starts at them."""
    start = hit.start
    for _ in range(3):
        lo = max(0, start - 40)
        before = sentence[lo:start]
        if (m := _LE_PREFIX.search(before)) and not (hit.unit == "bit" and _PLACE.search(m.group(0))):
            hit.bound = hit.bound or "le"
        elif (m := _GE_PREFIX.search(before)) and not (hit.unit == "bit" and _PLACE.search(m.group(0))):
            hit.bound = hit.bound or "ge"
        elif m := _APPROX_PREFIX.search(before):
            hit.approx = True
        else:
            break
        start = lo + m.start()
    hit.phrase_start = start
    after = sentence[hit.end :]
    if m := _GE_SUFFIX.search(after):
        hit.bound = hit.bound or "ge"
        hit.phrase_end = hit.end + m.end()
    elif m := _LE_SUFFIX.search(after):
        hit.bound = hit.bound or "le"
        hit.phrase_end = hit.end + m.end()
    else:
        hit.phrase_end = hit.end


def _merge(a: _Hit, b: _Hit) -> _Hit:
    low, high = a.value * (b.scale / a.scale if not a.unit else 1.0), b.value
    return _Hit(a.start, b.end, (low + high) / 2, b.unit, low, high, b.scale, approx=a.approx or b.approx,
                bound=a.bound or b.bound, phrase_start=a.phrase_start, phrase_end=b.phrase_end)  # fmt: skip


def _pair(sentence: str, hits: list[_Hit]) -> list[_Hit]:
    """'from A to B' marks a change (two numbers); 'A to B' and 'between A and B' of one unit are a range."""
    out: list[_Hit] = []
    i = 0
    while i < len(hits):
        a = hits[i]
        b = hits[i + 1] if i + 1 < len(hits) else None
        if b is None or (a.low is not None) or (b.low is not None):
            out.append(a)
            i += 1
            continue
        if _LABEL_VALUE.search(sentence[: a.start]):
            out.append(a)  # "at T=0 to about 2.1x": a setting's value ends no range and starts no change
            i += 1
            continue
        between = sentence[a.end : b.phrase_start]
        same_unit = bool(b.unit) and (a.unit == b.unit or (a.unit == "" and b.unit not in ("B", "bit")))
        span = _SPAN_FROM.search(sentence[: a.phrase_start]) and re.fullmatch(r"\s*to\s+", between)
        if span and same_unit and a.value * (b.scale / a.scale if not a.unit else 1.0) < b.value:
            out.append(_merge(a, b))
            i += 2
            continue
        if _FROM.search(sentence[: a.phrase_start]) and _TO_BETWEEN.fullmatch(between):
            if not a.unit and b.unit:
                a.unit, a.value, a.scale = b.unit, a.value * b.scale, b.scale  # "from 110 to 22 tokens/s"
            a.role, b.role = "from", "to"
            if a.value != b.value:
                change = "higher" if b.value > a.value else "lower"
                a.direction, b.direction = a.direction or change, b.direction or change
            out += [a, b]
            i += 2
            continue
        ranged = re.fullmatch(r"\s*to\s+", between) or (
            re.fullmatch(r"\s*and\s+", between) and _BETWEEN.search(sentence[: a.phrase_start])
        )
        if ranged and same_unit and a.value * (b.scale / a.scale if not a.unit else 1.0) < b.value:
            out.append(_merge(a, b))
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def _direction(sentence: str, hit: _Hit, previous_end: int) -> None:
    """The sense of the number's direction word, after it ("2x faster") or before it ("reduces ... by 40%")."""
    if _VERB_MULTIPLIER.fullmatch(sentence[hit.start : hit.end]):
        hit.direction = _INTRINSIC[hit.word]  # "halves", "doubles": the verb is the direction
        return
    if m := _AFTER.match(sentence, hit.phrase_end):
        up = bool(m["up"] or m["as_up"])
        if (m["as_up"] or m["as_down"]) and hit.value < 1:
            up = not up  # "half as fast" is slower
        hit.direction = "higher" if up else "lower"
        hit.phrase_end = m.end()
        return
    before = sentence[previous_end : hit.phrase_start]
    for pattern in (_BEFORE_BY, _BEFORE_OF, _BEFORE_VERB):
        if m := pattern.search(before):
            hit.direction = "higher" if m["up"] else "lower"
            hit.phrase_start = previous_end + m.start()
            return
    if hit.word in _INTRINSIC:
        hit.direction = _INTRINSIC[hit.word]  # "half the latency", "twice the memory"


def extract_numbers(sentence: str) -> list[ClaimNumber]:
    """The numbers a sentence states, in order, with normalised units, bounds, approximation and direction."""
    hits = _figures(sentence)
    for hit in hits:
        _prefix(sentence, hit)
    hits = _pair(sentence, hits)
    previous_end = 0
    for hit in hits:
        if hit.role is None:
            _direction(sentence, hit, previous_end)
        previous_end = max(previous_end, hit.end)
    out = []
    for h in hits:
        bound = h.bound or ("approx" if h.approx else None)
        out.append(
            ClaimNumber(
                value=h.value,
                low=h.low,
                high=h.high,
                unit=h.unit,
                text=sentence[h.start : h.end],
                start=h.start,
                end=h.end,
                quantity=quantity_of(sentence, h.start, h.end, h.unit),
                approx=h.approx,
                bound=bound,
                direction=h.direction,
                role=h.role,
                phrase_start=h.phrase_start,
                phrase_end=h.phrase_end,
            )  # fmt: skip
        )
    return out
