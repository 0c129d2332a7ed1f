"""One verification path: the evidence policy, `verify_claim`, and the same verdict from audit and eval."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

from synth.core.hits import Hit
from synth.verify.aggregate import content_words
from synth.verify.label_model import load_label_models, shipped_models_path
from synth.verify.service import (
    SAME_SYSTEM_ONLY,
    SOURCE_NOT_AVAILABLE,
    EvidencePolicy,
    VerifyContext,
    audit_policy,
    passages_for_policy,
    source_text,
    verify_claim,
)
from synth.verify.verifier import Passage, Verifier

CLAIM = "Medusa-2 achieves a 2.8x speedup on Vicuna-7B."
PAGES = {
    "medusa": "Medusa-2 reaches a 2.8x speedup on Vicuna-7B over autoregressive decoding in our experiments.",
    "eagle": "EAGLE reaches a 3.0x speedup on Vicuna-7B, faster than Medusa-1 on the same model and hardware.",
    "survey": "Speculative decoding: Medusa-2 is reported to reach a 2.8x speedup on Vicuna-7B by its authors.",
    "other": "Medusa-2 reaches a 2.1x speedup on Llama-2-70B with tree attention.",
    "unrelated": "Quantisation to 4 bits reaches a 2.8x speedup on a consumer GPU for 7B models.",
}


@dataclass
class FakeCatalog:
    texts: dict[str, str]  # one page per document
    missing: set[str] = field(default_factory=set)

    def documents(self) -> list[SimpleNamespace]:
        return [SimpleNamespace(doc_id=d, title=f"Paper {d}") for d in self.texts]

    def get_document(self, doc_id: str) -> SimpleNamespace | None:
        found = doc_id in self.texts and doc_id not in self.missing
        return SimpleNamespace(doc_id=doc_id, sections=[]) if found else None

    def page_text(self, doc_id: str, number: int) -> str | None:
        return self.texts.get(doc_id)

    def pages(self, doc_id: str) -> list[SimpleNamespace]:
        return [SimpleNamespace(number=1, text=self.texts[doc_id])] if doc_id in self.texts else []


class FakeRetriever:
    """One chunk per paper, ranked by the claim's words they share; records what it was asked."""

    def __init__(self, pages: dict[str, str]) -> None:
        self.catalog = FakeCatalog(pages)
        self.embedder = None
        self.calls: list[set[str] | None] = []

    def search(self, query: str, k: int = 8, doc_ids: set[str] | None = None, per_doc_cap: int | None = None):
        self.calls.append(doc_ids)
        words = content_words(query)
        hits = [
            Hit(chunk_id=f"{d}#0", doc_id=d, title=f"Paper {d}", page_start=1, page_end=1, section="body",
                char_start=0, char_end=len(t), text=t, score=len(words & content_words(t)))
            for d, t in self.catalog.texts.items() if doc_ids is None or d in doc_ids
        ]  # fmt: skip
        return sorted(hits, key=lambda h: -h.score)[:k]


@pytest.fixture()
def context() -> VerifyContext:
    verifier = Verifier(load_label_models(shipped_models_path()))
    return VerifyContext.of(verifier, FakeRetriever(PAGES))


def test_given_passages_then_the_source_then_the_rest_of_the_corpus(context: VerifyContext) -> None:
    given = Passage("medusa", "Medusa-2 reaches a 2.8x speedup.", 1)
    policy = EvidencePolicy(source_doc_ids={"other"}, given=(given,), k=4)
    passages = passages_for_policy(CLAIM, policy, context)
    assert passages[0] is given and passages[1].doc_id == "other"
    assert context.retriever.calls[0] == {"other"}  # the source is searched on its own first
    assert {p.doc_id for p in passages[2:]} <= set(PAGES) and len(passages) > 2


def test_with_a_source_other_papers_count_only_on_the_same_system_and_setting(context: VerifyContext) -> None:
    """A figure of a paper about something else neither confirms nor refutes the claim (quantisation's 2.8x on a
    consumer GPU, EAGLE's 3.0x on Vicuna-7B): they are kept as the closest passages, not read."""
    from synth.verify.service import gather_evidence

    evidence = gather_evidence(CLAIM, EvidencePolicy(source_doc_ids={"other"}, k=8), context)
    assert {p.doc_id for p in evidence.passages} == {"other", "medusa", "survey"}
    assert {p.doc_id for p in evidence.closest} == {"eagle", "unrelated"} and not evidence.source_unavailable
    # No source to read first: the corpus is the evidence, as for a bare claim checked against it.
    assert {p.doc_id for p in passages_for_policy(CLAIM, EvidencePolicy(k=8), context)} == set(PAGES)


def test_an_excluded_paper_is_never_evidence_even_as_a_source(context: VerifyContext) -> None:
    policy = EvidencePolicy(source_doc_ids={"medusa"}, exclude={"medusa"}, k=8)
    assert "medusa" not in {p.doc_id for p in passages_for_policy(CLAIM, policy, context)}
    assert "medusa" not in {w.doc_id for w in verify_claim(CLAIM, policy, context).best}


def test_gold_evidence_only_searches_nothing(context: VerifyContext) -> None:
    policy = EvidencePolicy(given=(Passage("p#0", "text", whole=True),), search_corpus=False)
    assert [p.doc_id for p in passages_for_policy(CLAIM, policy, context)] == ["p#0"]
    assert context.retriever.calls == []


