"""Claim-worthiness of a sentence, without an LM: findings, numbers and comparisons score; noise does not.

A claim a synthesis can use states an outcome ("X reduces memory waste to
under 4%"), usually with a number or a comparison, and usually in the
abstract, results or conclusion. Setup sentences ("we train for 3 epochs"),
figure captions, equations, table rows and descriptions of other papers'
work are what a naive "sentences with numbers" extractor returns instead;
each gets a rejection rule or a penalty here. Everything is a pure function
of the sentence text and its section kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from synth.claims.extract.paper import Candidate, Paper, strip_lead, tidy
from synth.claims.extract.sentences import SourceSentence
from synth.claims.extract.subject import rewrite_subject
from synth.claims.gates import CAPTION, EMBEDDED_CAPTION
from synth.claims.subject import looks_like_name
from synth.core.claims import ClaimKind, ClaimNumber, Quantity
from synth.core.patterns import words_pattern
from synth.core.quantities import extract_numbers

SECTION_WEIGHT = {
    "abstract": 1.0, "conclusion": 0.95, "results": 0.85, "introduction": 0.6, "limitations": 0.7,
    "front": 0.55, "body": 0.55, "method": 0.45, "other": 0.45, "appendix": 0.25, "related_work": 0.15,
}  # fmt: skip
DEFAULT_SECTION_WEIGHT = 0.45
MIN_WORDS, MAX_WORDS = 8, 70

_OUTCOME = words_pattern(
    r"outperform\w*|achiev\w*|attain\w*|improv\w*|reduc\w*|increas\w*|decreas\w*|speed[- ]?ups?|sped up|"
    r"accelerat\w*|surpass\w*|exceed\w*|boost\w*|lower\w*|higher|faster|slower|better|worse|fewer|"
    r"sav(?:e|es|ed|ing)|cuts?|halv\w*|doubl\w*|deliver\w*|yield\w*|gains?|enabl\w*|eliminat\w*|"
    r"matches|comparable|competitive|state-of-the-art|lossless\w*|degrad\w*"
)
_COMPARATIVE = words_pattern(r"than|compared (?:to|with)|relative to|versus|vs\.?|over (?:the )?baselines?|up to")
_FINDING = re.compile(
    r"\b(we|results?|experiments?|evaluations?|analysis)\s+(?:also\s+)?(show|find|found|observe|demonstrate|"
    r"reveal|confirm|indicate)s?\b",
    re.I,
)
_LIMITATION = words_pattern(
    r"limitations?|however|fails?|failed|cannot|can't|does not|do not|unable|drawbacks?|at the cost of|"
    r"trade-?offs?|overhead|degrad\w*|bottleneck\w*|struggles?"
)
_SETUP = words_pattern(
    r"we (use|used|set|follow|followed|train|trained|adopt|adopted|implement|implemented|run|ran|conduct|"
    r"conducted|evaluate|evaluated|employ|employed|report|consider|denote|define|refer)|hyper-?parameters?|"
    r"learning rate|batch size of|is defined as|denotes?|let \w+ be|is shown in (?:table|figure|fig)"
)
_METHOD = words_pattern(
    r"uses?|consists? of|employs?|introduces?|is based on|relies on|leverages?|builds? on|is an?|are an?"
)
_CITATION = re.compile(r"\[\s*\d+(?:\s*[,–-]\s*\d+)*\s*\]|\([^()]*[A-Z][^()]*\b(?:19|20)\d{2}[a-z]?\)|et al\.")
_FUNCTION_WORDS = {
    "the", "a", "an", "of", "to", "in", "on", "for", "and", "or", "with", "by", "from", "at", "as", "is", "are",
    "was", "were", "be", "that", "this", "than", "which", "it", "its", "while", "not", "can", "into", "over",
}  # fmt: skip
_ABBREVIATION_BEFORE_DOT = {"e.g", "i.e", "al", "vs", "cf", "etc", "approx", "resp", "fig", "eq", "sec", "no"}
_MATH = re.compile(r"[=∑∏∫≤≥∈∀∃√∥⊕⊗]|\\[a-z]+")  # not →: "(55.9 → 71.4)" is a from-to in prose
_URL = re.compile(r"https?://|www\.|\S+@\S+\.\w+")
_HEDGE = words_pattern(r"may|might|could|possibly|potentially|we hope|we believe|future work")


def reject_reason(text: str) -> str | None:
    """Why the sentence cannot be a claim (a fragment, caption, equation, table row, ...), or None."""
    words = text.split()
    if len(words) < MIN_WORDS:
        return "too short"
    if len(words) > MAX_WORDS:
        return "too long"
    if not re.match(r"^[\"“(]?(?:[A-Z0-9]|[a-z]+[A-Z])", text) or re.match(r"^\d+[,)]\s", text):
        return "starts mid-sentence"
    if not re.search(r"[.)\]\"”]$", text):
        return "not a complete statement"
    function_words = sum(1 for w in words if w.lower() in _FUNCTION_WORDS)
    if function_words < 0.12 * len(words):
        return "not prose"
    if CAPTION.match(text) or EMBEDDED_CAPTION.search(text):
        return "caption"
    if "•" in text or "▪" in text:
        return "list items"
    if _merged_fragments(text):
        return "merged fragments"
    if _URL.search(text):
        return "link or address"
    if len(_MATH.findall(text)) >= 2:
        return "equation"
    visible = [c for c in text if not c.isspace()]
    letters = sum(c.isalpha() for c in visible)
    if letters < 0.6 * len(visible):
        return "table row or formula"
    numeric = sum(1 for w in words if w.lstrip("(~≈<>$")[:1].isdigit())  # "3.05x", not "EAGLE-2"
    if numeric > 0.3 * len(words):
        return "table row"
    short_caps = sum(1 for w in words if len(w) <= 3 and w.isupper() and w.isalpha())
    if short_caps > len(words) / 3:
        return "table header"
    if len(_CITATION.sub("", text).split()) < MIN_WORDS:
        return "citations only"
    return None


def _merged_fragments(text: str) -> bool:
    """A period followed by a lower-case word mid-sentence: two columns or a caption run together."""
    for match in re.finditer(r"(\S+)\.\s+[a-z]{2,}", text):
        if match.group(1).lower().strip("(") not in _ABBREVIATION_BEFORE_DOT and not match.group(1)[-1].isdigit():
            return True
    return False


def claim_worthiness(text: str, section: str) -> float:
    """How much the sentence reads like a reportable finding, in [0, 1]; 0 for rejected sentences."""
    if reject_reason(text):
        return 0.0
    numbers = extract_numbers(text)
    measured = sum(1 for n in numbers if _is_measurement(n))
    outcomes = min(len(_OUTCOME.findall(text)), 2)
    # Figures make a finding only with an outcome ("achieves 2x", "reduces ... by 40%"); a dataset
    # described in numbers ("prompts are 8.4x longer") is context, so its figures count half.
    raw = min(measured, 2) * (0.9 if outcomes else 0.45) + (0.3 if len(numbers) > measured else 0.0)
    raw += outcomes * 0.6
    raw += 0.5 if _COMPARATIVE.search(text) else 0.0
    raw += 0.4 if _FINDING.search(text) else 0.0
    raw += 0.3 if _LIMITATION.search(text) else 0.0
    raw -= 0.8 if _SETUP.search(text) else 0.0
    raw -= 0.5 if _CITATION.search(text) else 0.0  # usually describes another paper's work
    raw -= 0.3 if _HEDGE.search(text) else 0.0
    if raw <= 0:
        return 0.0
    weight = SECTION_WEIGHT.get(section, DEFAULT_SECTION_WEIGHT)
    return round(min(raw, 4.0) / 4.0 * weight, 4)


def _is_measurement(number: ClaimNumber) -> bool:
    """A number with a unit that is a result (2.3x, 40%, 120 tokens/s), not a model size ("Llama 3.2 1B")."""
    return bool(number.unit) and number.quantity is not Quantity.SIZE


def classify_kind(text: str) -> ClaimKind:
    """The claim's kind from its wording: a measured number makes it quantitative, and so on."""
    measured = any(_is_measurement(n) for n in extract_numbers(text))
    if _LIMITATION.search(text) and not measured:
        return ClaimKind.LIMITATION
    if measured:
        return ClaimKind.QUANTITATIVE
    if _COMPARATIVE.search(text) or re.search(r"\boutperform\w*|\bsurpass\w*", text, re.I):
        return ClaimKind.COMPARISON
    if _METHOD.search(text):
        return ClaimKind.METHOD
    return ClaimKind.OTHER


