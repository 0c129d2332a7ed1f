"""Cross-validation by paper, error types and the claims-dev reader (fast: no models)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synth.eval.crossval import cross_validate, error_type_recall, group_folds
from synth.eval.datasets import DatasetError, error_type_of, load_dataset
from synth.eval.verify_eval import PairOutcome

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`

CLAIMS_DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "claims_dev.jsonl"


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("number changed: it is 93%", "number changed"),
        ("attribution swap: belongs to PLD", "attribution swapped"),
        ("condition swapped (model): text-davinci-002", "condition swapped"),
        ("hardware condition swapped: H100", "condition swapped"),
        ("overgeneralisation/direction: ...", "overgeneralisation"),
        ("attribution/condition swapped: ...", "attribution swapped"),
        ("unit error: ms", "unit/scale error"),
        ("comparator swapped: vs SD", "comparator swapped"),
        ("direction reversed: lower", "direction reversed"),
        (None, None),
    ],
)
def test_error_types_are_canonical(note: str | None, expected: str | None) -> None:
    assert error_type_of(note) == expected


def test_group_folds_keep_groups_whole() -> None:
    groups = ["a"] * 20 + ["b"] * 10 + ["c"] * 10 + ["d"] * 10 + ["e"] * 5 + ["f"] * 5
    folds = group_folds(groups, 3)
    assert sorted(i for fold in folds for i in fold) == list(range(len(groups)))
    for fold in folds:
        assert all({groups[i] for i in fold}.isdisjoint({groups[j] for j in other}) for other in folds if other != fold)
    assert max(len(f) for f in folds) - min(len(f) for f in folds) <= 10


def test_cross_validation_scores_held_out_papers_only() -> None:
    """A feature that separates the labels is learnt from other papers and scored on the held-out one."""
    outcomes, groups, types = [], [], []
    labels = ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")
    for paper in range(6):
        for k, label in enumerate(labels * 4):
            x = {"SUPPORTED": (1.0, 0.0), "REFUTED": (0.0, 1.0), "NOT_ENOUGH_INFO": (0.0, 0.0)}[label]
            features = {"al_agree": x[0], "al_any_bad": x[1], "similarity": 0.5 + 0.01 * k}
            outcomes.append(PairOutcome(pair_id=f"{paper}-{k}", gold=label, features=features,
                                        features_no_judge=features, seconds=0.0, judge_calls=0, windows=1))  # fmt: skip
            groups.append(str(paper))
            types.append("number changed" if label == "REFUTED" else None)
    report = cross_validate(outcomes, groups, labels, ("al_agree", "al_any_bad", "similarity"), "toy", types, folds=3)
    assert report.folds == 3
    assert report.metrics.balanced_accuracy > 0.95
    assert report.error_type_recall == {"number changed": 1.0}
    assert 0.0 <= report.ece <= 1.0


def test_error_type_recall_counts_refuted_only() -> None:
    types = ["number changed", "number changed", None, "direction reversed"]
    gold = ["REFUTED", "REFUTED", "SUPPORTED", "REFUTED"]
    predicted = ["REFUTED", "SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"]
    assert error_type_recall(types, gold, predicted) == {"direction reversed": 0.0, "number changed": 0.5}


def test_claims_dev_reader_rejects_lines_without_a_paper(tmp_path: Path) -> None:
    path = tmp_path / "claims_dev.jsonl"
    path.write_text(json.dumps({"claim": "x", "label": "SUPPORTED"}) + "\n")
    with pytest.raises(DatasetError, match="arxiv_id"):
        load_dataset(path, "claims-dev")


def test_claims_dev_reader_on_the_shared_set() -> None:
    if not CLAIMS_DEV.is_file():
        pytest.skip(f"{CLAIMS_DEV} not present (the shared dev data)")
    retrieved = load_dataset(CLAIMS_DEV)  # format guessed from the name
    gold = load_dataset(CLAIMS_DEV, "claims-dev-gold")
    assert retrieved.name == "claims_dev" and len(retrieved.pairs) == len(gold.pairs) >= 200
    assert all(not p.evidence and p.arxiv_id and p.group == p.arxiv_id for p in retrieved.pairs)
    refuted = [p for p in gold.pairs if p.label == "REFUTED"]
    assert all(p.evidence and p.error_type for p in refuted)
    assert {p.error_type for p in refuted} >= {"number changed", "direction reversed", "attribution swapped"}
    assert all(not p.evidence for p in gold.pairs if p.label == "NOT_ENOUGH_INFO")
