"""BM25 scores a question by what it is about, not by its question words."""

from __future__ import annotations

import pytest

from synth.retrieve.lexical import LexicalIndex

pytestmark = pytest.mark.unit

GSM8K_EXEMPLAR = (
    "Q: A shirt costs $20. How much does it cost to buy three shirts? A: How much does one shirt cost? It costs $20. "
    "So three shirts cost 3 * 20 = 60. Q: How much does a pen cost if two pens cost $4? A: One pen costs $2."
)
SPECULATIVE = (
    "Speculative decoding drafts several tokens with a small model and verifies them with the target model in one "
    "forward pass, which speeds up LLM inference by 2-3x at the cost of an extra draft model."
)
KV_CACHE = "PagedAttention stores the KV cache in fixed-size blocks, raising serving throughput over FasterTransformer."


def test_question_words_do_not_outrank_the_subject() -> None:
    index = LexicalIndex.build(["gsm8k:0", "spec:0", "kv:0"], [GSM8K_EXEMPLAR, SPECULATIVE, KV_CACHE])
    ranked = index.query("How much does speculative decoding speed up LLM inference, and what does it cost?", k=3)
    assert ranked[0][0] == "spec:0"


def test_a_question_of_only_question_words_finds_nothing_rather_than_noise() -> None:
    index = LexicalIndex.build(["gsm8k:0", "spec:0"], [GSM8K_EXEMPLAR, SPECULATIVE])
    assert index.query("How much does it?", k=2) == []
