"""Reported figures: each number a paper states about a method, typed, attributed and with its conditions.

An expert answer to "how much does X speed things up" is a range per method with
the conditions it holds under, never one median over unrelated numbers. A figure
is read with the one quantity model (`synth.core.quantities`, the parser the
verifier aligns claims with), then given the method it belongs to (the sentence's
subject, the name nearest before the number, or the paper's own system when the sentence names it or says
"we": a sentence that does neither is background, no result of the paper), whether it
is a gain or a cost ("up to 2.8x slower" is a cost), the baseline it is measured
against and the setting (models, hardware, batch size, decoding, dataset). A figure
about a method from a paper that is not that method's own is secondary: "as measured
by" the paper that re-measured it. Pure functions of text; the report supplies the
sentences and their provenance.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from synth.claims.subject import subject_of
from synth.core.figures import PaperSetup, ReportedFigure, Role, shown_value
from synth.core.patterns import words_pattern
from synth.core.quantities import ClaimNumber, Quantity, extract_numbers, multiplied_noun
from synth.corpus.text import join_broken_names
from synth.verify.align import abbreviates, sentences_of


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
    section: str | None = None  # the section kind the sentence was read in ("results", "introduction", …)


# ---------------------------------------------------------------- reading one figure

_COST_WORDS = words_pattern(
    r"slower|slowdown|overheads?|costs?|penalty|increase[sd]?\s+(?:in\s+)?(?:[\w-]+\s+){0,2}"
    r"(?:ttft|latency|memory|time)|(?:ttft|latency|memory|time)\s+increases?|more\s+memory|extra\s+memory|"
    r"additional\s+memory|longer"
)
# A change of a quantity in its bad direction: more time or memory ("up to 5% higher latency", "latency grows by"),
# less throughput or quality ("serving throughput dropped by more than 10%").
_WORSE = re.compile(
    r"\b(?:higher|more|longer|increased|larger)\s+(?:[\w-]+\s+)?(?:latenc(?:y|ies)|ttft|tbt|tpot|delays?|"
    r"memory\s+(?:usage|footprint|consumption))\b|"
    r"\b(?:latenc(?:y|ies)|ttft|tbt|tpot|delays?)\s+(?:\w+\s+){0,2}(?:increas\w*|grows?|grew|rises?|rose)\b|"
    r"\b(?:throughput|speed|accuracy|quality)\s+(?:\w+\s+){0,2}(?:drop\w*|decreas\w*|fell|falls?|declin\w*|"
    r"degrad\w*)\b|"
    r"\b(?:lower|reduced|decreased)\s+(?:[\w-]+\s+)?(?:throughput|speed|accuracy)\b",
    re.I,
)
_GAIN_WORDS = words_pattern(
    r"speed-?ups?|faster|accelerat\w*|throughput|tokens?/s|tokens?\s+per\s+second|improv\w*|reduc\w*|"
    r"sav\w*|lower|higher|boost\w*|gains?"
)
# "latencies up to 10.3x higher than draft generation", "2x higher latency than": a multiplier on a time is more
# time, not a speed-up ("2x higher throughput than" stays a gain).
_TIME_WORDS = words_pattern(
    r"latenc(?:y|ies)|times?|delays?|durations?|wall-?clock|ttft|tpot|prefill|stalls?|verification"
)
# Which latency a figure measures: a kernel's, the first token's and the gap between tokens are different costs
_LATENCY_KINDS = (
    ("TTFT", r"ttft|time[- ]to[- ]first[- ]token"),
    ("TBT", r"tbt|time[- ]between[- ]tokens"),
    ("TPOT", r"tpot|time[- ]per[- ]output[- ]token"),
    ("kernel latency", r"kernel(?:'s)?\s+(?:\w+\s+)?latency"),
    ("end-to-end latency", r"end-to-end\s+latency"),
)
_LATENCY_KIND = re.compile("|".join(rf"(?P<k{i}>\b(?:{p})\b)" for i, (_, p) in enumerate(_LATENCY_KINDS)), re.I)
_SPEED_WORDS = words_pattern(r"speed-?ups?|throughput|tokens?/s|faster|accelerat\w*")
_MORE_THAN = re.compile(r"\s*\)?\s*(?:higher|longer|larger|greater|more)\s+(?:(?P<noun>[\w-]+)\s+)?than\b", re.I)


def _more_time(sentence: str, first: ClaimNumber, last: ClaimNumber) -> bool:
    """The figure (or the list `first`..`last` it is in) says a time is N times more than something: "(up to
    10.3x higher than draft generation)", "incurs up to 2.8x, 1.5x, and 2.5x higher latency than"."""
    m = _MORE_THAN.match(sentence, last.end)
    if not m:
        return False
    if m.group("noun"):
        return bool(_TIME_WORDS.fullmatch(m.group("noun")))
    before = sentence[max(0, first.phrase_start - 60) : first.phrase_start]
    return bool(_TIME_WORDS.search(before)) and not _SPEED_WORDS.search(before)


# "incurs up to 2.8x": what a system incurs is a cost ("while incurring no loss" after a speed-up is not).
_INCURS = re.compile(r"\bincur(?:s|red|ring)?\s+(?:(?:a|an|only|about|around|roughly|nearly|average|of)\s+)*$", re.I)


_QUALITY_METRICS = {Quantity.ACCURACY}
_MODEL = re.compile(
    r"(?<![\w-])(?:[A-Z][A-Za-z]*[\w.]*(?:[- ](?:Chat|Instruct|Base|Coder|V\d))*[- ]?\d+(?:\.\d+)?[BM]|"
    r"(?:Vicuna|LLaMA|Llama|OPT|Qwen|Mistral|Mixtral|Gemma|Phi|GPT|PaLM|DeepSeek|Falcon|T5)(?:[\w-]|\.(?=\w))*)(?![\w])"
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
    r"(?:\s+(?:on|with|across|in|at|for|using|under|while|when|and|which|where|by|respectively|but)\b|\s*[—–]).*$",
    re.I,
)
# "Claude-3.5-Sonnet", "Qwen-1.5B": a point between digits stays inside the name.
_NAME = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:(?:[-‑]|(?<=\d)\.(?=\d))[A-Za-z0-9]+)*")
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
        "tgs",  # tokens per GPU per second
        "tps",
        "rps",
        "mfu",
        "tops",
        # hardware and its parts: "NVIDIA (24 GB)", "DRAM 4-20x", "NVLink 400 GB" are a setting, not a system
        "nvidia",
        "amd",
        "intel",
        "nvlink",
        "pcie",
        "dram",
        "sram",
        "hbm",
        "hbm2",
        "hbm2e",
        "hbm3",
        "ssd",
        "ssds",
        "nvme",
        "rdma",
        "infiniband",
        "cuda",
    ]
)


