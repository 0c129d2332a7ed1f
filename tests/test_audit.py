"""`synth audit`: inputs (seed reports, Markdown, papers), source resolution, and audits end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synth.audit.inputs import AuditInputError, read_audit_input
from synth.audit.references import reference_from_entry, resolve_references
from synth.audit.run import compare
from synth.claims.seed_report import parse_reference
from synth.core.audit import AuditOutcome, InputKind, SourceStatus
from synth.core.claims import VerdictLabel
from tests.conftest import SHARED, run_cli

SEEDS = SHARED / "seeds"


@pytest.mark.parametrize(
    ("name", "claims", "refs"),
    [("000_0f5b2272e848e45d.txt", 12, 3), ("001_2ec099e464a9baab.txt", 12, 3), ("002_174f205853981076.txt", 11, 1),
     ("003_73d2c08b04ec4ca5.txt", 13, 3)],
)  # fmt: skip
def test_seed_reports_are_read_with_marks_question_and_references(name: str, claims: int, refs: int) -> None:
    audit_input = read_audit_input(SEEDS / name)
    assert audit_input.kind is InputKind.SEED
    assert len(audit_input.claims) == claims and len(audit_input.references) == refs
    assert audit_input.question and audit_input.question.endswith("?") and len(audit_input.question) < 300
    assert all(c.verified is not None and c.confidence is not None for c in audit_input.claims)


def test_a_paper_has_no_claims_table() -> None:
    audit_input = read_audit_input(SEEDS / "004_ae027df4a1b65a0f.txt")
    assert audit_input.kind is InputKind.PAPER and audit_input.claims == []


def test_a_report_without_a_claims_table_is_audited_as_a_paper(tmp_path: Path) -> None:
    text = (SEEDS / "002_174f205853981076.txt").read_text()
    cut = text[: text.index("5 Extracted Claims")] + text[text.index("References") :]
    f = tmp_path / "no_table.txt"
    f.write_text(cut)
    assert read_audit_input(f).kind is InputKind.PAPER


def test_markdown_report_claims_table_and_links(tmp_path: Path) -> None:
    f = tmp_path / "r.md"
    f.write_text(
        "# Serving report\n\nResearch question: How fast is vLLM?\n\n"
        "| Claim | Verified | Confidence |\n|---|---|---|\n"
        "| vLLM improves throughput by 2-4x over Orca. | ✓ | 0.9 |\n| vLLM is slower than Orca. | × | 0.2 |\n\n"
        "## References\n\n- https://arxiv.org/abs/2309.06180\n- https://doi.org/10.1000/xyz123\n"
    )
    audit_input = read_audit_input(f)
    assert audit_input.kind is InputKind.MARKDOWN and audit_input.question == "How fast is vLLM?"
    assert [(c.verified, c.confidence) for c in audit_input.claims] == [(True, 0.9), (False, 0.2)]
    assert [r.arxiv_id for r in audit_input.references] == ["2309.06180", None]


@pytest.mark.parametrize(("content", "message"), [(None, "not found"), ("", "empty"), (b"\xff\xfe\x00", "UTF-8")])
def test_bad_inputs_are_one_line_errors(tmp_path: Path, content: str | bytes | None, message: str) -> None:
    f = tmp_path / "in.txt"
    if isinstance(content, bytes):
        f.write_bytes(content)
    elif content is not None:
        f.write_text(content)
    with pytest.raises(AuditInputError, match=message):
        read_audit_input(f)
    with pytest.raises(AuditInputError, match="cannot audit"):
        (tmp_path / "x.docx").write_text("x")
        read_audit_input(tmp_path / "x.docx")


def test_references_resolve_to_the_corpus_offline_or_not_at_all(corpus_settings) -> None:  # noqa: ANN001
    from synth.corpus.open import open_index

    documents = open_index(corpus_settings).catalog.documents()
    refs = [
        parse_reference("- <https://arxiv.org/abs/2309.06180v2>"),
        parse_reference("- <https://doi.org/10.48550/arxiv.2410.14766>"),
        parse_reference("- <https://doi.org/10.18653/v1/2025.acl-long.1304>"),
        reference_from_entry(
            "Kwon et al. Efficient Memory Management for Large Language Model Serving with PagedAttention. SOSP 2023."
        ),  # fmt: skip
    ]
    resolved = resolve_references(refs, documents)
    assert [r.status for r in resolved] == [
        SourceStatus.LOCAL,
        SourceStatus.OFFLINE,
        SourceStatus.UNRESOLVED,
        SourceStatus.LOCAL,
    ]
    assert resolved[0].doc_id == "2309.06180" and resolved[3].doc_id == "2309.06180"
    assert "DOI 10.18653" in resolved[2].note


def test_fetch_is_asked_only_for_missing_arxiv_ids() -> None:
    asked: list[list[str]] = []
    refs = [parse_reference("https://arxiv.org/abs/2410.14766")]
    resolve_references(refs, [], fetch=lambda ids: asked.append(ids) or {})
    assert asked == [["2410.14766"]]


def test_compare_with_the_reports_mark() -> None:
    assert compare(VerdictLabel.SUPPORTED, True) is AuditOutcome.AGREEMENT
    assert compare(VerdictLabel.REFUTED, True) is AuditOutcome.DISAGREEMENT
    assert compare(VerdictLabel.SUPPORTED, False) is AuditOutcome.DISAGREEMENT
    assert compare(VerdictLabel.NOT_ENOUGH_INFO, True) is AuditOutcome.UNVERIFIABLE
    assert compare(VerdictLabel.REFUTED, None) is AuditOutcome.NO_MARK
    assert compare(VerdictLabel.REFUTED, True, confidence=0.42) is AuditOutcome.UNVERIFIABLE


def _page_text(home: Path, doc_id: str, page: int) -> str:
    from synth.corpus.open import open_index
    from synth.settings import SynthSettings

    return open_index(SynthSettings(home=home)).catalog.page_text(doc_id, page) or ""


@pytest.mark.slow
def test_audit_of_a_seed_report_end_to_end(corpus_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit.json"
    proc = run_cli(
        "--offline", "audit", str(SEEDS / "002_174f205853981076.txt"), "--format", "json", "-o", str(out), "--no-judge",
        "--measure-budget", "0", env={"SYNTH_HOME": str(corpus_home)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    assert report["kind"] == "seed-report" and len(report["claims"]) == 11
    assert report["sources"][0]["status"] == "source not available offline"
    for claim in report["claims"]:
        verdict = claim["verdict"]
        assert verdict["label"] in {"SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"} and 0 <= verdict["confidence"] <= 1
        assert claim["reported_verified"] is True and "not available offline" in claim["note"]
        for ev in verdict["evidence"]:
            assert " ".join(ev["quote"].split())[:60] in " ".join(
                _page_text(corpus_home, ev["doc_id"], ev["page"]).split()
            )
    assert any(c["needs_measurement"] for c in report["claims"])
    assert sum(report["summary"][k] for k in ("agreements", "disagreements", "unverifiable", "no_mark")) == 11
    # Audits measure by default, within the budget: with none left every planned spec is skipped, and says why.
    measurement = report["measurement"]
    assert measurement["mode"] == "auto" and measurement["run"] == 0
    assert measurement["planned"] == 0 or any("--measure-budget" in s for s in measurement["skipped"])


@pytest.mark.slow
def test_audit_markdown_finds_the_cited_paper_and_flags_the_bad_citation(corpus_home: Path, tmp_path: Path) -> None:
    f = tmp_path / "r.md"
    f.write_text(
        "# vLLM\n\n| Claim | Verified | Confidence |\n|---|---|---|\n"
        "| vLLM improves the throughput of popular LLMs by 2-4x compared to FasterTransformer and Orca. | × | 0.3 |\n\n"
        "## References\n\n- https://arxiv.org/abs/2309.06180\n- https://doi.org/10.1000/unknown-paper\n"
    )
    proc = run_cli("--offline", "audit", str(f), "--no-judge", "--measure", "off", env={"SYNTH_HOME": str(corpus_home)})
    assert proc.returncode == 0, proc.stderr
    md = proc.stdout
    assert "in local corpus" in md and "citation does not resolve" in md
    assert "2309.06180" in md and "p. " in md


def test_audit_with_an_empty_corpus_says_how_to_fill_it(tmp_path: Path) -> None:
    proc = run_cli("--offline", "audit", str(SEEDS / "002_174f205853981076.txt"), "--no-judge")
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error:") and "--corpus" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_audit_of_a_paper_extracts_its_claims_and_keeps_it_out_of_its_evidence(
    corpus_home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "paper.json"
    proc = run_cli(
        "--offline", "audit", str(SEEDS / "004_ae027df4a1b65a0f.txt"), "--format", "json", "-o", str(out),
        "--no-judge", "--measure", "off", env={"SYNTH_HOME": str(corpus_home), "SYNTH_EXTRACT__MODE": "extractive"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    assert report["kind"] == "paper" and report["extraction"]["mode"] == "extractive"
    claims = report["claims"]
    assert 5 <= len(claims) <= 20
    text = (SEEDS / "004_ae027df4a1b65a0f.txt").read_text()
    for claim in claims:
        assert claim["outcome"] in {"no mark", "unverifiable"} and claim["provenance"]["page"] >= 1
        assert not any(w in f" {claim['text'].lower()} " for w in (" we ", " our "))
        assert all(ev["doc_id"] != report["input_sha256"][:16] for ev in claim["verdict"]["evidence"])
    assert any("throughput" in c["needs_measurement"] or "decoding_technique" in c["needs_measurement"] for c in claims)
    assert report["sources"], "the paper's bibliography is resolved and reported"
    statuses = {s["status"] for s in report["sources"]}
    assert "source not available offline" in statuses  # cited arXiv papers that are not in the local corpus
    assert statuses <= {"in local corpus", "source not available offline", "citation does not resolve"}
    assert "CAD" in text  # the paper is the one whose throughput claims the benchmark issue re-measures


def test_audit_markdown_says_what_was_measured_and_what_the_budget_left_out() -> None:
    from synth.core.audit import AuditReport, AuditSummary
    from synth.core.measurement import MeasurementStage
    from synth.render.audit import render_markdown

    stage = MeasurementStage(
        mode="auto", budget_s=400, spent_s=390, planned=5, run=2, hardware="CPU x",
        skipped=["a spec: not run, 10 s of the 400 s --measure-budget left"],
    )  # fmt: skip
    report = AuditReport(
        input_path="x", input_sha256="0" * 64, kind="paper", title="t", question=None, created="now", checks=[],
        sources=[], claims=[], summary=AuditSummary(), measurement=stage,
    )  # fmt: skip
    md = render_markdown(report)
    assert "## Measurement" in md and "2 of 5 benchmark spec(s) run in 390 s (budget 400 s) on CPU x" in md
    assert "--measure-budget left" in md
    off = render_markdown(report.model_copy(update={"measurement": MeasurementStage(mode="off", budget_s=0)}))
    assert "Not measured (`--measure off`)" in off
