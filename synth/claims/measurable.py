"""Which claims a benchmark run can test: throughput, latency, memory, quantization, decoding techniques.

`synth audit` lists these as "needs measurement" and the benchmark runner plans
experiments from them; a claim can carry several tags ("8-bit models require
more inference time" is both quantization and latency).
"""

from __future__ import annotations

import re
from enum import StrEnum


class MeasurableTag(StrEnum):
    THROUGHPUT = "throughput"
    LATENCY = "latency"
    MEMORY = "memory"
    QUANTIZATION = "quantization"
    DECODING = "decoding_technique"


_CUES: list[tuple[MeasurableTag, re.Pattern[str]]] = [
    (MeasurableTag.THROUGHPUT, re.compile(
        r"throughput|tokens?\s*(?:/|per)\s*s(?:ec(?:ond)?)?\b|tok/s|requests?\s*(?:/|per)\s*s|\bspeed-?ups?\b|"
        r"\b\d+(?:\.\d+)?\s*[x×]\s*(?:faster|slower)|\b(?:faster|slower)\b|generation speed|decoding speed", re.I)),
    (MeasurableTag.LATENCY, re.compile(
        r"latency|time to first token|\bttft\b|inference time|wall[- ]clock|\bms\b|milliseconds?|"
        r"per-token time|response time|(?:more|less) time", re.I)),
    (MeasurableTag.MEMORY, re.compile(
        r"memory|\bvram\b|\bram\b|kv[- ]?cache size|footprint|\b\d+(?:\.\d+)?\s*[GM]i?B\b|storage", re.I)),
    (MeasurableTag.QUANTIZATION, re.compile(
        r"quantiz|\b(?:2|3|4|8|16)-?\s*bits?\b|\bint[48]\b|\bnf4\b|\bfp8\b|\bfp16\b|\bbf16\b|\bgguf\b|\bq4_k|\bgptq\b|\bawq\b|\bW\d+A\d+",
        re.I)),
    (MeasurableTag.DECODING, re.compile(
        r"context[- ]aware decoding|\bCAD\b|self-consistency|\bSC\b|chain[- ]of[- ]thought|\bCoT\b|"
        r"retrieval[- ]augmented|\bRAG\b|speculative decoding|beam search|greedy decoding|contrastive decoding", re.I)),
]  # fmt: skip

# A technique or precision alone is not measurable here; it must be paired with a cost or a quality figure.
_OUTCOME = re.compile(
    r"throughput|latency|time|speed|faster|slower|memory|footprint|storage|pass@|accuracy|performance|score|"
    r"tokens?/s|tok/s|\bms\b|[GM]i?B\b|cost|efficien|overhead|halv|doubl|\d+(?:\.\d+)?\s*[x×%]|outperform|"
    r"better|worse|drops?\b|degrad|trade-?off|lossless|rival|competitive|deployed on",
    re.I,
)


def measurable_tags(text: str) -> list[MeasurableTag]:
    """Tags of a claim a benchmark can test; empty when it states no measurable cost or quality."""
    tags = [tag for tag, cue in _CUES if cue.search(text)]
    if not tags:
        return []
    cost_tags = {MeasurableTag.THROUGHPUT, MeasurableTag.LATENCY, MeasurableTag.MEMORY}
    if not (cost_tags & set(tags)) and not _OUTCOME.search(text):
        return []
    return tags
