"""The report's pure parts: synthesis from verified claims only, conflicts, LM synthesis grounding, the
measure stage's budget and resume, and rendering a run at any stage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synth.core.claims import Claim, Evidence, Provenance, Verdict, VerdictLabel
from synth.core.run import ReportClaim
from synth.verify.numeric import extract_numbers
from tests.report_fixtures import sample_run


def _claim(number: int, text: str, label: str = "SUPPORTED", confidence: float = 0.9, doc: str = "d1") -> ReportClaim:
    claim = Claim(text=text, numbers=extract_numbers(text), provenance=Provenance(doc_id=doc, page=1))
    verdict = Verdict(claim_id=claim.claim_id, label=VerdictLabel(label), confidence=confidence)
    return ReportClaim(number=number, claim=claim, verdict=verdict, paper=1)


def test_template_synthesis_uses_only_usable_claims() -> None:
    from synth.synthesize.synthesis import template_synthesis

    run = sample_run()
    run.synthesis = None
    s = template_synthesis(run)
    usable = {c.number for c in run.claims if c.supported and c.confidence >= 0.5}
    cited = {n for x in s.abstract + [y for p in s.results for y in p.sentences] for n in x.claims}
    assert cited and cited <= usable
    assert set(s.refuted) == {c.number for c in run.claims if c.label == "REFUTED"}
    assert set(s.not_enough_info) == {c.number for c in run.claims if c.label == "NOT_ENOUGH_INFO"}
    assert all(x.claims for p in s.results for x in p.sentences)  # every results sentence cites
    assert s.abstract[0].kind == "meta" and any(x.kind == "finding" for x in s.abstract)
    assert s.limitations and s.introduction and s.methodology


def test_answer_comes_first_cites_and_never_pools_unrelated_figures() -> None:
    from synth.synthesize.synthesis import template_synthesis

    run = sample_run()
    run.synthesis = None
    s = template_synthesis(run)
    usable = {c.number for c in run.claims if c.supported and c.confidence >= 0.5}
    assert 1 <= len(s.answer) <= 6
    assert all(x.claims or x.kind == "meta" or "[R" in x.text for x in s.answer)  # every finding is cited
    assert {n for x in s.answer for n in x.claims} <= usable
    assert not any("median" in x.text for x in s.answer + s.abstract)


def test_conflicts_numeric_spread_and_counter_evidence_and_measurement() -> None:
    from synth.synthesize.conflicts import find_conflicts

    a = _claim(1, "Medusa achieves a 2.8x speedup on Vicuna-7B.", doc="medusa")
    b = _claim(2, "Medusa achieves a 1.5x speedup in the Spec-Bench evaluation.", doc="survey")
    c = _claim(3, "EAGLE achieves a 3x speedup.", doc="eagle")
    c.counter_evidence = [Evidence(doc_id="survey", page=7, quote="EAGLE reaches 2.1x on Spec-Bench.")]
    from synth.synthesize.figures import SourceSentence, cross_check, figures_in

    def read(x: ReportClaim, systems: tuple[str, ...]) -> list:  # type: ignore[type-arg]
        doc = x.claim.provenance.doc_id if x.claim.provenance else ""
        return figures_in(SourceSentence(x.claim.text, doc, 1, systems, doc, claim=x.number), frozenset({"medusa"}))

    figures = cross_check(read(a, ("Medusa",)) + read(b, ()))
    kinds = {x.kind: x for x in find_conflicts([a, b, c], {1, 2, 3}, figures)}
    assert kinds["numeric_spread"].claims == [1, 2] and "Medusa" in kinds["numeric_spread"].description
    assert "survey, p. 7" in kinds["contradiction"].description
    assert find_conflicts([a, b, c], {3}) == [kinds["contradiction"]]  # unusable claims raise no conflict
    run = sample_run()
    assert any(x.kind == "measurement" for x in find_conflicts(run.claims, {c.number for c in run.claims}))


def test_llm_synthesis_keeps_only_grounded_sentences() -> None:
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from synth.synthesize.llm_synthesis import llm_synthesis
    from synth.synthesize.synthesis import template_synthesis

    run = sample_run()
    template = template_synthesis(run)
    usable = [c for c in run.claims if c.supported and c.confidence >= 0.5]
    bad = next(c for c in run.claims if c.label != "SUPPORTED")
    good = usable[0]
    first_figure = extract_numbers(good.claim.text)[0].text if extract_numbers(good.claim.text) else ""
    reply = {
        "abstract": [{"text": f"The evidence says {first_figure} in one system.", "claims": [good.number]}],
        "answer": [
            {"text": "Speculative decoding gives a 9.9x speedup.", "claims": [good.number]},  # figure not in claim
            {"text": "It also fails sometimes.", "claims": [bad.number]},  # cites an unusable claim
            {"text": "No citation at all.", "claims": []},
            {"text": "Drafting helps when the draft is cheap.", "claims": [good.number]},
        ],
    }
    chat = FakeListChatModel(responses=[json.dumps(reply)])
    out = llm_synthesis(run, template, chat)
    assert out.method.startswith("llm:")
    answer = out.results[0]
    assert answer.heading == "Answer" and [s.text for s in answer.sentences] == [
        "Drafting helps when the draft is cheap."
    ]
    assert any("3 LM sentence(s) dropped" in n for n in out.notes)
    assert out.lm_usage.lm_calls == 1  # the run's usage counts the synthesis call
    broken = llm_synthesis(run, template, FakeListChatModel(responses=["not json", "still not json"]))
    assert broken.method == "template" and any("LM synthesis failed" in n for n in broken.notes)
    assert broken.lm_usage.lm_calls == 2  # a failed synthesis still spent its calls


def test_measure_stage_budget_resume_and_off(tmp_path: Path) -> None:
    from synth.core.bench_result import BenchResult
    from synth.empirical.availability import Availability
    from synth.pipeline.measurement import measure_claims
    from synth.pipeline.rundir import RunDir
    from synth.settings import SynthSettings

    settings = SynthSettings(home=tmp_path / "home")
    here = Availability(presets=["llama-3.2-1b"], hf_models=["qwen2.5-coder-0.5b-instruct"])
    claims = [_claim(1, "CAD roughly halves throughput compared with vanilla decoding.")]
    claims[0].measurable = ["throughput", "decoding_technique"]
    calls: list[str] = []

    def runner(spec, timeout):  # noqa: ANN001, ANN202
        calls.append(spec.label())
        return BenchResult(spec=spec, status="failed", reason="test runner: no model run")

    rundir = RunDir(tmp_path / "run")
    off = measure_claims(claims, settings, "off", 600, rundir, run=runner, available=here)
    assert off.run == 0 and "--measure off" in off.skipped[0] and not calls
    broke = measure_claims(claims, settings, "auto", 10, rundir, run=runner, available=here)
    assert broke.run == 0 and broke.planned >= 2 and all("--measure-budget" in s for s in broke.skipped)
    assert claims[0].empirical and claims[0].empirical[0].verdict.verdict.value == "INCONCLUSIVE"
    done = measure_claims(claims, settings, "all", 0, rundir, run=runner, available=here)
    assert done.run == done.planned and len(calls) == done.planned
    assert "failed" in claims[0].empirical[0].verdict.reason
    again = measure_claims(claims, settings, "auto", 0, rundir, run=runner, available=here)
    assert again.run == again.planned and len(calls) == done.planned  # loaded from RUNDIR/bench, not rerun


@pytest.mark.parametrize("stage", ["retrieve", "extract", "verify", "measure", "synthesize", "review"])
def test_every_format_renders_a_run_at_any_stage(stage: str) -> None:
    from synth.render.markdown import render_markdown
    from synth.render.txt import render_txt

    run = sample_run()
    order = ["retrieval", "claims", "verification", "measurement", "synthesis", "review"]
    cut = {"retrieve": 1, "extract": 2, "verify": 3, "measure": 4, "synthesize": 5, "review": 6}[stage]
    for name in order[cut:]:
        setattr(run, name, [] if name == "claims" else None)
    md, txt = render_markdown(run), render_txt(run)
    assert run.question in md and "## 5 Claims" in md
    assert "Extracted Claims" in txt


def test_attribution_conditions_away_refutation_by_the_claims_own_sentence() -> None:
    from types import SimpleNamespace

    from synth.verify.attribution import attributed, condition_on_attribution

    source = "Our method achieves a 2.2x speedup over autoregressive decoding on Vicuna-7B."
    title = "Medusa: Simple LLM Inference Acceleration Framework"
    claim = Claim(
        text="Medusa achieves a 2.2x speedup over autoregressive decoding on Vicuna-7B.", source_title=title,
        provenance=Provenance(doc_id="d", page=1, passage=source),
    )  # fmt: skip
    assert attributed(claim)
    assert not attributed(claim.model_copy(update={"text": claim.text.replace("2.2x", "3.1x")}))
    assert not attributed(claim.model_copy(update={"text": "Medusa needs no extra memory at all during serving."}))
    result = SimpleNamespace(
        label="REFUTED", confidence=0.5, checks=["numeric"],
        probabilities={"SUPPORTED": 0.4, "REFUTED": 0.5, "NOT_ENOUGH_INFO": 0.1},
    )  # fmt: skip
    condition_on_attribution(result)
    assert result.label == "SUPPORTED" and result.confidence == pytest.approx(0.8)
    assert result.probabilities["REFUTED"] == 0.0 and "attribution" in result.checks


def test_arxiv_stage_searches_when_reachable_and_says_why_not(tmp_path: Path) -> None:
    from synth.pipeline.retrieval import arxiv_query, search_arxiv_into_corpus
    from synth.settings import ArxivSettings, SynthSettings
    from tests.arxiv_server import ArxivReplay

    assert arxiv_query("How much does speculative decoding speed up LLM inference?") == (
        "speculative decoding speed up LLM inference"
    )
    ingested: list[Path] = []
    offline = SynthSettings(home=tmp_path / "h", offline=True)
    note, ids = search_arxiv_into_corpus("testing", offline, 10, ingested.extend)
    assert note.startswith("skipped: offline") and not ids and not ingested
    closed = SynthSettings(home=tmp_path / "h", arxiv=ArxivSettings(query_url_format="http://127.0.0.1:9/api/query?{}"))
    note, ids = search_arxiv_into_corpus("testing", closed, 10, ingested.extend)
    assert "unreachable" in note and not ids
    with ArxivReplay() as server:
        arxiv = ArxivSettings(
            query_url_format=server.base + "/api/query?{}", pdf_url_format=server.base + "/pdf/{bare_id}",
            delay_seconds=0, num_retries=0,
        )  # fmt: skip
        online = SynthSettings(home=tmp_path / "h", arxiv=arxiv)
        note, ids = search_arxiv_into_corpus("testing", online, 10, ingested.extend)
    assert note.startswith("searched arXiv for 'testing': 10 result(s)") and len(ids) == 10
    assert len(ingested) == 10 and all(p.suffix == ".pdf" and p.is_file() for p in ingested)
