"""LM extraction: one short prompt per paper, numbered sentences in, JSON claims pointing at them out.

The model sees the paper's most claim-worthy sentences (those in passages
retrieved for the question first), numbered, and returns
`{"claims": [{"id": n, "text": "..."}]}`. Pointing at a sentence by number
costs the model two tokens and gives every claim an exact page span, where
asking it to quote would double the output of a model generating ~12
tokens/s on two cores. Each returned claim is then checked against its
sentence: numbers the sentence does not contain, a subject it does not
name, or too little shared wording mean the model made it up, and the
claim is dropped and counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, model_validator

from synth.claims.extract.extractive import (
    claim_worthiness,
    classify_kind,
    is_self_contained,
    preferred_sentences,
    resolve_leading_it,
)
from synth.claims.extract.paper import Candidate, Paper, tidy
from synth.claims.extract.sentences import SourceSentence
from synth.claims.extract.subject import rewrite_subject
from synth.corpus.chunking import split_sentences
from synth.llm.chat import json_mode_kwargs, model_label
from synth.llm.structured import invoke_structured
from synth.prompts import load_prompt

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

PROMPT_NAME = "extract_claims"
SHOWN_SENTENCES = 8
SHOWN_WORDS = 150  # ~200 prompt tokens of paper text: about 4 s of prefill for the 1.5B model on 2 cores
TOKENS_PER_CLAIM = 64  # one claim of at most 30 words (~45 tokens) plus its JSON punctuation, with slack
MIN_SHARED_WORDS = 0.4  # of the claim's content words, found in the source sentence
_STOPWORDS = {
    "the", "a", "an", "of", "to", "in", "on", "for", "and", "or", "with", "by", "from", "at", "as", "is", "are",
    "was", "were", "be", "been", "this", "that", "these", "those", "it", "its", "their", "than", "then", "which",
    "while", "when", "into", "over", "under", "about", "between", "using", "based", "also", "more", "most", "such",
    "can",
}  # fmt: skip
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


class LMClaim(BaseModel):
    id: int = Field(description="Number of the sentence the claim restates.")
    text: str = Field(min_length=1, max_length=800)


class LMClaims(BaseModel):
    claims: list[LMClaim] = Field(default_factory=list, max_length=20)

    @model_validator(mode="before")
    @classmethod
    def _bare_list(cls, value: Any) -> Any:
        """Small models often answer with the list alone."""
        return {"claims": value} if isinstance(value, list) else value


def reply_grammar(max_claims: int) -> str:
    """GBNF of the reply for llama.cpp: compact JSON, at most `max_claims` claims, ids of one or two digits."""
    more = f'(", " item){{0,{max_claims - 1}}}' if max_claims > 1 else ""
    return "\n".join(
        [
            f'root ::= "{{\\"claims\\": [" (item {more})? "]}}"',
            'item ::= "{\\"id\\": " [1-9] [0-9]? ", \\"text\\": \\"" char+ "\\"}"',
            'char ::= [^"\\\\\\x00-\\x1f] | "\\\\" ["\\\\/nt]',
        ]
    )


@dataclass
class LMCounts:
    calls: int = 0
    retries: int = 0
    malformed_dropped: int = 0  # replies still unusable after the retry
    errors: int = 0  # calls that failed outright (server down, timeout)
    ungrounded_dropped: int = 0
    first_person_dropped: int = 0
    not_self_contained: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0
    last_error: str | None = None


def shown_sentences(paper: Paper, limit: int = SHOWN_SENTENCES, words: int = SHOWN_WORDS) -> list[SourceSentence]:
    """The sentences put in the prompt: the most claim-worthy that fit in `words`, in reading order."""
    chosen: list[SourceSentence] = []
    used = 0
    for _, sentence in preferred_sentences(paper, limit * 2):
        n = len(sentence.text.split())
        if used + n > words:
            continue
        chosen.append(sentence)
        used += n
        if len(chosen) == limit:
            break
    return sorted(chosen, key=lambda s: s.ordinal)


def render_prompt(question: str | None, paper: Paper, shown: list[SourceSentence], max_claims: int) -> str:
    numbered = "\n".join(f"[{i}] {tidy(s.text)}" for i, s in enumerate(shown, start=1))
    return load_prompt(PROMPT_NAME).render(
        question=question or "",
        title=paper.title,
        system=paper.subject or "the method the sentence is about, by its name",
        sentences=numbered,
        max_claims=str(max_claims),
    )


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z0-9\-]+", text.lower()) if w not in _STOPWORDS and len(w) > 2}


def _known(word: str, vocabulary: set[str]) -> bool:
    """`word` or a form of it ("speeds" for "speed") is in `vocabulary`."""
    return word in vocabulary or any(w[:5] == word[:5] for w in vocabulary if len(w) >= 5 and len(word) >= 5)


def grounding_problem(claim: str, source: str, subject: str | None) -> str | None:
    """Why `claim` does not restate `source`, or None.

    Made up: a number the sentence does not contain, an opening (the claim's subject) that
    is neither in the sentence nor the paper's own subject (small models put the question's
    topic there: "Speculative decoding speeds up ..." for a paper about flash memory), or too
    little shared wording overall.
    """
    checked = claim.replace(subject, " ") if subject else claim
    source_numbers = set(_NUMBER.findall(source))
    invented = [n for n in _NUMBER.findall(checked) if n not in source_numbers]
    if invented:
        return f"number {invented[0]} is not in the source sentence"
    source_words = _content_words(source)
    opening = [w for w in re.findall(r"[a-z][a-z0-9\-]+", checked.lower()) if w not in _STOPWORDS and len(w) > 2][:3]
    foreign = [w for w in opening if not _known(w, source_words | _content_words(subject or ""))]
    if foreign:
        return f"'{foreign[0]}' opens the claim but is not in the source sentence"
    words = _content_words(checked)
    if words and len(words & source_words) < MIN_SHARED_WORDS * len(words):
        return "too little of the claim is in the source sentence"
    return None


def find_source(item_id: int, text: str, shown: list[SourceSentence], name: str | None) -> SourceSentence | None:
    """The sentence a claim restates: the one its id names if the claim is grounded there, else the
    shown sentence sharing most wording that grounds it (small models miscount), else None."""
    named = [shown[item_id - 1]] if 1 <= item_id <= len(shown) else []
    words = _content_words(text)
    others = sorted(shown, key=lambda s: -len(words & _content_words(s.text)))
    for sentence in [*named, *others]:
        if grounding_problem(text, sentence.text, name) is None:
            return sentence
    return None


def ground_claims(
    reply: LMClaims, shown: list[SourceSentence], paper: Paper, extractor: str, counts: LMCounts
) -> list[Candidate]:
    """The reply's claims that restate a shown sentence, rewritten to name the system; the rest counted."""
    out: list[Candidate] = []
    used: set[int] = set()
    for item in reply.claims:
        pieces = split_sentences(" ".join(item.text.split()))
        text = pieces[0].text if pieces else ""
        source = find_source(item.id, text, shown, paper.subject) if text else None
        if source is None:
            counts.ungrounded_dropped += 1
            continue
        if source.ordinal in used:
            continue
        rewritten = rewrite_subject(text, paper.subject)
        if rewritten is None:
            counts.first_person_dropped += 1
            continue
        rewritten = tidy(resolve_leading_it(rewritten, paper.subject))
        if len(rewritten.split()) < 5 or not is_self_contained(rewritten, paper.subject):
            counts.not_self_contained += 1
            continue
        used.add(source.ordinal)
        worth = max(claim_worthiness(source.text, source.section), claim_worthiness(rewritten, source.section))
        out.append(Candidate(text=rewritten, source=source, worthiness=worth, kind=classify_kind(rewritten),
                             title=paper.title, extractor=extractor))  # fmt: skip
    return out