# "LLM-based", "GPU-friendly", "top-K": a compound adjective or a sampling setting, not a system's name.
_NOT_A_NAME = re.compile(
    r"(?:top|bottom)-[A-Za-z]|[\w-]+-(?:based|like|aware|free|style|specific|driven|guided|level|wise|agnostic|"
    r"oriented|friendly|bound|intensive|efficient|centric|only|sized|scale|powered|generated|compatible)|"
    # "Pre-training", "Fine-tuning", "Self-attention", "Multi-head": a capitalised compound word, not a system
    r"(?:pre|post|fine|self|multi|cross|co|re|non|semi|sub|inter|intra|over|under|long|short|high|low|full|half|"
    r"mixed|zero|few|one|two|three|single|double)-(?-i:[a-z]+)(?:-(?-i:[a-z]+))*",
    re.I,
)


def _is_method_name(token: str, known: frozenset[str] = frozenset()) -> bool:
    """EAGLE-2, vLLM, PagedAttention, PEARL, Medusa-1: an upper-case letter past the first, or all caps, or a
    capitalised name joined to a digit, or a name the run's papers give their systems ("Medusa"); never a
    model size ("Vicuna-7B"), hardware or benchmark."""
    if len(token) < 3 or token.lower() in _NOT_METHODS:
        return False
    if _known(token, known):
        return True
    if _MODEL.fullmatch(token) or _HARDWARE.fullmatch(token) or _DATASET.fullmatch(token):
        return False
    if _NOT_A_NAME.fullmatch(token):
        return False
    return token.isupper() or any(c.isupper() for c in token[1:]) or (token[0].isupper() and "-" in token)


def _known(token: str, known: frozenset[str]) -> bool:
    """A system of the run's papers or a variant named after it ("DeepSeek-R1-Distill-Qwen-1.5B" of DeepSeek-R1)."""
    key = method_key(token)
    return key in known or any(len(k) >= 5 and key.startswith(k) for k in known)


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
# "MEDUSA-1, which fine-tunes only the MEDUSA heads, achieves 2.18x": an aside on the subject; its names are not
# what the figure belongs to (same length, so offsets hold).
_RELATIVE = re.compile(r",\s+(?:which|who|whose|where)\b[^,;]*,")


def _blank(text: str, known: frozenset[str] = frozenset()) -> str:
    """The text with model, hardware and benchmark names spaced out (same length): "CNN/DM" or "Vicuna-7B"
    hold capitals but name no method, unless a paper of the run is about that model (DeepSeek-R1)."""
    for pattern in (_DATASET, _MODEL, _HARDWARE):
        text = pattern.sub(lambda m: m.group(0) if _known(m.group(0), known) else " " * len(m.group(0)), text)
    return text


_PARENS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
# The paper speaking of its own work: a sentence that neither says this nor names the system is background.
_FIRST_PERSON = re.compile(
    r"\b(?:we|our|ours|us)\b|\bthe\s+proposed\b|\bthis\s+(?:work|paper|study|article)\b|\bproposed\s+"
    r"(?:method|approach|framework|system|technique|algorithm)\b",
    re.I,
)
_RESULTS_SHOW = re.compile(
    r"^(?:the\s+)?(?:experimental\s+|empirical\s+|evaluation\s+)?(?:results|experiments|evaluations?)\s+"
    r"(?:on\s+[^,.;]{1,60}\s+)?(?:show|reveal|demonstrate|indicate|confirm)",
    re.I,
)
_CITED = re.compile(r"\bet al\b|\[\d+(?:[,–-]\s*\d+)*\]|\b(?:prior|previous|existing|earlier)\b", re.I)


# "FACTSCORE increases 28% (55.9 → 71.4) from the few-shot baseline": a change against the paper's baseline.
_AGAINST_BASELINE = re.compile(
    r"\b(?:over|from|than|against|compared\s+(?:to|with)|relative\s+to)\s+(?:the|our)\s+(?:[\w-]+\s+){0,3}?"
    r"baselines?\b",
    re.I,
)


def _own_voice(sentence: str, section: str | None = None) -> bool:
    """The paper speaks of its own work: "we", "our", "the proposed", "this paper", or "The results show ..."
    citing nobody; in its results section, a figure measured against "the baseline" citing nobody (an
    introduction's "speculative decoding gives 2x over the baseline" is background, not the paper's result)."""
    if _FIRST_PERSON.search(sentence):
        return True
    if _CITED.search(sentence):
        return False
    return bool(_RESULTS_SHOW.search(sentence) or (section == "results" and _AGAINST_BASELINE.search(sentence)))


# "X outperforms GPT-4o and Claude-3.5-Sonnet ... with 28.9%": names a comparison word governs are the baselines,
# not what the figure belongs to.
_COMPARED_OBJECTS = re.compile(
    r"\b(?:outperform\w*|surpass\w*|beat\w*|than|versus|vs\.?|compared\s+(?:to|with)|relative\s+to|"
    r"alternatives?\s+to|instead\s+of|unlike|replac\w*)\s+"
    r"(?P<objects>[\w.‑-]+(?:(?:\s*,\s*(?=[\w.‑-]+(?:\s*,|\s+and\s|\s+or\s))|\s*,?\s+(?:and|or)\s+)[\w.‑-]+){0,3})",
    re.I,
)


# Unnamed other work in a figure's clause: "in previous systems", "existing methods achieve".
_OTHERS = re.compile(
    r"\b(?:previous|prior|existing|earlier|other|conventional|traditional|current)\s+(?:\w+\s+)?"
    r"(?:systems|methods|works|approaches|frameworks|solutions|engines)\b",
    re.I,
)


# "outperforms existing systems by 2x": other work named as what the figure is measured against, not its owner.
_COMPARED_WITH = re.compile(
    r"\b(?:over|than|outperform\w*|compared\s+(?:to|with)|vs\.?|versus|against|beat\w*|surpass\w*)\s+(?:the\s+)?$",
    re.I,
)


