"""The optional NLI checker loads any local sequence-classification folder with entailment/contradiction labels.

No NLI model is available offline, so the folder here is a tiny BERT with random
weights built on the spot: this tests the plumbing (label lookup, batching,
probabilities), not accuracy.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from synth.errors import UserError
from synth.verify.nli import NLIChecker

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`


def _tiny_classifier(folder: Path, labels: dict[int, str]) -> Path:
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    vocab = {w: i for i, w in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "vllm", "is", "fast", "slow"])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]", cls_token="[CLS]",
                                   sep_token="[SEP]")  # fmt: skip
    config = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, id2label=labels, label2id={v: k for k, v in labels.items()})  # fmt: skip
    BertForSequenceClassification(config).save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


def test_nli_checker_reads_entailment_and_contradiction(tmp_path: Path) -> None:
    folder = _tiny_classifier(tmp_path / "nli", {0: "ENTAILMENT", 1: "neutral", 2: "CONTRADICTION"})
    scores = NLIChecker(folder, batch_size=2).score("vllm is fast", ["vllm is fast", "vllm is slow", "is"])
    assert len(scores) == 3
    assert all(0 <= e <= 1 and 0 <= c <= 1 and e + c <= 1 + 1e-6 for e, c in scores)


def test_nli_model_without_the_labels_is_refused(tmp_path: Path) -> None:
    folder = _tiny_classifier(tmp_path / "sst", {0: "negative", 1: "positive"})
    with pytest.raises(UserError, match="needs 'entailment' and 'contradiction'"):
        NLIChecker(folder).score("a", ["b"])
    with pytest.raises(UserError, match="not found"):
        NLIChecker(tmp_path / "missing")
