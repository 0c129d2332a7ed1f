"""A claim that restates the sentence it was taken from: its own paper cannot refute it.

Verification conditions such a claim's posterior on that fact (REFUTED's mass is
removed); a disagreeing paper elsewhere is reported as a conflict, not folded in.
"""

from __future__ import annotations

from typing import Any

from synth.core.claims import Claim
from synth.verify.aggregate import content_words
from synth.verify.numeric import NumericOutcome, check_numbers

ATTRIBUTION_OVERLAP = 0.85  # share of the claim's content words found in its source sentence


def restated_by(claim_text: str, passage: str, subject: str = "") -> bool:
    """True when `passage` states the claim: (nearly) all its content words, and no figure that differs.

    `subject` (the paper's title) holds the words extraction put in place of "we"/"our method";
    they are not expected in the passage.
    """
    if not passage:
        return False
    words = content_words(claim_text) - content_words(subject)
    if not words or len(words & content_words(passage)) / len(words) < ATTRIBUTION_OVERLAP:
        return False
    return check_numbers(claim_text, passage).outcome is not NumericOutcome.MISMATCH


def attributed(claim: Claim) -> bool:
    """True when the claim restates the sentence it was extracted from: same content words, same figures.

    Such a claim is what its paper says; the question left for verification is whether the paper (and the
    rest of the corpus) supports it or merely mentions it, not whether its own sentence refutes it.
    """
    prov = claim.provenance
    return prov is not None and restated_by(claim.text, prov.passage, claim.source_title or "")


def condition_on_attribution(result: Any) -> None:
    """P(label | features, not refuted by its own sentence): REFUTED's mass is removed and the rest renormalised.

    NOTE: the no-judge label model was fitted partly on biomedical pairs where a REFUTED claim is a
    near-copy of its evidence with one word negated, so similarity alone leaves a verbatim restatement
    about as likely REFUTED as SUPPORTED. For a claim that restates its source sentence that prior is
    wrong: its own paper cannot refute it. This conditions the calibrated posterior on that fact (a
    disagreeing paper elsewhere is reported as a conflict, not folded in here).
    """
    probs = dict(result.probabilities)
    refuted = probs.pop("REFUTED", 0.0)
    total = sum(probs.values())
    if not probs or total <= 0 or refuted <= 0:
        return
    probs = {k: v / total for k, v in probs.items()}
    label = max(probs, key=probs.__getitem__)
    result.probabilities = {**probs, "REFUTED": 0.0}
    result.label, result.confidence = label, probs[label]
    result.checks = [*result.checks, "attribution"]