# "the state-of-the-art accuracy of 76.6% achieved by GPT-4o": the figure's owner named after it ("as reported by
# X" names who reported a figure, not whose it is).
_ACHIEVED_BY = re.compile(
    r"\s*(?:[a-z][\w-]*\s+){0,2}?(?:achieved|obtained|attained|reached)\s+by\s+(?:the\s+)?"
    rf"(?P<name>{_NAME.pattern})"
)


def attribute(
    sentence: str,
    number: ClaimNumber,
    paper_system: str | None,
    known: frozenset[str] = frozenset(),
    section: str | None = None,
    benchmarks: Collection[str] = (),
) -> str | None:
    """The method a figure belongs to: the name nearest before it in its clause, else the sentence's subject,
    else the paper's own system when the sentence names it, or speaks in the first person ("we", "our", "the
    proposed", "this paper") and names no other method before the figure; None when unknown. `benchmarks`: names
    the sentence scores figures on ("87.6% on AlpacaEval 2.0 and 92.3% on ArenaHard"), never a method."""
    by = _ACHIEVED_BY.match(sentence, number.end)
    if by and (_is_method_name(by.group("name"), known) or _MODEL.fullmatch(by.group("name"))):
        return by.group("name")  # "the state-of-the-art accuracy of 76.6% achieved by GPT-4o": GPT-4o's figure
    before = _RELATIVE.sub(lambda m: " " * len(m.group(0)), _blank(sentence[: number.start], known))
    clause = before[max(0, max(before.rfind(m) for m in _CLAUSE_MARKS)) :]
    raw_clause = sentence[number.start - len(clause) : number.start]  # unblanked: "GPT-4o and Claude-3.5-Sonnet"
    compared = {t for m in _COMPARED_OBJECTS.finditer(raw_clause) for t in _NAME.findall(m.group("objects"))}
    bench = {w for b in benchmarks for w in b.split()}
    names = [t for t in _NAME.findall(clause) if _is_method_name(t, known) and t not in compared and t not in bench]
    # "At-Speed [106] combines ... (AtSpeed-S) and ... (AtSpeed-R), to ... 2x": a name in closed brackets is a
    # variant or an aside; the figure belongs to the name outside them when there is one.
    outside = [t for t in _NAME.findall(_PARENS.sub(lambda m: " " * len(m.group(0)), clause)) if t in names]
    if outside or names:
        return (outside or names)[-1]
    subject = _subject_name(sentence, known)
    if subject:
        return subject
    if any(not _COMPARED_WITH.search(clause[: m.start()]) for m in _OTHERS.finditer(clause)):
        return None  # "the actual effective memory in previous systems can be as low as 20.4%": not the paper's
    if paper_system:
        if paper_system.lower() in sentence.lower():
            return paper_system
        if _own_voice(sentence, section) and not any(_is_method_name(t, known) for t in _NAME.findall(before)):
            return paper_system  # "we reach 2x": no other method before the figure, names after it are baselines
    return None  # no name and no "we": background ("verification is 4x slower than ..."), not the paper's result


# "with only about 40% of computations", "using only 28.5% (maybe even 18.2%) of computations": the share of a
# baseline's cost a method needs, a saving (it read as a bare "28.5%" of no kind).
_ONLY_BEFORE = re.compile(r"\b(?:only|just|merely)\s+(?:(?:about|around|roughly|approximately|nearly)\s+)?$", re.I)
_OF_COST = re.compile(
    r"^\s*(?:\([^()]*\)\s*)?(?P<of>of\s+(?:the\s+|its\s+)?(?:[\w-]+\s+)?(?:computations?|compute|FLOPs|"
    r"parameters|memory|costs?|GPU\s+hours|energy))\b",
    re.I,
)


def share_of_cost(sentence: str, number: ClaimNumber) -> str | None:
    """'of computations' when the figure is a share of a cost said with 'only' before it; else None."""
    if number.unit != "%" or not _ONLY_BEFORE.search(sentence[max(0, number.start - 40) : number.start]):
        return None
    after = _OF_COST.match(sentence[number.end :])
    return after.group("of") if after else None


def role_of(sentence: str, number: ClaimNumber, listed: tuple[ClaimNumber, ClaimNumber] | None = None) -> Role:
    """Gain, cost or quality, from the quantity and the words around the figure ('2.8x slower' is a cost).
    `listed`: the first and last figure of a list the figure is in ("2.8x, 1.5x, and 2.5x higher latency")."""
    first, last = listed or (number, number)
    window = sentence[max(0, number.phrase_start - 60) : number.phrase_end + 40]
    if number.quantity in _QUALITY_METRICS:
        changed_by = number.direction is not None and number.role is None
        if number.unit == "%" and changed_by and not re.search(r"\bto\s*$", sentence[: number.start]):
            # "FACTSCORE increases 28%": a change of the score, not the score ("from 15.6% to 71.0%" and
            # "improves to 86.7%" stay scores)
            return "gain" if number.direction == "higher" else "cost"
        return "quality"
    if share_of_cost(sentence, number):
        return "gain"  # "with only about 40% of computations": what it needs of the baseline's cost
    if number.quantity in (Quantity.MEMORY, Quantity.COST) and number.direction is not None:
        # "reduces the KV cache by 93.3%": a saving. Not latency: "20%-40% faster" reads "higher" and is a gain.
        return "gain" if number.direction == "lower" else "cost"
    if number.quantity in (Quantity.MEMORY, Quantity.COST) and re.search(
        r"\b(?:reduc|sav|cut|lower)\w*\s+(?:\w+\s+){0,2}$", sentence[max(0, number.phrase_start - 40) : number.start]
    ):
        return "gain"  # "saves 42.5% of training costs": the cost word is what is saved
    if number.quantity in (Quantity.MEMORY, Quantity.COST) and not re.search(r"\b(?:reduc|sav|cut|lower)", window):
        return "cost"
    close = sentence[max(0, first.phrase_start - 40) : last.phrase_end + 30]
    if (
        _COST_WORDS.search(window)
        or _WORSE.search(close)
        or _more_time(sentence, first, last)
        or _INCURS.search(sentence, 0, first.phrase_start)
    ):
        return "cost"
    if _GAIN_WORDS.search(window) or number.quantity in (Quantity.SPEEDUP, Quantity.THROUGHPUT):
        return "gain"
    if number.unit == "x" and re.search(r"\b(?:over|than|vs\.?|versus|compared|relative)\b", window):
        return "gain"  # "2.7x over vanilla decoding": a multiplier against a baseline, no cost word
    return "other"


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(" ".join(i.split()) for i in items))


