"""The facets a question lists ("at what cost (extra draft models or heads, training, memory, output quality)")
and whether a text speaks to one: the Answer says which facets no claim covers and the answer reviewer scores
coverage by this one reading (they read it two ways before: a substring test, 'training' missed 'trained')."""

from __future__ import annotations

import re
from collections.abc import Sequence

_FACET_SPLIT = re.compile(r",|\band\b|\bor\b|/", re.I)
_FACET_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "how",
        "much",
        "many",
        "does",
        "do",
        "is",
        "are",
        "what",
        "which",
        "at",
        "cost",
        "costs",
        "extra",
    ]
)


_AUX_WORDS = r"is|are|was|were|do|does|did|can|could|will|would|has|have|had"
# "how much throughput or quality is lost", "how much training compute, activated parameters and inference cost
# do mixture-of-experts LLMs save": the quantities listed between "how much" and the verb's auxiliary.
_HOW_MUCH = re.compile(
    rf"\bhow\s+(?:much|many)\s+(?P<list>(?:(?!\b(?:{_AUX_WORDS})\b)[^?;()])+?)\s+(?:{_AUX_WORDS})\b", re.I
)
# "what does it cost at inference time?", "at what cost?": the cost is asked even when nothing is listed.
_COST_ASKED = re.compile(r"\bwhat\s+(?:does|do|did)\s+(?:it|this|that|they)\s+cost\b|\bat\s+what\s+costs?\b", re.I)
_LIST_STOP = _FACET_STOP - {"cost", "costs"}


def _listed(group: str, stop: frozenset[str]) -> list[str]:
    out = []
    for part in _FACET_SPLIT.split(group):
        words = [w for w in re.findall(r"[A-Za-z][\w-]*", part) if w.lower() not in stop]
        if words:
            out.append(" ".join(words))
    return out


def facets(question: str) -> list[str]:
    """What the question asks to be covered: the list in its brackets ('at what cost (extra draft models or heads,
    training, memory, output quality)' → 'draft models', 'heads', 'training', 'memory', 'output quality'), the
    quantities of a 'how much … is lost' ('throughput', 'quality'), and 'cost' when it asks what something costs
    and lists nothing. A question that asks "how much quality is lost" asks about quality as surely as one that
    lists it in brackets; reading brackets only left such questions without a quality line."""
    out: list[str] = []
    for group in re.findall(r"\(([^)]*)\)", question):
        out += _listed(group, _FACET_STOP)
    for match in _HOW_MUCH.finditer(question):
        out += [f for f in _listed(match.group("list"), _LIST_STOP) if f.lower() not in GENERIC]
    cost = _COST_ASKED.search(question)
    if cost and "(" not in question[cost.end() :]:  # "at what cost (…)": the list says which costs
        out.append("cost")
    return list(dict.fromkeys(out))


_FACET_GENERIC = frozenset({"model", "models", "output", "outputs", "method", "methods", "system", "systems"})


def _stem(word: str) -> str:
    """'training' -> 'train' (also 'trained'), 'quality' -> 'qual' (also 'qualitative'), 'memory' stays."""
    word = word.lower().rstrip("s")
    return word[:-3] if len(word) > 6 else word


def facet_mentioned(facet: str, text: str) -> bool:
    """Whether `text` speaks to the facet: a word of it, other than a generic one ('models' of 'draft models'),
    begins a word of the text."""
    words = [w for w in facet.split() if len(w) > 2 and w.lower() not in _FACET_GENERIC] or facet.split()
    return any(re.search(rf"\b{re.escape(_stem(w))}", text, re.I) for w in words)


# A question's subject follows its auxiliary ("How much does speculative decoding …", "Can large language models …").
AUX = re.compile(r"\b(?:does|do|did|can|could|is|are|was|were|will|would|should|has|have|had)\s+(?P<rest>.+)", re.I)
# Words that name no particular subject: "LLM serving systems" is specific only if "serving" is.
_GENERIC_WORDS = (
    "llm llms large language languages model models system systems method methods technique techniques approach "
    "approaches framework frameworks algorithm algorithms tool tools neural network networks ai"
)
GENERIC = frozenset(_GENERIC_WORDS.split())


def question_focus(question: str) -> str:
    """The question without the run of generic words its subject opens with ("Can large language models be
    finetuned or run on a single GPU …" → "Can be finetuned or run on a single GPU …"): against papers that are
    all about language models those words match a speculative-decoding claim as well as a single-GPU one, and
    what the question asks is in the rest. The question itself when its subject opens with a specific word."""
    match = AUX.search(question)
    if not match:
        return question
    words = list(re.finditer(r"\S+", match.group("rest")))
    run = 0
    while run < len(words) and words[run].group(0).lower().strip(",.?") in GENERIC:
        run += 1
    if run == 0 or run == len(words):
        return question
    cut = match.start("rest") + words[run - 1].end()
    return (question[: match.start("rest")] + question[cut:].lstrip()).strip()


# A second question joined to the first ("…, and at what cost (…)?", "…, and how much throughput is lost?").
_PART_SPLIT = re.compile(r"[,;]\s*(?:and|but)\s+(?=(?:at\s+)?(?:what|which|how|where|when|why|whether)\b)", re.I)


def question_parts(question: str) -> list[str]:
    """The questions a multi-part question asks, in order ("How much does speculative decoding speed up LLM
    inference, and at what cost (…)?" → the speed-up part and "at what cost (…)"); the question alone when it
    asks one thing. Each part is matched on its own: a sentence about the cost answers the second part but
    resembles the whole question less than another speed-up figure does."""
    parts = [p.strip(" ,;?") for p in _PART_SPLIT.split(question)]
    return [p for p in parts if p] or [question]


_PART_STOP = _FACET_STOP - {"cost", "costs", "extra"} | {
    "they", "it", "its", "their", "be", "been", "report", "reports", "over", "than", "from", "into", "about", "such",
}  # fmt: skip


def part_terms(part: str) -> frozenset[str]:
    """The stems a sentence answering this part of a question uses ("at what cost (extra draft models or heads,
    training, memory, output quality)" → cost, extra, draft, head, trai, memory, qual)."""
    words = re.findall(r"[A-Za-z][\w-]*", part)
    return frozenset(
        _stem(w) for w in words if len(w) > 2 and w.lower() not in _PART_STOP and w.lower() not in _FACET_GENERIC
        and w.lower() not in GENERIC
    )  # fmt: skip


def _uses(stem: str, text: str) -> bool:
    return re.search(rf"\b{re.escape(stem)}", text, re.I) is not None


def terms_met(terms: frozenset[str], text: str) -> int:
    """How many of the stems begin a word of the text."""
    return sum(1 for t in terms if _uses(t, text))


def distinctive(terms: frozenset[str], texts: Sequence[str], share: float = 0.2) -> frozenset[str]:
    """The terms that at most `share` of the texts use: in a speculative-decoding paper every sentence says
    "draft", and only a few say "cost" or "memory"."""
    if not texts:
        return terms
    used = {t: sum(1 for x in texts if _uses(t, x)) for t in terms}
    return frozenset(t for t, n in used.items() if 0 < n <= share * len(texts))
