"""Does the corpus cover what the question is about? The question's subject, and whether any paper names it.

A question asks about something ("How accurate is AlphaFold2 …", "How much does
speculative decoding …"): the words after its auxiliary verb. When no retrieved
paper names that subject, every claim the report could show is about something
else, and the honest answer is that the corpus does not cover the question. The
subject is grown word by word while the retrieved papers still use the phrase,
so "speculative decoding speed up" stops at "speculative decoding". Pure functions
of the question and the papers' text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_AUX = re.compile(r"\b(?:does|do|did|can|could|is|are|was|were|will|would|should|has|have|had)\s+(?P<rest>.+)", re.I)
_WORD = re.compile(r"[A-Za-z0-9][\w.+-]*")
_JOINERS = frozenset({"or", "and"})
# Words that frame a question rather than name its subject ("What do papers report about X", "the current X").
_SKIP_WORDS = (
    "the a an it they there this these those using current modern recent existing published papers paper studies "
    "study authors researchers works work literature we you people report reports say says show find claim "
    "about on of for regarding whether if how what which why when where"
)
_SKIP = frozenset(_SKIP_WORDS.split())


def _mentions(phrase: str, text: str) -> bool:
    pattern = r"\s+".join(re.escape(w) for w in phrase.split())
    return re.search(rf"(?<![\w-]){pattern}(?:s|es)?(?![\w-])", text, re.I) is not None


def subject_phrases(question: str, texts: Sequence[str], min_papers: int = 1) -> list[str]:
    """The question's subject as phrases ('reinforcement learning or self-verification' gives two): each the
    longest run of words after the auxiliary that at least `min_papers` texts use, or the first word alone when
    none uses it (then it is what the corpus lacks)."""
    match = _AUX.search(question)
    if not match:
        return []
    words = _WORD.findall(match.group("rest"))
    while words and words[0].lower() in _SKIP:
        words = words[1:]
    phrases: list[str] = []
    phrase: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word.lower() in _JOINERS:  # "X or Y": another alternative of the subject
            if phrase:
                phrases.append(" ".join(phrase))
            phrase, i = [], i + 1
            continue
        candidate = " ".join([*phrase, word])
        if sum(1 for t in texts if _mentions(candidate, t)) >= min_papers:
            phrase.append(word)
            i += 1
            continue
        if phrase:  # the subject ends with the phrase the papers use
            break
        phrases.append(word)  # a word no paper uses: what the corpus lacks, unless an alternative follows
        joiner = next((j for j in range(i + 1, min(len(words), i + 3)) if words[j].lower() in _JOINERS), None)
        if joiner is None:
            break
        i = joiner
    if phrase:
        phrases.append(" ".join(phrase))
    return list(dict.fromkeys(phrases))


def uncovered(question: str, texts: Sequence[str]) -> list[str]:
    """The subject phrases no text names (`names_subject`): all of them means the papers are about something
    else, some of them that part of the question is not covered."""
    phrases = subject_phrases(question, texts)
    return [p for p in phrases if not any(names_subject([p], t) for t in texts)]


def names_subject(phrases: Sequence[str], text: str) -> bool:
    """Whether `text` names any subject phrase, or every longer word of one ("serving ... systems" for
    "LLM serving systems": a paper need not use the question's exact wording)."""
    for phrase in phrases:
        if _mentions(phrase, text):
            return True
        words = [w for w in phrase.split() if len(w) >= 4]
        if len(words) >= 2 and all(_mentions(w, text) for w in words):
            return True
        head = phrase.rsplit("-", 1)[-1]  # "self-verification": a paper on chain-of-verification names its head
        if " " not in phrase and "-" in phrase and len(head) >= 6 and _mentions(head, text):
            return True
        if _names_acronym(phrase, text):
            return True
    return False


def _names_acronym(phrase: str, text: str) -> bool:
    """The phrase's initials written as an acronym: "MoE" for mixture-of-experts, "CoT" for chain-of-thought,
    "RAG" for retrieval-augmented generation. Three letters at least, and two capitals in the text's word, so
    an ordinary word ("moe", "cot") is not read as one."""
    parts = [w for w in re.split(r"[\s\-]+", phrase) if w]
    if len(parts) < 3:
        return False
    initials = "".join(w[0] for w in parts)
    for match in re.finditer(rf"(?<![\w-]){re.escape(initials)}s?(?![\w-])", text, re.I):
        if sum(c.isupper() for c in match.group(0)) >= 2:
            return True
    return False