_FIGURE_BETWEEN = re.compile(r"\d(?:\.\d+)?\s*(?:x|×|%)")


# "compared to the state-of-the-art systems, such as FasterTransformer and Orca": the named examples are the
# baseline a reader can look up, not "the state-of-the-art systems".
_GENERIC_BASELINE = re.compile(
    r"^(?:the\s+)?(?:(?:current|existing|previous|prior|popular|leading|other|strong|competing)\s+|"
    r"state-of-the-art\s+|SOTA\s+)+(?:\w+\s+)?(?:systems?|methods?|baselines?|frameworks?|approaches|works?|"
    r"engines?|solutions?)$",
    re.I,
)
_EXAMPLES = re.compile(
    r"^\s*(?:,\s*(?:such as|including|like)|\s*\((?:e\.g\.|such as|including),?)\s+(?P<names>[^.;()]+)"
)
_EXAMPLES_STOP = re.compile(  # the list runs on over "and": "FasterTransformer and Orca"
    r"(?:\s+(?:[Oo]n|[Ww]ith|across|in|at|for|using|under|while|when|which|where|by|respectively|but)\b|\s*[—–]|"
    r",\s+(?![Aa]nd\b|[Oo]r\b)(?=[a-z])).*$",
)
# "Compared to FasterTransformer, vLLM can sustain up to 22x higher request rates": the baseline leads the sentence.
_LEADING_BASELINE = re.compile(
    r"^(?:compared\s+(?:to|with)|relative\s+to|against|unlike)\s+(?P<what>[^,;]{2,60}),\s", re.I
)
BASELINE_GAP = 40  # characters between a figure and its comparison word ("2-4x with the same level of latency")


# "achieves 1.88×−5.04× the throughput of vLLM": a multiple of another system's figure names it as the baseline.
_TIMES_THE = re.compile(
    r"\s*(?:[-−–]\s*\d+(?:\.\d+)?\s*[x×]\s*)?the\s+(?:[\w-]+\s+){1,2}?of\s+(?:the\s+)?"
    r"(?P<what>[A-Za-z][^,.;()]{2,70})"
)


# "significantly outperforming DeepSeek-V3 with scores of 90.8% on MMLU": the system beaten, named before the figures.
_BEATEN_WITH = re.compile(
    r"\b(?:outperform\w*|surpass\w*|beat\w*)\s+(?P<what>[A-Za-z][\w.+-]*[\w+](?:\s+\d+(?:\.\d+)?[BM])?)\s+"
    r"(?:with|by|at|reaching|achieving)\b(?:[^.;]|\.(?=\d))*$",
    re.I,
)


def _baseline(sentence: str, number: ClaimNumber) -> str | None:
    times = _TIMES_THE.match(sentence, number.end) if number.unit == "x" else None
    if times:
        return _BASELINE_STOP.sub("", times.group("what")).strip() or None
    match = _BASELINE.search(sentence, number.end)
    if not match or match.start() - number.end > BASELINE_GAP:  # the comparison word must follow the figure closely
        lead = _LEADING_BASELINE.match(sentence)
        if lead and number.start > lead.end():
            return lead.group("what").strip()
        beaten = _BEATEN_WITH.search(sentence, 0, number.start)
        return beaten.group("what") if beaten else None
    if _FIGURE_BETWEEN.search(sentence, number.end, match.start()):  # "3.05x-4.26x, which is 20%-40% faster than
        return None  # EAGLE-1": the comparison is the nearer figure's
    what = match.group("what")
    if match.end() < len(sentence) and sentence[match.end()].isalnum():  # cut mid-word at the length cap
        what = what.rsplit(" ", 1)[0]
    what = _BASELINE_STOP.sub("", what).strip()
    what = re.sub(r"^(?:the\s+)?use\s+of\s+(?:the\s+)?", "", what)  # "the use of PagedAttention-based kernels"
    if _GENERIC_BASELINE.match(what):
        examples = _EXAMPLES.match(sentence[match.start("what") + len(what) :])
        if examples:
            what = _EXAMPLES_STOP.sub("", examples.group("names")).strip().rstrip(",")
    return what if len(what) >= 3 or (len(what) == 2 and what.isupper()) else None  # "SD" is a baseline


_KEEP_UNITS = {"x", "%", "pp", "tokens/s", "requests/s", "s", "GB"}


_BASELINE_FILLER = words_pattern(
    r"the|a|an|vanilla|standard|naive|plain|conventional|traditional|regular|original|baseline|default|"
    r"normal|greedy|decoding|generation|inference|sampling|methods?|approach(?:es)?"
)


def baseline_key(baseline: str | None) -> str | None:
    """'vanilla auto-regressive decoding', 'autoregressive decoding', 'vanilla auto-regressive methods' →
    'autoregressive': one baseline however a paper words it; None when the figure names none."""
    if not baseline:
        return None
    text = re.sub(r"auto[-\s]regressive", "autoregressive", baseline.lower())
    text = re.sub(r"\bsd\b", "speculative decoding", text)
    key = method_key(_BASELINE_FILLER.sub(" ", text))
    return key or method_key(text)


# A change ends at the figure after "to"; one without a change verb ("speedup from 2x to 2.5x") is a range.
# The verbs of a change "from A to B" ("reduces … from >780GB … to <48GB", "increases from 15.6% to 71.0%").
_CHANGE_STEMS = (
    r"increas|decreas|rais|rise|rising|rose|improv|drop|fall|fell|reduc|cut|jump|grow|grew|climb|boost|lift|"
    r"declin|shrink|shrank|chang"
)
_CHANGE_FROM = re.compile(rf"\b(?:{_CHANGE_STEMS})\w*\s+(?:\w+\s+){{0,3}}?from\s+(?:\w+\s+){{0,2}}$", re.I)


def is_own(method: str, paper_systems: Sequence[str]) -> bool:
    """The paper's own system or a variant of it: Medusa-1 and Medusa-2 in the Medusa paper, DeepSeek-R1-Zero and
    DeepSeek-R1-Distill-Qwen-32B in DeepSeek-R1's (its name, a hyphen and more: they were read as another
    paper's system "as measured by DeepSeek-R1"), CoVe in Chain-of-Verification's (its abbreviation)."""
    key = method_key(method)
    for name in paper_systems:
        own = method_key(name)
        if own and (key == own or (key.startswith(own) and key[len(own) :].isdigit() and len(key) - len(own) <= 2)):
            return True
        if own and re.match(rf"{re.escape(name)}[-‑][A-Za-z]", method, re.I):
            return True
        if own and 2 <= len(key) <= 5 < len(own) and not own.startswith(key) and abbreviates(key, name):
            return True  # "CoVe" in the Chain-of-Verification paper
    return False


