"""Reported figures: each number a paper states about a method, typed, attributed and with its conditions.

An expert answer to "how much does X speed things up" is a range per method with
the conditions it holds under, never one median over unrelated numbers. A figure
is read with the one quantity model (`synth.core.quantities`, the parser the
verifier aligns claims with), then given the method it belongs to (the sentence's
subject, the name nearest before the number, or the paper's own system), whether it
is a gain or a cost ("up to 2.8x slower" is a cost), the baseline it is measured
against and the setting (models, hardware, batch size, decoding, dataset). A figure
about a method from a paper that is not that method's own is secondary: "as measured
by" the paper that re-measured it. Pure functions of text; the report supplies the
sentences and their provenance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from synth.claims.subject import subject_of
from synth.core.figures import ReportedFigure, Role
from synth.core.quantities import ClaimNumber, Quantity, extract_numbers, multiplied_noun


@dataclass(frozen=True)
class SourceSentence:
    """A sentence offered for figure reading, with where it comes from."""

    text: str
    doc_id: str
    page: int | None
    paper_systems: tuple[str, ...]  # the names the source paper gives its own system(s)
    source: str  # short name of the source paper
    arxiv_id: str | None = None
    paper: int | None = None
    claim: int | None = None


# ---------------------------------------------------------------- reading one figure

_COST_WORDS = re.compile(
    r"\b(?:slower|slowdown|overheads?|costs?|penalty|increase[sd]?\s+(?:in\s+)?(?:the\s+)?(?:ttft|latency|memory|"
    r"time)|(?:ttft|latency|memory|time)\s+increases?|more\s+memory|extra\s+memory|additional\s+memory|longer)\b",
    re.I,
)
_GAIN_WORDS = re.compile(
    r"\b(?:speed-?ups?|faster|accelerat\w*|throughput|tokens?/s|tokens?\s+per\s+second|improv\w*|reduc\w*|"
    r"sav\w*|lower|higher|boost\w*|gains?)\b",
    re.I,
)
_QUALITY_METRICS = {Quantity.ACCURACY}
_MODEL = re.compile(
    r"(?<![\w-])(?:[A-Z][A-Za-z]*[\w.]*(?:[- ](?:Chat|Instruct|Base|Coder|V\d))*[- ]?\d+(?:\.\d+)?[BM]|"
    r"(?:Vicuna|LLaMA|Llama|OPT|Qwen|Mistral|Mixtral|Gemma|Phi|GPT|PaLM|DeepSeek|Falcon|T5)[\w.-]*)(?![\w])"
)
_HARDWARE = re.compile(
    r"\b(?:[AHBL]\d{2,3}[A-Z]?(?:-\d+G)?|V100|T4|TPU\s?v?\d*|RTX\s?[A-Z]?\d{4}(?:\s?Ti)?|Ascend\s?\d+\w*|"
    r"(?:Apple\s)?M[1-4](?:\s(?:Max|Pro|Ultra))?|Xeon|EPYC|CPUs?|GPUs?)\b"
)
_SETTING = re.compile(
    r"\bbatch[- ]sizes?\s*(?:of\s*|=\s*)?\d+(?:\s*(?:,|and|to|-|–)\s*\d+)*|\bT\s*=\s*\d+(?:\.\d+)?|"
    r"\btemperature\s*(?:of\s*|=\s*)?\d+(?:\.\d+)?|\bgreedy\b|\b(?:non-greedy|sampling)\b|\b(?:FP|BF|INT)\d+\b|"
    r"\b\d+-bit\b|\blossless(?:ly)?\b",
    re.I,
)
_DATASET = re.compile(
    r"\b(?:MT-?[Bb]ench|Spec-?Bench|HumanEval\+?|MBPP\+?|GSM-?8K|MATH(?:-500)?|CNN/?DM|CNN/DailyMail|XSum|Alpaca|"
    r"ShareGPT|MMLU|BBH|TriviaQA|NaturalQuestions|AIME(?:\s?20\d\d)?|LiveCodeBench|WMT\d*|SCAN|Lambada|"
    r"SimpleQA|FACTSCORE|Wikidata|LongBench|C-Eval|CMMLU)\b"
)
_BASELINE = re.compile(
    r"\b(?:over|than|compared\s+(?:to|with)|relative\s+to|vs\.?|versus|against|with respect to)\s+(?:the\s+|a\s+)?"
    r"(?P<what>[A-Za-z][^,.;()]{2,70})"
)
_BASELINE_STOP = re.compile(
    r"\s+(?:on|with|across|in|at|for|using|under|while|when|and|which|where|by|respectively)\b.*$", re.I
)
_NAME = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[-‑][A-Za-z0-9]+)*")
_NOT_METHODS = frozenset(
    [
        "llm",
        "llms",
        "gpu",
        "gpus",
        "cpu",
        "cpus",
        "tpu",
        "kv",
        "ai",
        "api",
        "sota",
        "flops",
        "the",
        "table",
        "figure",
        "fig",
        "we",
        "our",
        "it",
        "this",
        "these",
        "our",
        "in",
        "on",
        "for",
        "with",
        "under",
        "compared",
        "however",
        "speedup",
        "speedups",
        "throughput",
        "latency",
        "memory",
        "average",
        "overall",
        "gib",
        "mib",
        "kib",
        "gb",
        "mb",
        "kb",
        "tb",
        "ms",
        "gbps",
        "tflops",
        "qps",
        "ttft",
        "tpot",
        "tbt",
        "p50",
        "p90",
        "p99",
        "slo",
        "sla",
    ]
)


def _is_method_name(token: str, known: frozenset[str] = frozenset()) -> bool:
    """EAGLE-2, vLLM, PagedAttention, PEARL, Medusa-1: an upper-case letter past the first, or all caps, or a
    capitalised name joined to a digit, or a name the run's papers give their systems ("Medusa"); never a
    model size ("Vicuna-7B"), hardware or benchmark."""
    if len(token) < 3 or token.lower() in _NOT_METHODS:
        return False
    if method_key(token) in known:
        return True
    if _MODEL.fullmatch(token) or _HARDWARE.fullmatch(token) or _DATASET.fullmatch(token):
        return False
    return token.isupper() or any(c.isupper() for c in token[1:]) or (token[0].isupper() and "-" in token)


def method_key(name: str) -> str:
    """'EAGLE-2', 'Eagle 2', 'eagle2' → 'eagle2': one method however a paper spells it."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _subject_name(sentence: str, known: frozenset[str]) -> str | None:
    subject = subject_of(sentence)
    if subject is None:
        return None
    start = sentence.lower().find(subject)
    name = sentence[start : start + len(subject)] if start >= 0 else subject
    return name if _is_method_name(name, known) else None


