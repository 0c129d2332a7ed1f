"""Quality gates every claim passes, whoever wrote it (the extractive reader or an LM).

A claim in a report is a self-contained finding: a reader who sees only that
sentence must know what system it is about and that it is a result, not a
scenario. The gates name the defects that broke that in real reports: a table
row flattened into a sentence ("7.4 58 1.41x Vicuna-7B Vicuna-68M CNN-DM"), a
worked example ("If the drafter forward latency is 6ms, then ..."), a subject
the reader cannot resolve ("It", "This method", "The proposed approach"), and a
caption fragment. Pure functions of the text.
"""

from __future__ import annotations

import re

CAPTION = re.compile(r"^(?:figure|fig\.|table|tab\.|algorithm|listing|equation|eq\.)\s*[\dA-Z]", re.I)
EMBEDDED_CAPTION = re.compile(r"\b(?:Figure|Fig\.|Table|Algorithm)\s*\d+\s*[:|]")

_HYPOTHETICAL = re.compile(
    r"^(?:(?:for example|for instance|e\.g\.|say|suppose|assume|assuming|consider|imagine)\s*,?\s*)?"
    r"(?:if|suppose|supposing|assume|assuming|imagine|consider(?:ing)?\s+(?:a|an|the)\s+\w+\s+(?:with|where|that))\b",
    re.I,
)
_WORKED = re.compile(r"\bif\b[^.]{0,120}\bthen\b", re.I)
_PRONOUN = re.compile(r"^(?:it|its|they|their|this|these|those|such|both|here|there|he|she)\b", re.I)
_GENERIC_SUBJECT = re.compile(
    r"^(?:the|our|this|such|that|these)\s+(?:proposed\s+|new\s+|novel\s+|above\s+)?"
    r"(?:method|approach|model|technique|framework|system|algorithm|scheme|design|variant|solution)s?\b",
    re.I,
)
_FIGURE_TOKEN = re.compile(r"^[(~≈<>$]?\d[\d.,]*(?:[x×%]|ms|s|GB|B)?[)]?[,;]?$")


def flattened_row(text: str) -> bool:
    """Three or more figures in a row with no word between them, or figures making up a third of the tokens."""
    words = text.split()
    run = longest = 0
    for w in words:
        run = run + 1 if _FIGURE_TOKEN.match(w) else 0
        longest = max(longest, run)
    figures = sum(1 for w in words if _FIGURE_TOKEN.match(w))
    return longest >= 3 or (len(words) >= 6 and figures >= 0.33 * len(words))


def claim_defect(text: str) -> str | None:
    """Why `text` cannot stand as a claim of a report, or None."""
    text = " ".join(text.split())
    if not text:
        return "empty"
    if flattened_row(text):
        return "flattened table row"
    if _HYPOTHETICAL.match(text) or _WORKED.search(text):
        return "hypothetical or worked example"
    if _PRONOUN.match(text):
        return "pronoun subject"
    if _GENERIC_SUBJECT.match(text):
        return "unnamed subject ('the method')"
    if CAPTION.match(text) or EMBEDDED_CAPTION.search(text):
        return "caption fragment"
    return None