def is_fragment(text: str) -> bool:
    """A flattened table fragment, not a sentence: as many numbers as words ("facebook/opt-6.7b 2.2×26.83 2×.")."""
    tokens = text.split()
    words = sum(1 for t in tokens if len(re.findall(r"[A-Za-z]", t)) >= 2)
    numbers = sum(1 for t in tokens if re.search(r"\d", t) and len(re.findall(r"[A-Za-z]", t)) < 2)
    return numbers >= words


_RESPECTIVELY = re.compile(r"\brespectively\b", re.I)
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or)\s+)", re.I)
_LIST_ITEMS = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", re.I)
_COMPARED = re.compile(r"\b(?:over|than|compared\s+(?:to|with)|relative\s+to|vs\.?|versus|against)\s+(?:the\s+)?", re.I)
_NAME_BETWEEN = re.compile(r"[A-Z][a-z]*[A-Z]|[A-Z]{2,}")  # a capitalised name between a list and its figures
_LIST_END = re.compile(r"\s+(?:on|with|across|in|at|for|using|under|while|when)\s", re.I)


@dataclass(frozen=True)
class _Respective:
    """What 'respectively' pairs with one figure of a list: its method, baseline, dataset or model."""

    method: str | None = None
    baseline: str | None = None
    dataset: str | None = None
    model: str | None = None


def _figure_runs(text: str, numbers: Sequence[ClaimNumber]) -> list[list[int]]:
    """Indices of figures listed together ("4.43× and 1.50×", "2x, 3x and 4x"), of one unit."""
    runs: list[list[int]] = []
    for i, n in enumerate(numbers):
        if runs and numbers[runs[-1][-1]].unit == n.unit:
            gap = text[numbers[runs[-1][-1]].end : n.phrase_start]
            if _LIST_GAP.fullmatch(gap):
                runs[-1].append(i)
                continue
        runs.append([i])
    return [r for r in runs if len(r) >= 2]


def _name_lists(text: str, end: int, count: int, known: frozenset[str]) -> list[tuple[int, int, list[str]]]:
    """Lists of `count` method names in the clause before `end` ("EAGLE and Medusa", "A, B, and C"): each as
    (start, end, names), the last first."""
    before = _blank(text[:end], known)
    clause_start = max(0, max(before.rfind(m) for m in (";", " while ", " whereas ")))
    found = [m for m in _NAME.finditer(before, clause_start) if _is_method_name(m.group(0), known)]
    out = []
    for i in range(len(found) - count, -1, -1):
        items = found[i : i + count]
        gaps = [before[a.end() : b.start()] for a, b in zip(items, items[1:], strict=False)]
        if all(_LIST_GAP.fullmatch(g) for g in gaps) and re.search(r"\b(?:and|or)\b", gaps[-1]):
            out.append((items[0].start(), items[-1].end(), [m.group(0) for m in items]))
    return out


def _listed_names(text: str, end: int, count: int, known: frozenset[str]) -> tuple[list[str] | None, list[str] | None]:
    """(methods, baselines) named as a list before the figures: "EAGLE and Medusa reach 2x and 3x" gives the
    methods, "compared to Lookahead and Medusa, EAGLE achieves 1.7x and 1.5x" the baselines."""
    methods = baselines = None
    lists = _name_lists(text, end, count, known)
    for start, stop, names in lists:
        lead = text[max(0, start - 80) : start]
        compared = list(_COMPARED.finditer(lead))
        if compared and not re.search(r"[;.]", lead[compared[-1].end() :]) and text[stop:end].lstrip()[:1] == ",":
            baselines = baselines or names
        elif stop == lists[0][1] and not _NAME_BETWEEN.search(_blank(text[stop:end], known)):
            methods = methods or names
    if (
        baselines is None and methods is None
    ):  # "compared to the ... frameworks, Lookahead and Medusa, EAGLE achieves": names as spelt
        baselines = _compared_list(text[:end], count)
    return methods, baselines


def _compared_list(before: str, count: int) -> list[str] | None:
    """A comma-delimited chunk after a comparison word that lists `count` capitalised names, before the chunk
    that states the figures."""
    compared = list(_COMPARED.finditer(before))
    if not compared:
        return None
    for chunk in before[compared[-1].end() :].split(",")[:-1]:
        items = [i.strip() for i in _LIST_ITEMS.split(chunk.strip()) if i.strip()]
        if len(items) == count and all(i[0].isupper() and len(i.split()) <= 3 for i in items):
            return items
    return None


def _listed_baselines(segment: str, count: int) -> list[str] | None:
    """'compared with A and B' in the text between a figure list and its 'respectively': [A, B]."""
    m = _COMPARED.search(segment)
    if not m:
        return None
    what = segment[m.end() :]
    stop = _LIST_END.search(what)
    what = what[: stop.start()] if stop else what
    items = [i.strip(" ,()") for i in _LIST_ITEMS.split(what.strip(" ,()"))]
    items = [re.sub(r"^(?:the|a)\s+", "", i, flags=re.I) for i in items if i]
    return items if len(items) == count and all(len(i) >= 3 for i in items) else None


def respective(
    text: str, numbers: Sequence[ClaimNumber], known: frozenset[str] = frozenset()
) -> dict[int, _Respective]:
    """'A and B reach 2x and 3x over C and D on X and Y, respectively': for each figure of such a list (by its
    index in `numbers`), the method, baseline, dataset and model of the same rank; only lists of the same length
    as the figures'."""
    if not _RESPECTIVELY.search(text):
        return {}
    out: dict[int, _Respective] = {}
    for run in _figure_runs(text, numbers):
        first, last = numbers[run[0]], numbers[run[-1]]
        closing = _RESPECTIVELY.search(text, last.end)
        if closing is None:
            continue
        segment = text[last.end : closing.start()]
        n = len(run)
        methods, before = _listed_names(text, first.phrase_start, n, known)
        baselines = _listed_baselines(segment, n) or before
        datasets = [m.group(0) for m in _DATASET.finditer(segment)]
        models = [m.group(0) for m in _MODEL.finditer(segment)]
        for rank, i in enumerate(run):
            out[i] = _Respective(
                method=methods[rank] if methods else None,
                baseline=baselines[rank] if baselines else None,
                dataset=datasets[rank] if len(datasets) == n else None,
                model=models[rank] if len(models) == n else None,
            )
    return out