_ANAPHORA = re.compile(r"^(it|its|they|their|this|these|those|such|both|the latter|the former|here|there)\b", re.I)


def is_self_contained(text: str, name: str | None) -> bool:
    """False when the sentence leans on the one before ("This reduces ...", "They show ...").

    A sentence opening with a pronoun names nothing a reader of the synthesis can
    resolve; "It achieves 2x" is kept only if the caller rewrote "It" to the name.
    """
    match = _ANAPHORA.match(text)
    if not match:
        return True
    return bool(name) and text.startswith(name)


_FRONTED = re.compile(r"^((?:On|In|For|With|At|Across|Under)\s[^,]{1,60},\s+)it(\s+(?:also\s+)?[a-z]+s\b)")


def resolve_leading_it(text: str, name: str | None) -> str:
    """ "It achieves 2x" -> "NAME achieves 2x", also after a fronted phrase ("On MATH-500, it attains 97.3%" ->
    "On MATH-500, NAME attains 97.3%"), when the paper names its system; else unchanged."""
    if not name:
        return text
    if re.match(r"^It\s+(?:also\s+)?[a-z]+s\b", text) and not re.match(r"^It\s+(?:is|was)\b", text):
        return name + text[2:]
    fronted = _FRONTED.match(text)
    if fronted and not re.match(r"\s+(?:is|was)\b", fronted.group(2)):
        return fronted.group(1) + name + text[fronted.start(2) :]
    return text


