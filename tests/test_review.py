"""Reviewer panel: each reviewer's score and counted rationale, and scores that fall when a report is damaged
(unsupported prose, off-topic claims with the real MiniLM embedder, one-source prose, contradicted measurements).
LM rubric judges run on fake chat models (parsing, retry, malformed and failed calls), and on a real GGUF (slow)."""

from __future__ import annotations

import os
import statistics
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import FakeListChatModel

from synth.core.run import CitedSentence, ReportRun, Review
from synth.review import (
    aggregate,
    judge_agreement,
    review_coverage,
    review_faithfulness,
    review_grounding,
    review_relevance,
    review_report,
    review_rubric,
)
from synth.review.prose import report_text
from synth.review.relevance import COSINE
from synth.review.rubric import RATIONALE_CHARS
from tests.conftest import run_cli
from tests.review_fixtures import (
    OFF_TOPIC,
    QUESTION,
    citing_one_paper,
    make_run,
    with_inconsistent_measurement,
    with_measurement_off,
    with_off_topic_claims,
    with_unsupported_prose,
)

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`


@pytest.fixture(scope="module")
def embedder():  # noqa: ANN201
    """The real MiniLM embedder from the installed model package (loads in a few seconds)."""
    from synth.retrieve.embeddings import embedder_for
    from synth.settings import load_settings

    return embedder_for(load_settings())


class RecordingChat(FakeListChatModel):
    """FakeListChatModel that keeps the prompts it was sent."""

    prompts: list[str] = []

    def _call(self, messages: Any, *args: Any, **kwargs: Any) -> str:
        self.prompts.append(str(messages[-1].content))
        return super()._call(messages, *args, **kwargs)


class DeadChat(FakeListChatModel):
    """A chat model whose server is down."""

    def _call(self, *args: Any, **kwargs: Any) -> str:
        raise ConnectionError("connection refused on 127.0.0.1:8000")


def by_name(reviews: list[Review]) -> dict[str, Review]:
    return {r.reviewer.rsplit(":", 1)[-1]: r for r in reviews}


def reply(score: object, rationale: str = "The report states each speedup with its model and baseline.") -> str:
    return f'{{"score": {score!r}, "rationale": "{rationale}"}}'.replace("'", '"')


# --- the good report --------------------------------------------------------------------------------------


def test_good_report_scores_every_aspect_with_counts_in_the_rationale() -> None:
    run = make_run()
    panel = review_report(run)
    reviews = by_name(panel.reviews)
    assert list(reviews) == ["faithfulness", "relevance", "coverage", "grounding", "answer"]
    assert reviews["answer"].score is None  # this stored run predates the Answer section: not scored, said so
    scored = [r for r in panel.reviews if r.reviewer != "answer"]
    assert all(r.kind == "metric" and r.score is not None and 0 <= r.score <= 10 for r in scored)
    assert "9 of 9 prose sentences cite only SUPPORTED claims" in reviews["faithfulness"].rationale
    assert "mean confidence 0.84" in reviews["faithfulness"].rationale
    assert reviews["faithfulness"].score == pytest.approx(8.44, abs=0.01)  # mean over sentences of mean confidence
    assert "of 11 claims are on topic" in reviews["relevance"].rationale
    assert reviews["relevance"].details["source"] == "lexical overlap (no embeddings)"
    assert "4 of 4 relevant retrieved papers" in reviews["coverage"].rationale
    assert "4 of 5 retrieved papers" in reviews["coverage"].rationale
    assert "2 of 3 measurable claims were measured" in reviews["grounding"].rationale
    assert reviews["grounding"].score == pytest.approx(6.67, abs=0.01)  # [4] could not be measured here
    scores = [r.score for r in panel.reviews if r.score is not None]
    assert panel.score == pytest.approx(statistics.fmean(scores), abs=0.01) and panel.score > 7.5
    assert panel.std == pytest.approx(statistics.pstdev(scores), abs=0.01) and panel.agreement is None
    assert "unweighted mean of 4" in panel.method
    run.review = panel  # the panel is part of the run's JSON
    assert ReportRun.model_validate_json(run.model_dump_json()).review == panel


# --- faithfulness ---------------------------------------------------------------------------------------------


def test_unsupported_sentences_lower_faithfulness_and_the_aggregate() -> None:
    base, damaged = make_run(), with_unsupported_prose(make_run())
    before, after = review_faithfulness(base), review_faithfulness(damaged)
    assert before.score is not None and after.score is not None
    # 4 sentences earning 0 join 9 earning 0.844 on average: 10 x 9 x 0.844 / 13.
    assert after.score == pytest.approx(before.score * 9 / 13, abs=0.02)
    assert after.details["uncited"] == 2 and after.details["partly_unsupported"] == 2
    assert "9 of 13 prose sentences" in after.rationale and "2 cite nothing" in after.rationale
    assert review_report(damaged).score < review_report(base).score - 0.5


def test_structural_sentences_are_skipped_and_dangling_citations_earn_nothing() -> None:
    run = make_run()
    assert run.synthesis is not None
    run.synthesis.abstract.append(CitedSentence(text=" — "))
    assert review_faithfulness(run).details["sentences"] == 9
    run.synthesis.abstract.append(CitedSentence(text="A speedup nobody reported.", claims=[99]))
    review = review_faithfulness(run)
    assert review.details["dangling_citations"] == 1 and "1 of the citations point at no claim" in review.rationale
    run.synthesis = None
    assert review_faithfulness(run).score is None


def test_the_answer_is_prose_the_reviewers_and_judges_read() -> None:
    """The Answer opens the report and is often all a reader reads: an unsupported sentence there costs
    faithfulness like one in the results, and the LM judges see it."""
    run = make_run()
    assert run.synthesis is not None
    before = review_faithfulness(run).details["sentences"]
    run.synthesis.answer = [
        CitedSentence(text="Speculative decoding speeds up T5-XXL 2-3x with identical outputs.", claims=[1]),
        CitedSentence(text="It never needs a draft model.", claims=[10]),  # cites a NOT ENOUGH INFO claim
    ]
    after = review_faithfulness(run)
    assert after.details["sentences"] == before + 2 and after.details["partly_unsupported"] >= 1
    text = report_text(run)
    assert text.index("Answer\n- Speculative decoding speeds up T5-XXL") < text.index(run.synthesis.abstract[0].text)


# --- relevance ------------------------------------------------------------------------------------------------


def test_off_topic_claims_lower_relevance_with_the_real_embedder(embedder) -> None:  # noqa: ANN001
    base, damaged = make_run(), with_off_topic_claims(make_run())
    before = review_relevance(base, embedder=embedder)
    after = review_relevance(damaged, embedder=embedder)
    assert before.details["source"] == "cosine from the embedder passed in"
    assert before.score is not None and after.score is not None
    assert before.score >= 6.0 and before.details["on_topic"] == 11  # every speculative-decoding claim passes 0.30
    assert after.details["on_topic"] == 11 and after.details["claims"] == 11 + len(OFF_TOPIC)
    assert after.details["min_raw"] < COSINE.low + 0.1  # cooking and glaciers sit near 0
    assert after.score < before.score - 1.5
    assert "11 of 15 claims are on topic" in after.rationale
    assert review_report(damaged, embedder=embedder).score < review_report(base, embedder=embedder).score - 0.3


def test_relevance_falls_back_to_stored_cosines_then_to_word_overlap() -> None:
    base, damaged = make_run(), with_off_topic_claims(make_run())
    lexical_before, lexical_after = review_relevance(base), review_relevance(damaged)
    assert lexical_after.score is not None and lexical_before.score is not None
    assert lexical_after.score < lexical_before.score and lexical_after.details["scale"] == "lexical"
    for i, claim in enumerate(damaged.claims):
        claim.claim.relevance = 0.55 if i < len(base.claims) else 0.05
    stored = review_relevance(damaged)
    assert stored.details["source"] == "cosine stored by the extractor"
    assert stored.score == pytest.approx(10 * 11 / 15, abs=0.01)  # 0.55 maps to 10, 0.05 to 0
    damaged.claims = []
    assert review_relevance(damaged).score is None


# --- coverage ---------------------------------------------------------------------------------------------------


def test_prose_citing_one_paper_lowers_coverage() -> None:
    before, after = review_coverage(make_run()), review_coverage(citing_one_paper(make_run()))
    assert before.score is not None and after.score is not None and before.score > 9
    assert after.details["contributing"] == 1 and after.details["diversity"] == 0.0
    assert after.score == pytest.approx(10 * 0.6 * 1 / 4)
    assert "1 of 4 relevant retrieved papers" in after.rationale


def test_citations_of_unsupported_claims_do_not_count_as_coverage() -> None:
    run = with_unsupported_prose(make_run())
    assert review_coverage(run).details["citations"] == review_coverage(make_run()).details["citations"]
    run.retrieval = None
    assert review_coverage(run).score is None


# --- grounding --------------------------------------------------------------------------------------------------


def test_grounding_does_not_apply_without_measurement() -> None:
    off = review_grounding(with_measurement_off(make_run()))
    assert off.score is None and "switched off" in off.rationale
    run = make_run()
    run.measurement = None
    assert review_grounding(run).score is None and "did not run" in review_grounding(run).rationale
    run = make_run()
    for claim in run.claims:
        claim.measurable, claim.empirical = [], []
    none_measurable = review_grounding(run)
    assert none_measurable.score is None and "none of the 11 claims" in none_measurable.rationale
    panel = review_report(with_measurement_off(make_run()))
    assert len([r for r in panel.reviews if r.score is not None]) == 3 and "left out: grounding" in panel.method


def test_contradicted_measurements_lower_grounding() -> None:
    before = review_grounding(make_run())
    after = review_grounding(with_inconsistent_measurement(make_run()))
    assert after.details["inconsistent"] == 1 and after.details["consistent"] == 1
    assert after.score == pytest.approx(10 / 3, abs=0.01) and before.score == pytest.approx(20 / 3, abs=0.01)
    assert "1 are CONSISTENT and 1 INCONSISTENT" in after.rationale
    assert review_report(with_inconsistent_measurement(make_run())).score < review_report(make_run()).score


# --- LM rubric judges (fake chat models) ------------------------------------------------------------------------


def test_rubric_judge_reads_the_report_and_parses_its_reply() -> None:
    chat = RecordingChat(responses=[reply(8, "Clear and\\n precise; every number names its baseline.")])
    review = review_rubric(make_run(), chat, "clarity")
    assert review.kind == "lm" and review.score == 8 and review.reviewer == "lm:RecordingChat:clarity"
    assert review.rationale == "Clear and precise; every number names its baseline."
    assert review.details["prompt"] == "review_clarity@1" and review.details["attempts"] == 1
    prompt = chat.prompts[-1]
    assert prompt.startswith(f"Question: {QUESTION}") and "Medusa-1 achieves over 2.2x speedup" in prompt
    assert "[4][5]" in prompt and "CLARITY" in prompt
    fenced = FakeListChatModel(responses=['Here you go:\n```json\n{"score": "7/10", "rationale": "Thin."}\n```'])
    assert review_rubric(make_run(), fenced, "completeness").score == 7


def test_rubric_judge_retries_once_then_gives_up_without_raising() -> None:
    second_time = FakeListChatModel(responses=["The report is fine, I would say 7.", reply(6)])
    review = review_rubric(make_run(), second_time, "completeness")
    assert review.score == 6 and review.details["attempts"] == 2
    for responses in (["no JSON at all", "still none"], [reply(14), reply(12)]):
        bad = review_rubric(make_run(), FakeListChatModel(responses=responses), "clarity")
        assert bad.score is None and bad.details["attempts"] == 2
        assert "no usable reply in 2 attempts" in bad.rationale
    dead = review_rubric(make_run(), DeadChat(responses=[""]), "clarity")
    assert dead.score is None and "could not be called" in dead.rationale and "refused" in dead.rationale


def test_panel_with_lm_judges_reports_their_agreement() -> None:
    chat = FakeListChatModel(responses=[reply(8), reply(6)])  # clarity, then completeness
    panel = review_report(make_run(), chat_model=chat)
    reviews = by_name(panel.reviews)
    assert reviews["clarity"].score == 8 and reviews["completeness"].score == 6
    assert panel.agreement == pytest.approx(0.8)  # 1 - |8 - 6| / 10
    assert panel.score == pytest.approx(statistics.fmean(r.score for r in panel.reviews if r.score is not None), 0.01)
    assert "unweighted mean of 6" in panel.method and "agreement" in panel.method
    run = make_run()
    run.review = panel
    assert run.usage["review"].lm_calls == 2 and run.total_usage.lm_calls >= 2  # the judges' calls are counted
    broken = review_report(make_run(), chat_model=FakeListChatModel(responses=["not json"]))
    assert broken.agreement is None and len(broken.reviews) == 7
    assert broken.score == pytest.approx(review_report(make_run()).score)  # the failed judges are left out


def test_agreement_and_aggregate_edge_cases() -> None:
    def lm(score: float | None) -> Review:
        return Review(reviewer="lm", aspect="a", score=score, rationale="r", kind="lm")

    assert judge_agreement([lm(7)]) is None and judge_agreement([lm(10), lm(0), lm(None)]) == 0.0
    assert judge_agreement([lm(9), lm(9), lm(6)]) == pytest.approx((1 + 0.7 + 0.7) / 3)
    empty = aggregate([Review(reviewer="grounding", aspect="a", score=None, rationale="r")])
    assert empty.score == 0.0 and "no reviewer could score" in empty.method


def test_report_text_is_cut_for_small_contexts() -> None:
    text = report_text(make_run(), max_words=20)
    assert text.endswith("[... report cut here for length]") and len(text.split()) < 30


# --- a real GGUF judge (slow) ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_rubric_judge_with_a_real_gguf_model(tmp_path_factory: pytest.TempPathFactory) -> None:
    """SmolLM2-135M (98 MB) through llama.cpp: the reply grammar keeps even the smallest model parseable."""
    pytest.importorskip("llama_cpp", reason="CMAKE_ARGS=\"$(synth models llama-cmake-args)\" pip install -e '.[llama]'")
    from synth.llm import make_chat_model
    from synth.settings import SynthSettings

    name = "smollm2-135m-instruct"
    home = Path(os.environ.get("SYNTH_REVIEW_LM_HOME") or tmp_path_factory.mktemp("review-lm-home"))
    proc = run_cli("models", "fetch", name, env={"SYNTH_HOME": str(home)})
    assert proc.returncode == 0, proc.stderr
    chat = make_chat_model(SynthSettings(home=home, models={"chat": name}, llm={"n_ctx": 2048}))
    panel = review_report(make_run(), chat_model=chat)
    judges = [r for r in panel.reviews if r.kind == "lm"]
    assert [r.reviewer for r in judges] == [f"lm:{name}-q4_1.gguf:clarity", f"lm:{name}-q4_1.gguf:completeness"]
    for judge in judges:
        assert judge.score is not None and 0 <= judge.score <= 10, judge.rationale
        assert judge.rationale and int(judge.details["input_tokens"] or 0) > 200  # the report was read
        assert len(judge.rationale) <= RATIONALE_CHARS  # bounded by the grammar, so no reply runs out of tokens
    assert panel.agreement is not None and 0 <= panel.agreement <= 1