# "90.8% on MMLU, 84.0% on MMLU-Pro, and 71.5% on GPQA Diamond": each figure followed by the benchmark it was
# scored on (a name with two capitals or a known benchmark; "on A100" is a machine, "on Vicuna-7B" a model).
_ON_NAME = re.compile(
    r"^\s*(?:[a-z][\w-]*\s+)?(?:on|in)\s+(?:the\s+)?"
    r"(?P<d>[A-Z][\w+/-]*(?:\.\d+)?(?:\s+(?:[A-Z][a-z][\w-]*|\d+(?:\.\d+)?)(?!\w|\.\d))?)"
)


def _benchmark_named(name: str) -> bool:
    head = name.split()[0]
    if _HARDWARE.fullmatch(head) or _MODEL.fullmatch(head) or head in ("Table", "Figure", "Fig", "Section"):
        return False
    return bool(_DATASET.match(name)) or len(re.findall(r"[A-Z]", head)) >= 2


def benchmarks_after(text: str, numbers: Sequence[ClaimNumber]) -> dict[int, str]:
    """Per figure (index in `numbers`), the benchmark named right after it ("84.0% on MMLU-Pro"), when at least
    two figures of the sentence name their own: a list of scores, each on its benchmark. A lone figure keeps
    every benchmark its sentence names ("3.05x on MT-bench and GSM8K")."""
    out: dict[int, str] = {}
    for i, n in enumerate(numbers):
        m = _ON_NAME.match(text[n.phrase_end : n.phrase_end + 60])
        if m and _benchmark_named(m.group("d")):
            out[i] = m.group("d")
    return out if len(set(out.values())) >= 2 else {}


# "an order of magnitude larger than the regression loss": a size compared, not a speed-up.
_SIZE_COMPARATIVE = re.compile(r"\b(?:larger|smaller|bigger|longer|shorter|more|fewer|less)\b", re.I)


# What a percentage of an unnamed quantity changes: "reduces GPU time by ..., achieving reductions of 36%"
# -> "reduction in GPU time"; "increases the effective request capacity by 59%~498%"; "115% more requests".
_CHANGE_VERB = re.compile(
    r"\b(?P<verb>reduc|decreas|cut|lower|sav|shrink|increas|rais|improv|boost|grow|expand)\w*\s+"
    r"(?:the\s+|its\s+|their\s+|our\s+)?(?P<what>(?:[A-Za-z][\w&/-]*\s+){0,3}?[A-Za-z][\w&/-]*)\s+(?:by|from)\b",
    re.I,
)
_MORE_OF = re.compile(
    r"\s*(?P<word>more|fewer|less|higher|lower|larger|smaller)\s+(?P<what>(?:[a-z][\w&/-]*\s+){0,2}?[a-z][\w&/-]*)"
    r"(?=\s+(?:on|in|for|than|compared|while|with|and|at|per|by|across|under)\b|\s*[,.;)]|\s*$)",
)
_REDUCING = ("reduc", "decreas", "cut", "lower", "sav", "shrink")


def changed_what(text: str, first: ClaimNumber, last: ClaimNumber) -> str | None:
    """The quantity a percentage changes, when no metric names it: "more requests" after the list the figure is
    in (`first` to `last`: "115% and 107% more requests"), else the object of the change verb before it."""
    after = _MORE_OF.match(text, last.end)
    if after:
        return f"{after.group('word')} {after.group('what')}"
    found = list(_CHANGE_VERB.finditer(text, max(0, first.phrase_start - 120), first.end))
    if not found:
        return None
    verb, what = found[-1].group("verb").lower(), found[-1].group("what")
    return f"{'reduction' if verb.startswith(_REDUCING) else 'increase'} in {what}"


_BASELINE_VALUE = re.compile(r"(?:\bvs\.?|\bversus|\bcompared\s+(?:to|with))\s*$", re.I)
# After a memory figure: a bandwidth ("400 GB/s", "750MB per second") or the machine's memory ("80GB GPUs",
# "24 GB device memory", "2048 GB of host memory"), which is a condition, not what a method uses or saves.
_TARGET_AFTER = re.compile(r"^\s*(?:[\w-]+\s+){0,2}(?:SLAs?|SLOs?|deadlines?)\b")
_HARDWARE_SPEC = re.compile(
    r"\s*(?:/\s*s\b|per\s+second\b|ps\b|(?:(?!of\b)[\w-]+\s+)?(?:GPUs?|cards?|accelerators?|servers?|nodes?)\b|"
    r"(?:of\s+)?(?:device|host|DRAM|HBM\w*)\s+memory\b|(?:HBM\w*|DRAM|RAM)\b|memory\s+capacity\b)",
    re.I,
)


_CHANGED = re.compile(rf"\b(?:{_CHANGE_STEMS})\w*", re.I)
_CONDITION_WORD = re.compile(r"\b(?:in|on|for|with|at|under|when|using)\b", re.I)


def _plain_change(text: str, numbers: Sequence[ClaimNumber], i: int) -> bool:
    """Whether the i-th figure starts a change "from A to B" with no condition of its own between them ("from
    >780GB of GPU memory to <48GB"); "from 1.27x in question answering to 1.66x in RAG" is two results."""
    n = numbers[i]
    end = numbers[i + 1] if i + 1 < len(numbers) else None
    if n.role != "from" or end is None or end.role != "to":
        return False
    # a change verb before it ("reduces … from", "increases from"); "speedup from 2x to 2.5x" is a range
    changed = _CHANGED.search(text[max(0, n.start - 100) : n.start])
    return bool(changed) and not _CONDITION_WORD.search(text[n.end : end.phrase_start])


def _changed_from(text: str, numbers: Sequence[ClaimNumber], i: int) -> str | None:
    """What the i-th figure changed from ("from >780GB of GPU memory to <48GB" → "over 780 GB"): the end of a
    change reads as one only beside its start."""
    if i == 0 or not _plain_change(text, numbers, i - 1):
        return None
    start = numbers[i - 1]
    low = start.low if start.low is not None else start.value
    high = start.high if start.high is not None else start.value
    return shown_value(low, high, start.unit, start.bound)


# "reducing the learning rate to 10% of its initial value", "2000 warm-up steps": how it was trained, no result.
_HYPERPARAMETER = re.compile(
    r"\b(?:learning[- ]rates?|warm-?up\s+(?:steps|ratio)|weight\s+decay|dropout\s+rate)\b", re.I
)