_CLAUSE_MARKS = (";", " while ", " whereas ", ", and ", ", but ", " respectively")


def _blank(text: str, known: frozenset[str] = frozenset()) -> str:
    """The text with model, hardware and benchmark names spaced out (same length): "CNN/DM" or "Vicuna-7B"
    hold capitals but name no method, unless a paper of the run is about that model (DeepSeek-R1)."""
    for pattern in (_DATASET, _MODEL, _HARDWARE):
        text = pattern.sub(lambda m: m.group(0) if method_key(m.group(0)) in known else " " * len(m.group(0)), text)
    return text


def attribute(
    sentence: str, number: ClaimNumber, paper_system: str | None, known: frozenset[str] = frozenset()
) -> str | None:
    """The method a figure belongs to: the name nearest before it in its clause, else the sentence's subject,
    else the paper's own system when the sentence names it or names no other method; None when unknown."""
    before = _blank(sentence[: number.start], known)
    clause_start = max(before.rfind(m) for m in _CLAUSE_MARKS)
    names = [t for t in _NAME.findall(before[max(0, clause_start) :]) if _is_method_name(t, known)]
    if names:
        return names[-1]
    subject = _subject_name(sentence, known)
    if subject:
        return subject
    if paper_system:
        if paper_system.lower() in sentence.lower():
            return paper_system
        if not any(_is_method_name(t, known) for t in _NAME.findall(before)):
            return paper_system  # no other method before the figure: names after it are what it is compared with
    return None


