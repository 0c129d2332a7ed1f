"""`synth report` end to end on the shared corpus (extractive, no LM judge, measurement off), resume, render.

The pipeline runs once per module on the 40 shared papers (the session's ingested
corpus); the tests read that run. Resume uses its own small run with a crash
injected in the verify stage.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli

QUESTION = "How much does speculative decoding speed up LLM inference, and what does it cost?"
ON_TOPIC = re.compile(r"speculat|draft|decod|speed|faster|latency|throughput|token|inference|accelerat|verif", re.I)


def _options(**kw):  # noqa: ANN003, ANN202
    from synth.core.run import ReportOptions

    base = {"question": QUESTION, "measure": "off", "judge": False, "mode": "extractive", "arxiv": False,
            "formats": ["md", "json", "txt", "html"]}  # fmt: skip
    return ReportOptions(**{**base, **kw})


@pytest.fixture(scope="module")
def report_run(corpus_home: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    from synth.pipeline.context import RunContext
    from synth.render.reports import write_reports
    from synth.report.pipeline import run_report
    from synth.retrieve import open_retriever
    from synth.settings import SynthSettings

    settings = SynthSettings(home=corpus_home)
    out = tmp_path_factory.mktemp("report") / "run"
    retriever = open_retriever(settings)
    run = run_report(QUESTION, _options(papers=8, claims=14), out, RunContext.build(settings, retriever=retriever))
    write_reports(run, out, run.options.formats)
    return run, out, retriever


def _norm(text: str) -> str:
    return re.sub(r"\W+", "", text).lower()


def test_claims_answer_the_question_with_real_pages(report_run) -> None:  # noqa: ANN001
    run, _, retriever = report_run
    catalog = retriever.catalog
    assert len(run.claims) >= 8
    on_topic = [c for c in run.claims if ON_TOPIC.search(c.claim.text)]
    assert len(on_topic) >= 0.8 * len(run.claims), [c.claim.text for c in run.claims]
    for c in run.claims:
        prov = c.claim.provenance
        assert prov is not None and prov.page is not None
        page = catalog.page_text(prov.doc_id, prov.page)
        assert page, f"{prov.doc_id} p. {prov.page} is not a page of the corpus"
        assert _norm(prov.passage)[:80] in _norm(page)
        assert c.verdict is not None
        for ev in c.verdict.evidence:
            page_text = catalog.page_text(ev.doc_id, ev.page) or ""
            if ev.table:  # recovered cells: every figure of them stands on the page, the sentence does not
                assert all(n in page_text for n in re.findall(r"\d+\.\d+", ev.quote)), ev.quote
            else:
                assert _norm(ev.quote)[:60] in _norm(page_text)
    supported = [c for c in run.claims if c.supported]
    assert len(supported) >= len(run.claims) // 2
    papers = {p.doc_id for p in run.retrieval.papers}
    assert {"2401.10774", "2408.11850"} & papers  # Medusa or PEARL among the retrieved papers


def test_prose_cites_only_usable_claims(report_run) -> None:  # noqa: ANN001
    from synth.synthesize.synthesis import CONFIDENCE_FLOOR

    run, _, _ = report_run
    s = run.synthesis
    sentences = s.abstract + [x for p in s.results for x in p.sentences]
    findings = [x for x in sentences if x.kind == "finding"]
    assert findings and all(x.claims for x in findings)
    for x in findings:
        for n in x.claims:
            c = run.claim(n)
            assert c.supported and c.confidence >= CONFIDENCE_FLOOR
    not_used = set(s.not_enough_info) | set(s.refuted) | set(s.low_confidence)
    assert not_used.isdisjoint({n for x in sentences for n in x.claims})
    assert s.limitations and any("arXiv was not searched" in x for x in s.limitations)
    assert len(run.review.reviews) >= 4 and all(r.rationale for r in run.review.reviews)
    assert 0 < run.review.score <= 10


def test_report_files_and_txt_parses_as_a_seed_report(report_run) -> None:  # noqa: ANN001
    from synth.claims.seed_report import parse_seed_report

    run, out, _ = report_run
    md = (out / "report.md").read_text()
    assert "Quality score" in md and "## 5 Claims" in md and "Reviewer panel" in md
    assert json.loads((out / "report.json").read_text())["schema_version"] == 1
    seed = parse_seed_report((out / "report.txt").read_text())
    assert seed.title.startswith("Evidence report")
    assert len(seed.claims) == len(run.claims)
    assert [c.text for c in seed.claims] == [" ".join(c.claim.text.split()) for c in run.claims]
    assert seed.quality_score == pytest.approx(round(run.review.score, 1))
    assert {"Introduction", "Methodology", "Results", "Limitations"} <= set(seed.sections)
    assert any(r.arxiv_id for r in seed.references)
    html = (out / "report.html").read_text()
    assert "<svg" in html and run.run_id in html


def test_render_reproduces_the_report(report_run, tmp_path: Path) -> None:  # noqa: ANN001
    _, out, _ = report_run
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    for name in ("report.md", "report.txt", "report.json", "report.html"):
        (copy / name).unlink()
    proc = run_cli("render", str(copy), "--format", "md,json,txt,html", "-q")
    assert proc.returncode == 0, proc.stderr
    for name in ("report.md", "report.txt", "report.json", "report.html"):
        assert (copy / name).read_text() == (out / name).read_text(), name


def test_resume_after_a_crash_in_verify(corpus_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from synth.pipeline.context import RunContext
    from synth.pipeline.rundir import RunDir
    from synth.pipeline.verification import VerifiedClaim
    from synth.report.pipeline import run_report
    from synth.retrieve import open_retriever
    from synth.settings import SynthSettings
    from synth.verify.verifier import Verifier

    settings = SynthSettings(home=corpus_home)
    retriever = open_retriever(settings)
    out = tmp_path / "run"
    real_verify = Verifier.verify
    calls = {"n": 0}

    def crashing(self, claim, passages, task="3way", paper_text=""):  # noqa: ANN001, ANN202
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("simulated crash")
        return real_verify(self, claim, passages, task, paper_text)

    monkeypatch.setattr(Verifier, "verify", crashing)
    options = _options(papers=4, claims=6, formats=["md"])
    with pytest.raises(RuntimeError, match="simulated crash"):
        run_report(QUESTION, options, out, RunContext.build(settings, retriever=retriever))
    partial = RunDir(out).load_run()
    assert partial.retrieval is not None and partial.extraction is not None and partial.verification is None
    assert len(RunDir(out).read_lines("verdicts", VerifiedClaim)) == 3
    monkeypatch.setattr(Verifier, "verify", real_verify)
    counted = {"n": 0}

    def counting(self, claim, passages, task="3way", paper_text=""):  # noqa: ANN001, ANN202
        counted["n"] += 1
        return real_verify(self, claim, passages, task, paper_text)

    monkeypatch.setattr(Verifier, "verify", counting)
    run = run_report(QUESTION, options, out, RunContext.build(settings, retriever=retriever))
    assert run.review is not None and all(c.verdict is not None for c in run.claims)
    assert counted["n"] == len(run.claims) - 3
    assert run.verification.reused_from_resume == 3
    assert run.created == partial.created and run.run_id == partial.run_id


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["report", "  "], "no question given"),
        (["report", QUESTION, "--measure", "sometimes"], "--measure"),
        (["report", QUESTION, "--format", "pdf"], "--format"),
        (["report", QUESTION, "--corpus", "/nonexistent/papers", "--no-arxiv", "--measure", "off"], "does not exist"),
    ],
)
def test_report_cli_rejects_bad_input(args: list[str], needle: str) -> None:
    from typer.testing import CliRunner

    from synth.cli import app
    from synth.errors import UserError

    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, UserError) and needle in str(result.exception)


def test_render_of_a_folder_that_is_no_run_is_one_line_exit_2(tmp_path: Path) -> None:
    proc = run_cli("render", str(tmp_path))
    assert proc.returncode == 2 and "not a synth report run directory" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