def figures_in(sentence: SourceSentence, known: frozenset[str] = frozenset()) -> list[ReportedFigure]:
    """The figures of one sentence worth a row: a result with a unit, attributed to a method. `known`: method
    keys the run's papers name (their systems), recognised even when spelt like ordinary words. Names broken
    at a line end are read joined ("EAGLE- 3"); a flattened table fragment gives none."""
    text = join_broken_names(sentence.text)
    if is_fragment(text) or _HYPERPARAMETER.search(text):
        return []
    out: list[ReportedFigure] = []
    numbers = extract_numbers(text)
    paired = respective(text, numbers, known)
    scored_on = benchmarks_after(text, numbers)
    listed = {i: (numbers[run[0]], numbers[run[-1]]) for run in _figure_runs(text, numbers) for i in run}
    for i, n in enumerate(numbers):
        if n.unit not in _KEEP_UNITS or (n.quantity is Quantity.SIZE and n.unit != "x"):
            continue
        if _plain_change(text, numbers, i) or (
            _CHANGE_FROM.search(text[max(0, n.start - 60) : n.start]) and re.match(r"\s*(?:to|→)\s", text[n.end :])
        ):
            continue  # "increases from 15.6% to 71.0%": where it started, not a result (the quote keeps it); one
            # with its own condition ("from 1.27x in question answering to 1.66x in RAG") is a result there
        if n.unit == "x" and not (0 < (n.high or n.value) < 1000):
            continue
        if _BASELINE_VALUE.search(text[max(0, n.phrase_start - 20) : n.phrase_start]):
            continue  # "1.36 rps vs. 0.67 rps": the second is the baseline's, not the method's
        if n.unit == "GB" and _HARDWARE_SPEC.match(text[n.end :]):
            continue  # "A10 GPU with 24 GB device memory", "400 GB/s": the machine, not the method's memory
        if _TARGET_AFTER.match(text[n.end :]):
            continue  # "under 50ms TPOT SLA": the target it was held to, a condition, not its result
        pair = paired.get(i, _Respective())
        own = sentence.paper_systems[0] if sentence.paper_systems else None
        head = listed.get(i, (n, n))[0]  # "EAGLE reaches 2x, 3x, and 4x": a list's figures take its head's method
        method = pair.method or attribute(text, head, own, known, sentence.section, set(scored_on.values()))
        if method is None:
            continue
        primary = is_own(method, sentence.paper_systems)
        role = role_of(text, n, listed.get(i))
        metric = n.quantity.value
        if (
            n.quantity is Quantity.SPEEDUP
            and role == "cost"
            and _TIME_WORDS.search(text[max(0, n.phrase_start - 60) : n.phrase_end + 40])
        ):
            metric = Quantity.LATENCY.value  # "increases its kernel latency by up to 1.9x": more time, not a speed-up
        noun = multiplied_noun(text, n.phrase_end) if n.unit == "x" else None
        if metric == Quantity.LATENCY.value:
            noun = latency_kind(text, n.start, n.phrase_end)
        if n.unit == "x" and n.quantity in (Quantity.SIZE, Quantity.OTHER):
            # "2.7x over vanilla decoding" near "Vicuna-7B" is a speedup; "44x FLOP/s" multiplies something else
            after = re.match(r"\s*(\w+)", text[n.phrase_end :])
            sized = _SIZE_COMPARATIVE.search(text[n.phrase_start : n.phrase_end]) or (
                after is not None and _SIZE_COMPARATIVE.fullmatch(after.group(1))
            )
            metric = "speedup" if role == "gain" and noun is None and not sized else "other"
        share = share_of_cost(text, n)
        if share:
            metric, noun = Quantity.COST.value, share  # "about 40% of computations" compared with LLaMA2 7B
        if metric == Quantity.OTHER.value and n.unit == "%" and noun is None:
            noun = changed_what(text, head, listed.get(i, (n, n))[1])  # "36% reduction in GPU time", not "36%"
        out.append(
            ReportedFigure(
                method=method, metric=metric, role=role, value=n.value, low=n.low,
                high=n.high, unit=n.unit, text=text[n.phrase_start : n.phrase_end], bound=n.bound,
                start=_changed_from(text, numbers, i),
                multiplies=noun if metric in ("other", Quantity.LATENCY.value) or share else None,
                baseline=pair.baseline or _baseline(text, listed.get(i, (n, n))[1]),
                models=[pair.model] if pair.model else _unique(_MODEL.findall(text)),
                hardware=_unique(h for h in _HARDWARE.findall(text) if h not in ("GPU", "GPUs", "CPU", "CPUs")),
                setting=_unique(_SETTING.findall(text)),
                dataset=[d] if (d := pair.dataset or scored_on.get(i)) else _unique(_DATASET.findall(text)),
                doc_id=sentence.doc_id, arxiv_id=sentence.arxiv_id, paper=sentence.paper, source=sentence.source,
                page=sentence.page, quote=sentence.text, claim=sentence.claim, primary=primary,
            )
        )  # fmt: skip
    return out


# ---------------------------------------------------------------- a paper's stated setup

_SETUP_HEADING = re.compile(
    r"\b(?:experiment(?:al)?\s+(?:setup|settings?|details|configurations?)|implementation\s+details|"
    r"evaluation\s+(?:setup|settings?|details)|(?:hardware|inference)\s+(?:setup|settings?|details)|"
    r"^\s*(?:\d+(?:\.\d+)*\.?\s+)?(?:setup|settings?)\b)",
    re.I | re.M,
)
# An accelerator's name is read as the paper's hardware only beside a word that says it is one: "LLaMA-Instruct
# 3.1 (L31)" is a model, "Llama-3.1-70B on 4 A100 GPUs" names the machine.
_MACHINE_WORDS = re.compile(
    r"\b(?:GPUs?|TPUs?|NVIDIA|AMD|Apple|accelerators?|cards?|servers?|nodes?|machines?|hardware|devices?|chips?|"
    r"laptops?|MacBook)\b",
    re.I,
)
_GENERIC_HARDWARE = frozenset(["GPU", "GPUs", "CPU", "CPUs", "Xeon", "EPYC"])
_BATCH = re.compile(r"\bbatch[- ]sizes?\s*(?:of\s*|=\s*)?(\d+(?:\s*(?:,|and|to|-|–)\s*\d+)*)", re.I)
_DECODING = re.compile(r"\b(greedy|sampling)\b", re.I)
_SPECULATIVE = re.compile(r"speculative\s+$", re.I)  # "speculative sampling" is a method, not a decoding mode
_PRECISION = re.compile(r"\b(?:FP|BF|INT)\d+\b", re.I)
_EXPERIMENTS = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?\s+)?(?:experiments?|evaluation|experimental\s+results)\s*$", re.I)
EXPERIMENTS_OPENING = 2  # passages of an "Experiments" section that open it, where its setup is stated
_TRAINING = re.compile(
    r"\b(?:train\w*|fine-?tun\w*|pre-?train\w*|learning rate|epochs?|optimi[sz]er|warm-?up|distill\w*)\b", re.I
)
SETUP_TERMS = 3  # more machines or benchmarks than this name a survey of setups, not the one a figure ran in


