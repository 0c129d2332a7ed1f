"""The words of a measurable claim, located: quantity cues, claimed relations, and arm mentions.

A hit is a span and what it means: "throughput" is a throughput cue, "halving"
a ratio of 0.5, "Gemma2 2B" a model of 2B parameters, "8-bit" int8. The
lexicon is general (synonyms, acronyms, number words, percentages, model-name
spellings), and kept apart from `classify`, which decides how hits combine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from synth.core.patterns import words_pattern
from synth.core.quantities import ClaimNumber, extract_numbers

_NUM = r"\d+(?:\.\d+)?"


# ---------------------------------------------------------------- hits


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class QuantityHit(Span):
    quantity: str


@dataclass(frozen=True)
class RelationHit(Span):
    rank: int  # lower is stronger: figures, then bounds, then 'same', then negations, then directions
    ratio: float | None = None
    low: float | None = None
    high: float | None = None
    direction: str | None = None  # higher/lower/same/not_higher/not_lower, or better/worse/not_better/not_worse
    max_abs_diff: float | None = None
    polar: bool = False  # the ratio's sense depends on the quantity ("overhead": up for time, down for speed)
    text: str = ""


@dataclass(frozen=True)
class Mention(Span):
    axis: str  # technique | precision | size | moe
    label: str
    technique: str | None = None
    precision: str | None = None
    family: str | None = None
    version: str | None = None
    sizes_b: tuple[float, ...] = ()
    relative_size: str | None = None
    moe: bool | None = None

    def key(self) -> tuple[object, ...]:
        return (self.axis, self.technique, self.precision, self.family, self.sizes_b, self.relative_size, self.moe)


# ---------------------------------------------------------------- quantities

_QUANTITY: list[tuple[str, re.Pattern[str]]] = [
    ("throughput", re.compile(
        r"throughput|tokens?\s*/\s*s(?:ec(?:ond)?)?\b\.?|\btok/s\b|tokens?\s+per\s+second|"
        r"\b(?:generation|decoding|inference)\s+speed|\bspeed(?:-?ups?)?\b|\bfaster\b|\bslower\b|\baccelerat\w*|"
        r"\bslow(?:s|ed)?\s+down\b|\bslowdowns?\b|\b(?:inference|serving)\s+performance\b", re.I)),
    ("latency", re.compile(
        r"\blatenc(?:y|ies)\b|(?<!during )(?<!at )(?<!in )\binference\s+times?\b|\bwall[- ]clock\b|"
        r"\btime\s+to\s+first\s+token\b|\bttft\b|"
        r"\bms\b|\bmilliseconds?\b|\bresponse\s+times?\b|\brun[- ]?times?\b|\bgeneration\s+times?\b|"
        r"\b(?:computationally|computational|compute|inference)\s+(?:\w+\s+){0,3}?(?:cost|expensive)\b|"
        r"\bexpensive\b|\b(?:more|less)\s+time\b", re.I)),
    ("memory", re.compile(
        r"\bmemory\b|\bvram\b|\bram\b|\bfootprint\b|\bstorage\b|\bkv[- ]?cache\b|\b[GM]i?B\b|\d[GM]i?B\b", re.I)),
    ("accuracy", re.compile(
        r"pass@\s*\d+|\baccura(?:cy|te)\b|(?<!inference )(?<!serving )\bperformance\b|\bscores?\b|\boutperform\w*|"
        r"\blossless\w*|\bcompetitive\b|\bexact[- ]match\b|\bperplexity\b", re.I)),
]  # fmt: skip


def find_quantities(text: str) -> list[QuantityHit]:
    hits: list[QuantityHit] = []
    taken: list[tuple[int, int]] = []
    for quantity, pattern in _QUANTITY:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue  # "inference speed" is throughput, not also a latency "inference ..." hit
            hits.append(QuantityHit(m.start(), m.end(), quantity))
            taken.append((m.start(), m.end()))
    return sorted(hits, key=lambda h: h.start)


# ---------------------------------------------------------------- relations

_UP_ADJ = {
    "faster", "higher", "more", "larger", "bigger", "greater", "longer", "quicker", "expensive", "fast", "much", "many",
    "costlier", "heavier", "speedup", "speed-up", "speed", "throughput", "improvement",
}  # fmt: skip
_DOWN_ADJ = {"slower", "lower", "less", "smaller", "fewer", "shorter", "cheaper", "slow", "lighter"}
_DOWN_VERB = words_pattern(
    r"reduc\w*|decreas\w*|lower\w*|drop\w*|slow\w*|cut\w*|divid\w*|shrink\w*|fall\w*|declin\w*|less|fewer|"
    r"degrad\w*|hurt\w*|lose|loses|losing"
)
_UP_VERB = words_pattern(
    r"increas\w*|improv\w*|rais\w*|boost\w*|faster|speed\w*|multipl\w*|grow\w*|more|higher|accelerat\w*|"
    r"expensive|costlier"
)

# What the figures mean as ratios is read here; the figures themselves ("5x", "three times", "halves",
# "a factor of five", "13%", "from 110 to 22") come from `synth.core.quantities.extract_numbers`.
_INTRINSIC = re.compile(r"(?:halv|doubl|tripl|quadrupl)\w*", re.I)  # the verb says the sense: "halves throughput"
_CUT_IN = re.compile(r"\bcut(?:s|ting)?\s+(?:\w+\s+){0,2}in\s+$", re.I)
_ADJ = re.compile(r"\s*\)?\s+(?:as\s+)?(?P<adj>[a-z-]+)", re.I)
_BY = re.compile(r"\bby\s+(?:only\s+|just\s+)?$", re.I)
_BY_IN = re.compile(r"\bby\b", re.I)
_WITHIN = re.compile(rf"\bwithin\s+(?P<n>{_NUM})\s*(?P<unit>points?|pp\b|percentage\s+points?|%)", re.I)
_QUANTITY_NOUNS = (
    r"throughputs?|speeds?|latenc(?:y|ies)|memory|storage|footprints?|performance|accuracy|results?|scores?|"
    r"demands?|efficiency|costs?|requirements?|sizes?"
)
_SAME = re.compile(
    r"\bpreserv\w*|\bmaintain\w*|\bnegligibl\w*|"
    r"\bno\s+(?:significant\s+|noticeable\s+|measurable\s+|real\s+|additional\s+)?"
    r"(?:impact|effect|change|loss|overhead|slowdown|penalty|difference|degradation|cost)\b|"
    r"\b(?:minimal|minor|little|negligible|marginal|small)\s+(?:impact|effect|overhead|slowdown|penalty|change|"
    r"difference)\b|"
    r"\b(?:roughly|about|approximately|nearly|essentially|virtually|largely)\s+(?:the\s+)?same\b|"
    rf"\b(?:similar|comparable)\s+(?:\w+\s+){{0,3}}?(?:{_QUANTITY_NOUNS})\b|"
    r"\b(?:is|are|remains?|stays?|was|were)\s+(?:\w+\s+)?(?:similar|comparable)\b|\bperforms?\s+similarly\b|"
    r"\bon\s+(?:a\s+)?par\b|"
    r"\bwithout\s+(?:\w+\s+)?(?:affecting|hurting|impacting|reducing|degrading|sacrificing|slowing|increasing|"
    r"changing|any\s+loss|loss)\b|"
    r"\bunaffected\b|\bunchanged\b|\blossless\w*|\brival\w*|\bdoes\s+not\s+(?:affect|change|reduce|slow|hurt|degrade)\b|"
    r"\blittle\s+to\s+no\b|\bcompetitive\s+with\b",
    re.I,
)
_NEGATED = re.compile(
    r"\b(?:not|no|never|without)\b(?:\s+\w+){0,3}?\s+(?P<w>better|higher|faster|more|improv\w*|increas\w*|worse|"
    r"lower|slower|less|reduc\w*)\b|\b\w+n't\b(?:\s+\w+){0,3}?\s+(?P<w2>better|higher|faster|more|worse|lower|"
    r"slower|less)\b",
    re.I,
)
_DIR_UP = words_pattern(
    r"higher|more|increas\w*|faster|quicker|boost\w*|improv\w*|rais\w*|larger|greater|bigger|outperform\w*|"
    r"accelerat\w*|speeds?\s+up|grows?|exceed\w*|surpass\w*"
)
_DIR_DOWN = words_pattern(
    r"lower|less|decreas\w*|reduc\w*|slower|drop\w*|degrad\w*|smaller|fewer|declin\w*|falls?|cuts?|"
    r"slows?\s+down|shrink\w*|dampen\w*"
)
_DIR_BETTER = words_pattern(r"better|best")
_DIR_WORSE = words_pattern(r"worse|worst|overheads?|penalt(?:y|ies)")


def _ratio_sense(adj: str) -> int:
    a = adj.lower()
    if a in _UP_ADJ:
        return 1
    if a in _DOWN_ADJ:
        return -1
    return 0


def _factor_ratio(text: str, n: ClaimNumber) -> float:
    """'by a factor of five' (or 'by 5x') is a cut or a gain by the nearest verb: 'reduces ... by a factor of five'."""
    window_before, window_after = text[max(0, n.start - 60) : n.start], text[n.end : n.end + 25]
    down = _DOWN_VERB.search(window_after) or _DOWN_VERB.search(window_before)
    up = _UP_VERB.search(window_after) or _UP_VERB.search(window_before)
    return 1 / n.value if down and not (up and up.start() > (down.start() if down else 0)) else n.value


def _figure_relations(text: str) -> list[RelationHit]:
    """Ratios stated by figures: multipliers, percentage changes and 'from A to B'."""
    hits: list[RelationHit] = []
    numbers = extract_numbers(text)
    for i, n in enumerate(numbers):
        if n.role == "from" and i + 1 < len(numbers) and numbers[i + 1].role == "to":
            to = numbers[i + 1]
            if n.value > 0 and to.unit not in ("B", "bit"):  # "from 1B to 7B" names arms, not a change
                start = text.lower().rfind("from", 0, n.start)
                hits.append(RelationHit(start, to.end, 0, ratio=to.value / n.value, text=text[start : to.end]))
        elif n.unit == "x" and n.value > 0 and n.role is None:
            if hit := _multiplier(text, n):
                hits.append(hit)
        elif n.unit == "%" and n.direction is not None and n.role is None:
            sign = -1 if n.direction == "lower" else 1
            low = high = None
            if n.low is not None and n.high is not None:
                a, b = 1 + sign * n.low / 100, 1 + sign * n.high / 100
                low, high = min(a, b), max(a, b)
            span = text[n.phrase_start : n.phrase_end]
            hits.append(RelationHit(n.phrase_start, n.phrase_end, 0, ratio=1 + sign * n.value / 100, low=low,
                                    high=high, text=span))  # fmt: skip
    return hits


def _multiplier(text: str, n: ClaimNumber) -> RelationHit | None:
    if _INTRINSIC.fullmatch(n.text):
        return RelationHit(n.start, n.end, 0, ratio=n.value, text=n.text)
    if n.text.lower() == "half" and (cut := _CUT_IN.search(text[: n.start])):
        return RelationHit(cut.start(), n.end, 0, ratio=0.5, text=text[cut.start() : n.end])
    if "factor" in n.text.lower():
        return RelationHit(n.start, n.end, 0, ratio=_factor_ratio(text, n), text=n.text)
    m = _ADJ.match(text, n.end)
    sense = _ratio_sense(m["adj"]) if m else 0
    if sense and m:
        ratio, low, high = n.value, n.low, n.high
        if sense < 0:
            ratio = 1 / ratio
            low, high = (1 / n.high, 1 / n.low) if n.low and n.high else (None, None)
        return RelationHit(n.start, m.end(), 0, ratio=ratio, low=low, high=high, text=text[n.start : m.end()])
    by = _BY.search(text[: n.phrase_start]) or _BY_IN.search(text[n.phrase_start : n.start])
    if by:  # "reduces throughput by 5x"
        return RelationHit(n.phrase_start, n.end, 0, ratio=_factor_ratio(text, n), text=text[n.phrase_start : n.end])
    return None


def find_relations(text: str) -> list[RelationHit]:
    hits = _figure_relations(text)
    for m in _WITHIN.finditer(text):
        n = float(m["n"])
        if m["unit"].startswith("%"):
            hits.append(
                RelationHit(m.start(), m.end(), 1, ratio=1.0, low=1 - n / 100, high=1 + n / 100, text=m.group(0))
            )
        else:
            hits.append(RelationHit(m.start(), m.end(), 1, ratio=1.0, max_abs_diff=n / 100, text=m.group(0)))
    for m in _SAME.finditer(text):
        hits.append(RelationHit(m.start(), m.end(), 2, ratio=1.0, direction="same", text=m.group(0)))
    for m in _NEGATED.finditer(text):
        word = (m["w"] or m["w2"]).lower()
        if word in ("better", "worse"):
            direction = "not_better" if word == "better" else "not_worse"
        else:
            direction = "not_higher" if _DIR_UP.fullmatch(word) else "not_lower"
        hits.append(RelationHit(m.start(), m.end(), 3, direction=direction, text=m.group(0)))
    for pattern, direction in ((_DIR_UP, "higher"), (_DIR_DOWN, "lower"), (_DIR_BETTER, "better"),
                               (_DIR_WORSE, "worse")):  # fmt: skip
        for m in pattern.finditer(text):
            hits.append(RelationHit(m.start(), m.end(), 4, direction=direction, text=m.group(0)))
    return _drop_contained(hits)


def _drop_contained(hits: list[RelationHit]) -> list[RelationHit]:
    """A hit inside a stronger or longer one is the same words read twice ('13% reduction' is not also 'reduction')."""

    def covers(o: RelationHit, h: RelationHit) -> bool:
        inside = o.start <= h.start and h.end <= o.end
        return inside and (o.rank < h.rank or (o.rank == h.rank and o.end - o.start > h.end - h.start))

    return [h for h in hits if not any(o is not h and covers(o, h) for o in hits)]


# ---------------------------------------------------------------- arm mentions

_TECHNIQUES: list[tuple[str, re.Pattern[str]]] = [
    ("cad+rag", re.compile(
        r"\bCAD\s*\+\s*RAG\b|\bRAG\s*\+\s*CAD\b|\bcombin\w*\s+CAD\s+(?:with|and)\s+RAG\b|"
        r"\bcombin\w*\s+RAG\s+(?:with|and)\s+CAD\b")),
    ("cad", re.compile(r"(?i:context[- ]aware\s+decoding)|\bCAD\b")),
    ("self_consistency", re.compile(r"(?i:self[- ]consisten\w*)|\bSC\b")),
    ("cot", re.compile(r"(?i:chain[- ]of[- ]thoughts?(?:\s+prompting)?)|\bCoT\b")),
    ("rag", re.compile(r"(?i:retrieval[- ]augment\w*(?:\s+generation)?)|\bRAG\b")),
    # Speculative decoding, by its generic names and the best-known methods' names (a claim about
    # "Medusa-1" rarely says "speculative"); all are measured as prompt-lookup speculation here.
    ("speculative", re.compile(
        r"(?i:speculat\w*\s+(?:decoding|sampling|inference|generation|execution|methods?))|"
        r"(?i:prompt[- ]lookup(?:\s+decoding)?)|\bPLD\b|(?i:assisted\s+generation)|(?i:lookahead\s+decoding)|"
        r"\b(?:MEDUSA|Medusa|EAGLE|PEARL|HiSpec|Hydra|SpecInfer|PyramidSD|Lookahead)(?:-\d)?\b")),
    ("vanilla", re.compile(
        r"(?i:\bvanilla\b|\bbaselines?\b|\bgreedy\s+decoding\b|\bauto-?regressive\s+(?:decoding|generation)\b|"
        r"\b(?:normal|standard|regular|plain|ordinary)\s+(?:inference|decoding|generation)\b)")),
]  # fmt: skip

_BITS = {2: "int2", 3: "int3", 4: "int4", 8: "int8", 16: "fp16", 32: "fp32"}
_PRECISIONS: list[tuple[str | None, re.Pattern[str]]] = [
    ("int4", re.compile(r"\bW4A16(?:[- ]?INT)?\b", re.I)),
    ("fp8", re.compile(r"\bW8A8[- ]?FP\b|\bfp8\b|\bfloat8\b|\bE4M3\b", re.I)),
    ("int8", re.compile(r"\bW8A8(?:[- ]?INT)?\b", re.I)),
    ("nf4", re.compile(r"\bnf4\b|\bnormal\s*float\s*4\b", re.I)),
    (None, re.compile(r"\bq(?P<bits>[2-8])_(?:k(?:_[msl])?|\d)\b|\bint-?(?P<bits2>2|3|4|8)\b", re.I)),
    (None, re.compile(r"\b(?P<list>\d{1,2}-,?(?:\s*\d{1,2}-,?)*\s*(?:and|or)\s+\d{1,2})[- ]?bits?\b", re.I)),
    (None, re.compile(r"\b(?P<bits3>\d{1,2})(?:\s*-\s*|\s+)?bits?\b", re.I)),
    ("fp16", re.compile(r"\bfp16\b|\bfloat16\b|\bhalf[- ]precision\b", re.I)),
    ("bf16", re.compile(r"\bbf16\b|\bbfloat16\b", re.I)),
    ("fp32", re.compile(r"\bfp32\b|\bfloat32\b|\bfull[- ]precision\b|\bsingle[- ]precision\b", re.I)),
    ("unquantized", re.compile(r"\bnon[- ]?quantized\b|\bunquantized\b|\bnot\s+quantized\b", re.I)),
    ("lower", re.compile(r"\blower[- ](?:precision|bit(?:[- ]width)?)s?\b|\bfewer\s+bits\b", re.I)),
    ("higher", re.compile(r"\bhigher[- ](?:precision|bit(?:[- ]width)?)s?\b|\bmore\s+bits\b", re.I)),
]

_FAMILY = (
    r"llama|gemma|star\s*coder|qwen|smollm|mistral|phi|deepseek(?:[- ]?coder)?|code[- ]?llama|opencoder|"
    r"yi[- ]coder|granite|olmo|pythia|gpt[- ]?2|tinyllama|codegen|santacoder"
)
_MODEL = re.compile(
    rf"\b(?P<family>{_FAMILY})(?P<ver>\s*-?\s*\d+(?:\.\d+)?)?(?:[\s-]*(?:coder|instruct|it|chat|base|textbook|math))*"
    r"[\s-]+(?P<size>\d+(?:\.\d+)?)\s*(?P<unit>[BbMm])\b",
    re.I,
)
_SIZE_LIST = re.compile(
    rf"(?<![\w.])(?P<list>(?:{_NUM}\s*,\s*)+(?:and|or)?\s*{_NUM}|{_NUM}\s+(?:and|or)\s+{_NUM})\s*(?P<unit>B|billion)\b"
    r"(?:\s+param\w*)?",
)
_SIZE = re.compile(
    rf"(?<![\w.])(?P<n>{_NUM})\s*-?\s*(?P<unit>B|billion|M|million)(?![\w-])(?:\s+param\w*)?"
    r"(?!\s+(?:tokens|words|samples|examples|images|rows|pairs|documents|chunks|evaluations))",
)
_RELATIVE_SIZE = re.compile(r"\b(?P<rel>larger|bigger|smaller)\s+(?:\w+\s+)?(?:models?|LMs?|LLMs?)\b", re.I)
_MOE = re.compile(r"(?i:mixture[- ]of[- ]experts?|sparse(?:ly)?[- ](?:activated|gated)|\bexperts?\b)|\bMoEs?\b")
_DENSE = re.compile(r"\bdense\b", re.I)

HARDWARE = re.compile(
    r"\b(?:A100|H100|H200|H800|A800|V100|A10G?|A6000|L4|L40S?|T4|MI\d{3}X?|RTX\s*\d{4}\w*|TPU\s*v?\d*|"
    r"M[1-4](?:\s+(?:Pro|Max|Ultra))?\s+chip|MacBook(?:\s+Pro|\s+Air)?|Colab|(?:consumer\s+)?laptops?|"
    r"Raspberry\s+Pi|(?:single\s+|consumer\s+)?GPUs?|CPUs?)\b"
)
ABSOLUTE = re.compile(
    rf"(?P<v>{_NUM})\s*(?P<unit>tokens?\s*/\s*s(?:ec)?\b|tok/s|tokens?\s+per\s+second|ms\b|GB\b|GiB\b|MB\b|MiB\b)",
    re.I,
)


def _size_b(n: float, unit: str) -> float:
    return n / 1000 if unit.lower() in ("m", "million") else n


def find_mentions(text: str) -> list[Mention]:
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return not any(a < e and s < b for a, b in taken)

    def add(m: Mention) -> None:
        found.append(m)
        taken.append((m.start, m.end))

    for technique, pattern in _TECHNIQUES:
        for m in pattern.finditer(text):
            if free(m.start(), m.end()):
                add(Mention(m.start(), m.end(), "technique", m.group(0), technique=technique))
    for precision, pattern in _PRECISIONS:
        for m in pattern.finditer(text):
            if not free(m.start(), m.end()):
                continue
            groups = m.groupdict()
            if groups.get("list"):
                for d in re.finditer(r"\d{1,2}", m["list"]):
                    bits = int(d.group(0))
                    s = m.start("list") + d.start()
                    add(Mention(s, s + len(d.group(0)), "precision", f"{bits}-bit",
                                 precision=_BITS.get(bits, f"int{bits}")))  # fmt: skip
                taken.append((m.start(), m.end()))
                continue
            bits_text = groups.get("bits") or groups.get("bits2") or groups.get("bits3")
            value = precision
            if bits_text:
                bits = int(bits_text)
                value = _BITS.get(bits, f"int{bits}")
            add(Mention(m.start(), m.end(), "precision", m.group(0), precision=value))
    for m in _MODEL.finditer(text):
        if not free(m.start(), m.end()):
            continue
        family = re.sub(r"[\s-]", "", m["family"].lower())
        family = "codellama" if family == "codellama" else family
        version = re.sub(r"[\s-]", "", m["ver"]) if m["ver"] else None
        add(Mention(m.start(), m.end(), "size", m.group(0).strip(), family=family, version=version,
                     sizes_b=(_size_b(float(m["size"]), m["unit"]),)))  # fmt: skip
    for m in _SIZE_LIST.finditer(text):
        if free(m.start(), m.end()):
            sizes = tuple(float(x) for x in re.findall(_NUM, m["list"]))
            add(Mention(m.start(), m.end(), "size", m.group(0).strip(), sizes_b=sizes))
    for m in _SIZE.finditer(text):
        if free(m.start(), m.end()):
            add(Mention(m.start(), m.end(), "size", m.group(0).strip(),
                         sizes_b=(_size_b(float(m["n"]), m["unit"]),)))  # fmt: skip
    for m in _RELATIVE_SIZE.finditer(text):
        if free(m.start(), m.end()):
            rel = "smaller" if m["rel"].lower() == "smaller" else "larger"
            add(Mention(m.start(), m.end(), "size", m.group(0), relative_size=rel))
    for pattern, is_moe in ((_MOE, True), (_DENSE, False)):
        for m in pattern.finditer(text):
            if free(m.start(), m.end()):
                add(Mention(m.start(), m.end(), "moe", m.group(0), moe=is_moe))
    return sorted(found, key=lambda x: x.start)