def role_of(sentence: str, number: ClaimNumber) -> Role:
    """Gain, cost or quality, from the quantity and the words around the figure ('2.8x slower' is a cost)."""
    window = sentence[max(0, number.phrase_start - 60) : number.phrase_end + 40]
    if number.quantity in _QUALITY_METRICS:
        return "quality"
    if number.quantity in (Quantity.MEMORY, Quantity.COST) and not re.search(r"\b(?:reduc|sav|cut|lower)", window):
        return "cost"
    if _COST_WORDS.search(window):
        return "cost"
    if _GAIN_WORDS.search(window) or number.quantity in (Quantity.SPEEDUP, Quantity.THROUGHPUT):
        return "gain"
    if number.unit == "x" and re.search(r"\b(?:over|than|vs\.?|versus|compared|relative)\b", window):
        return "gain"  # "2.7x over vanilla decoding": a multiplier against a baseline, no cost word
    return "other"


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(" ".join(i.split()) for i in items))


def _baseline(sentence: str, number: ClaimNumber) -> str | None:
    match = _BASELINE.search(sentence, number.end)
    if not match or match.start() - number.end > 30:  # the comparison word must follow the figure closely
        return None
    what = match.group("what")
    if match.end() < len(sentence) and sentence[match.end()].isalnum():  # cut mid-word at the length cap
        what = what.rsplit(" ", 1)[0]
    what = _BASELINE_STOP.sub("", what).strip()
    return what if len(what) >= 3 else None


_KEEP_UNITS = {"x", "%", "pp", "tokens/s", "requests/s", "s", "GB"}


def is_own(method: str, paper_systems: Sequence[str]) -> bool:
    """The paper's own system or a variant of it (Medusa-1 and Medusa-2 in the Medusa paper)."""
    key = method_key(method)
    for name in paper_systems:
        own = method_key(name)
        if own and (key == own or (key.startswith(own) and key[len(own) :].isdigit() and len(key) - len(own) <= 2)):
            return True
    return False


def figures_in(sentence: SourceSentence, known: frozenset[str] = frozenset()) -> list[ReportedFigure]:
    """The figures of one sentence worth a row: a result with a unit, attributed to a method. `known`: method
    keys the run's papers name (their systems), recognised even when spelt like ordinary words."""
    text = sentence.text
    out: list[ReportedFigure] = []
    for n in extract_numbers(text):
        if n.unit not in _KEEP_UNITS or (n.quantity is Quantity.SIZE and n.unit != "x"):
            continue
        if n.unit == "x" and not (0 < (n.high or n.value) < 1000):
            continue
        own = sentence.paper_systems[0] if sentence.paper_systems else None
        method = attribute(text, n, own, known)
        if method is None:
            continue
        primary = is_own(method, sentence.paper_systems)
        role = role_of(text, n)
        metric = n.quantity.value
        noun = multiplied_noun(text, n.phrase_end) if n.unit == "x" else None
        if n.unit == "x" and n.quantity in (Quantity.SIZE, Quantity.OTHER):
            # "2.7x over vanilla decoding" near "Vicuna-7B" is a speedup; "44x FLOP/s" multiplies something else
            metric = "speedup" if role == "gain" and noun is None else "other"
        out.append(
            ReportedFigure(
                method=method, metric=metric, role=role, value=n.value, low=n.low,
                high=n.high, unit=n.unit, text=text[n.phrase_start : n.phrase_end], bound=n.bound,
                multiplies=noun if metric == "other" else None,
                baseline=_baseline(text, n), models=_unique(_MODEL.findall(text)),
                hardware=_unique(h for h in _HARDWARE.findall(text) if h not in ("GPU", "GPUs", "CPU", "CPUs")),
                setting=_unique(_SETTING.findall(text)), dataset=_unique(_DATASET.findall(text)),
                doc_id=sentence.doc_id, arxiv_id=sentence.arxiv_id, paper=sentence.paper, source=sentence.source,
                page=sentence.page, quote=text, claim=sentence.claim, primary=primary,
            )
        )  # fmt: skip
    return out


# ---------------------------------------------------------------- many figures

_TOLERANCE = 0.1  # relative gap under which two figures agree (rounding, "about")


