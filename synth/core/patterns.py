"""The one way the stages write a cue-word regex: any of a list of words or phrases, as whole words, in any case.

The claim extractor, the verifier's alignment, the empirical cue reader and the synthesis tables each keep
their own word lists (what counts as a hedge, a gain, a cost, a finding); `words_pattern` is only how such a
list becomes a pattern, so a table reads as its words.
"""

from __future__ import annotations

import re


def words_pattern(alternation: str, flags: re.RegexFlag = re.I) -> re.Pattern[str]:
    r"""`\b(?:ALTERNATION)\b`, case-insensitive unless `flags` says otherwise.

    `alternation` is regex text ("gains?|speed-?ups?|tokens?/s"): its words may carry suffix patterns, and a
    phrase may span white space ("speeds?\s+up").
    """
    return re.compile(rf"\b(?:{alternation})\b", flags)