def extractor_label(chat: BaseChatModel) -> str:
    prompt = load_prompt(PROMPT_NAME)
    return f"llm:{model_label(chat)}:{prompt.name}@{prompt.version}"


def llm_candidates(
    chat: BaseChatModel, paper: Paper, question: str | None, max_claims: int, counts: LMCounts
) -> list[Candidate]:
    """Claims the model finds in one paper; a malformed reply is retried once, then dropped and counted."""
    from langchain_core.messages import HumanMessage

    shown = shown_sentences(paper)
    if not shown:
        return []
    prompt = render_prompt(question, paper, shown, max_claims)
    call_kwargs = {
        **json_mode_kwargs(chat, reply_grammar(max_claims)),
        "max_tokens": 24 + TOKENS_PER_CLAIM * max_claims,
    }
    reply = invoke_structured(chat, [HumanMessage(content=prompt)], LMClaims, retries=1, call_kwargs=call_kwargs)
    counts.calls += reply.attempts
    counts.retries += max(0, reply.attempts - 1)
    counts.input_tokens += reply.input_tokens
    counts.output_tokens += reply.output_tokens
    counts.seconds += reply.seconds
    if reply.call_error is not None:
        counts.errors += 1
        counts.last_error = reply.call_error
        return []
    if reply.value is None:
        counts.malformed_dropped += 1
        return []
    return ground_claims(reply.value, shown, paper, extractor_label(chat), counts)