_EXAMPLE_LEAD = re.compile(r"^(?:for\s+(?:instance|example)|e\.\s?g\.|as\s+an\s+example)\s*,?\s+", re.I)
_FRONTED_PHRASE = re.compile(
    r"^(?:On|In|For|With|At|Across|Under|After|During|Over|Compared\s+(?:to|with))\s[^,]{1,60},\s+"
)
_NAME_THEN_VERB = re.compile(r"^([A-Za-z][A-Za-z0-9.]*(?:[-‑][A-Za-z0-9.]+)*)\s+(?:also\s+|further\s+)?[a-z]+s\b")


def example_subject(sentence: str, previous: str | None) -> str | None:
    """The system an example is about, from the sentence it illustrates: "For instance, the pass@1 score on AIME
    2024 increases from 15.6% to 71.0%" after "After thousands of RL steps, DeepSeek-R1-Zero exhibits super
    performance on reasoning benchmarks" is DeepSeek-R1-Zero's. None unless the sentence opens as an example of
    a definite "the ..." and the one before opens with a system's name and its verb."""
    lead = _EXAMPLE_LEAD.match(" ".join(sentence.split()))
    if not lead or not previous or not re.match(r"the\s+[a-z]", sentence[lead.end() :].lstrip(), re.I):
        return None
    before = " ".join(previous.split())
    before = before[m.end() :] if (m := _FRONTED_PHRASE.match(before)) else before
    named = _NAME_THEN_VERB.match(before)
    if not named:
        return None
    name = named.group(1).rstrip(".")
    return name if looks_like_name(name) else None


FOCUS_BONUS = 0.25  # a sentence inside a passage retrieved for the question


@dataclass
class CandidateCounts:
    sentences: int = 0
    first_person_dropped: int = 0
    not_self_contained: int = 0


def preferred_sentences(
    paper: Paper, limit: int, boost: Callable[[str], float] | None = None
) -> list[tuple[float, SourceSentence]]:
    """The `limit` most claim-worthy sentences, those in retrieved passages lifted (and those `boost` lifts);
    best first."""
    scored = []
    for sentence in paper.sentences:
        worth = paper.worth.get(sentence.ordinal)
        if worth is None:
            worth = paper.worth[sentence.ordinal] = claim_worthiness(strip_lead(sentence.text), sentence.section)
        if worth <= 0:
            continue
        bonus = FOCUS_BONUS if sentence.ordinal in paper.focus else 0.0
        bonus += boost(sentence.text) if boost is not None else 0.0
        scored.append((worth + bonus, worth, sentence))
    scored.sort(key=lambda item: (-item[0], item[2].ordinal))
    return [(worth, sentence) for _, worth, sentence in scored[:limit]]


def extractive_candidates(
    paper: Paper, limit: int, boost: Callable[[str], float] | None = None
) -> tuple[list[Candidate], CandidateCounts]:
    """Up to `limit` claims from the paper's own sentences: scored, rewritten to name the system, checked.

    Sentences that keep a first-person subject or open with an unresolved pronoun
    are dropped (and counted): a claim must stand on its own in a synthesis.
    """
    counts = CandidateCounts(sentences=len(paper.sentences))
    out: list[Candidate] = []
    before = {s.ordinal + 1: s.text for s in paper.sentences}
    for worth, sentence in preferred_sentences(paper, limit * 3, boost):
        text = rewrite_subject(strip_lead(sentence.text), paper.subject)
        if text is None:
            counts.first_person_dropped += 1
            continue
        text = tidy(resolve_leading_it(text, paper.subject))
        example_of = example_subject(sentence.text, before.get(sentence.ordinal))
        if example_of and re.match(r"The\s+[a-z]", text):  # "the pass@1 score" -> "DeepSeek-R1-Zero's pass@1 score"
            text = f"{example_of}'s {text[4:]}"
        if not is_self_contained(text, paper.subject):
            counts.not_self_contained += 1
            continue
        if reject_reason(text):  # the rewrite can leave too little ("EAGLE-2 is proposed.")
            continue
        out.append(Candidate(text=text, source=sentence, worthiness=worth, kind=classify_kind(text), title=paper.title))
        if len(out) == limit:
            break
    return out, counts
