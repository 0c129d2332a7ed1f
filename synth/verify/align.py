"""Slot alignment: does the evidence attach the claim's figures to the same system, condition and direction?

Summaries of ML papers go wrong in a few typical ways that a number-in-the-text
check cannot see: the figure is right but belongs to another system (attribution)
or another setting (condition), the two sides of a comparison are swapped
(direction, comparator), a "some" becomes an "every" (scope), or the figure
itself changed. Each check here can go both ways: an aligned figure whose context
agrees is support, an aligned slot with another value or a figure whose context
names something else is contradiction, and no aligned slot at all is no
information.

Everything is a pure function of two strings, so it runs on every evidence
window, is cheap, and is tested on the real sentences it must catch.
"""

from __future__ import annotations

import functools
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence, Set
from dataclasses import dataclass, field

from synth.core.claims import ClaimNumber
from synth.core.patterns import words_pattern
from synth.corpus.tables import CELLS_MARKER
from synth.corpus.text import fix_pdf_glyphs
from synth.verify.conditions import hardware_swapped, header_unit, per_unit, statistic_of
from synth.verify.numeric import extract_numbers

_CITATION = re.compile(
    r"\s?\((?:[^()]*?(?:et al\.|[A-Z][a-z]+),? (?:19|20)\d\d[a-z]?;?)+[^()]*\)|\s?\[\d+(?:[,–-]\s*\d+)*\]"
)


def strip_citations(text: str) -> str:
    """ "PLD (Saxena, 2023) achieves" -> "PLD achieves": a citation's year must not cut a figure from its subject."""
    return _CITATION.sub("", text)


def normalise_text(text: str) -> str:
    """The ingest's glyph fixes (`synth.corpus.text.fix_pdf_glyphs`) for text that did not come through ingest."""
    return fix_pdf_glyphs(text)


_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-\.+/]*[A-Za-z0-9+]|[A-Za-z0-9]")
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "and",
        "or",
        "for",
        "on",
        "with",
        "by",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "as",
        "at",
        "from",
        "than",
        "which",
        "who",
        "has",
        "have",
        "had",
        "can",
        "could",
        "may",
        "might",
        "will",
        "would",
        "into",
        "over",
        "under",
        "between",
        "their",
        "our",
        "we",
        "they",
        "also",
        "only",
        "about",
        "roughly",
        "around",
        "approximately",
        "nearly",
        "almost",
        "some",
        "more",
        "most",
        "less",
        "least",
        "much",
        "many",
        "each",
        "per",
        "while",
        "whereas",
        "compared",
        "relative",
        "versus",
        "vs",
        "respectively",
        "when",
        "where",
        "whose",
        "both",
        "all",
        "every",
        "any",
        "other",
        "such",
        "same",
        "up",
        "down",
    ]
)
# Words that end a figure's phrase: what follows them belongs to the other side of a comparison.
_BOUND_WORDS = frozenset(["less", "more", "fewer", "greater", "than"])  # "less than 2%": a bound, not a comparison
_BREAK = frozenset(
    ["vs", "versus", "than", "whereas", "while", "compared", "against", "but", "although", "over", "that"]
)
# Names too generic to tell two systems apart.
_GENERIC = frozenset(
    [
        "llm",
        "llms",
        "lm",
        "lms",
        "model",
        "models",
        "table",
        "figure",
        "fig",
        "sec",
        "appendix",
        "ours",
        "baseline",
        "baselines",
        "na",
    ]
)
# Universal scope a summary adds when it overgeneralises; hedges a paper uses when it does not.
_UNIVERSAL = words_pattern(
    r"every|all|always|any|each|consistently|uniformly|regardless|invariably|never|none|across the board|"
    r"in every case|without exception"
)
_HEDGE = words_pattern(
    r"often|sometimes|some|most|many|several|typically|usually|generally|mostly|can|may|might|competitive(?:ly)?|"
    r"comparable|slightly|except|only|partially|in certain|on average|average"
)
_UP = words_pattern(
    r"increas\w*|higher|more|larger|greater|grow\w*|grew|rise[sn]?|rising|rose|rais\w*|improv\w*|gain\w*|"
    r"boost\w*|faster|better|outperform\w*|exceed\w*|above|superior|accelerat\w*|speed(?:s|ing)? up|longer|"
    r"upward|surpass\w*|beats?|doubl\w*|tripl\w*|outscor\w*|highest|largest|greatest|best|fastest|strongest|"
    r"ahead|lifts?|tops?"
)
_DOWN = words_pattern(
    r"decreas\w*|lower(?:s|ed|ing)?|less|fewer|smaller|shrink\w*|shrank|drop\w*|fall\w*|fell|declin\w*|reduc\w*|cut|"
    r"degrad\w*|worse|slower|trail\w*|below|inferior|underperform\w*|slow(?:s|ed)? down|shorter|downward|"
    r"los(?:e|es|t|ing)|diminish\w*|halv\w*|hurts?|harm\w*|lowest|smallest|worst|slowest|weakest|behind|"
    r"collaps\w*|deteriorat\w*"
)
_NEGATION = re.compile(r"\b(?:not|no|never|cannot|can't|don't|doesn't|didn't|isn't|aren't|wasn't|fails? to|without|"
                       r"neither|nor|unable|ineffective|insufficient)\b|n't\b", re.I)  # fmt: skip
# "without compromising generation quality", "no loss in accuracy": an idiom that keeps a result, negating nothing.
_KEPT = re.compile(
    r"\b(?:without|no|not)\s+(?:any\s+)?(?:compromis|sacrific|loss|losing|degrad|hurt|harm|affect|chang|increas\w*\s+"
    r"(?:in\s+)?(?:latency|memory|cost))\w*",
    re.I,
)


def _stem(word: str) -> str:
    word = word.lower().strip(".-")
    return word[:5] if word.isalpha() and len(word) > 5 else word


_STOP_STEMS = frozenset(_stem(w) for w in _STOP)


_COMMON_COMPOUNDS = frozenset(
    [
        "state-of-the-art",
        "out-of-the-box",
        "end-to-end",
        "out-of-memory",
        "one-to-one",
        "day-to-day",
        "up-to-date",
        "easy-to-use",
        "out-of-distribution",
        "off-the-shelf",
    ]
)
_FIGURE_TOKEN = re.compile(r"^\d[\d.,]*(?:x|×|ms|us|s|gb|mb|kb|tb|gib|mib|b|m|k|bits?|pp|t)?$", re.I)


def _is_name(token: str, first: bool) -> bool:
    """A system, model, dataset or setting name: 'EAGLE', 'vLLM', 'text-davinci-002', 'FP32', 'CNN-DM', 'Alpaca'."""
    if len(token) < 2 or token.lower() in _STOP or _FIGURE_TOKEN.match(token):
        return False
    has_digit = any(c.isdigit() for c in token)
    has_alpha = any(c.isalpha() for c in token)
    if has_digit and has_alpha:
        return True
    if any(c.isupper() for c in token[1:]):
        return True
    if token.count("-") >= 2 and token.lower() not in _COMMON_COMPOUNDS:
        return True  # "least-to-most", "chain-of-thought": method names written in lower case
    return token[0].isupper() and not first and has_alpha


_HEADING_WORDS = frozenset(
    """table figure method methods model models dataset datasets results result accuracy efficiency training policy
    team published average total setting settings baseline baselines ours target drafter speedup latency rate
    acceptance context performance comparison evaluation experiments ablation appendix section note""".split()  # noqa: SIM905
)


def _is_strong_name(token: str) -> bool:
    """A name that cannot be an ordinary capitalised word: digits, inner capitals, all capitals, or a compound."""
    body = token.strip("-.")
    if len(body) < 2 or body.lower() in _HEADING_WORDS:
        return False
    return (
        (any(c.isdigit() for c in body) and any(c.isalpha() for c in body))
        or any(c.isupper() for c in body[1:])
        or body.count("-") >= 2
    )


def _name_key(token: str) -> str:
    return re.sub(r"[^a-z0-9]", "", token.lower())


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    name: bool

    @property
    def stem(self) -> str:
        return _stem(self.text)


def tokens(sentence: str) -> list[Token]:
    out = []
    for i, m in enumerate(_TOKEN.finditer(sentence)):
        out.append(Token(m.group(0), m.start(), m.end(), _is_name(m.group(0), i == 0)))
    return out


@dataclass
class Figure:
    """A number in a sentence with the words that the sentence attaches to it."""

    number: ClaimNumber
    sentence: str
    start: int
    end: int
    context: frozenset[str]  # stems of content words that describe this figure
    names: frozenset[str]  # name keys among them
    table: bool = False  # read from a flattened table row
    strong: frozenset[str] = frozenset()  # the names that cannot be ordinary capitalised words
    paired: frozenset[str] = frozenset()  # names given to this figure by a parallel list ("A beats B by 77% to 75%")

    @property
    def text(self) -> str:
        return self.number.text


# "3.3 Ablation Study", "C.4 COSP-FS Results": a heading's number, not a figure.
_SECTION_NUMBER = re.compile(r"\d+(?:\.\d+)+\s+[A-Z][a-z]+\s+[A-Z][a-z]+\b(?!\.)")


_MODEL_LINE = re.compile(r"\b(?:RTX|GTX|Quadro|Titan|Radeon|Instinct|Xeon|EPYC|Ryzen|Gaudi|Jetson|M\d)\s$")


def _in_name(sentence: str, start: int) -> bool:
    """ "Vicuna-7B", "Llama3-8B", "GSM-8K", "PaLM-62B", "RTX 4090", "EPYC 9354": a size or model number inside a
    name is part of the name, not a figure."""
    if start > 0 and (sentence[start - 1] == "-" or sentence[start - 1].isalpha()):
        return True
    return bool(_MODEL_LINE.search(sentence[max(0, start - 12) : start]))


def _table_like(toks: Sequence[Token], figures: int) -> bool:
    return figures >= 4 and figures >= 0.25 * max(1, len(toks))


