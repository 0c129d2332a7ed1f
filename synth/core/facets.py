"""The facets a question lists ("at what cost (extra draft models or heads, training, memory, output quality)")
and whether a text speaks to one: the Answer says which facets no claim covers and the answer reviewer scores
coverage by this one reading (they read it two ways before: a substring test, 'training' missed 'trained')."""

from __future__ import annotations

import re

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


def facets(question: str) -> list[str]:
    """What the question lists in brackets or after 'at what cost': 'extra draft models or heads, training,
    memory, output quality' → ['draft models', 'heads', 'training', 'memory', 'output quality']."""
    inner = re.findall(r"\(([^)]*)\)", question)
    out = []
    for group in inner:
        for part in _FACET_SPLIT.split(group):
            words = [w for w in re.findall(r"[A-Za-z][\w-]*", part) if w.lower() not in _FACET_STOP]
            if words:
                out.append(" ".join(words))
    return out


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
