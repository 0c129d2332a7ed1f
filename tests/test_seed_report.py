from __future__ import annotations

import datetime as dt

import pytest

from synth.claims.seed_report import parse_reference, parse_seed_report
from tests.conftest import SHARED

SEEDS = sorted((SHARED / "seeds").glob("00[0-3]_*.txt"))


def test_all_four_seed_reports_parse() -> None:
    assert len(SEEDS) == 4
    reports = [parse_seed_report(p.read_text()) for p in SEEDS]
    assert [len(r.claims) for r in reports] == [12, 12, 11, 13]
    assert [sum(bool(c.verified) for c in r.claims) for r in reports] == [2, 3, 11, 11]
    for r in reports:
        assert r.has_claims_table and r.byline == "Assignee Research" and r.date is not None
        assert list(r.sections)[:4] == ["Introduction", "Methodology", "Results", "Limitations"]
        assert r.abstract.startswith("This report synthesises")
        assert all(c.confidence is not None and 0 <= c.confidence <= 1 for c in r.claims)
        assert [c.row for c in r.claims] == list(range(1, len(r.claims) + 1))


def test_seed_details() -> None:
    first = parse_seed_report(SEEDS[0].read_text())
    assert first.claims[0].text == "o1-mini achieves 96.2% pass@1 on HumanEval but only 76.2% on HumanEval Pro."
    assert first.claims[0].verified is True and first.claims[0].confidence == pytest.approx(0.23)
    assert first.claims[2].verified is False and first.claims[2].truncated
    assert not first.claims[0].truncated
    assert [r.arxiv_id for r in first.references] == ["2412.21199", "2410.12381", "2303.12869"]
    quant = parse_seed_report(SEEDS[2].read_text())
    assert quant.date == dt.date(2026, 5, 30) and quant.quality_score == 8.0
    assert quant.references[0].arxiv_id == "2410.14766"  # from the arXiv DOI
    last = parse_seed_report(SEEDS[3].read_text())
    assert last.references[0].doi == "10.18653/v1/2025.acl-long.1304" and last.references[0].arxiv_id is None


def test_report_without_claims_table() -> None:
    text = "A Title\n\nSomeone\n\nJanuary 2, 2026\n\nAbstract\n\nText.\n\n1 Introduction\n\nBody.\n"
    report = parse_seed_report(text)
    assert not report.has_claims_table and report.claims == []
    assert report.sections == {"Introduction": "Body."}


def test_reference_forms() -> None:
    assert parse_reference("- <http://arxiv.org/abs/2412.21199v2>").arxiv_id == "2412.21199"
    assert parse_reference("- https://arxiv.org/pdf/quant-ph/0201082v1").arxiv_id == "quant-ph/0201082"
    ref = parse_reference("- <https://doi.org/10.1145/3600006.3613165>")
    assert ref.doi == "10.1145/3600006.3613165" and ref.arxiv_id is None
