"""Sort verified claims into the facets a research question asks about: gains, costs, quality, method.

Questions in this field nearly always ask "how much faster / smaller / better,
and at what price"; the template synthesis answers in that order. A claim's
theme comes from what its numbers measure (synth.verify.numeric tags each
number with a quantity) and, without numbers, from its wording.
"""

from __future__ import annotations

import re

from synth.claims.subject import subject_of as subject_of  # moved down: verification reads it too
from synth.core.claims import Claim, ClaimKind, ClaimNumber, Quantity
from synth.core.patterns import words_pattern

THEMES = ("gains", "costs", "quality", "method", "other")
HEADINGS = {
    "gains": "Reported gains",
    "costs": "Costs, overheads and trade-offs",
    "quality": "Effect on output quality",
    "method": "How the methods work",
    "other": "Other findings",
}
_COST = words_pattern(
    r"memory|overhead|cost|costs|costly|compute|computations?|energy|flops?|training|fine-?tun\w*|extra|additional|"
    r"bottleneck|slower|slows?|latency increase|storage|footprint|parameters|hardware|resources?|expensive|"
    r"limitation|drawback|however|but|only when|requires?"
)
# A cost named as such, not a contrast ("but", "however") or a requirement: what the Answer's costs line leads with.
STATED_COST = words_pattern(
    r"costs?|costly|overheads?|expens\w*|memory|compute|computations?|computational|slower|slows?|latency increase|"
    r"footprint|energy|flops?|training|bottlenecks?|drawbacks?|limitations?|trade-?offs?"
)
_QUALITY = words_pattern(
    r"accuracy|quality|pass@\d*|lossless|without (?:compromising|loss|degrad)|degrad\w*|identical|"
    r"same (?:output|distribution)|perplexity|exact match|bleu|rouge|score"
)
_GAIN = words_pattern(
    r"speed-?ups?|faster|accelerat\w*|throughput|tokens?/s|tokens per second|latency|reduc\w+|improv\w+|"
    r"outperform\w*|higher|boost\w*|gains?"
)
_GAIN_QUANTITIES = {Quantity.SPEEDUP, Quantity.THROUGHPUT, Quantity.LATENCY}
_COST_QUANTITIES = {Quantity.MEMORY, Quantity.COST, Quantity.SIZE}


def _names_a_model(text: str, number: ClaimNumber) -> bool:
    """A size written into a model's name ("DeepSeek-R1-Distill-Qwen-1.5B", "Llama 65B"): which model, not what it
    costs (the distilled model's AIME score was listed under "Costs and limits"); "about 0.5B parameters" is a
    size."""
    if number.quantity is not Quantity.SIZE:
        return False
    before = re.search(r"([A-Za-z][\w.]*)[-\s]$", text[: number.start])
    return before is not None and (before.group(1)[0].isupper() or text[number.start - 1] == "-")


def theme_of(claim: Claim) -> str:
    text = claim.text
    # A size counts only as one (65B parameters, 48 GB): "more than doubles the precision" and a bare "0.17" were
    # typed sizes, and made CoVe's precision gains its "Costs and limits".
    quantities = {
        n.quantity
        for n in claim.numbers
        if not _names_a_model(text, n) and not (n.quantity is Quantity.SIZE and n.unit in ("", "x"))
    }
    cost_words = bool(_COST.search(text))
    if claim.kind is ClaimKind.LIMITATION or (quantities & _COST_QUANTITIES and not quantities & _GAIN_QUANTITIES):
        return "costs"
    if quantities & _GAIN_QUANTITIES or (claim.numbers and _GAIN.search(text)):
        return "costs" if cost_words and re.search(r"\b(?:slower|overhead|bottleneck|cost)\b", text, re.I) else "gains"
    if Quantity.ACCURACY in quantities or _QUALITY.search(text):
        return "quality"
    if cost_words:
        return "costs"
    if _GAIN.search(text):
        return "gains"
    if claim.kind is ClaimKind.METHOD:
        return "method"
    return "other"