def test_source_missing_admits_only_papers_about_the_same_system_and_setting(context: VerifyContext) -> None:
    policy = EvidencePolicy(source_missing=True, exclude={"medusa"}, k=8)
    passages = passages_for_policy(CLAIM, policy, context)
    # "eagle" names Vicuna-7B but not Medusa-2; "other" names Medusa-2 on another model; "unrelated" neither.
    assert {p.doc_id for p in passages} == {"survey"}
    result = verify_claim(CLAIM, policy, context)
    assert SAME_SYSTEM_ONLY in result.checks and SOURCE_NOT_AVAILABLE not in result.checks


def test_source_not_available_is_not_enough_info_with_the_closest_passage(context: VerifyContext) -> None:
    policy = EvidencePolicy(source_missing=True, exclude={"medusa", "survey"}, k=8)
    assert passages_for_policy(CLAIM, policy, context) == []
    result = verify_claim(CLAIM, policy, context)
    assert result.label == "NOT_ENOUGH_INFO" and SOURCE_NOT_AVAILABLE in result.checks
    assert len(result.best) == 1 and result.best[0].doc_id in {"eagle", "other", "unrelated"}
    assert result.best[0].text in PAGES[result.best[0].doc_id]
    # 2-way: the no-evidence label is NOT_SUPPORTED whatever the model would pick on no evidence.
    assert verify_claim(CLAIM, policy, context, task="2way").label == "NOT_SUPPORTED"


def test_a_claim_without_a_named_system_has_no_substitute_source(context: VerifyContext) -> None:
    result = verify_claim("The method is faster than the baseline.", EvidencePolicy(source_missing=True), context)
    assert result.label == "NOT_ENOUGH_INFO" and SOURCE_NOT_AVAILABLE in result.checks


def test_the_source_papers_whole_text_says_which_models_it_never_names(context: VerifyContext) -> None:
    """Every caller reads the source paper through the policy: a model it never names is flagged unnamed."""
    policy = EvidencePolicy(source_doc_ids={"other"}, k=2)
    assert "Llama-2-70B" in source_text(policy, context)
    named = verify_claim("Medusa-2 reaches a 2.1x speedup on Llama-2-70B with tree attention.", policy, context)
    never = verify_claim("Medusa-2 reaches a 2.1x speedup on Mixtral-8x7B with tree attention.", policy, context)
    assert named.features["al_unnamed"] == 0.0 and never.features["al_unnamed"] == 1.0
    assert source_text(EvidencePolicy(source_doc_ids={"other"}, exclude={"other"}), context) == ""


def test_audit_policy_sources_exclusion_and_missing_sources() -> None:
    assert audit_policy({"a", "b"}, {"b"}, True, 6) == EvidencePolicy(source_doc_ids={"a"}, exclude={"b"}, k=6)
    assert audit_policy(set(), set(), True, 6).source_missing
    assert not audit_policy(set(), set(), False, 6).source_missing  # cites nothing: the whole corpus counts


def test_attributed_claims_are_not_refuted_by_their_own_sentence(context: VerifyContext) -> None:
    given = (Passage("medusa", PAGES["medusa"], 1),)
    plain = verify_claim(CLAIM, EvidencePolicy(given=given, search_corpus=False), context)
    conditioned = verify_claim(CLAIM, EvidencePolicy(given=given, search_corpus=False, attributed=True), context)
    # The label model already gives REFUTED no mass without a named mismatch (`label_model.gate`);
    # attribution conditioning must hold either way and is recorded only when asked for.
    assert "attribution" not in plain.checks
    assert conditioned.probabilities["REFUTED"] == 0.0 and conditioned.label != "REFUTED"
    assert ("attribution" in conditioned.checks) == (plain.probabilities["REFUTED"] > 0)


@pytest.mark.slow
def test_audit_and_eval_give_the_same_verdict_for_the_same_claim(corpus_settings, retriever, tmp_path: Path) -> None:  # noqa: ANN001
    """A report citing vLLM's paper, audited; the same claim as a labelled pair naming that paper, evaluated."""
    from synth.audit.inputs import read_audit_input
    from synth.audit.run import run_audit
    from synth.cli.eval_cmd import _outcomes
    from synth.eval.datasets import THREE_WAY, LabelledPair, LabelledSet
    from synth.eval.verify_eval import pair_policy, pick_model, predict_outcome, task_of
    from synth.pipeline.context import RunContext

    claim = "vLLM improves the throughput of popular LLMs by 2-4x with the same level of latency compared to Orca."
    report = tmp_path / "report.md"
    report.write_text(
        f"# vLLM\n\n| Claim | Verified | Confidence |\n|---|---|---|\n| {claim} | ✓ | 0.9 |\n\n"
        "## References\n\n- https://arxiv.org/abs/2309.06180\n"
    )
    ctx = RunContext.build(corpus_settings, retriever=retriever)
    audit = run_audit(read_audit_input(report), ctx, judge=False)
    audited = audit.claims[0]

    pair = LabelledPair(pair_id="vllm", claim=claim, label="SUPPORTED", arxiv_id="2309.06180")
    data = LabelledSet(name="one", labels=THREE_WAY, pairs=[pair])
    k = corpus_settings.verify.candidate_chunks
    assert pair_policy(pair, "2309.06180", k) == audit_policy({"2309.06180"}, set(), False, k)
    outcomes = _outcomes(corpus_settings, data, None, judge=False, quiet=True, notes=[])
    picked = pick_model(load_label_models(corpus_settings.verify.calibration), task_of(data), outcomes[0].features)
    assert picked is not None
    label, confidence, _ = predict_outcome(outcomes[0], picked[0], data.labels)

    assert audited.verdict.label.value == label
    assert audited.verdict.confidence == pytest.approx(confidence, abs=1e-3)
    assert audited.verdict.evidence and audited.verdict.evidence[0].doc_id == "2309.06180"