def figures_of(sentence: str, claim_side: bool = False) -> list[Figure]:
    """Every number of the sentence with its context: the words before it back to the previous figure
    (in a flattened table row, the row label), and in prose the words after it up to the next figure or
    a comparison word ("vs", "than", "whereas")."""
    found = extract_numbers(sentence)
    numbers = [
        n for n in (found if claim_side else _without_axis_ticks(sentence, found))
        if not (n.unit == "" and n.value < 1 and "." not in n.text) and not _in_name(sentence, n.start)
        and n.unit != "B" and not _SECTION_NUMBER.match(sentence[n.start :])
    ]  # fmt: skip
    if not numbers:
        return []
    toks = tokens(sentence)
    spans = [(n.start, n.start + len(n.text)) for n in numbers]
    table = not claim_side and _table_like(toks, len(numbers))

    def in_number(t: Token) -> bool:
        return any(a <= t.start and t.end <= b for a, b in spans)

    out = []
    for n, (a, b) in zip(numbers, spans, strict=True):
        before = [t for t in toks if t.end <= a]
        after = [t for t in toks if t.start >= b]
        words: list[Token] = []
        # Backwards: skip the figure run this number sits in (a table row's other cells), then take the label run.
        i = len(before) - 1
        while i >= 0 and in_number(before[i]):
            i -= 1
        # The figure's own bound words ("costs less than 2%", "more than 3x") are no comparison: "than" there
        # must not end the walk before the words the figure describes.
        while i >= 0 and before[i].start >= n.phrase_start >= 0 and before[i].text.lower() in _BOUND_WORDS:
            i -= 1
        while i >= 0 and not in_number(before[i]) and len(words) < (8 if claim_side else 14):
            if claim_side and before[i].text.lower() in _BREAK:
                break
            gap = sentence[before[i].end : (words[-1].start if words else a)]
            if claim_side and re.search(r"[:;]", gap):
                break
            if not claim_side and not table and words and re.search(r"[,;:(]", gap):
                if "(" in gap and ")" not in sentence[before[i].end : a]:
                    # An aside's figure belongs to the name the bracket follows: "DSv3's MLA (arithmetic
                    # intensity is 512)" gives 512 to MLA, not to the sentence's subject.
                    while i >= 0 and before[i].name and len(words) < 14:
                        words.append(before[i])
                        i -= 1
                break  # prose: the clause the figure sits in (a bracket right before the figure does not count)
            words.append(before[i])
            i -= 1
        if not table:
            prev = b
            for t in after[:12]:
                if in_number(t) or t.text.lower() in _BREAK or re.search(r"[,;:]", sentence[prev : t.start]):
                    break
                words.append(t)
                prev = t.end
        context = frozenset(t.stem for t in words if t.text.lower() not in _STOP and not t.text[0].isdigit())
        names = frozenset(k for t in words if t.name and (k := _name_key(t.text)) not in _GENERIC)
        strong = frozenset(k for t in words if t.name and _is_strong_name(t.text) and (k := _name_key(t.text)))
        if not context and out and not table and _LISTED.fullmatch(sentence[out[-1].end : a]):
            prev = out[-1]  # "reduces the latency by 55% and 24%, for two datasets": a list shares its words
            context, names, strong = prev.context, prev.names, prev.strong
        out.append(Figure(n, sentence, a, b, context, names, table, strong))
    return out


_LISTED = re.compile(r"\s*(?:,|,?\s*(?:and|or))\s*")  # between two figures of one list: "55% and 24%", "2.3x, 1.9x"


AXIS_RUN = 4  # evenly spaced bare numbers in a row: a chart's axis ticks ("0 5 10 15 20Solve rate")


def _without_axis_ticks(sentence: str, numbers: Sequence[ClaimNumber]) -> list[ClaimNumber]:
    """pypdf writes a chart's axis labels into the text ("1 1.2 1.4 1.6 1.8 2", "0 250 500 750 1000Llama-7b"):
    a run of AXIS_RUN or more unitless numbers separated by spaces alone, in equal steps, states no result, and
    a claim figure that equals a tick is neither supported nor contradicted by it."""
    drop: set[int] = set()
    run = [0] if numbers else []
    for i in range(1, len(numbers) + 1):
        prev = numbers[i - 1]
        joined = i < len(numbers) and (
            numbers[i].unit == prev.unit == "" and not sentence[prev.start + len(prev.text) : numbers[i].start].strip()
        )
        if joined:
            run.append(i)
            continue
        if len(run) >= AXIS_RUN:
            steps = [numbers[b].value - numbers[a].value for a, b in zip(run, run[1:], strict=False)]
            if steps[0] > 0 and all(abs(d - steps[0]) <= 1e-6 * max(1.0, abs(steps[0])) for d in steps):
                drop.update(run)
        run = [i]
    return [n for i, n in enumerate(numbers) if i not in drop]


def _decimals(text: str) -> int:
    m = re.search(r"\d+\.(\d+)", text)
    return len(m.group(1)) if m else 0


def _shown(text: str) -> float | None:
    m = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    return float(m.group(0).replace(",", "")) if m else None


def _scale(n: ClaimNumber) -> float:
    """Normalised value per written unit: 1e-3 for "50 ms" (read as 0.05 s), 1 for "2.7x"."""
    shown = _shown(n.text)
    first = n.low if n.low is not None else n.value
    return first / shown if shown else 1.0


def _step(text: str, scale: float = 1.0) -> float:
    """Half the place of the last stated digit, in normalised units: "2.73" 0.005, "20" 0.5, "2,300" 50,
    "50 ms" 0.0005 s (a rounded figure)."""
    m = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    digits = m.group(0).replace(",", "") if m else text
    if "." in digits:
        return scale * 0.5 * 10 ** (-len(digits.split(".")[1]))
    zeros = len(digits) - len(digits.rstrip("0"))
    return scale * (0.5 * 10 ** min(zeros, max(0, len(digits) - 2)) if len(digits) >= 3 else 0.5)


_APPROX = re.compile(r"(?:about|roughly|around|approximately|nearly|almost|~|≈|some|close to)\s*$", re.I)
_BOUND_UP = re.compile(r"(?:up to|at most|less than|below|under|<|≤|no more than)\s*$", re.I)
_BOUND_LOW = re.compile(r"(?:over|more than|at least|above|>|≥|exceed\w*|beyond)\s*$", re.I)


_KILO = re.compile(r"\d\s?[kK]$")
KILO_SLACK = 0.025  # "32K" is 32,000 or 32,768 (a power of two): lengths and batches are written both ways


def value_matches(claim: Figure, evidence: Figure) -> bool:
    """Same figure allowing for printed rounding, "about", ranges and bounds; units must be compatible."""
    c, e = claim.number, evidence.number
    if c.unit and not e.unit and (header := header_unit(evidence.sentence)) and header[0] == c.unit:
        k = header[1]  # a bare cell in the header's unit ("Latency (ms)": 42.54 is 0.04254 s)
        e = e.model_copy(
            update={"value": e.value * k, "unit": c.unit, "low": None if e.low is None else e.low * k,
                    "high": None if e.high is None else e.high * k}
        )  # fmt: skip
    units = {c.unit, e.unit}
    if c.unit != e.unit and not (units <= {"%", ""} or units <= {"pp", "%"} or units <= {"x", ""}):
        return False
    lead = claim.sentence[max(0, claim.start - 20) : claim.start]
    lead_e = evidence.sentence[max(0, evidence.start - 20) : evidence.start]
    # A figure in words ("doubles", "halves") is as precise as "2x" written with a decimal's tolerance.
    step = _step(c.text, abs(_scale(c))) if _shown(c.text) is not None else 0.05 * abs(c.value)
    tol = step
    if _APPROX.search(lead):
        tol = max(tol, 0.015 * abs(c.value))
    if _KILO.search(c.text):
        tol = max(tol, KILO_SLACK * abs(c.value))
    values = [e.value] if e.low is None else [e.low, e.high]
    lo = (c.low if c.low is not None else c.value) - tol
    hi = (c.high if c.high is not None else c.value) + tol
    if e.low is not None and e.high is not None:
        # A claimed value inside a stated range (or a matching range) is the same figure.
        if c.low is None and e.low - tol <= c.value <= e.high + tol:
            return True
        return abs((c.low or c.value) - e.low) <= tol + 0.5 * 10 ** (-_decimals(e.text)) and abs(
            (c.high or c.value) - e.high
        ) <= tol + 0.5 * 10 ** (-_decimals(e.text))
    if _BOUND_UP.search(lead) and _BOUND_UP.search(lead_e):
        return abs(c.value - e.value) <= tol
    v = values[0]
    # A rounder evidence figure ("2.7x" for a claimed 2.73x) still matches, but a bare number does not stand
    # for a claimed figure with a unit ("(2) Fuzzy SD" is not "1.9x").
    e_step = _step(e.text, abs(_scale(e))) if (e.unit == c.unit or e.unit) and _shown(e.text) is not None else 0.0
    if _KILO.search(e.text):
        e_step = max(e_step, KILO_SLACK * abs(e.value))
    # The two rounding intervals overlap (strictly: "5" and "6" touch at 5.5 but are different figures).
    return lo - e_step < v < hi + e_step if e_step else lo - 1e-12 <= v <= hi + 1e-12


def rescaled_figure(claim: Figure, evidence: Figure) -> bool:
    """The claim's digits with the evidence's unit on another scale: "3 seconds" for "3 ms", "50 µs" for "50ms",
    "42.5 seconds" for a cell 42.54 of a table whose header says "Latency (ms)"."""
    c, e = claim.number, evidence.number
    e_scale = _scale(e)
    if c.unit and e.unit == "" and (header := header_unit(evidence.sentence)) and header[0] == c.unit:
        e_scale = header[1]  # a bare cell takes its header's unit
    elif not c.unit or c.unit != e.unit:
        return False
    shown_c, shown_e = _shown(c.text), _shown(e.text)
    if shown_c is None or shown_e is None or abs(shown_c - shown_e) > _step(c.text) + 1e-9:
        return False
    ratio = abs(_scale(c) / e_scale) if e_scale else 1.0
    return ratio >= 9.99 or ratio <= 0.1001


class Verdict:
    AGREE = "agree"  # same figure, same system/condition
    CONFLICT = "conflict"  # same figure, the evidence attaches it to another system or condition
    CHANGED = "changed"  # the evidence gives the claim's slot another value
    ABSENT = "absent"  # nothing in the evidence to compare with


@dataclass
class FigureCheck:
    claim: Figure
    outcome: str
    evidence: Figure | None = None
    detail: str = ""
    baseline: str = ""  # a conflict of baselines: what the evidence states the figure against
    unit: bool = False  # the same figure in another unit, scale or per-interval: a unit/scale error
    why: str = ""  # what exactly differs, when more than the value (" per 10 seconds, not per minute")


