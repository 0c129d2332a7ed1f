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
from dataclasses import dataclass, field

from synth.core.facets import AUX as _AUX
from synth.core.facets import GENERIC as _GENERIC
from synth.verify.align import sentences_of

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


def names_subject(phrases: Sequence[str], text: str, *, compound_head: bool = False) -> bool:
    """Whether `text` names any subject phrase, or every longer word of one ("serving ... systems" for
    "LLM serving systems": a paper need not use the question's exact wording).

    A hyphenated subject is also named by its head: "self-verification" by "chain-of-verification". By default
    the bare head counts; with `compound_head` only another compound on the same head does, so speculative
    decoding's "verification" of draft tokens does not name self-verification.
    """
    for phrase in phrases:
        if _mentions(phrase, text):
            return True
        words = [w for w in phrase.split() if len(w) >= 4]
        if len(words) >= 2 and all(_mentions(w, text) for w in words):
            return True
        head = phrase.rsplit("-", 1)[-1]
        if " " not in phrase and "-" in phrase and len(head) >= 6:
            if compound_head and re.search(rf"\w-{re.escape(head)}(?:s|es)?(?![\w-])", text, re.I):
                return True
            if not compound_head and _mentions(head, text):
                return True
        if _names_acronym(phrase, text) or _names_sibling(phrase, text):
            return True
    return False


# Process nouns the ML literature uses for one another: "speculative decoding/sampling/inference" are one idea.
_SIBLINGS = (
    frozenset({"decoding", "sampling", "inference", "generation"}),
    frozenset({"training", "learning", "fine-tuning", "finetuning"}),
)


def _names_sibling(phrase: str, text: str) -> bool:
    """The subject's modifier with a sibling of its head: "speculative sampling" and "speculative inference"
    (EAGLE-2's and DSI's words) name speculative decoding. Only for a two-word subject whose modifier is a
    longer, non-generic word, and only among the listed siblings, so "parallel computing" never stands in for
    "parallel decoding"."""
    words = phrase.lower().split()
    if len(words) != 2 or len(words[0]) < 6 or words[0] in _GENERIC or not words[0].isalpha():
        return False
    siblings = next((group - {words[1]} for group in _SIBLINGS if words[1] in group), frozenset())
    if not siblings:
        return False
    alternatives = "|".join(re.escape(w) for w in sorted(siblings))
    return re.search(rf"(?<![\w-]){re.escape(words[0])}\s+(?:{alternatives})(?![\w-])", text, re.I) is not None


SHORT_ABSTRACT = 400  # characters: an abstract this short (or none) was not found whole; the passages stand in


def is_specific(phrase: str) -> bool:
    """A subject phrase that names a particular thing: a hyphenated term ("mixture-of-experts"), two words that
    are not generic ("speculative decoding", "reinforcement learning") or a name ("AlphaFold2"). One common word
    beside generic ones ("LLM serving systems", "large language models") is not: papers that are about the
    question can write it otherwise, so the gate cannot tell them by it."""
    words = [w for w in phrase.split() if w.lower() not in _GENERIC]
    if len(words) >= 2:
        return True
    if len(words) == 1:
        word = words[0]
        return "-" in word.strip("-") or any(c.isdigit() for c in word) or any(c.isupper() for c in word[1:])
    return False


@dataclass(frozen=True)
class PaperText:
    """What the topic gate reads of a paper: its title, its abstract ("" when the reader found none), the
    passages retrieved for the question and, where the caller has it, the paper's whole body (its passages
    outside the references and appendix)."""

    title: str
    abstract: str = ""
    passages: Sequence[str] = ()
    body: Sequence[str] = ()


# Share of a paper's body passages that name the subject for an abstract's mention to make the paper about it.
# Dev corpus: papers about the subject that do not name it in the title 0.17 (Medusa) to 0.59 (PipeSpec);
# papers naming it once in the abstract as a step of their own work 0.05-0.07 (DeepSeek-V2's "SFT and RL").
MIN_BODY_SHARE = 0.1
OPENING_SENTENCES = 2  # an abstract's opening says what the paper is; a later mention may be one step of many


@dataclass
class TopicGate:
    """The question's subject and, per paper, whether it is about it; `judged` is False when the gate cannot
    tell (no subject, a generic one, or no paper about it) and then every paper counts as on topic."""

    subject: list[str]
    on_topic: list[bool] = field(default_factory=list)
    judged: bool = False
    generic: bool = False  # a subject the papers name but too general to tell them by ("large language models")


def about_subject(phrases: Sequence[str], paper: PaperText) -> bool:
    """A paper is about the subject when its title or its abstract's opening names it, or its abstract does
    later and the subject recurs through its body: a paper that only mentions it in passing (related work,
    "RLHF" in a method section, DeepSeek-V2's abstract listing "SFT and RL" among its training steps in its
    sixth sentence, RL in 7% of its passages) is not. Without a whole abstract, two retrieved passages naming it
    stand in for one. Without the body, the abstract's mention decides."""
    if names_subject(phrases, paper.title, compound_head=True):
        return True
    opening = " ".join(sentences_of(paper.abstract)[:OPENING_SENTENCES])
    if names_subject(phrases, opening, compound_head=True):
        return True  # what the paper is: "DeepSeek-Coder-V2, an open-source Mixture-of-Experts code model"
    if names_subject(phrases, paper.abstract, compound_head=True):
        named = True
    elif len(paper.abstract) >= SHORT_ABSTRACT:
        return False
    else:
        named = sum(names_subject(phrases, t, compound_head=True) for t in paper.passages) >= 2
    if not named or not paper.body:
        return named
    return sum(names_subject(phrases, t, compound_head=True) for t in paper.body) >= MIN_BODY_SHARE * len(paper.body)


def topic_gate(question: str, papers: Sequence[PaperText]) -> TopicGate:
    """Which papers are about the question's subject. The gate judges only a specific subject (`is_specific`)
    that at least one paper is about: when none is, the Answer says the corpus lacks it (`uncovered`), and a
    generic subject would mark papers off for wording alone."""
    texts = [" ".join([p.title, p.abstract, *p.passages]) for p in papers]
    subject = subject_phrases(question, texts)
    everyone = [True] * len(papers)
    if not subject or not any(is_specific(s) for s in subject):
        named = bool(subject) and all(any(names_subject([s], t) for t in texts) for s in subject)
        return TopicGate(subject, everyone, generic=named)  # unnamed: what the corpus lacks (`uncovered`)
    on = [about_subject(subject, p) for p in papers]
    if not any(on):
        return TopicGate(subject, everyone)
    return TopicGate(subject, on, judged=True)


# Share of the closest paper's similarity to the question below which a paper is far from it. Dev questions with a
# generic subject: papers about the question 0.67-1.0 of the closest (DeepSpeed-FastGen's abstract, 0.67, is the
# least like its question); speculative-decoding papers and surveys retrieved for a single-GPU question 0.21-0.53.
MIN_CLOSENESS = 0.6


def far_from_question(closeness: Sequence[float]) -> list[bool]:
    """Which papers' title and abstract are far from the question, relative to the closest paper's: when the
    subject is generic ("Can large language models be finetuned on a single GPU …") the gate cannot tell papers by
    the words they use, and every paper retrieved is about language models. Relative, because how close a
    sentence embedding puts a question and an abstract depends on how each is worded."""
    best = max(closeness, default=0.0)
    if best <= 0:
        return [False] * len(closeness)
    return [c < MIN_CLOSENESS * best for c in closeness]


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
