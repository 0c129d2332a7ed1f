"""Readers of the labelled claim sets in ../shared/claims, and the jsonl format's errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synth.eval.datasets import (
    NEI,
    NOT_SUPPORTED,
    REFUTED,
    SUPPORTED,
    DatasetError,
    load_dataset,
    stratified_sample,
    with_mismatched_nei,
)
from tests.conftest import SHARED

CLAIMS = SHARED / "claims"


@pytest.mark.parametrize(
    ("path", "n", "labels"),
    [
        ("scifact-rte/dev.tsv", 209, {SUPPORTED, NOT_SUPPORTED}),
        ("healthver/healthver_dev.csv", 1917, {SUPPORTED, REFUTED, NEI}),
        ("check-covid/covidCheck_dev_composed+extracted.jsonl", 207, {SUPPORTED, REFUTED, NEI}),
        ("citation-integrity/claims_dev.jsonl", 316, {SUPPORTED, REFUTED, NEI}),
    ],
)
def test_shared_sets_read_with_their_labels(path: str, n: int, labels: set[str]) -> None:
    data = load_dataset(CLAIMS / path)  # format guessed from the path
    assert len(data.pairs) == n
    assert {p.label for p in data.pairs} == labels
    assert all(p.claim.strip() and p.evidence and all(e.strip() for e in p.evidence) for p in data.pairs)


def test_citation_markers_are_removed_from_claims() -> None:
    data = load_dataset(CLAIMS / "citation-integrity/claims_dev.jsonl")
    assert not any("<|" in p.claim for p in data.pairs)


def test_jsonl_with_evidence_or_arxiv_id(tmp_path: Path) -> None:
    f = tmp_path / "claims.jsonl"
    rows = [
        {"claim": "vLLM improves throughput by 2-4x.", "label": "SUPPORTED", "evidence": "vLLM is 2-4x faster."},
        {"claim": "EAGLE-2 is slower than vanilla decoding.", "label": "refuted", "arxiv_id": "2406.16858"},
        {"claim": "X is Y.", "label": "NOT_ENOUGH_INFO", "evidence": ["a", "b"]},
    ]
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    data = load_dataset(f, "jsonl")
    assert [p.label for p in data.pairs] == [SUPPORTED, REFUTED, NEI]
    assert data.pairs[1].arxiv_id == "2406.16858" and data.pairs[1].evidence == []
    assert data.pairs[2].evidence == ["a", "b"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "not a JSON object"),
        ('{"label": "SUPPORTED", "evidence": "e"}', "needs 'claim' and 'label'"),
        ('{"claim": "c", "label": "SUPPORTED"}', "give 'evidence'"),
        ('{"claim": "c", "label": "MAYBE", "evidence": "e"}', "unknown label 'MAYBE'"),
    ],
)
def test_bad_jsonl_lines_name_the_line_and_the_fix(tmp_path: Path, line: str, message: str) -> None:
    f = tmp_path / "bad.jsonl"
    f.write_text('{"claim": "ok", "label": "SUPPORTED", "evidence": "e"}\n' + line + "\n")
    with pytest.raises(DatasetError, match=message) as info:
        load_dataset(f, "jsonl")
    assert "bad.jsonl:2" in str(info.value)


def test_wrong_format_and_missing_file_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="not found"):
        load_dataset(tmp_path / "nope.jsonl")
    with pytest.raises(DatasetError, match="expected a TSV"):
        load_dataset(CLAIMS / "healthver/healthver_dev.csv", "scifact-rte")
    with pytest.raises(DatasetError, match="unknown --format"):
        load_dataset(CLAIMS / "scifact-rte/dev.tsv", "fever")


def test_stratified_sample_keeps_the_label_mix_and_is_deterministic() -> None:
    data = load_dataset(CLAIMS / "healthver/healthver_dev.csv")
    a, b = stratified_sample(data, 200, seed=1), stratified_sample(data, 200, seed=1)
    assert [p.pair_id for p in a.pairs] == [p.pair_id for p in b.pairs]
    assert abs(len(a.pairs) - 200) <= 2
    share = sum(p.label == NEI for p in a.pairs) / len(a.pairs)
    assert abs(share - sum(p.label == NEI for p in data.pairs) / len(data.pairs)) < 0.02


def test_mismatched_pairs_are_not_enough_info_with_another_claims_evidence() -> None:
    data = stratified_sample(load_dataset(CLAIMS / "check-covid/covidCheck_dev_composed+extracted.jsonl"), 30)
    augmented = with_mismatched_nei(data, 10)
    extra = augmented.pairs[len(data.pairs) :]
    assert len(extra) == 10 and all(p.label == NEI and "~" in p.pair_id for p in extra)
    by_id = {p.pair_id: p for p in data.pairs}
    for p in extra:
        mine, other = p.pair_id.split("~")
        assert p.claim == by_id[mine].claim and p.evidence == by_id[other].evidence


def test_check_covid_rationale_uses_the_marked_sentences_only() -> None:
    path = CLAIMS / "check-covid/covidCheck_dev_composed+extracted.jsonl"
    whole, short = load_dataset(path, "check-covid"), load_dataset(path, "check-covid-rationale")
    assert short.name.startswith("check-covid-rationale/") and len(short.pairs) == len(whole.pairs)
    for w, s in zip(whole.pairs, short.pairs, strict=True):
        assert (w.pair_id, w.claim, w.label) == (s.pair_id, s.claim, s.label)
        assert s.evidence[0] and set(s.evidence[0].split()) <= set(w.evidence[0].split())  # its sentences, verbatim
    assert sum(len(p.evidence[0]) for p in short.pairs) < 0.5 * sum(len(p.evidence[0]) for p in whole.pairs)