@dataclass
class AlignResult:
    """What slot alignment found for one claim against a set of evidence windows."""

    checks: list[FigureCheck] = field(default_factory=list)
    polarity_flip: bool = False
    figure_direction_flip: str = ""  # the evidence sentence whose aligned figure moves the other way
    trend_flip: str = ""  # the evidence sentence whose trend over the claim's driver runs the other way
    negation_flip: bool = False
    scope_unsupported: bool = False
    name_swap: bool = False
    role_swap: str = ""  # the mismatch line naming two slots whose descriptions trade places ("{at}": where)
    role_swap_sentence: str = ""
    bad_beside_agree: bool = False
    hardware_swap: str = ""  # the evidence sentence naming other hardware than the claim's
    unnamed: list[str] = field(default_factory=list)  # the claim's settings the evidence never names
    name_coverage: float = 1.0
    best_sentence: str = ""
    window_of: dict[str, int] = field(default_factory=dict)  # evidence sentence -> index of its window
    best_overlap: float = 0.0
    notes: list[str] = field(default_factory=list)

    def share(self, outcome: str) -> float:
        return sum(c.outcome == outcome for c in self.checks) / len(self.checks) if self.checks else 0.0

    def features(self) -> dict[str, float]:
        has = float(bool(self.checks))
        return {
            "al_numbers": has,
            "al_absent_on_topic": self.share(Verdict.ABSENT) if self.best_overlap >= ABSENT_ON_TOPIC else 0.0,
            "al_all_agree": float(has and all(c.outcome == Verdict.AGREE for c in self.checks)),
            "al_any_bad": float(any(c.outcome in (Verdict.CONFLICT, Verdict.CHANGED) for c in self.checks)),
            # Every figure contradicted by the passage about the claim: what vetoes SUPPORTED.
            "al_all_bad": float(
                has
                and self.best_overlap >= ABSENT_ON_TOPIC
                and all(c.outcome in (Verdict.CONFLICT, Verdict.CHANGED) for c in self.checks)
            ),
            "al_agree": self.share(Verdict.AGREE),
            "al_bad_beside_agree": float(self.bad_beside_agree),
            "al_conflict": self.share(Verdict.CONFLICT),
            "al_changed": self.share(Verdict.CHANGED),
            "al_absent": self.share(Verdict.ABSENT),
            "al_polarity_flip": float(self.polarity_flip or bool(self.figure_direction_flip) or bool(self.trend_flip)),
            "al_negation_flip": float(self.negation_flip),
            "al_scope": float(self.scope_unsupported),
            "al_name_swap": float(self.name_swap),
            "al_hardware": float(bool(self.hardware_swap)),
            "al_role_swap": float(bool(self.role_swap)),
            "al_name_coverage": self.name_coverage,
            "al_unnamed": float(bool(self.unnamed)),
            "al_unit": float(any(c.unit for c in self.checks)),
            "al_best_overlap": self.best_overlap,
        }

    def mismatches(self, where: Callable[[int], str] | None = None) -> list[str]:
        """One line per contradiction, for the verdict's reason; `where(window)` names the page ("p. 17")."""

        def at(sentence: str) -> str:
            window = self.window_of.get(sentence)
            label = where(window) if where is not None and window is not None else ""
            return f'{label + ": " if label else ""}"{_clip(sentence)}"'

        out = []
        for c in self.checks:
            if c.outcome == Verdict.CONFLICT and c.evidence is not None and c.baseline:
                out.append(f"claim: {c.claim.text} against {comparator_of(c.claim) or 'its baseline'}; "
                           f"{at(c.evidence.sentence)} gives {c.evidence.text} against {c.baseline}")  # fmt: skip
            elif c.outcome in (Verdict.CONFLICT, Verdict.CHANGED) and c.evidence is not None and c.why:
                out.append(f"claim: {c.claim.text}; {at(c.evidence.sentence)} gives {c.evidence.text}{c.why}")
            elif c.outcome == Verdict.CONFLICT and c.evidence is not None:
                out.append(f"claim: {c.claim.text} for {_describe(c.claim) or 'it'}; {at(c.evidence.sentence)} gives "
                           f"{c.evidence.text} for {_describe(c.evidence) or 'something else'}")  # fmt: skip
            elif c.outcome == Verdict.CHANGED and c.evidence is not None:
                out.append(f"claim: {c.claim.text}; {at(c.evidence.sentence)} gives {c.evidence.text} for it")
            elif c.outcome == Verdict.ABSENT and self.best_overlap >= ABSENT_ON_TOPIC:
                out.append(
                    f"claim: {c.claim.text}; the passage about it, {at(self.best_sentence)}, states no such figure"
                )
        if self.trend_flip:  # the most specific reading: what moves with what
            out.append(f"direction: the claim's trend runs the other way in {at(self.trend_flip)}")
        elif self.polarity_flip:
            out.append(f"direction: the claim's comparison runs the other way in {at(self.best_sentence)}")
        elif self.figure_direction_flip:
            out.append(f"direction: the claim's figure moves the other way in {at(self.figure_direction_flip)}")
        if self.negation_flip:
            out.append(f"negation: {at(self.best_sentence)} negates it")
        if self.hardware_swap:
            out.append(f"hardware: {at(self.hardware_swap)} names other hardware than the claim's")
        elif self.name_swap:
            out.append(f"condition: {at(self.best_sentence)} names another model/hardware/setting")
        if self.role_swap:
            out.append(self.role_swap.replace("{at}", at(self.role_swap_sentence)))
        if self.scope_unsupported:
            out.append(f"scope: the claim says all/every/always; {at(self.best_sentence)} states it more narrowly")
        return out

    def support(self, where: Callable[[int], str] | None = None) -> list[str]:
        """The figures stated as the claim states them, with where."""
        out = []
        for c in self.checks:
            if c.outcome == Verdict.AGREE and c.evidence is not None:
                window = self.window_of.get(c.evidence.sentence)
                label = where(window) if where is not None and window is not None else ""
                out.append(f"{c.claim.text} stated as {c.evidence.text}{' (' + label + ')' if label else ''}")
        return out


def _describe(figure: Figure) -> str:
    names = [t.text for t in tokens(figure.sentence) if t.name and _name_key(t.text) in figure.names]
    return ", ".join(dict.fromkeys(names)) or ""


