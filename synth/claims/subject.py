"""Which system a claim is about, and the setting it names (models, hardware, precisions): pure text rules.

A claim extracted from a paper names its system in place of "we"/"our method"
('Medusa-1 achieves ...'). Verification uses these names to decide whether a
passage from another paper is about the same thing; the report uses the subject
to group figures and to tell conflicting evidence from figures about other systems.
"""

from __future__ import annotations

import re

_GENERIC_WORDS = (
    "the this these our we in on for with under compared however a an it as when while experiments results table "
    "figure both each all using by from to"
)
_GENERIC = frozenset(_GENERIC_WORDS.split())
_SUBJECT = re.compile(r"^(?:the method of \"([^\"]+)\"|([A-Z][A-Za-z0-9]*(?:[-‑][A-Za-z0-9]+)*))")
_NAME = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[-‑][A-Za-z0-9]+)*")
# Acronyms that name a kind of thing, not a system: a passage mentioning them is not about the same system.
_GENERIC_ACRONYMS_WORDS = (
    "llm llms gpu gpus cpu cpus tpu tpus ai nlp api apis kv sota flops ram hbm ml dl rl nn dnn cnn rnn sgd bleu rouge"
)
_GENERIC_ACRONYMS = frozenset(_GENERIC_ACRONYMS_WORDS.split())


def subject_of(text: str) -> str | None:
    """The system a claim is about, when it opens with a name ('Medusa-1 achieves ...' → 'medusa-1')."""
    match = _SUBJECT.match(text.strip())
    if not match:
        return None
    name = (match.group(1) or match.group(2) or "").strip()
    if not name or name.lower() in _GENERIC or (len(name) < 3 and not name.isupper()):
        return None
    return name.lower()


def looks_like_name(token: str) -> bool:
    """vLLM, FlashAttention, EAGLE-2, GPT-4: an upper-case letter after the first, or letters joined to digits."""
    if token.lower() in _GENERIC_ACRONYMS or len(token) < 3:
        return False
    return any(c.isupper() for c in token[1:]) or (token[0].isupper() and any(c.isdigit() for c in token))


def system_of(text: str) -> str | None:
    """The claim's subject (`subject_of`), else the first name-like token in it ('... of vLLM ...' → 'vllm')."""
    subject = subject_of(text)
    if subject is not None:
        return subject
    return next((t.lower() for t in _NAME.findall(text) if looks_like_name(t)), None)


def setting_terms(text: str) -> list[str]:
    """Named models, hardware and precisions of the claim besides its system ('on Vicuna-7B with an A100' →
    ['vicuna-7b', 'a100']): tokens holding an upper-case letter and a digit."""
    system = system_of(text)
    out: list[str] = []
    for token in _NAME.findall(text):
        name = token.lower()
        if name != system and name not in out and any(c.isupper() for c in token) and any(c.isdigit() for c in token):
            out.append(name)
    return out


def mentions(name: str, text: str) -> bool:
    """`name` occurs in `text` as a whole token, or its plural (case-insensitive; either hyphen)."""
    pattern = "[-‑]".join(re.escape(part) for part in re.split("[-‑]", name.lower()))
    return re.search(rf"(?<![a-z0-9]){pattern}s?(?![a-z0-9])", text.lower()) is not None


def about_same_system(claim: str, text: str) -> bool:
    """True when `text` names the claim's system and, if the claim names a setting, at least one term of it."""
    system = system_of(claim)
    if system is None or not mentions(system, text):
        return False
    setting = setting_terms(claim)
    return not setting or any(mentions(term, text) for term in setting)
