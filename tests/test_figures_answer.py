"""Reported figures, claim gates, the Answer and what a claim's check rests on: pure functions, no models,
no ../shared (fast unit tier)."""

from __future__ import annotations

import json

import pytest

from synth.claims.gates import claim_defect
from synth.core.claims import Claim, Evidence, Provenance, Verdict, VerdictLabel
from synth.core.run import ReportClaim
from synth.synthesize.answer import build_answer, facets, focus
from synth.synthesize.figures import SourceSentence, cross_check, figures_in, method_key
from tests.report_fixtures import sample_run

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`


def _read(text: str, systems: tuple[str, ...] = (), doc: str = "d", page: int = 1, known: frozenset[str] = frozenset()):
    return figures_in(SourceSentence(text, doc, page, systems, doc), known)


def test_figure_is_attributed_to_its_method_with_baseline_and_conditions() -> None:
    (f,) = _read(
        "EAGLE-2 achieves speedup ratios of 3.05x-4.26x over vanilla decoding on Vicuna-7B with a batch size of 1 "
        "on an A100.",
        ("EAGLE-2",),
    )
    assert f.method == "EAGLE-2" and f.primary and f.role == "gain" and f.span == (3.05, 4.26)
    assert f.baseline == "vanilla decoding" and "Vicuna-7B" in f.models and "A100" in f.hardware
    assert any("batch size" in s for s in f.setting)


def test_survey_figures_are_secondary_and_tilde_ranges_are_ranges() -> None:
    (f,) = _read(
        "Under greedy settings, EAGLE (Li et al., 2024) achieves the highest speedup ratio (1.8×∼2.4×) over "
        "autoregressive decoding across most subtasks."
    )
    assert f.method == "EAGLE" and not f.primary and f.span == (1.8, 2.4) and "greedy" in f.setting


def test_each_figure_takes_the_name_of_its_own_clause() -> None:
    figures = _read(
        "MEDUSA-1 can achieve over 2.2× speedup without compromising generation quality, while MEDUSA-2 further "
        "improves the speedup to 2.3-2.8×.",
        ("Medusa",),
        known=frozenset({"medusa"}),
    )
    assert [(f.method, f.shown(), f.primary) for f in figures] == [
        ("MEDUSA-1", "over 2.2x", True), ("MEDUSA-2", "2.3–2.8x", True),
    ]  # fmt: skip


def test_slowdowns_and_overheads_are_costs_not_speedups() -> None:
    (slow,) = _read("The PagedAttention kernel is up to 2.8x slower than FlashAttention-2.", ("vAttention",))
    assert slow.role == "cost"
    (ttft,) = _read("LoongServe shows a TTFT increase of up to 12.3x under the long-prompt workload.")
    assert ttft.role == "cost"


def test_names_of_models_benchmarks_and_units_are_not_methods() -> None:
    assert _read("Scattered reads reach 1.25 GiB/s versus 6.1 GiB/s for contiguous reads.") == []
    (cell,) = _read("Llama3-8BINST HiSpec Speedup (vs. Vanilla) CNN/DM 2.08×.", ("HiSpec",))
    assert cell.method == "HiSpec" and "CNN/DM" in cell.dataset


def test_double_quantization_is_a_name_not_a_2x_figure() -> None:
    from synth.core.quantities import extract_numbers

    assert [n.text for n in extract_numbers("Double Quantization saves 0.37 bits per parameter.")] == ["0.37 bits"]
    assert [n.value for n in extract_numbers("Bundling doubles the chunk size.")] == [2.0]


def test_cross_check_corroborates_and_contradicts_across_papers_only() -> None:
    own = _read("EAGLE achieves a 2.8x speedup over vanilla decoding on Vicuna-7B.", ("EAGLE",), doc="eagle")
    agree = _read("EAGLE reaches 2.7x over vanilla decoding on Vicuna-7B.", doc="survey")
    other = _read("EAGLE reaches only 1.6x over vanilla decoding on Vicuna-7B.", doc="bench")
    same_paper = _read("EAGLE achieves a 1.2x speedup on Vicuna-7B.", ("EAGLE",), doc="eagle")
    figures = cross_check(own + agree + other + same_paper)
    assert figures[0].check == "mixed" and "survey" in figures[0].check_note
    assert figures[1].check == "mixed" and figures[2].check == "contradicted"
    pair = cross_check(own + agree)
    assert [f.check for f in pair] == ["corroborated", "corroborated"]
    elsewhere = cross_check(_read("EAGLE reaches 1.6x on LLaMA2-Chat 70B.", doc="x") + own)
    assert elsewhere[0].check == "quoted"  # another model: not the same setting, nothing to compare
    assert method_key("EAGLE-2") == method_key("Eagle 2")


def test_claim_gates_name_the_defect() -> None:
    assert claim_defect("7.4 58 1.41x Vicuna-7B Vicuna-68M CNN-DM 2.1x speedup.") == "flattened table row"
    assert claim_defect("If the drafter forward latency is 6ms, then the speedup is 2.1x.") == (
        "hypothetical or worked example"
    )
    assert claim_defect("It achieves a 2x speedup over autoregressive decoding.") == "pronoun subject"
    assert claim_defect("The proposed method reduces latency by 40%.") == "unnamed subject ('the method')"
    assert claim_defect("Figure 3: Speedup of EAGLE on MT-bench.") == "caption fragment"
    assert claim_defect("EAGLE-2 achieves a 3.05x-4.26x speedup over vanilla decoding on MT-bench.") is None


def test_focus_follows_the_question_and_facets_are_read_from_it() -> None:
    assert focus("How much does speculative decoding speed up inference?")[0] == ("gain", "x", "speed-ups")
    assert focus("Can RL make LLM reasoning more accurate, and at what cost?")[0][0] == "quality"
    assert facets("at what cost (extra draft models or heads, training, memory, output quality)?") == [
        "draft models", "heads", "training", "memory", "output quality",
    ]  # fmt: skip


def test_answer_says_so_when_nothing_answers_the_question() -> None:
    run = sample_run()
    (only,) = build_answer(run, [], [])
    assert only.kind == "meta" and "does not answer" in only.text


def test_answer_and_figures_are_top_level_in_report_json(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from synth.render.reports import write_reports
    from synth.synthesize.synthesis import template_synthesis

    run = sample_run()
    run.synthesis = template_synthesis(run)
    write_reports(run, tmp_path, ["json", "md"])
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["answer"].startswith("- ") and isinstance(data["figures"], list)
    assert data["schema_version"] == 1 and data["claims"]
    md = (tmp_path / "report.md").read_text()
    assert md.index("## Answer") < md.index("## Abstract") < md.index("## 5 Claims")


def _checked(extractor: str, evidence_doc: str, label: str = "SUPPORTED") -> ReportClaim:
    claim = Claim(text="Medusa-1 reaches 2.2x.", provenance=Provenance(doc_id="medusa", page=3), extractor=extractor)
    verdict = Verdict(claim_id=claim.claim_id, label=VerdictLabel(label), confidence=0.9,
                      evidence=[Evidence(doc_id=evidence_doc, page=5, quote="Medusa-1 reaches 2.2x.")])  # fmt: skip
    return ReportClaim(number=1, claim=claim, verdict=verdict)


def test_a_sentence_matched_against_itself_is_quoted_not_verified() -> None:
    quoted = _checked("extractive", "medusa")
    assert quoted.checked == "quoted (p. 3)" and not quoted.independent
    other = _checked("extractive", "survey")
    assert other.checked == "corroborated by survey (p. 5)" and other.independent
    against = _checked("extractive", "survey", "REFUTED")
    assert against.checked.startswith("contradicted by survey")
    paraphrase = _checked("llm:qwen:extract@3", "medusa")
    assert paraphrase.checked == "checked against its source (p. 3)" and paraphrase.independent


def test_subject_of_the_question_and_what_the_papers_lack() -> None:
    from synth.synthesize.topic import subject_phrases, uncovered

    texts = ["EAGLE-3: speculative decoding with a draft head", "Medusa: Simple LLM inference acceleration"]
    assert subject_phrases("How much does speculative decoding speed up inference?", texts) == ["speculative decoding"]
    assert uncovered("How accurate is AlphaFold2 at predicting protein structures?", texts) == ["AlphaFold2"]
    assert uncovered("What do papers report about FlashAttention-3 on H100 GPUs?", texts) == ["FlashAttention-3"]
    both = "Can reinforcement learning or speculative decoding make reasoning cheaper?"
    assert subject_phrases(both, texts) == ["reinforcement", "speculative decoding"]
    assert uncovered(both, texts) == ["reinforcement"]


def test_off_topic_question_gets_no_findings_from_unrelated_claims() -> None:
    from synth.synthesize.synthesis import template_synthesis

    run = sample_run()
    run.question = "How accurate is AlphaFold2 at predicting protein structures?"
    s = template_synthesis(run)
    assert len(s.answer) == 1 and s.answer[0].kind == "meta" and "does not cover" in s.answer[0].text
    assert "AlphaFold2" in s.answer[0].text and s.figures == [] and s.results == []
    assert not any(x.claims for x in s.abstract)  # no claim is cited as a finding


def test_answer_reviewer_scores_facets_breadth_and_topic_and_zero_when_off_topic() -> None:
    from synth.review.answer import review_answer
    from synth.synthesize.synthesis import template_synthesis

    run = sample_run()
    run.synthesis = template_synthesis(run)
    review = review_answer(run)
    assert review.score is not None and 0 <= review.score <= 10 and review.details
    assert set(review.details) <= {"facets", "breadth", "on_topic"}
    run.question = "How accurate is AlphaFold2 at predicting protein structures?"
    run.synthesis = template_synthesis(run)
    off = review_answer(run)
    assert off.score == 0.0 and "does not cover" in off.rationale


def test_papers_that_do_not_name_the_subject_are_marked_off_topic() -> None:
    from synth.core.hits import Hit
    from synth.core.run import PaperRef
    from synth.pipeline.retrieval import mark_off_topic

    def paper(n: int, title: str, text: str) -> PaperRef:
        hit = Hit(chunk_id=f"d{n}:0", doc_id=f"d{n}", title=title, page_start=1, page_end=1, section="abstract",
                  char_start=0, char_end=len(text), text=text, score=1.0)  # fmt: skip
        return PaperRef(number=n, doc_id=f"d{n}", title=title, passages=[hit])

    papers = [
        paper(1, "EAGLE-2: Faster Inference", "Speculative decoding with dynamic draft trees reaches 3.05x."),
        paper(2, "Medusa", "Medusa heads for speculative decoding."),
        paper(3, "LLM in a flash", "Loading weights from flash memory with limited DRAM."),
    ]
    notes = mark_off_topic("How much does speculative decoding speed up LLM inference?", papers)
    assert [p.on_topic for p in papers] == [True, True, False] and "LLM in a flash" in notes[0]
    alone = [paper(1, "LLM in a flash", "flash memory"), paper(2, "GQA", "grouped-query attention")]
    assert mark_off_topic("How much does speculative decoding speed up inference?", alone) == []
    assert all(p.on_topic for p in alone)  # nobody names it: the Answer says the corpus lacks it, nothing marked


def test_a_multiple_of_something_else_is_not_a_speedup_and_does_not_contradict_one() -> None:
    """Medusa p. 22: "44x FLOP/s" is a compute-utilisation figure; read as a speed-up it 'contradicted' the
    1.48-2.42x other papers measure. It stays a figure, says what it multiplies, and is compared with nothing."""
    from synth.synthesize.figures import SourceSentence, cross_check, figures_in

    flops = figures_in(SourceSentence(
        "Compared to regular decoding, MEDUSA achieves 44× FLOP/s and 41× Operational Intensity under the setting "
        "of batch size 16.", "2401.10774", 22, ("MEDUSA",), "Medusa", paper=5,
    ))  # fmt: skip
    assert [(f.shown(), f.metric) for f in flops] == [("44x FLOP/s", "other"), ("41x Operational Intensity", "other")]
    measured = figures_in(SourceSentence(
        "Medusa reaches a 2.42x speedup over autoregressive decoding.", "2401.07851", 16, ("Spec-Bench",), "Xia",
        paper=1,
    ), frozenset({"medusa"}))  # fmt: skip
    assert [f.method for f in measured] == ["Medusa"]  # not the survey's own "Spec-Bench"
    assert [(f.metric, f.check) for f in cross_check(flops[:1] + measured)] == [
        ("other", "quoted"),
        ("speedup", "quoted"),
    ]


def test_the_topic_gate_keeps_papers_about_the_subject_not_those_sharing_a_word() -> None:
    """Self-verification: draft tokens' "verification" in a speculative-decoding paper and "Reinforcement Learning
    with Human Feedback" in a method section do not make a paper about the question; a chain-of-verification
    paper's abstract does, and the gate stays on though most retrieved papers are about something else."""
    from synth.synthesize.topic import PaperText, is_specific, names_subject, topic_gate

    question = "Can reinforcement learning or self-verification make LLM reasoning more accurate?"
    papers = [
        PaperText("R1: Incentivizing Reasoning via Reinforcement Learning", "", ["We apply RL to the base model."]),
        PaperText("Chain-of-Verification Reduces Hallucination", "We develop the Chain-of-Verification (CoVe) "
                  "method whereby the model drafts, plans verification questions and answers them. " * 5),
        PaperText("EAGLE-3: Scaling up Inference Acceleration", "Draft tokens are checked in parallel. " * 20,
                  ["Speculative sampling alternates between drafting and verification.", "The verification stage."]),
        PaperText("Medusa: Multiple Decoding Heads", "Medusa adds decoding heads and verifies candidates. " * 20,
                  ["The model may have gone through Reinforcement Learning with Human Feedback (RLHF)."]),
        PaperText("Chain-of-Thought Prompting Elicits Reasoning", "Prompting with exemplars improves reasoning. " * 20),
        PaperText("Plan-and-Solve Prompting", "Zero-shot prompting that plans before solving. " * 20),
        PaperText("Active Prompting with Chain-of-Thought", "Selecting uncertain questions to annotate. " * 20),
    ]  # fmt: skip
    gate = topic_gate(question, papers)
    assert gate.judged and gate.on_topic == [True, True, False, False, False, False, False]
    assert gate.subject == ["reinforcement learning", "self-verification"]
    assert names_subject(["self-verification"], "parallel verification of drafts")  # the loose reading stays
    assert not names_subject(["self-verification"], "parallel verification of drafts", compound_head=True)
    # Without a whole abstract, two retrieved passages naming the subject stand in for it (Step-3 on MoE).
    step3 = PaperText("Step-3 is Large yet Affordable", "", ["Step-3 is a 321B MoE model.", "MoE layers are sparse."])
    moe = topic_gate("How much compute do mixture-of-experts LLMs save?", [step3, PaperText("QLoRA", "4-bit. " * 80)])
    assert moe.judged and moe.on_topic == [True, False]
    # A generic subject cannot tell papers apart by wording: nothing is marked.
    assert not is_specific("LLM serving systems") and not is_specific("large language models")
    assert is_specific("speculative decoding") and is_specific("mixture-of-experts") and is_specific("AlphaFold2")
    two = [PaperText("vLLM", "LLM serving systems page the KV cache."), PaperText("FlexGen", "offload")]
    serving = topic_gate("How do LLM serving systems manage KV-cache memory?", two)
    assert not serving.judged and serving.on_topic == [True, True]
    # Nobody is about it: the Answer says the corpus lacks it, nothing is marked.
    lacking = topic_gate("How accurate is AlphaFold2 on CASP14?", [PaperText("Medusa", "decoding heads " * 40)])
    assert not lacking.judged and lacking.on_topic == [True]


def test_a_paper_that_writes_the_subject_as_an_acronym_names_it() -> None:
    from synth.synthesize.topic import names_subject

    assert names_subject(["mixture-of-experts"], "Step-3 is a 321B MoE model with attention-FFN disaggregation.")
    assert names_subject(["chain-of-thought"], "CoT prompting elicits reasoning.")
    assert names_subject(["retrieval-augmented generation"], "We evaluate RAG pipelines.")
    assert not names_subject(["mixture-of-experts"], "Moe is a name, and moe is not an acronym.")
    assert not names_subject(["speculative decoding"], "SD is two letters, too short to tell.")


def test_a_sibling_process_of_the_subject_names_it() -> None:
    """EAGLE-2 and EAGLE-3 write "speculative sampling", DSI "speculative inference": both are about speculative
    decoding; a shared generic or short modifier is not enough."""
    from synth.synthesize.topic import names_subject

    assert names_subject(["speculative decoding"], "EAGLE-2 accelerates speculative sampling.", compound_head=True)
    assert names_subject(["speculative decoding"], "Speculative inference (SI) algorithms", compound_head=True)
    assert not names_subject(["speculative decoding"], "a speculative estimate of the cost", compound_head=True)
    assert not names_subject(["parallel decoding"], "parallel computing on GPUs")  # not a sibling process
    assert not names_subject(["large models"], "large inference")  # no sibling of "models"


def test_papers_about_the_subject_ranked_lower_replace_off_topic_ones() -> None:
    """For a speculative-decoding question, "LLM in a flash" ranked 2nd is listed as off topic and the EAGLE
    paper ranked 4th is read instead of being cut at the paper budget."""
    from synth.core.hits import Hit
    from synth.core.run import PaperRef
    from synth.pipeline.retrieval import choose_papers

    def paper(n: int, title: str, text: str) -> PaperRef:
        hit = Hit(chunk_id=f"d{n}:0", doc_id=f"d{n}", title=title, page_start=1, page_end=1, section="abstract",
                  char_start=0, char_end=len(text), text=text, score=1.0)  # fmt: skip
        return PaperRef(number=n, doc_id=f"d{n}", title=title, passages=[hit])

    candidates = [
        paper(1, "Medusa", "Medusa heads for speculative decoding."),
        paper(2, "LLM in a flash", "Loading weights from flash memory with limited DRAM."),
        paper(3, "GQA", "Grouped-query attention for faster decoder inference."),
        paper(4, "EAGLE", "EAGLE: speculative sampling requires rethinking feature uncertainty."),
        paper(5, "PEARL", "Parallel speculative decoding with adaptive draft length."),
    ]
    chosen, notes = choose_papers("How much does speculative decoding speed up LLM inference?", candidates, 3)
    assert [p.title for p in chosen] == ["Medusa", "LLM in a flash", "GQA", "EAGLE", "PEARL"]
    assert [p.on_topic for p in chosen] == [True, False, False, True, True]
    assert [p.number for p in chosen] == [1, 2, 3, 4, 5]
    assert "not about speculative decoding" in notes[0] and "2 paper(s)" in notes[1]
    generic = [paper(1, "vLLM", "paging"), paper(2, "FlexGen", "offloading"), paper(3, "Orca", "batching")]
    kept, none = choose_papers("How do LLM serving systems manage memory?", generic, 2)
    assert [p.title for p in kept] == ["vLLM", "FlexGen"] and none == []


def test_every_paper_with_findings_is_heard_in_the_answer() -> None:
    """Reinforcement learning or self-verification: when the themes are filled by the RL paper's claims, the
    self-verification paper's best finding (a figure first) still enters the Answer, once, cited."""
    from synth.synthesize.answer import unseen_papers_sentence

    def rc(number: int, paper: int, text: str) -> ReportClaim:
        from synth.core.quantities import extract_numbers

        claim = Claim(text=text, provenance=Provenance(doc_id=f"p{paper}", page=1), extractor="extractive",
                      numbers=extract_numbers(text))  # fmt: skip
        return ReportClaim(number=number, claim=claim, paper=paper)

    claims = [
        rc(1, 1, "DeepSeek-R1 achieves 79.8% Pass@1 on AIME 2024."),
        rc(2, 2, "Independent verification questions tend to provide more accurate facts."),
        rc(3, 2, "FACTSCORE increases 28% (55.9 → 71.4) from the few-shot baseline."),
    ]
    sentence = unseen_papers_sentence(claims, used={1})
    assert sentence is not None and sentence.claims == [3] and sentence.text.startswith("Also found: FACTSCORE")
    assert unseen_papers_sentence(claims, used={1, 2}) is None  # paper 2 is cited already


def test_a_method_the_papers_read_name_brings_its_own_paper() -> None:
    """EAGLE-3's abstract compares with EAGLE-2: EAGLE-2's own paper, ranked beyond the budget, is read too;
    EAGLE is not named by 'EAGLE-2', and a paper nobody names stays out."""
    from synth.core.hits import Hit
    from synth.core.run import PaperRef
    from synth.pipeline.retrieval import cited_primaries, title_name

    def paper(n: int, title: str, text: str) -> PaperRef:
        hit = Hit(chunk_id=f"d{n}:0", doc_id=f"d{n}", title=title, page_start=1, page_end=1, section="abstract",
                  char_start=0, char_end=len(text), text=text, score=1.0)  # fmt: skip
        return PaperRef(number=n, doc_id=f"d{n}", title=title, passages=[hit])

    assert title_name("EAGLE-2: Faster Inference of Language Models") == "EAGLE-2"
    assert title_name("DISTRIBUTED SPECULATIVE INFERENCE (DSI): SPECULATION PARALLELISM") == "DSI"
    assert title_name("3-Model Speculative Decoding") is None
    chosen = [paper(1, "EAGLE-3: Scaling up", "EAGLE-3 reaches 6.5x, about 1.4x over EAGLE-2.")]
    rest = [paper(2, "EAGLE: Speculative Sampling", "feature uncertainty"), paper(3, "EAGLE-2: Faster", "trees"),
            paper(4, "PEARL: Parallel", "adaptive draft length")]  # fmt: skip
    assert [p.title for p in cited_primaries(chosen, rest, limit=5)] == ["EAGLE-2: Faster"]
    assert cited_primaries(chosen, rest, limit=0) == []


def test_a_facet_is_spoken_to_by_its_word_not_by_a_generic_one() -> None:
    from synth.core.facets import facet_mentioned

    assert facet_mentioned("training", "EAGLE's draft is trained in 1-2 days on 4x A100")
    assert facet_mentioned("draft models", "a small draft model proposes tokens")
    assert not facet_mentioned("draft models", "the target model verifies")  # 'models' alone is no facet
    assert facet_mentioned("output quality", "without compromising generation quality")
    assert not facet_mentioned("memory", "throughput rises 2x")