def _clip(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _content(text: str) -> set[str]:
    return {t.stem for t in tokens(text) if t.text.lower() not in _STOP and not t.text[0].isdigit()}


# "falls behind", "lags behind", "falls short of": one downward comparison, not two.
_ONE_DOWN = re.compile(r"\b(?:fall\w*|fell|lag\w*|trail\w*|left|drop\w*)\s+(?:behind|short)\b", re.I)


# "ratios falling between 1:2 and 1:3", "lies within 5%": where a value sits, not which way it moves.
_PLACED = re.compile(r"\b(?:fall\w*|fell|lie[sd]?|lying)\s+(?:between|within|in|into|inside|under)\b", re.I)


def _parity(text: str) -> tuple[int, int, int]:
    """(direction words, down words, negations) of a sentence."""
    text = _PLACED.sub("sits", _ONE_DOWN.sub("behind", text))
    up, down = len(_UP.findall(text)), len(_DOWN.findall(text))
    return up + down, down, len(_NEGATION.findall(_KEPT.sub("keeping", text)))


_CLAUSE_BREAK = re.compile(r"[;:]|,\s+(?:while|whereas|but|and|which)\b|\b(?:while|whereas|but)\b", re.I)
_BEFORE_CHARS, _AFTER_CHARS = 60, 40  # how far from a figure a direction word still governs it


def figure_direction(sentence: str, start: int, end: int) -> int:
    """+1 when the direction word nearest the figure in its clause goes up ("a gain of 2.6 points", "raises
    it to 71%"), -1 when it goes down ("a 2.6% decrease", "falls behind ... 59.5"), 0 when none does; a negation
    in the clause before the figure turns it ("does not improve ... 2%"). Only words between the figure and the
    next figure or clause break count, so "X rises 10% while Y falls 5%" gives each figure its own verb."""
    lo = max(0, start - _BEFORE_CHARS)
    before = sentence[lo:start]
    cut = [m.end() for m in _CLAUSE_BREAK.finditer(before)] + [m.end() for m in re.finditer(r"\d[\d.,]*\S*", before)]
    before = before[max(cut, default=0) :]
    after = sentence[end : end + _AFTER_CHARS]
    stop = [m.start() for m in _CLAUSE_BREAK.finditer(after)] + [m.start() for m in re.finditer(r"\d", after)]
    after = after[: min(stop, default=len(after))]
    before, after = (_PLACED.sub("sits", _ONE_DOWN.sub("behind", t)) for t in (before, after))
    found = [(len(before) - m.end(), 1) for m in _UP.finditer(before)]
    found += [(len(before) - m.end(), -1) for m in _DOWN.finditer(before)]
    found += [(m.start(), 1) for m in _UP.finditer(after)] + [(m.start(), -1) for m in _DOWN.finditer(after)]
    if not found:
        return 0
    sign = min(found)[1]
    return -sign if _NEGATION.search(before) else sign


def _names(text: str) -> set[str]:
    toks = tokens(text)
    return {_name_key(t.text) for t in toks if t.name}


def abbreviates(name: str, text: str) -> bool:
    """'sc' for "self-consistency", 'tgs' for "tokens per GPU per second", 'dsv3' for "DeepSeek-V3": the
    letters of `name` in order among the initials of a few consecutive words, or within one name."""
    if len(name) < 2:
        return False
    for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9\-.]*", text):
        # Within one name, the letters open its parts ("DeepSeek-V3": d, s, v3; "Chain-of-Verification": c, o,
        # ve), so 'mla' is not "Multi-Matrix" though its letters occur there in order.
        parts = [p.lower() for p in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", word)]
        if parts and parts[0][0] == name[0] and _opens_parts(name, parts):
            return True
        if word.isalnum() and word.islower() and word[0] == name[0] and _subsequence(name, word):
            return True  # a name key ("deepseekv3"): its parts are not known, its letters in order will do
    parts = [p for w in re.findall(r"[A-Za-z0-9]+", text) if (p := w.lower())]
    for i, p in enumerate(parts):
        if p[0] == name[0] and _subsequence(
            name, "".join(q[0] for q in parts[i : i + 6]) + "".join(parts[i + 1 : i + 2])
        ):
            return True
        if p[0] == name[0] and _prefix_blend(name, parts[i : i + 4]):
            return True
    return False


def _opens_parts(name: str, parts: Sequence[str]) -> bool:
    """Whether `name` is the openings of consecutive parts run together, the first part's at least one letter
    ("cove": c-hain, o-f, ve-rification; "dsv3": d-eep, s-eek, v, 3)."""

    def rest(i: int, j: int) -> bool:
        if j == len(name):
            return True
        if i == len(parts):
            return False
        part = parts[i]
        longest = len(os.path.commonprefix([name[j:], part]))
        return any(rest(i + 1, j + k) for k in range(longest, -1 if i else 0, -1))

    return rest(0, 0)


def _prefix_blend(name: str, words: Sequence[str]) -> bool:
    """ "specdecode" for "speculative decoding", "fastdecode" for "fast decoding": the name is the first three
    or more letters of each of two or more consecutive words (the last may differ in its final letter)."""
    rest, used = name, 0
    for word in words:
        common = len(os.path.commonprefix([rest, word]))
        if common == len(rest) or (common >= 3 and len(rest) - common == 1 and used >= 1):
            return used >= 1 and common >= 3
        if common < 3:
            return False
        rest, used = rest[common:], used + 1
    return False


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


_LEAD_WORDS = 4  # a sentence's subject sits in its first words


def substitution(
    claim: Figure, ev: Figure, table: bool = False, others: Sequence[Figure] = (), neighbours: Sequence[Figure] = ()
) -> bool:
    """The evidence attaches the figure to a name the claim never mentions (or attaches to another of its
    figures), while a name the claim attaches to it is missing there: another system, model, dataset or
    setting (attribution or condition swap).

    A foreign name must be a real name (digits, inner capitals, a compound), or in a table row any
    capitalised label but a heading word."""
    claim_keyed = _name_key(claim.sentence)
    local = _name_key(" ".join(sorted(ev.context | ev.names)))  # the names whole: a stem cuts "AdaDecode" short
    # A name the claim gives before all its figures is their shared subject ("HiSpec raises it from 40% to
    # 58%"), not a name it attaches to another figure than this one.
    # A figure written into a modifier ("With 1024-token sequences, FastDecode scales …") is a setting, not
    # where the subject ends.
    first = min([claim.start, *(o.start for o in others if o.sentence == claim.sentence and not _modifier(o))])
    subject = _names(claim.sentence[:first]) - {n for o in others for n in o.paired}
    elsewhere = {n for o in others for n in o.names} - claim.names - subject
    candidates = ev.names if table else ev.strong | (ev.names & elsewhere)
    foreign = [
        n for n in candidates
        if n not in _HEADING_WORDS
        and (
            (n not in claim_keyed and not abbreviates(n, claim.sentence)) or (n in elsewhere and n not in claim.names)
        )
    ]  # fmt: skip
    # A name that opens on digits is another figure written as a modifier ("12-way", "1024-token"): that figure
    # is checked on its own, so it is not a name the evidence must attach to this one. A name the claim gives
    # another of its figures as well ("4-way tensor-expert (EDP) and 32-way data") is not this figure's own.
    missing = [
        n
        for n in _missing(claim.names, local, ev.names)
        if not n[0].isdigit() and not any(n in o.names for o in others)
    ]
    # The names right after another of the claim's figures are that figure's ("1,536 A800-80G GPUs across 192
    # nodes"): the words before this figure reach them, but their absence beside it is no substitution.
    trailing = {n for o in others if o.sentence == claim.sentence and o.end <= claim.start
                for n in _trailing_names(claim.sentence, o.end)}  # fmt: skip
    missing = [n for n in missing if n not in trailing]
    if missing and not table and neighbours:
        # A name the evidence sentence gives before all its figures is their shared subject, as on the claim's
        # side ("The training of the Skywork-MoE model is conducted on … 192 … nodes, totaling 1536 … GPUs"), not
        # missing from the figure; one named after a figure is that figure's ("TensorRT-LLM 34.2 ms, vLLM 40 ms").
        lead = _name_key(ev.sentence[: min(f.start for f in neighbours)])
        missing = [n for n in missing if n not in lead]
    if not claim.names and not table:
        # The figure's only name is the claim's subject ("vLLM achieved the lowest latency, about 34 ms"): the
        # evidence sentence that gives the figure to another system ("TensorRT-LLM achieves the minimum average
        # latency of 34.2 ms") and never names the subject attributes it elsewhere; only a system the sentence
        # opens with, not a setting it mentions on the way ("39.7% when using up to Layer-10 as the draft").
        missing = _missing(subject, _name_key(ev.sentence), _names(ev.sentence))
        lead = _names(" ".join(_CAPTION_LABEL.sub("", ev.sentence).split()[:_LEAD_WORDS]))
        foreign = [n for n in foreign if n in lead]
    return bool(foreign) and bool(missing)


def _modifier(figure: Figure) -> bool:
    return bool(re.match(r"-[A-Za-z]", figure.sentence[figure.end : figure.end + 2]))


def _trailing_names(sentence: str, end: int) -> set[str]:
    """The run of names that directly follows a figure (its unit-like noun phrase: "1,536 A800-80G GPUs")."""
    out = set()
    for t in tokens(sentence[end:]):
        if not t.name:
            break
        out.add(_name_key(t.text))
    return out


def _missing(names: Iterable[str], keyed: str, evidence_names: Iterable[str]) -> list[str]:
    """The names the evidence text (`keyed`: its name keys run together) does not give, counting an
    abbreviation there ("DSv3" for the claim's "DeepSeek-V3")."""
    shorter = list(evidence_names)
    return [
        n for n in names
        if not n.isdigit() and n not in keyed and not any(abbreviates(m, n) for m in shorter if len(m) < len(n))
    ]  # fmt: skip


# A sentence ends before a capital, or after a figure's full stop (table cells: "… 16.7. code-davinci-002 …").
# A caption's label starts one too: a figure's axis ticks and legend run into "Figure 10: Token generating latency".
_SPLIT = re.compile(
    r"(?<=[.!?])\s+(?=[A-Z(\[])|(?<=\d[.%×x]\.)\s+(?=\S)|(?<=\d\.)\s+(?=[a-z])|\s+(?=(?:Figure|Table)\s+\d+:\s)"
)
_CAPTION_LABEL = re.compile(r"^(?:Figure|Table)\s+\d+:\s*")
_ABBREV = re.compile(
    r"(?:\b(?:inter|v\.s|vs|e\.g|i\.e|al|fig|figs|tab|eq|sec|no|acc|avg|approx|resp|cf|et|ref|refs|ca)|\b[A-Za-z])\.$",
    re.I,
)


_BULLET = re.compile(r"\s*[•▪●▷]\s+")  # a list item starts a sentence: "... candidates. • LLM Quality Filters: ..."


def sentences_of(text: str) -> list[str]:
    """Sentences for alignment: a split that keeps "39.2 v.s. 26.2 Inter. F1" and "et al. (2024)" whole, and
    cuts at list bullets (an item's heading words are not the previous sentence's names)."""
    out: list[str] = []
    for item in _BULLET.split(text):
        start = 0
        for m in _SPLIT.finditer(item):
            head = item[start : m.start()]
            if _ABBREV.search(head):
                continue
            out.append(head.strip())
            start = m.end()
        out.append(item[start:].strip())
    return [s for s in out if s]


def _first_at(stem: str, sentence: str) -> int | None:
    return next((t.start for t in tokens(sentence) if t.stem == stem), None)


def _order_swapped(claim: Figure, other: Figure, ev: Figure, ev_other: Figure) -> bool:
    """Parallel order ("A beats B (39.2 vs 26.2)", "A and B reach x and y respectively"): the figures are
    detached from their descriptions, so the first-named description takes the first figure."""
    once = Counter(t.stem for t in tokens(ev.sentence))
    near = ev.context | ev_other.context
    mine = [w for w in claim.context - other.context if once[w] == 1 and w not in near]
    theirs = [w for w in other.context - claim.context if once[w] == 1 and w not in near]
    if not mine or not theirs:
        return False
    a = min(_first_at(w, ev.sentence) or 0 for w in mine)
    b = min(_first_at(w, ev.sentence) or 0 for w in theirs)
    if a == b or max(a, b) > min(ev.start, ev_other.start):
        return False  # descriptions must both come before the figures they are paired with
    return (a < b) != (ev.start < ev_other.start)


def swapped(claim: Figure, ev: Figure, claim_figures: Sequence[Figure], matches: dict[int, list[Figure]]) -> bool:
    """Two figures of the claim whose descriptions trade places in the evidence ("A 39.2 vs B 26.2" stated
    as "A 26.2 vs B 39.2"): this figure's words sit at the other figure's match, and the other's words here,
    or, where the evidence lists the figures apart from their descriptions, in the other order."""
    for other in claim_figures:
        if other is claim or abs(other.number.value - claim.number.value) < 1e-9:
            continue
        if other.number.unit != claim.number.unit:
            continue  # a count and a percentage never trade places
        mine_here = len(claim.context & ev.context)
        for ev_other in matches.get(id(other), []):
            if ev_other.sentence != ev.sentence or ev_other.start == ev.start:
                continue
            if len(claim.context & ev_other.context) > mine_here and len(other.context & ev.context) > len(
                other.context & ev_other.context
            ):
                return True
            if _order_swapped(claim, other, ev, ev_other):
                return True
    return False


# What a figure is measured against: "1.28x compared to the baseline single-layer speculation", "4.43x over AR
# decoding", "relative to vanilla decoding, ... 1.7x". The phrase runs to a clause break, a figure or a connective.
_AGAINST = re.compile(r"\b(?:over|than|compared (?:to|with)|relative to|vs\.?|versus|against|w\.r\.t\.?)\s+", re.I)
_PHRASE_END = frozenset(
    """and or on in at with across while for by when under without which respectively where whereas but as from to
    using achieving reaching""".split()  # noqa: SIM905
)
_NOT_BASELINE = frozenset(["time", "the"])
# Words that name no particular baseline ("the baseline algorithm, where the baseline is ..."): never a conflict.
_GENERIC_BASELINE = frozenset(
    _stem(w)
    for w in """baseline baselines algorithm algorithms method methods approach approaches model models system systems
    others counterpart counterparts prior existing previous work works""".split()  # noqa: SIM905
)


def _baseline_stem(word: str) -> str:
    return _stem(_name_key(word))  # "auto-regressive" and "autoregressive" are one word


_NEXT_SUBJECT_VERBS = frozenset(
    "presents proposes introduces achieves uses employs reaches shows demonstrates extends adopts".split()  # noqa: SIM905
)


def comparators(sentence: str) -> list[tuple[int, str]]:
    """(position, words) of each baseline phrase of the sentence: "over AR decoding" -> "AR decoding"."""
    out = []
    for m in _AGAINST.finditer(sentence):
        words: list[Token] = []
        prev = m.end()
        for t in tokens(sentence[m.end() :]):
            if words and re.search(r"[,;:()\[\]]", sentence[prev : m.end() + t.start]):
                break
            if t.text[0].isdigit() or t.text.lower() in _PHRASE_END or len(words) >= 5:
                break  # "over 80%" is a bound, not a baseline
            if t.text.lower() in _NEXT_SUBJECT_VERBS and len(words) >= 2 and words[-1].name:
                words.pop()  # "over standard SD AMUSD presents …": pypdf lost the full stop; AMUSD opens the next
                break
            words.append(t)
            prev = m.end() + t.end
        kept = [t.text for t in words if len(t.text) > 1 and t.text.lower() not in _STOP | _NOT_BASELINE]
        if kept:
            out.append((m.start(), " ".join(kept)))
    return out


def comparator_of(figure: Figure) -> str | None:
    """The baseline a figure is stated against: the first baseline phrase after it in its sentence ("1.28x and
    up to 2.01x compared to X": both against X), else the last one before it."""
    found = comparators(figure.sentence)
    after = [text for at, text in found if at >= figure.end]
    if after:
        return after[0]
    before = [text for at, text in found if at < figure.start]
    return before[-1] if before else None


def _unmatched(words: str, other: str, also: set[str]) -> set[str]:
    """The specific words of one baseline that the other does not name, written out or abbreviated."""
    other_stems = {_baseline_stem(w) for w in other.split()} | also
    return {
        _baseline_stem(w) for w in words.split()
        if _baseline_stem(w) not in other_stems and _baseline_stem(w) not in _GENERIC_BASELINE
        and not (len(_name_key(w)) <= 4 and abbreviates(_name_key(w), other))
        and not any(len(_name_key(o)) <= 4 and abbreviates(_name_key(o), w) for o in other.split())
    }  # fmt: skip


def baseline_verdict(claim: Figure, evidence: Figure) -> int:
    """Is the figure measured against the same thing? -1 when each side's baseline has specific words the other
    lacks and the evidence's are nowhere in the claim ("4.4x faster than standard SD" for "4.43x over AR
    decoding"), +1 when the baselines agree, 0 when either states none."""
    mine, theirs = comparator_of(claim), comparator_of(evidence)
    if not mine or not theirs:
        return 0
    claim_stems = {_baseline_stem(t.text) for t in tokens(claim.sentence)}
    if _unmatched(theirs, mine, claim_stems) and _unmatched(mine, theirs, set()):
        return -1
    return 1


MIN_OVERLAP = 0.15  # direction, negation and scope are read off the best sentence only when it is about the claim
# "all 125 Bamboogle questions" counts a set, it claims no scope; "every benchmark except TriviaQA" states its own
# exception.
_COUNTED_ALL = re.compile(r"\b(?:all|each|every)\s+(?:of\s+(?:the\s+)?)?\d[\d,.]*", re.I)
_HEDGE_EXCEPT = re.compile(r"\b(?:except|apart from|other than|with the exception of|but not)\b", re.I)
_NOT_UNIVERSAL = re.compile(r"\bnot (?:always|all|every|uniformly|consistently|necessarily)\b|\bonly\b", re.I)
_COMPARATIVE = words_pattern(
    r"outperform\w*|beats?|exceed\w*|surpass\w*|outscor\w*|than|over|falls? behind|trails?|lags?|vs\.?|versus"
)


def comparison_order_flipped(claim: str, sentence: str) -> bool:
    """ "X outperforms Y" read as "Y outperforms X": words of both sides trade sides of the comparative."""
    cm, em = _COMPARATIVE.search(claim), _COMPARATIVE.search(sentence)
    if cm is None or em is None:
        return False
    c_left = {t.stem for t in tokens(claim[: cm.start()])} - _STOP_STEMS
    c_right = {t.stem for t in tokens(claim[cm.end() :])} - _STOP_STEMS
    e_left = {t.stem for t in tokens(sentence[: em.start()])} - _STOP_STEMS
    e_right = {t.stem for t in tokens(sentence[em.end() :])} - _STOP_STEMS
    moved_right = (c_left - c_right) & (e_right - e_left)
    moved_left = (c_right - c_left) & (e_left - e_right)
    stayed = ((c_left - c_right) & (e_left - e_right)) | ((c_right - c_left) & (e_right - e_left))
    return bool(moved_right) and bool(moved_left) and len(moved_right | moved_left) > len(stayed)


def _shape(key: str) -> str:
    return re.sub(r"\d+", "0", re.sub(r"[a-z]", "a", key))


def name_swapped(claim: str, sentence: str) -> bool:
    """A name of the claim replaced by one of the same kind in the evidence: A100 for H100, FP16 for FP32,
    Vicuna-13B for Vicuna-7B (same letters, other digits, or the same shape)."""
    c_names = {_name_key(t.text) for t in tokens(claim) if t.name}
    e_names = {_name_key(t.text) for t in tokens(sentence) if t.name}
    c_keyed, e_keyed = _name_key(claim), _name_key(sentence)
    only_c = [n for n in c_names if n not in e_keyed and any(ch.isdigit() for ch in n)]
    only_e = [n for n in e_names if n not in c_keyed and any(ch.isdigit() for ch in n)]
    for a in only_c:
        for b in only_e:
            letters_a, letters_b = re.sub(r"\d", "", a), re.sub(r"\d", "", b)
            if (letters_a and letters_a == letters_b) or (_shape(a) == _shape(b) and len(a) <= 6):
                return True
    return _variant_swapped(claim, sentence, c_keyed, e_keyed)


def _variant_swapped(claim: str, sentence: str, c_keyed: str, e_keyed: str) -> bool:
    """Two variants of one named family: "code-davinci-002" for "text-davinci-002", "Llama-2-Chat" for
    "Llama-2-Base": compound names that share a part and each have a part the other lacks (a name that only
    adds parts, "Llama3-8B" and "Llama3-8B-Instruct", is the same system said more or less fully)."""

    def compounds(text: str, other_keyed: str) -> list[set[str]]:
        names = {t.text for t in tokens(text) if t.name and "-" in t.text and _name_key(t.text) not in other_keyed}
        return [{p for p in n.lower().split("-") if p} for n in names]

    for a in compounds(claim, e_keyed):
        for b in compounds(sentence, c_keyed):
            if a & b and a - b and b - a and len(a | b) <= 5:
                return True
    return False


ROLE_WORDS = 4  # content words before a slot that describe its role


def _role_words(sentence: str, start: int, lo: int) -> set[str]:
    """The content stems just before a slot, after `lo` (the previous slot): what the sentence binds to it.
    English describes a slot before it ("the draft model on the CPU", "three models achieve 2.00x"). Compounds
    count by their parts, so "three models" meets "three-model"; sizes and figures are slots, not roles."""
    out: list[str] = []
    for t in tokens(sentence[lo:start]):
        if (t.name and any(c.isdigit() for c in t.text)) or _FIGURE_TOKEN.match(t.text):
            continue
        out += [_stem(p) for p in t.text.split("-") if p and not p[0].isdigit() and p.lower() not in _STOP]
    return set(out[-ROLE_WORDS:])


def roles_swapped(
    claim: str,
    claim_spans: Sequence[tuple[int, int]],
    sentence: str,
    evidence_spans: Sequence[tuple[int, int]],
    claim_stops: Sequence[int] = (),
    evidence_stops: Sequence[int] = (),
) -> bool:
    """Two slots whose descriptions trade places: "the two-model setup reached 2.0x, beating the three-model
    pipeline at 1.6x" against "three models achieve 2.00x, outperforming the two-model configuration at
    1.64x"; "the draft model on the CPU while the target model runs on the GPU" against "the draft model on
    the GPU and the target model on the CPU".

    `claim_spans[i]` and `evidence_spans[i]` are one slot (a figure both state, or a name both use). Of the
    words each side binds to a slot, those its other slot does not share are compared: the claim's words for
    each slot found at the other slot in the evidence, and none at the same slot, is a swap. Words found at
    the same slots keep the claim's roles (the figures' own check then decides). A description runs back no
    further than the previous slot or `*_stops` (where the side's other figures end)."""
    if len(claim_spans) != 2 or len(evidence_spans) != 2:
        return False

    def described(text: str, spans: Sequence[tuple[int, int]], stops: Sequence[int]) -> list[set[str]]:
        ends = [*stops, *(end for _, end in spans)]
        lows = [max((e for e in ends if e <= start), default=0) for start, _ in spans]
        words = [_role_words(text, spans[i][0], lows[i]) for i in range(2)]
        return [words[0] - words[1], words[1] - words[0]]

    c, e = described(claim, claim_spans, claim_stops), described(sentence, evidence_spans, evidence_stops)
    if (c[0] & e[0]) or (c[1] & e[1]):
        return False
    return bool(c[0] & e[1]) and bool(c[1] & e[0])


ABSENT_ON_TOPIC = 0.5  # a figure missing from a sentence sharing half the claim's words is a changed figure
MAX_CHANGE = 5.0  # a slot's value and the claim's differ by at most this factor to count as a changed figure
RELEVANCE_WEIGHT = 5.0  # a sentence's word overlap with the claim, in shared-context words
RELEVANCE_SLACK = 0.5  # a benign occurrence this close in relevance to the top one still clears the figure
ON_TOPIC = 0.3  # share of the claim's content words a sentence needs to count as about the claim


CELL_COVERAGE = 0.8  # share of a table cell's row and column words the claim must name for the cell to be its slot
_CELL_END = re.compile(r"\d[\d.,]*\s*(?:%|×|x|ms|s)?\.$")


def is_cell(sentence: str) -> bool:
    """A table cell written out by `synth.corpus.tables` ("Llama3-8B LayerSkip CNN/DM 1.70×."): short, ends
    with its figure."""
    return len(sentence) <= 160 and bool(_CELL_END.search(sentence)) and len(sentence.split()) <= 16


SOLE_SLOT_TOPIC = 0.4  # share of the claim's content words the sentence needs for its only figure to be the slot


def _sole_slot(
    cf: Figure,
    claim_figures: Sequence[Figure],
    by_sentence: dict[str, list[Figure]],
    overlap_of: dict[str, float],
    cells: set[str],
    matches: dict[int, list[Figure]],
    anchored: Set[str] = frozenset(),
) -> Figure | None:
    """The figure the evidence gives in place of the claim's, when the context words alone do not say so: the
    sentence most about the claim (sharing SOLE_SLOT_TOPIC of its words, not a table cell) holds exactly one
    figure of the claim's unit and order of magnitude that no other figure of the claim matches ("activates
    about 28 billion" against "38B parameters are activated"; "up to 6.5x" against "up to 4.64x").

    A sentence that states another of the claim's figures (`anchored`) is about the claim whatever its overlap.
    It goes both ways: the figure equal to the claim's is support (found before this is asked), another
    value in the same slot is a changed figure."""
    topical = [
        s for s in by_sentence if s not in cells and (overlap_of.get(s, 0.0) >= SOLE_SLOT_TOPIC or s in anchored)
    ]  # fmt: skip
    if not topical:
        return None
    sentence = max(topical, key=lambda s: overlap_of.get(s, 0.0))
    if _other_subject(cf.sentence, sentence):
        return None  # the sentence is about another system: its figure is that system's, not the claim's slot
    used = {id(ef) for o in claim_figures if o is not cf for ef in matches.get(id(o), [])}
    candidates = [
        ef
        for ef in by_sentence[sentence]
        if id(ef) not in used
        and (ef.number.unit == cf.number.unit)
        and 1 / MAX_CHANGE <= abs(ef.number.value) / max(1e-9, abs(cf.number.value)) <= MAX_CHANGE
        and not any(abs(o.number.value - ef.number.value) < 1e-9 for o in claim_figures)
    ]
    return candidates[0] if len(candidates) == 1 else None


def assign_parallel_names(claim: str, figures: Sequence[Figure]) -> None:
    """ "A beats B by 77% to 75%": figures listed apart from their subjects take the names in order."""
    bare = [f for f in figures if not {n for n in f.names if not n.isdigit()}]
    if len(figures) != 2 or len(bare) != 2 or not _COMPARATIVE.search(claim):
        return
    first = min(f.start for f in figures)
    names = list(dict.fromkeys(_name_key(t.text) for t in tokens(claim[:first]) if t.name))
    names = [n for n in names if not n.isdigit() and n not in _GENERIC]
    if len(names) < 2:
        return
    ordered = sorted(figures, key=lambda f: f.start)
    for figure, name in zip(ordered, names[:2], strict=True):
        figure.names = figure.names | {name}
        figure.paired = figure.paired | {name}


def align(claim: str, windows: Sequence[str], paper_text: str = "") -> AlignResult:
    """Align the claim's figures, direction and scope with the evidence windows (best sentence wins).

    `paper_text`, the whole text of the claim's source paper(s) when known, decides which of the claim's
    models and datasets the paper never names (see `_never_named`)."""
    claim = normalise_text(claim)
    located = [
        (s, i)
        for i, w in enumerate(windows)
        for s in sentences_of(strip_citations(" ".join(normalise_text(w).split())))
    ]
    sentences = [s for s, _ in located]
    result = AlignResult(window_of=dict(reversed(located)))
    if not sentences:
        result.name_coverage = 0.0
        return result
    claim_words = _content(claim)
    claim_stems = {t.stem for t in tokens(claim)}
    overlaps = [len(claim_words & _content(s)) / max(1, len(claim_words)) for s in sentences]
    best = max(range(len(sentences)), key=overlaps.__getitem__)
    result.best_sentence, result.best_overlap = sentences[best], overlaps[best]
    evidence_names = set().union(*(_names(s) for s in sentences))
    claim_names = {k for k in _names(claim) if not k.isdigit()}
    result.name_coverage = len(claim_names & evidence_names) / len(claim_names) if claim_names else 1.0

    claim_figures = [f for f in figures_of(claim, claim_side=True) if f.number.unit != "" or f.number.value > 0]
    by_sentence = {s: figures_of(s) for s in dict.fromkeys(sentences)}
    evidence_figures = [f for s in dict.fromkeys(sentences) for f in by_sentence[s]]
    overlap_of = dict(zip(sentences, overlaps, strict=True))
    assign_parallel_names(claim, claim_figures)

    # Table cells ("Least-to-Most L = 12 74.0."): per table (its caption: one table's cells span several
    # windows), the names of all its rows and columns and the numbers in its labels ("L = 12"), so a cell can be
    # read against the rest of its table.
    tables = {i: w.split(CELLS_MARKER)[0] for i, w in enumerate(windows) if CELLS_MARKER in w}  # `corpus.tables`
    tables.update(_uncaptioned_tables(located, tables))
    table_of: dict[str, str] = {}
    for s, i in located:
        if i in tables and is_cell(s):
            table_of.setdefault(s, tables[i])
    cells = set(table_of)
    cell_names = {s: _names(s) for s in cells}
    table_names: dict[str, set[str]] = {}
    table_labels: dict[str, set[float]] = {}
    for s in cells:
        table_names.setdefault(table_of[s], set()).update(cell_names[s])
        table_labels.setdefault(table_of[s], set()).update(f.number.value for f in by_sentence[s][:-1])

    def about(cf: Figure, ef: Figure) -> bool:
        """A figure counts only where the evidence is about the claim: shared context, an on-topic sentence,
        or a cell of a table one of whose rows or columns the claim names (another row's figure is then a
        conflict, not nothing)."""
        if bool(cf.context & ef.context) or overlap_of.get(ef.sentence, 0.0) >= ON_TOPIC:
            return True
        return ef.sentence in cells and bool(cf.names & table_names.get(table_of[ef.sentence], set()))

    def other_column(cf: Figure, ef: Figure) -> bool:
        """The claim's other figures name a column of this table ("12-word lists" for "L = 12") that is not
        this cell's ("L = 8"): the figure is right for another setting."""
        if ef.sentence not in cells:
            return False
        labels = table_labels.get(table_of[ef.sentence], set())
        own = {f.number.value for f in by_sentence[ef.sentence][:-1]}
        named = {o.number.value for o in claim_figures if o is not cf} & labels
        return bool(named) and not (named & own)

    def other_row(cf: Figure, ef: Figure) -> bool:
        """The labels the claim gives its figure pick out another cell of this table ("LayerSkip about 2.1x on
        CNN/DM" where 2.08x is HiSpec's cell and LayerSkip's CNN/DM cell says 1.70x)."""
        if ef.sentence not in cells:
            return False
        table = table_of[ef.sentence]
        wanted = cf.names & table_names.get(table, set())
        if not wanted or wanted <= cell_names[ef.sentence]:
            return False
        return any(wanted <= cell_names[s] for s in cells if table_of[s] == table and s != ef.sentence)

    matches = {
        id(cf): [ef for ef in evidence_figures if value_matches(cf, ef) and about(cf, ef)] for cf in claim_figures
    }
    # A sentence that states one of the claim's figures is about the claim: its other figures count for the
    # claim's others even when the words around them differ ("by 55% on one dataset and 24% on the other" for
    # "by 55% and 24%, for two datasets respectively").
    anchored = {ef.sentence for cf in claim_figures for ef in matches[id(cf)] if ef.sentence not in cells}
    for cf in claim_figures:
        if not matches[id(cf)]:
            matches[id(cf)] = [ef for ef in evidence_figures if ef.sentence in anchored and value_matches(cf, ef)]
    for cf in claim_figures:
        same = matches[id(cf)]
        verdicts = []
        for ef in same:
            others = [o for o in claim_figures if o is not cf]
            bad = (
                substitution(cf, ef, ef.table, others, by_sentence[ef.sentence])
                or swapped(cf, ef, claim_figures, matches)
                or other_column(cf, ef)
                or other_row(cf, ef)
            )
            closeness = abs(ef.number.value - cf.number.value) / max(1e-9, abs(cf.number.value))
            relevance = len(cf.context & ef.context) + RELEVANCE_WEIGHT * overlap_of.get(ef.sentence, 0.0)
            verdicts.append((bad, -relevance, closeness, ef))
        # The occurrence most about the claim decides; a benign repeat elsewhere (an abstract, a baseline
        # "1.00x") does not clear a figure the best-matching sentence attaches to something else.
        verdicts.sort(key=lambda t: (t[1], t[2]))
        if verdicts and verdicts[0][0] and any(not v[0] and v[1] <= verdicts[0][1] + RELEVANCE_SLACK for v in verdicts):
            verdicts.sort(key=lambda t: (t[0], t[1], t[2]))
        if verdicts and not verdicts[0][0]:
            ef = verdicts[0][3]
            # The same figure stated against another baseline ("4.43x over AR decoding" for "4.4x faster than
            # standard SD") is a comparator swap, unless an occurrence as relevant names the claim's baseline.
            benign = [v[3] for v in verdicts if not v[0] and v[1] <= verdicts[0][1] + RELEVANCE_SLACK]
            against = [baseline_verdict(cf, e) for e in benign]
            if against[0] < 0 and not any(a > 0 for a in against):
                mine, theirs = comparator_of(cf) or "", comparator_of(ef) or ""
                result.checks.append(
                    FigureCheck(cf, Verdict.CONFLICT, ef,
                                f'claim: {cf.text} against {mine}; the evidence states {ef.text} against {theirs}: '
                                f'"{_clip(ef.sentence)}"', baseline=theirs)
                )  # fmt: skip
                continue
            per_c, per_e = per_unit(cf.sentence, cf.end), per_unit(ef.sentence, ef.end)
            if per_c and per_e and per_c[:2] != per_e[:2]:
                # "7 scale-ups per minute" for "7.12 … per 10 seconds": the figure is right, its rate's unit is not.
                result.checks.append(
                    FigureCheck(cf, Verdict.CHANGED, ef,
                                f"claim: {cf.text} per {per_c[2]}; the evidence states {ef.text} per {per_e[2]}: "
                                f'"{_clip(ef.sentence)}"', why=f" per {per_e[2]}, not per {per_c[2]}", unit=True)
                )  # fmt: skip
                continue
            stat_c, stat_e = statistic_of(cf.sentence, cf.start, cf.end), statistic_of(ef.sentence, ef.start, ef.end)
            if stat_c and stat_e and stat_c != stat_e:
                # "tops out at about 1.66x" for "1.7x on average and up to 2.08x": the mean is not the maximum.
                result.checks.append(
                    FigureCheck(cf, Verdict.CONFLICT, ef,
                                f'claim: {cf.text} as the {stat_c}; the evidence gives {ef.text} as the {stat_e}: '
                                f'"{_clip(ef.sentence)}"', why=f" as the {stat_e}, not the {stat_c}")
                )  # fmt: skip
                continue
            if ef.sentence not in cells and (
                why := respective_conflict(cf, ef, claim_figures, by_sentence[ef.sentence])
            ):
                result.checks.append(
                    FigureCheck(cf, Verdict.CONFLICT, ef, f'claim: {cf.text}; {why}: "{_clip(ef.sentence)}"', why=why)
                )  # fmt: skip
                continue
            if ef.sentence not in cells and name_swapped(cf.sentence, ef.sentence):
                # The figure's own sentence names a sibling of the claim's setting and not the claim's
                # ("7.2% with text-davinci-002" for "with code-davinci-002"): it is stated for the other one.
                result.checks.append(
                    FigureCheck(cf, Verdict.CONFLICT, ef,
                                f'claim: {cf.text}; the evidence states it under another setting: '
                                f'"{_clip(ef.sentence)}"', why=" under another setting than the claim's")
                )  # fmt: skip
                continue
            result.checks.append(FigureCheck(cf, Verdict.AGREE, ef, f"{cf.text}: stated"))
            continue
        if verdicts:
            ef = verdicts[0][3]
            result.checks.append(
                FigureCheck(
                    cf,
                    Verdict.CONFLICT,
                    ef,
                    f'claim: "{_clip(cf.sentence[max(0, cf.start - 60) : cf.end + 10], 90)}" — the evidence '
                    f'attaches {ef.text} to something else: "{_clip(ef.sentence)}"',
                )  # fmt: skip
            )
            continue
        named = _named_number(cf, sentences)
        if named is not None:  # "exit layer 7" for "exit Layer-7": the figure is written into a name there
            result.checks.append(FigureCheck(cf, Verdict.AGREE, None, f'{cf.text}: stated as "{named}"'))
            continue
        # The same digits on another scale of the same unit ("50 microseconds" for "50ms"): a unit/scale error.
        rescaled = [ef for ef in evidence_figures if about(cf, ef) and rescaled_figure(cf, ef)]
        if rescaled:
            ef = max(
                rescaled, key=lambda f: len(cf.context & f.context) + RELEVANCE_WEIGHT * overlap_of.get(f.sentence, 0)
            )
            detail = f'claim: {cf.text}; the evidence states {ef.text} (another unit or scale): "{_clip(ef.sentence)}"'
            result.checks.append(
                FigureCheck(cf, Verdict.CHANGED, ef, detail, why=" in another unit or scale", unit=True)
            )
            continue
        # No matching value: is there a slot for it (same unit, same context) holding another value?
        slots = []
        for ef in evidence_figures:
            if not _same_slot(cf, ef):
                continue
            agree = len(cf.context & ef.context)
            if ef.sentence in cells and len(ef.context & claim_stems) < CELL_COVERAGE * len(ef.context):
                continue  # a table cell is the claim's slot only when the claim names its row and its column
            if ef.sentence not in cells and _other_subject(claim, ef.sentence):
                continue  # "Yi-Coder … is trained on 2.4 trillion tokens" is no slot of a claim about Seed-Coder
            if not substitution(cf, ef, ef.table, (), by_sentence[ef.sentence]):
                slots.append((agree, ef))
        sole = None if slots else _sole_slot(cf, claim_figures, by_sentence, overlap_of, cells, matches, anchored)
        if slots:
            ef = max(slots, key=lambda t: t[0])[1]
            result.checks.append(
                FigureCheck(cf, Verdict.CHANGED, ef,
                            f"claim: {cf.text}; the evidence gives {ef.text} for it: \"{_clip(ef.sentence)}\"")
            )  # fmt: skip
        elif sole is not None:
            result.checks.append(
                FigureCheck(cf, Verdict.CHANGED, sole,
                            f"claim: {cf.text}; the sentence most about the claim gives {sole.text} instead, its only "
                            f"figure of that kind: \"{_clip(sole.sentence)}\"")
            )  # fmt: skip
        else:
            result.checks.append(FigureCheck(cf, Verdict.ABSENT, None, f"{cf.text}: not stated in the evidence"))

    _split_conditions(result.checks, by_sentence, cells)
    # The claim's model, dataset or hardware that the evidence never names ("on Llama-2-70B" where the paper tests
    # 7B and 13B): its figures there are for other settings, what NOT ENOUGH INFO looks like. A sibling named
    # instead ("A100" for "H100") is a swapped condition, not an absent one.
    unnamed = _unnamed_conditions(claim, sentences)
    result.hardware_swap = hardware_swapped(claim, sentences)
    swapped_name = bool(result.hardware_swap) or any(name_swapped(claim, s) for s in sentences)
    result.unnamed = [] if swapped_name else unnamed
    if paper_text and not result.hardware_swap:
        result.unnamed = _never_named(unnamed, paper_text)
    anchors = Counter(c.evidence.sentence for c in result.checks if c.outcome == Verdict.AGREE and c.evidence)
    # A figure contradicted by the very sentence that states the claim's other figures: the claim is about
    # that sentence, so the mismatch is not a stray number elsewhere.
    result.bad_beside_agree = any(
        c.outcome in (Verdict.CONFLICT, Verdict.CHANGED) and c.evidence is not None and c.evidence.sentence in anchors
        for c in result.checks
    )
    anchor = max(anchors, key=lambda a: (anchors[a], overlap_of.get(a, 0.0))) if anchors else None
    if anchor is not None and overlap_of.get(anchor, 0.0) >= MIN_OVERLAP:
        result.best_sentence, result.best_overlap = anchor, max(result.best_overlap, overlap_of[anchor])
    result.role_swap = _role_swap(claim, result, overlap_of) or _clause_swap(claim, result, overlap_of)
    result.figure_direction_flip = _figure_direction_flip(claim, result)
    result.trend_flip = _trend_flip(claim, list(dict.fromkeys(sentences)), overlap_of)
    sentence = result.best_sentence
    # A flattened table row or a cell states no direction, negation or scope: its header words ("Zero-Shot",
    # "Standard prompting") read as such are noise, and its figures are checked one by one above.
    prose = sentence not in cells and not _table_like(tokens(sentence), len(by_sentence.get(sentence) or []))
    if result.best_overlap >= MIN_OVERLAP and prose:
        c_dir, c_down, c_neg = _parity(claim)
        e_dir, e_down, e_neg = _parity(sentence)
        flipped = (c_down + c_neg) % 2 != (e_down + e_neg) % 2
        if c_dir and e_dir:
            result.polarity_flip = flipped != comparison_order_flipped(claim, sentence)
        elif c_neg != e_neg and (c_neg == 0 or e_neg == 0):
            result.negation_flip = True
        universal = _UNIVERSAL.search(_COUNTED_ALL.sub("", claim)) and not _HEDGE_EXCEPT.search(claim)
        if universal and (
            not _UNIVERSAL.search(sentence) or _NOT_UNIVERSAL.search(sentence) or (
                _HEDGE.search(sentence) and not _HEDGE.search(claim))
        ):  # fmt: skip
            result.scope_unsupported = True
    if result.best_overlap >= MIN_OVERLAP:
        result.name_swap = name_swapped(claim, sentence)
    return result


_RANGE_LABELS = re.compile(r"\bfrom\s+(?P<a>\S+)\s+to\s+(?P<b>\S+?),?\s+respectively\b", re.I)
_LIST_LABELS = re.compile(r"\b(?:for|on|in|with|at|of|under|across)\s+(?P<items>[^;:]+?),?\s+respectively\b", re.I)


def _run_of(ef: Figure, figures: Sequence[Figure]) -> tuple[int, int]:
    """(position of `ef`, length) in the list of figures it belongs to ("2.34×, 1.74×, 3.73×, and 4.04×")."""
    i = next(k for k, f in enumerate(figures) if f is ef)
    lo = hi = i
    while (
        lo > 0
        and figures[lo - 1].number.unit == ef.number.unit
        and _LISTED.fullmatch(ef.sentence[figures[lo - 1].end : figures[lo].start])
    ):
        lo -= 1
    while (
        hi + 1 < len(figures)
        and figures[hi + 1].number.unit == ef.number.unit
        and _LISTED.fullmatch(ef.sentence[figures[hi].end : figures[hi + 1].start])
    ):
        hi += 1
    return i - lo, hi - lo + 1


def respective_conflict(cf: Figure, ef: Figure, claim_figures: Sequence[Figure], figures: Sequence[Figure]) -> str:
    """A figure of a "respectively" list given to another item of its label list: "reduced by 2.34×, 1.74×, 3.73×
    and 4.04× for prompt lengths ranging from 8,192 to 65,536, respectively" makes 4.04× the 65,536-token figure
    and 2.34× the 8,192-token one; "72.8% and 84.1% … on the 7b and 13b models, respectively" makes 72.8% the 7b
    model's. The claim's label picks an item; the figure there must be the claim's. "" when that item's figure
    matches, or when the list, its labels or the claim's label cannot be read."""
    if "respectively" not in ef.sentence.lower():
        return ""
    position, length = _run_of(ef, figures)
    if length < 2:
        return ""
    run = [f for f in figures if f.start >= ef.start][: length - position]
    run = [f for f in figures if f.end <= ef.start][-position:] + run if position else run
    after = ef.sentence[run[-1].end :]
    others = [o for o in claim_figures if o is not cf]
    picked: tuple[int, str] | None = None
    if m := _RANGE_LABELS.search(after):
        for k, group in ((0, "a"), (length - 1, "b")):
            at = run[-1].end + m.start(group)
            end = next((f for f in figures if f.start == at), None)
            if end is not None and any(value_matches(o, end) for o in others):
                picked = (k, end.text)
    elif m := _LIST_LABELS.search(after):
        items = [i.strip() for i in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", m["items"]) if i.strip()][-length:]
        if len(items) == length:
            keys = [{_name_key(t.text) for t in tokens(item) if t.text.lower() not in _STOP} - {""} for item in items]
            unique = [k - set().union(*(keys[j] for j in range(length) if j != i)) for i, k in enumerate(keys)]
            claim_keys = {_name_key(t.text) for t in tokens(cf.sentence)}
            named = [i for i in range(length) if unique[i] & claim_keys]
            if len(named) == 1:
                picked = (named[0], items[named[0]])
    if picked is None or value_matches(cf, run[picked[0]]):
        return ""
    return f" for another item of its list; for {picked[1]} the evidence gives {run[picked[0]].text}"


def _unnamed_conditions(claim: str, sentences: Sequence[str]) -> list[str]:
    """The claim's names with digits ("Llama-2-70B", "GSM8K", "H100") that no evidence sentence gives, whole or
    abbreviated."""
    keyed = " ".join(_name_key(s) for s in sentences)
    shorter = set().union(*(_names(s) for s in sentences)) if sentences else set()
    out = []
    for t in tokens(claim):
        key = _name_key(t.text)
        if not t.name or not _is_strong_name(t.text) or not any(c.isdigit() for c in key) or key[0].isdigit():
            continue
        if key not in keyed and not any(abbreviates(m, key) for m in shorter if len(m) < len(key)):
            out.append(t.text)
    return out


def _never_named(names: Sequence[str], paper_text: str) -> list[str]:
    """Of the claim's names that no evidence window gives, those the whole source paper never gives either.

    Read against the windows alone, "Llama-2-70B" beside the paper's "Llama-7b" looks like a swapped model; a
    paper that tests 7B and 13B and never mentions a 70B model has no result for it (NOT ENOUGH INFO), while
    a model the paper does name elsewhere is a setting it tested, and its figures decide. Hardware is
    different (a paper states the one setup it ran on), so a swapped accelerator is left to `hardware_swapped`.
    """
    keyed = _paper_key(paper_text)
    return [n for n in names if _name_key(n) not in keyed]


@functools.lru_cache(maxsize=8)
def _paper_key(text: str) -> str:
    """The paper as one run of name keys (claims of one paper are checked one after another: kept)."""
    return _name_key(text)


def _same_slot(cf: Figure, ef: Figure) -> bool:
    """The evidence figure fills the claim figure's slot: a compatible unit, within `MAX_CHANGE` of it (two orders
    of magnitude apart is another quantity), and described by the same words (three for bare numbers)."""
    compatible = cf.number.unit == ef.number.unit or (
        {cf.number.unit, ef.number.unit} == {"%", ""} and "." in (ef.text + cf.text)
    )
    if not compatible:
        return False
    if not (1 / MAX_CHANGE <= abs(ef.number.value) / max(1e-9, abs(cf.number.value)) <= MAX_CHANGE):
        return False
    plain = cf.number.unit == "" and ef.number.unit == ""
    return len(cf.context & ef.context) >= (3 if plain else 2)


def _split_conditions(checks: Sequence[FigureCheck], by_sentence: dict[str, list[Figure]], cells: set[str]) -> None:
    """Figures the claim puts together that the evidence states in two sentences, each giving the other's slot
    another value ("second stage: 1000 steps at 128K, batch 288" and "first stage: 32K, batch 1152" for "the second
    stage ran at 128K with batch 1,152"): the claim joins two settings, and the figure stated in the sentence
    that fewer of the claim's figures anchor is the changed one. Either sentence alone agreeing with all the
    claim's figures it states keeps every figure agreed."""
    agreed = [c for c in checks if c.outcome == Verdict.AGREE and c.evidence and c.evidence.sentence not in cells]
    used = {id(c.evidence) for c in agreed}
    weight = Counter(c.evidence.sentence for c in agreed if c.evidence)

    def slot(cf: Figure, sentence: str) -> Figure | None:
        return next(
            (ef for ef in by_sentence.get(sentence, []) if id(ef) not in used and not value_matches(cf, ef)
             and _same_slot(cf, ef)),
            None,
        )  # fmt: skip

    for a in agreed:
        for b in agreed:
            if a is b or not a.evidence or not b.evidence or a.outcome != Verdict.AGREE:
                continue
            sa, sb = a.evidence.sentence, b.evidence.sentence
            if sa == sb or weight[sa] > weight[sb] or (weight[sa] == weight[sb] and checks.index(a) < checks.index(b)):
                continue  # `a` is the figure stated apart: the sentence with fewer anchors (the later on a tie)
            here, there = slot(a.claim, sb), slot(b.claim, sa)
            if here is None or there is None:
                continue
            a.outcome, a.evidence = Verdict.CHANGED, here
            a.why = f" for it, beside {b.evidence.text}; {a.claim.text} goes with {there.text} in another sentence"
            a.detail = (
                f"claim: {a.claim.text} with {b.claim.text}; the sentence stating {b.evidence.text} gives {here.text} "
                f'for it: "{_clip(sb)}"; {a.claim.text} goes with {there.text} there: "{_clip(sa)}"'
            )
            break


_NUMBERED_HEADING = re.compile(r"^\d+(?:\.\d+)*\.?\s+(?:[A-Z]{2,}[\s:]+)+")


def _other_subject(claim: str, sentence: str) -> bool:
    """The sentence opens on a system the claim never names ("Yi-Coder [01.AI, 2024] is a series of code LLMs"): its
    figures are that system's."""
    keyed = _name_key(claim)
    sentence = _NUMBERED_HEADING.sub("", _CAPTION_LABEL.sub("", sentence))  # "6 ABLATION STUDY HiSpec comprises …"
    lead = tokens(" ".join(sentence.split()[:_LEAD_WORDS]))
    return any(
        t.name
        and _is_strong_name(t.text)
        and _name_key(t.text) not in keyed
        and not abbreviates(_name_key(t.text), claim)
        for t in lead
    )


def _named_number(cf: Figure, sentences: Sequence[str]) -> str | None:
    """The evidence's name that carries a plain number of the claim with the word the claim writes before it
    ("Layer-7" for "layer 7", "Stage-2" for "stage 2"): the evidence never reads it as a figure."""
    if cf.number.unit or not cf.text.isdigit():
        return None
    before = re.findall(r"[A-Za-z]+", cf.sentence[: cf.start])
    if not before or len(before[-1]) < 3:
        return None
    pattern = re.compile(rf"(?<![\w-]){re.escape(before[-1])}-?{re.escape(cf.text)}(?!\w|\.\d)", re.I)
    return next((m.group(0) for s in sentences if (m := pattern.search(s))), None)


def _uncaptioned_tables(located: Sequence[tuple[str, int]], tables: dict[int, str]) -> dict[int, str]:
    """Windows cut from the middle of a table chunk: no caption, every sentence a cell. Each joins the captioned
    table whose cells share most of its names (the evidence windows split a long table), or stands alone."""
    by_window: dict[int, list[str]] = {}
    for sentence, i in located:
        by_window.setdefault(i, []).append(sentence)
    names: dict[str, set[str]] = {}
    for sentence, i in located:
        if i in tables and is_cell(sentence):
            names.setdefault(tables[i], set()).update(_names(sentence))
    out = {}
    for i, sentences in by_window.items():
        if i in tables or len(sentences) < 2 or not all(is_cell(s) for s in sentences):
            continue
        mine = set().union(*(_names(s) for s in sentences))
        best = max(names, key=lambda k: len(names[k] & mine), default=None)
        out[i] = best if best is not None and len(names[best] & mine) >= 2 else f"window {i}"
    return out


# A trend: what happens to one quantity as another grows ("acceleration decreases with an increase in sampling
# temperature", "a consistent performance gain as the number of link tokens increases", "increasing the number of
# prefill workers … lowers latency"). The driver phrase names the quantity that moves and which way.
_MOVE_UP = r"increas\w*|grow\w*|grew|ris(?:e|es|ing)|rose|rais\w*|doubl\w*|add\w*|more|higher|larger|greater|longer"
_MOVE_DOWN = r"decreas\w*|shrink\w*|shrank|drop\w*|fall\w*|fell|reduc\w*|lower\w*|fewer|smaller|shorter|less"
_X = r"(?P<x>(?:the\s+)?(?:(?!(?:as|while|when|with|and|but|so)\b)[\w-]+\s+){0,5}?[\w-]+)"
_DRIVERS = [
    re.compile(rf"\b(?:as|when|while)\s+{_X}\s+(?:is\s+|are\s+|gets?\s+)?(?P<v>{_MOVE_UP}|{_MOVE_DOWN})\b", re.I),
    re.compile(rf"\bwith\s+(?:an?\s+)?(?P<v>{_MOVE_UP}|{_MOVE_DOWN})\s+(?:in\s+|of\s+)?{_X}(?=\s*(?:[,;.]|$))", re.I),
    re.compile(
        rf"\b(?P<v>increasing|raising|adding|doubling|decreasing|reducing|lowering)\s+{_X}(?=\s+(?:from|to|always|"
        r"steadily|consistently|further|also|only|does|do|can|will|would|may|leads?|yields?|results?|makes?|causes?|"
        rf"helps?|hurts?|{_MOVE_UP}|{_MOVE_DOWN}|improv\w*|degrad\w*|slows?|speeds?|boosts?|raises?)\b)",
        re.I,
    ),
]
_TREND_CLAUSE = re.compile(
    r"[;:]|,\s+(?:so|while|whereas|but|and|which|thus|thereby|with)\b|\b(?:so that|whereas|but)\b", re.I
)
# What the other quantity does: verbs and adjectives of change, not the nouns "acceleration" or "speedup".
_EFFECT_UP = words_pattern(
    r"increas(?:e|es|ed|ing)|grow(?:s|ing)?|grew|ris(?:e|es|ing)|rose|improv(?:e|es|ed|ing)|gains?|boost(?:s|ed)?|"
    r"higher|better|larger|greater|more|outperform\w*|rais(?:e|es|ed)|helps?"
)
_EFFECT_DOWN = words_pattern(
    r"decreas(?:e|es|ed|ing)|shrink(?:s|ing)?|shrank|drop(?:s|ped)?|fall(?:s|ing)?|fell|declin(?:e|es|ed|ing)|"
    r"reduc(?:e|es|ed|ing)|lower(?:s|ed)?|worse|smaller|less|fewer|degrad(?:e|es|ed|ing)|hurts?|diminish\w*|"
    r"underperform\w*|deteriorat\w*|loss(?:es)?"
)


def trend_of(sentence: str) -> tuple[frozenset[str], int, str] | None:
    """(driver stems, sign, driver phrase): +1 when the sentence's other quantity rises with the driver, -1 when it
    falls, None without a trend (no driver, or no direction word outside it in its clause)."""
    for pattern in _DRIVERS:
        m = pattern.search(sentence)
        if not m:
            continue
        lo = max((b.end() for b in _TREND_CLAUSE.finditer(sentence) if b.end() <= m.start()), default=0)
        hi = min((b.start() for b in _TREND_CLAUSE.finditer(sentence) if b.start() >= m.end()), default=len(sentence))
        rest = sentence[lo : m.start()] + " " + sentence[m.end() : hi]
        up, down = len(_EFFECT_UP.findall(rest)), len(_EFFECT_DOWN.findall(rest))
        neg = len(_NEGATION.findall(_KEPT.sub("keeping", rest)))
        if up == down:
            continue
        effect = 1 if up > down else -1
        if neg % 2:
            effect = -effect
        driver = 1 if re.fullmatch(_MOVE_UP, m["v"], re.I) or m["v"].lower() in ("adding", "doubling") else -1
        stems = frozenset(
            t.stem.rstrip("s") for t in tokens(m["x"]) if t.stem not in _STOP_STEMS and not t.text[0].isdigit()
        )
        if stems:
            return stems, driver * effect, m.group(0)
    return None


def _trend_flip(claim: str, sentences: Sequence[str], overlap_of: dict[str, float]) -> str:
    """The sentence, among those about the claim, whose trend over the claim's driver runs the other way."""
    mine = trend_of(claim)
    if mine is None:
        return ""
    for sentence in sorted(sentences, key=lambda s: -overlap_of.get(s, 0.0)):
        if overlap_of.get(sentence, 0.0) < MIN_OVERLAP:
            break
        theirs = trend_of(sentence)
        if theirs is not None and len(mine[0] & theirs[0]) >= min(2, len(mine[0])):
            return sentence if theirs[1] != mine[1] else ""
    return ""


def _figure_direction_flip(claim: str, result: AlignResult) -> str:
    """The evidence sentence whose figure, aligned with one of the claim's (same value, or its slot), moves the
    other way: "a gain of about 2.6 points" against "a 2.6% decrease". Both sides need a direction word beside
    the figure; "X is 2x faster than Y" against "Y is 2x slower than X" (the sides traded) is no flip."""
    for c in result.checks:
        if c.outcome not in (Verdict.AGREE, Verdict.CHANGED) or c.evidence is None:
            continue
        ours = figure_direction(claim, c.claim.number.start, c.claim.number.end)
        theirs = figure_direction(c.evidence.sentence, c.evidence.number.start, c.evidence.number.end)
        if ours and theirs and ours != theirs and not comparison_order_flipped(claim, c.evidence.sentence):
            return c.evidence.sentence
    return ""


def _role_swap(claim: str, result: AlignResult, overlap_of: dict[str, float]) -> str:
    """A mismatch line (with `{at}` for the quoted sentence) when two slots of the claim trade descriptions in
    one evidence sentence: two figures it states as the claim does, or two names of one kind it uses too
    ("CPU"/"GPU", "FP16"/"FP32"), in the sentence most about the claim."""
    agreed = [c for c in result.checks if c.outcome == Verdict.AGREE and c.evidence is not None]
    for i, a in enumerate(agreed):
        for b in agreed[i + 1 :]:
            ea, eb = a.evidence, b.evidence
            if ea is None or eb is None or ea.sentence != eb.sentence or ea.start == eb.start:
                continue
            if abs(a.claim.number.value - b.claim.number.value) < 1e-9 or overlap_of.get(ea.sentence, 0) < ON_TOPIC:
                continue
            claim_stops = [c.claim.end for c in result.checks]
            evidence_stops = [c.evidence.end for c in agreed if c.evidence and c.evidence.sentence == ea.sentence]
            if roles_swapped(claim, [(a.claim.start, a.claim.end), (b.claim.start, b.claim.end)], ea.sentence,
                             [(ea.start, ea.end), (eb.start, eb.end)], claim_stops, evidence_stops):  # fmt: skip
                result.role_swap_sentence = ea.sentence
                for check in (a, b):  # each figure is stated, but for the other slot: a conflict, not support
                    check.outcome = Verdict.CONFLICT
                return (f"roles: the claim gives {a.claim.text} and {b.claim.text} each other's description; "
                        f"{{at}} states {ea.text} and {eb.text} the other way round")  # fmt: skip
    sentence = result.best_sentence
    if result.best_overlap < ON_TOPIC:
        return ""
    once = [_once(claim), _once(sentence)]
    shared = sorted(k for k in once[0] if k in once[1])
    for i, a in enumerate(shared):
        for b in shared[i + 1 :]:
            if _shape(a) != _shape(b):
                continue
            if roles_swapped(claim, [once[0][a], once[0][b]], sentence, [once[1][a], once[1][b]]):
                ta, tb = claim[slice(*once[0][a])], claim[slice(*once[0][b])]
                result.role_swap_sentence = sentence
                return f"roles: the claim's {ta} and {tb} trade places in {{at}}"
    return ""


_CONTRAST = re.compile(r",?\s+(?:whereas|while|but)\s+|;\s*", re.I)


def _clause_swap(claim: str, result: AlignResult, overlap_of: dict[str, float]) -> str:
    """A contrast whose two sides trade places: "exact under FP16, whereas FP32 can introduce discrepancies"
    against "In FP32 precision, the outputs … are guaranteed to be exactly the same": an evidence sentence about
    the claim names only one side's name and says of it what the claim says of the other side (two or more of
    those words, none of its own side's)."""
    parts = _CONTRAST.split(claim)
    if len(parts) != 2:
        return ""
    names = [{n for n in _names(p) if any(c.isdigit() for c in n) or _is_strong_name(n)} for p in parts]
    own = [names[0] - names[1], names[1] - names[0]]
    if not own[0] or not own[1]:
        return ""
    keys = names[0] | names[1]
    words = [{w for w in _content(p) - _content(parts[1 - i]) if w not in keys} for i, p in enumerate(parts)]
    for sentence, overlap in sorted(overlap_of.items(), key=lambda kv: -kv[1]):
        if overlap < ON_TOPIC:
            break
        there = _names(sentence)
        for i in (0, 1):  # the sentence names side i only, in the other side's words
            if own[i] & there and not own[1 - i] & there:
                said = _content(sentence)
                if len(words[1 - i] & said) >= 2 and not words[i] & said:
                    result.role_swap_sentence = sentence
                    written = {_name_key(t.text): t.text for t in tokens(claim)}
                    side = ", ".join(sorted(written.get(n, n) for n in own[i] & there))
                    other = ", ".join(sorted(written.get(n, n) for n in own[1 - i]))
                    return f"roles: {{at}} says of {side} what the claim says of {other}"
    return ""


def _once(text: str) -> dict[str, tuple[int, int]]:
    """Names said exactly once in the text, by key, with their span."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for t in tokens(text):
        if t.name:
            spans.setdefault(_name_key(t.text), []).append((t.start, t.end))
    return {k: v[0] for k, v in spans.items() if len(v) == 1}