def _machines(text: str) -> list[str]:
    out = []
    for m in _HARDWARE.finditer(text):
        name = " ".join(m.group(0).split())
        if name in _GENERIC_HARDWARE:
            continue
        near = text[max(0, m.start() - 50) : m.end() + 50]
        if name.upper().startswith("TPU") or _MACHINE_WORDS.search(near):
            out.append(name)
    kept = _unique(out)
    return [h for h in kept if not any(h != o and h in o for o in kept)]  # "M1 Max" inside "Apple M1 Max"


def paper_setup(chunks: Sequence[tuple[int | None, str | None, str]], body: str = "") -> PaperSetup | None:
    """The setup a paper states once, from its passages headed like a setup (`chunks`: page, heading, text;
    a passage whose opening words are such a heading counts too): the machines its experiments ran on, its
    benchmark, batch size, precision, and greedy or sampled decoding when it names one only. With more than
    `SETUP_TERMS` benchmarks the one `body` (the paper's text) names most is kept: a survey's Spec-Bench, not
    the subtasks listed beside it. None when no passage is headed so or nothing is named."""
    picked, under = [], Counter[str]()
    for page, heading, text in chunks:
        opens_experiments = _EXPERIMENTS.match(heading or "") is not None
        if opens_experiments:
            under[heading or ""] += 1
        if (_SETUP_HEADING.search(heading or "") or _SETUP_HEADING.search(text[:120])
                or (opens_experiments and under[heading or ""] <= EXPERIMENTS_OPENING)):  # fmt: skip
            picked.append((page, text))
    if not picked:
        return None
    # Training runs have their own machines, data and batch sizes ("trained on ShareGPT with batch size 128"):
    # what the figures were measured under is the rest.
    text = " ".join(
        sentence for _, t in picked for sentence in sentences_of(join_broken_names(t)) if not _TRAINING.search(sentence)
    )
    machines = _machines(text)
    datasets = _unique(_DATASET.findall(text))
    if len(datasets) > SETUP_TERMS:
        counts = {d: len(re.findall(re.escape(d), body or text, re.I)) for d in datasets}
        datasets = [max(datasets, key=lambda d: counts[d])]
    settings = [f"batch size {' '.join(m.group(1).split())}" for m in _BATCH.finditer(text)][:1]
    decoding = {
        m.group(1).lower()
        for m in _DECODING.finditer(text)
        if not _SPECULATIVE.search(text[max(0, m.start() - 20) : m.start()])
    }
    if len(decoding) == 1:
        settings.append(decoding.pop())
    settings += _unique(m.group(0).upper() for m in _PRECISION.finditer(text))[:1]
    setup = PaperSetup(
        hardware=machines if len(machines) <= SETUP_TERMS else [], dataset=datasets,
        setting=_unique(settings), pages=sorted({p for p, _ in picked if p is not None}),
    )  # fmt: skip
    return setup if setup.terms() else None


def hardware_of(figure: ReportedFigure) -> list[str]:
    """The machines a figure was measured on: named in its sentence, else in its paper's stated setup."""
    return figure.hardware or [t for t in figure.setup if _HARDWARE.fullmatch(t) and t not in _GENERIC_HARDWARE]


def with_setup(figure: ReportedFigure, setup: PaperSetup | None) -> ReportedFigure:
    """The figure with its paper's stated setup, of the kinds its own sentence does not name (a figure measured
    on an A100 keeps the A100 and gains no paper-wide hardware)."""
    if setup is None:
        return figure
    terms = [] if figure.hardware else list(setup.hardware)
    terms += [] if figure.dataset else setup.dataset
    named = " ".join(figure.setting).lower()
    terms += [t for t in setup.setting if t.split()[0].lower() not in named]
    if not terms:
        return figure
    page = next((p for p in setup.pages), None)
    return figure.model_copy(update={"setup": terms, "setup_page": page})


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


_USUAL_BASELINE = "autoregressive"  # baseline_key of "vanilla autoregressive decoding"


def _same_setting(a: ReportedFigure, b: ReportedFigure) -> bool:
    """Overlapping conditions: no named model, hardware or dataset on one side that the other contradicts, and
    the same baseline, an unnamed one read as the usual autoregressive decoding (EAGLE's 1.5x over Medusa says
    nothing of a 1.8-2.4x over autoregressive decoding, nor of a '~2.4x speedup')."""
    if (baseline_key(a.baseline) or _USUAL_BASELINE) != (baseline_key(b.baseline) or _USUAL_BASELINE):
        return False
    for field in ("models", "hardware", "dataset"):
        x, y = {v.lower() for v in getattr(a, field)}, {v.lower() for v in getattr(b, field)}
        if x and y and not x & y:
            return False
    return True


def latency_kind(text: str, start: int, end: int) -> str | None:
    """The latency a figure measures when the words next to it name one ("a TTFT increase of up to 12.3x",
    "increases its kernel latency by up to 1.9x", "30 ms TTFT"): vLLM's 1.9x kernel latency says nothing of its
    12.3x TTFT. The nearest name before the figure within its clause, else one right after it; None for plain
    'latency', which the figures table compares only with plain 'latency'."""
    clause = text[max(0, start - 60) : start].rsplit(";", 1)[-1]
    before = list(_LATENCY_KIND.finditer(clause))
    after = re.match(r"\s*(?:(?:higher|lower|longer|shorter|more|less|of)\s+)?", text[end:])
    match = before[-1] if before else _LATENCY_KIND.match(text, end + (after.end() if after else 0))
    if match is None:
        return None
    index = int(next(k for k, v in match.groupdict().items() if v)[1:])
    return _LATENCY_KINDS[index][0]


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