def _overlap(a: ReportedFigure, b: ReportedFigure) -> bool:
    (alo, ahi), (blo, bhi) = a.span, b.span
    slack = _TOLERANCE * max(abs(ahi), abs(bhi), 1e-9)
    if a.bound == "le" or b.bound == "le":  # "up to 6.5x" agrees with anything at or under it
        return (
            min(alo, blo) <= max(ahi, bhi) + slack
            and (a.bound != "le" or blo <= ahi + slack)
            and (b.bound != "le" or alo <= bhi + slack)
        )
    return alo <= bhi + slack and blo <= ahi + slack


def _same_setting(a: ReportedFigure, b: ReportedFigure) -> bool:
    """Overlapping conditions: no named model, hardware or dataset on one side that the other contradicts."""
    for field in ("models", "hardware", "dataset"):
        x, y = {v.lower() for v in getattr(a, field)}, {v.lower() for v in getattr(b, field)}
        if x and y and not x & y:
            return False
    return True


def cross_check(figures: list[ReportedFigure]) -> list[ReportedFigure]:
    """Mark each figure corroborated or contradicted by other papers' figures for the same method, metric (and
    multiplied quantity), unit and role in an overlapping setting; a figure no other paper reports stays 'quoted'."""
    by_key: dict[tuple[str, str, str, str, str | None], list[ReportedFigure]] = {}
    for f in figures:
        by_key.setdefault((method_key(f.method), f.metric, f.unit, f.role, f.multiplies), []).append(f)
    for group in by_key.values():
        for f in group:
            others = [g for g in group if g.doc_id != f.doc_id and _same_setting(f, g)]
            if not others:
                continue
            agree = [g for g in others if _overlap(f, g)]
            disagree = [g for g in others if not _overlap(f, g)]
            f.check = "mixed" if agree and disagree else ("corroborated" if agree else "contradicted")
            parts = [f"{g.source or g.doc_id} p. {g.page}: {g.shown()}" for g in (agree + disagree)[:3]]
            f.check_note = ("agrees with " if agree and not disagree else "compare ") + "; ".join(parts)
    return figures


def dedupe(figures: Sequence[ReportedFigure]) -> list[ReportedFigure]:
    """One row per (paper, method, figure): the same sentence read from a claim and from a passage counts once,
    and the claim's reading is kept (it carries the claim number)."""
    seen: dict[tuple[str, str, str, float, float], ReportedFigure] = {}
    for f in sorted(figures, key=lambda f: f.claim is None):
        key = (f.doc_id, method_key(f.method), f.unit, *f.span)
        seen.setdefault(key, f)
    return list(seen.values())


@dataclass
class MethodSummary:
    """A method's figures of one role and unit: the range and the conditions they were reported under."""

    method: str
    role: Role
    unit: str
    figures: list[ReportedFigure]

    @property
    def primary(self) -> list[ReportedFigure]:
        return [f for f in self.figures if f.primary]

    @property
    def secondary(self) -> list[ReportedFigure]:
        return [f for f in self.figures if not f.primary]


def by_method(figures: Sequence[ReportedFigure], role: Role = "gain", unit: str = "x") -> list[MethodSummary]:
    """Figures of `role` and `unit` grouped per method, methods with a primary source first."""
    groups: dict[str, list[ReportedFigure]] = {}
    names: dict[str, str] = {}
    for f in figures:
        if f.role != role or f.unit != unit:
            continue
        key = method_key(f.method)
        groups.setdefault(key, []).append(f)
        if f.primary or key not in names:
            names[key] = f.method
    out = [MethodSummary(names[k], role, unit, v) for k, v in groups.items()]
    return sorted(out, key=lambda m: (not m.primary, -len({f.doc_id for f in m.figures}), -len(m.figures)))


def span_text(figures: Sequence[ReportedFigure]) -> str:
    """'3.05–4.26x' or 'up to 6.5x' over a method's figures, with the bound of its extreme when one."""
    if len(figures) == 1:
        return figures[0].shown()
    low = min(f.span[0] for f in figures)
    high_figure = max(figures, key=lambda f: f.span[1])
    high = high_figure.span[1]
    unit = figures[0].unit
    suffix = "x" if unit == "x" else (unit if unit == "%" else f" {unit}")
    if low == high:
        return high_figure.shown()
    prefix = "up to " if high_figure.bound == "le" and low == high else ""
    return f"{prefix}{low:g}–{high:g}{suffix}"
