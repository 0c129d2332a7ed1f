"""Reported figures, claim gates, the Answer and what a claim's check rests on: pure functions, no models,
no ../shared (fast unit tier)."""

from __future__ import annotations

import json

import pytest

from synth.claims.gates import claim_defect
from synth.core.claims import Claim, Evidence, Provenance, Verdict, VerdictLabel
from synth.core.hits import Hit
from synth.core.run import PaperRef, ReportClaim
from synth.synthesize.answer import _figure_phrase, build_answer, facets, focus
from synth.synthesize.figures import SourceSentence, cross_check, figures_in, method_key
from tests.report_fixtures import sample_run

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`


def _paper(n: int, title: str, text: str) -> PaperRef:
    """A retrieved paper whose one passage is its abstract."""
    hit = Hit(chunk_id=f"d{n}:0", doc_id=f"d{n}", title=title, page_start=1, page_end=1, section="abstract",
              char_start=0, char_end=len(text), text=text, score=1.0)  # fmt: skip
    return PaperRef(number=n, doc_id=f"d{n}", title=title, passages=[hit])


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
    (kernel,) = _read("A higher block size for vLLM increases its kernel latency by up to 1.9x.", ("vLLM",))
    assert kernel.role == "cost" and kernel.metric == "latency"
    (gain,) = _read("vLLM increases its throughput by up to 1.9x.", ("vLLM",))
    assert gain.role == "gain"


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
    row = "Training data Speedup τ Fixed dataset 2.78x 3.62 Data generated by target LLM 2.88x 3.75 performance."
    assert claim_defect(row) == "flattened table row"  # EAGLE p. 9: two cells side by side, twice
    assert claim_defect("FACTSCORE increases 28% (55.9 → 71.4) from the few-shot baseline.") is None
    assert claim_defect("If the drafter forward latency is 6ms, then the speedup is 2.1x.") == (
        "hypothetical or worked example"
    )
    assert claim_defect("With NVLink, the time to move the KV cache is 0.13/300 ≈ 0.43ms.") == (
        "hypothetical or worked example"
    )  # a calculation written out (PEARL's appendix), not a measured finding
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
    from synth.pipeline.retrieval import mark_off_topic

    papers = [
        _paper(1, "EAGLE-2: Faster Inference", "Speculative decoding with dynamic draft trees reaches 3.05x."),
        _paper(2, "Medusa", "Medusa heads for speculative decoding."),
        _paper(3, "LLM in a flash", "Loading weights from flash memory with limited DRAM."),
    ]
    notes = mark_off_topic("How much does speculative decoding speed up LLM inference?", papers)
    assert [p.on_topic for p in papers] == [True, True, False] and "LLM in a flash" in notes[0]
    alone = [_paper(1, "LLM in a flash", "flash memory"), _paper(2, "GQA", "grouped-query attention")]
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
    assert not serving.judged and serving.generic and serving.on_topic == [True, True]
    # Nobody is about it: the Answer says the corpus lacks it, nothing is marked.
    lacking = topic_gate("How accurate is AlphaFold2 on CASP14?", [PaperText("Medusa", "decoding heads " * 40)])
    assert not lacking.judged and not lacking.generic and lacking.on_topic == [True]


def test_an_abstract_mention_needs_the_subject_to_recur_in_the_body() -> None:
    """DeepSeek-V2's abstract lists "Supervised Fine-Tuning (SFT) and Reinforcement Learning (RL)" among its
    training steps in its sixth sentence; 6 of its 84 body passages name RL, so it is not a paper about
    reinforcement learning.
    Medusa's abstract names speculative decoding and 12 of its 71 passages do: it is one."""
    from synth.synthesize.topic import PaperText, about_subject

    v2 = PaperText(
        "DeepSeek-V2: A Strong, Economical, and Efficient Mixture-of-Experts Language Model",
        "We present DeepSeek-V2, a strong MoE language model. It comprises 236B total parameters. It adopts MLA "
        "and DeepSeekMoE. It saves 42.5% of training costs. We pretrain it on 8.1T tokens. We further perform "
        "Supervised Fine-Tuning and Reinforcement Learning to fully unlock its potential.",
        body=["We apply reinforcement learning to align the chat model."] * 6 + ["MLA compresses the KV cache."] * 78,
    )
    assert not about_subject(["reinforcement learning"], v2)
    assert about_subject(["reinforcement learning"], PaperText(v2.title, v2.abstract))  # no body: the abstract
    medusa = PaperText(
        "Medusa: Simple LLM Inference Acceleration Framework with Multiple Decoding Heads",
        "While methods such as speculative decoding have been suggested, a draft model is hard to maintain.",
        body=["Speculative decoding uses a draft model."] * 12 + ["Medusa heads predict later tokens."] * 59,
    )
    assert about_subject(["speculative decoding"], medusa)
    titled = PaperText("EAGLE: Speculative Sampling Requires Rethinking Feature Uncertainty", body=["x"] * 50)
    assert about_subject(["speculative decoding"], titled)  # the title names it: the body is not counted
    # The abstract's opening says what the paper is: DeepSeek-Coder-V2 is an MoE model though 2 of its 38
    # passages name MoE (its paper is about code).
    coder = PaperText(
        "DeepSeek-Coder-V2: Breaking the Barrier of Closed-Source Models in Code Intelligence",
        "We present DeepSeek-Coder-V2, an open-source Mixture-of-Experts (MoE) code language model. It is "
        "further pre-trained from an intermediate checkpoint of DeepSeek-V2.",
        body=["MoE layers route tokens."] * 2 + ["Code completion results."] * 36,
    )
    assert about_subject(["mixture-of-experts"], coder)


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
    from synth.pipeline.retrieval import choose_papers

    candidates = [
        _paper(1, "Medusa", "Medusa heads for speculative decoding."),
        _paper(2, "LLM in a flash", "Loading weights from flash memory with limited DRAM."),
        _paper(3, "GQA", "Grouped-query attention for faster decoder inference."),
        _paper(4, "EAGLE", "EAGLE: speculative sampling requires rethinking feature uncertainty."),
        _paper(5, "PEARL", "Parallel speculative decoding with adaptive draft length."),
    ]
    chosen, notes = choose_papers("How much does speculative decoding speed up LLM inference?", candidates, 3)
    assert [p.title for p in chosen] == ["Medusa", "LLM in a flash", "GQA", "EAGLE", "PEARL"]
    assert [p.on_topic for p in chosen] == [True, False, False, True, True]
    assert [p.number for p in chosen] == [1, 2, 3, 4, 5]
    assert "not about speculative decoding" in notes[0] and "2 paper(s)" in notes[1]
    generic = [_paper(1, "vLLM", "paging"), _paper(2, "FlexGen", "offloading"), _paper(3, "Orca", "batching")]
    kept, none = choose_papers("How do LLM serving systems manage memory?", generic, 2)
    assert [p.title for p in kept] == ["vLLM", "FlexGen"] and none == []


def test_a_generic_subject_marks_papers_far_from_the_question() -> None:
    """ "Can large language models be run on a single GPU?" names nothing the gate can tell papers by; a paper whose
    abstract is far less like the question than the closest paper's is listed off topic, none pulled from below
    the budget in its place, and the gate goes both ways: close papers stay, whatever their rank."""
    from synth.pipeline.retrieval import choose_papers
    from synth.synthesize.topic import far_from_question

    assert far_from_question([0.42, 0.38, 0.21, 0.36]) == [False, False, True, False]
    assert far_from_question([0.0, 0.0]) == [False, False] and far_from_question([]) == []
    papers = [_paper(1, "FlexGen", "Offloading large language models."),
              _paper(2, "PipeSpec", "Pipelined drafting for large language models."),
              _paper(3, "QLoRA", "4-bit finetuning of large language models."),
              _paper(4, "Mooncake", "A KV cache for serving large language models.")]  # fmt: skip
    question = "Can large language models be run on limited hardware such as a single GPU?"
    measured: list[list[str]] = []

    def closeness(shown: list) -> list[float]:
        measured.append([p.title for p in shown])
        return [{"FlexGen": 0.40, "PipeSpec": 0.20, "QLoRA": 0.42, "Mooncake": 0.41}[p.title] for p in shown]

    chosen, notes = choose_papers(question, papers, 3, closeness=closeness)
    assert measured == [["FlexGen", "PipeSpec", "QLoRA"]]  # only the papers within the budget are embedded
    assert [p.title for p in chosen] == ["FlexGen", "PipeSpec", "QLoRA"]
    assert [p.on_topic for p in chosen] == [True, False, True]
    assert "far from the question" in notes[0] and "PipeSpec" in notes[0]
    fresh = [_paper(1, "FlexGen", "Offloading large language models."),
             _paper(2, "QLoRA", "4-bit finetuning of large language models.")]  # fmt: skip
    assert choose_papers(question, fresh, 2, closeness=lambda shown: [0.40, 0.42])[1] == []
    for other in (
        "How much does speculative decoding speed up inference?",  # specific: judged by its words
        "How accurate is AlphaFold2 at predicting structures?",
    ):  # no paper names it: uncovered
        choose_papers(other, fresh, 2, closeness=closeness)
    assert len(measured) == 1  # neither embeds anything
    assert choose_papers(question, fresh, 2)[1] == []  # nothing measured, nothing marked


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
    from synth.claims.extract.subject import system_name
    from synth.pipeline.retrieval import cited_primaries

    assert system_name("EAGLE-2: Faster Inference of Language Models", "") == "EAGLE-2"
    assert system_name("DISTRIBUTED SPECULATIVE INFERENCE (DSI): SPECULATION PARALLELISM", "") == "DSI"
    chosen = [_paper(1, "EAGLE-3: Scaling up", "EAGLE-3 reaches 6.5x, about 1.4x over EAGLE-2.")]
    rest = [_paper(2, "EAGLE: Speculative Sampling", "feature uncertainty"), _paper(3, "EAGLE-2: Faster", "trees"),
            _paper(4, "PEARL: Parallel", "adaptive draft length")]  # fmt: skip
    assert [p.title for p in cited_primaries(chosen, rest, limit=5)] == ["EAGLE-2: Faster"]
    assert cited_primaries(chosen, rest, limit=0) == []


def test_a_facet_is_spoken_to_by_its_word_not_by_a_generic_one() -> None:
    from synth.core.facets import facet_mentioned

    assert facet_mentioned("training", "EAGLE's draft is trained in 1-2 days on 4x A100")
    assert facet_mentioned("draft models", "a small draft model proposes tokens")
    assert not facet_mentioned("draft models", "the target model verifies")  # 'models' alone is no facet
    assert facet_mentioned("output quality", "without compromising generation quality")
    assert not facet_mentioned("memory", "throughput rises 2x")


def test_a_figure_belongs_to_the_subject_not_to_the_systems_it_is_compared_with() -> None:
    """DeepSeek-R1 p. 4: the 28.9% is the distilled model's, not Claude-3.5-Sonnet's (it was given to
    'Claude-3', cut at '.5'); 'faster than Medusa by 1.6x' is EAGLE's; a name before the comparison keeps it."""
    known = frozenset({"deepseekr1", "eagle", "medusa"})

    def methods(text: str) -> list[str | None]:
        found = figures_in(SourceSentence(text, "2501.12948", 4, ("DeepSeek-R1",), "DeepSeek-R1", paper=1), known)
        return [f.method for f in found]

    distilled = "DeepSeek-R1-Distill-Qwen-1.5B outperforms GPT-4o and Claude-3.5-Sonnet on math with 28.9% on AIME."
    assert methods(distilled) == ["DeepSeek-R1-Distill-Qwen-1.5B"]
    assert methods("EAGLE is faster than Medusa by 1.6x on MT-bench.") == ["EAGLE"]
    assert methods("Compared with Medusa, EAGLE achieves a 1.5x speedup.") == ["EAGLE"]
    assert methods("EAGLE outperforms Lookahead, Medusa and PLD with 2.7x.") == ["EAGLE"]


def test_doubling_something_other_than_speed_is_not_a_speedup() -> None:
    """CoVe p. 7: 'more than doubles the precision' was listed as CoVe's speed-up; halving the latency stays one."""
    text = "CoVe more than doubles the precision from the Llama 65B few-shot baseline (from 0.17 to 0.36)."
    found = figures_in(SourceSentence(text, "2309.11495", 7, ("CoVe",), "CoVe", paper=1), frozenset({"cove"}))
    doubled = [f for f in found if f.unit == "x"]
    assert doubled and doubled[0].metric == "other" and doubled[0].multiplies == "precision"


def test_a_figure_stated_as_a_comparison_keeps_its_word_in_the_answer() -> None:
    from synth.synthesize.answer import _headline_phrase

    text = "EAGLE-2 achieves speedup ratios 3.05x-4.26x, which is 20%-40% faster than EAGLE-1."
    found = figures_in(SourceSentence(text, "2406.16858", 1, ("EAGLE-2",), "EAGLE-2", paper=1), frozenset({"eagle2"}))
    phrase = _headline_phrase("EAGLE-2", found, [("gain", "x")])
    assert "20–40% faster than EAGLE-1" in phrase and "latency" not in phrase


def test_a_multiple_of_a_size_is_not_a_speedup() -> None:
    """EAGLE p. 4: 'the classification loss is an order of magnitude larger than the regression loss' was
    listed as one of EAGLE's speed-ups."""
    known = frozenset({"eagle"})

    def metrics(text: str) -> list[str]:
        return [f.metric for f in figures_in(SourceSentence(text, "2401.15077", 4, ("EAGLE",), "EAGLE"), known)]

    assert metrics("The loss of EAGLE is an order of magnitude larger than the regression loss.") == ["other"]
    assert metrics("EAGLE uses 3x larger draft trees.") == ["other"]
    assert metrics("EAGLE achieves a 2.7x speedup and more stable outputs.") == ["speedup"]


def test_figures_against_different_baselines_neither_corroborate_nor_contradict() -> None:
    """EAGLE's own '1.5x-1.6x faster than Medusa' was 'mixed' against Spec-Bench's 1.8-2.4x over autoregressive
    decoding; a baseline ends at a dash ('faster than SD—but exhibits ...' gave a 60-character baseline)."""
    own = figures_in(SourceSentence("On MT-bench, EAGLE is 2.1x-3.8x faster than vanilla autoregressive decoding, "
                                    "and 1.5x-1.6x faster than Medusa.", "2401.15077", 9, ("EAGLE",), "EAGLE"),
                     frozenset({"eagle", "medusa"}))  # fmt: skip
    other = figures_in(SourceSentence("Under greedy settings, EAGLE achieves a speedup ratio of 1.8x-2.4x over "
                                      "autoregressive decoding, especially in math (with a 2.4x speedup).",
                                      "2401.07851", 8, (), "Spec-Bench"), frozenset({"eagle"}))  # fmt: skip
    assert [f.baseline for f in other] == ["autoregressive decoding", None]  # the unnamed one: the usual
    checked = {f.baseline: f.check for f in cross_check(own + other) if f.doc_id == "2401.15077"}
    assert checked == {"vanilla autoregressive decoding": "corroborated", "Medusa": "quoted"}
    psdf = figures_in(SourceSentence("PSDF delivers even greater acceleration—up to 1.91× faster than SD—but "
                                     "exhibits a larger standard deviation.", "2510.12966", 5, (), "PyramidSD"),
                      frozenset({"psdf"}))  # fmt: skip
    assert [f.baseline for f in psdf] == ["SD"]


def test_a_size_in_a_models_name_is_not_a_cost() -> None:
    """DeepSeek-R1's distilled model's AIME score was listed under "Costs and limits" because of the 1.5B in its
    name; a size stated as such ("0.5B attention parameters") still is one."""
    from synth.core.quantities import extract_numbers
    from synth.synthesize.themes import theme_of

    def theme(text: str) -> str:
        return theme_of(Claim(text=text, numbers=extract_numbers(text)))

    assert (
        theme(
            "DeepSeek-R1-Distill-Qwen-1.5B outperforms GPT-4o and Claude-3.5-Sonnet on math benchmarks with 28.9% "
            "on AIME and 83.9% on MATH."
        )
        == "gains"
    )
    assert theme("DeepSeekMoE 16B has only about 0.5B attention parameters, while DeepSeek 7B has 2.5B.") == "costs"
    assert (
        theme(
            "CoVe provides large gains in precision on the list-based tasks, e.g. more than doubles the precision "
            "from the Llama 65B few-shot baseline for the Wikidata task (from 0.17 to 0.36)."
        )
        != "costs"
    )


def test_the_costs_line_leads_with_a_stated_cost_not_a_contrast() -> None:
    """The RL question's "Costs and limits" quoted "PerplexityAI still outperforms CoVe ..., but ..." (a contrast) and
    left out CoVe's "at the cost of increased computational expense" because it came later in the paper."""
    from synth.synthesize.answer import theme_sentence

    texts = [
        "PerplexityAI still outperforms CoVe for very rare facts where retrieval is essential, but CoVe outperforms "
        "PerplexityAI for more frequent facts.",
        "Some models produce less overall facts than others, however the FACTSCORE metric is normalized.",
        "CoVe's verifications come at the cost of increased computational expense due to generating more tokens.",
    ]
    claims = [ReportClaim(number=i + 1, claim=Claim(text=t), paper=3) for i, t in enumerate(texts)]
    sentence = theme_sentence(claims, "costs", "Costs and limits:")
    assert sentence is not None and sentence.claims[0] == 3


def test_the_costs_line_gives_each_methods_own_cost() -> None:
    """ "At what cost": the speculative-decoding answer quoted HiSpec's remark that verification is the bottleneck
    of prior work and left out EAGLE's own training cost (1-2 days on an A100) because EAGLE's paper came last;
    one cost per paper, a method's own stated cost first."""
    from synth.core.quantities import extract_numbers
    from synth.synthesize.answer import theme_sentence

    def claim(n: int, text: str, doc: str, paper: int) -> ReportClaim:
        prov = Provenance(doc_id=doc, page=1, char_start=0, char_end=1, passage=text)
        found = Claim(text=text, numbers=extract_numbers(text), provenance=prov)
        return ReportClaim(number=n, claim=found, paper=paper)

    claims = [
        claim(1, "Verification is often the bottleneck, but most prior works focus only on drafting.", "hispec", 2),
        claim(2, "HiSpec adds no training overhead for the intermediate verifier.", "hispec", 2),
        claim(3, "EAGLE is characterized by its low training cost; it trains within 1-2 days on an A100.", "eagle", 14),
        claim(4, "EAGLE's memory overhead lowers the maximum batch size from 8 to 7.", "eagle", 14),
    ]
    systems = {"hispec": ("HiSpec",), "eagle": ("EAGLE",)}
    sentence = theme_sentence(claims, "costs", "Costs and limits:", systems=systems)
    assert sentence is not None and sentence.claims == [3, 2]


def test_a_papers_acronym_is_its_system_and_the_name_its_claims_use_comes_first() -> None:
    """CoVe's abstract introduces "the Chain-of-Verification (COVE) method" and its claims write "CoVe": a
    figure the paper states without naming a system ("FACTSCORE increases 28% from the few-shot baseline")
    goes to CoVe, listed with CoVe's other figures rather than as a second method."""
    from synth.claims.extract.subject import introduced_names
    from synth.synthesize.answer import paper_systems

    abstract = "We develop the Chain-of-Verification (COVE) method whereby the model first drafts a response."
    assert introduced_names(abstract) == ["Chain-of-Verification", "COVE"]
    assert introduced_names("We propose vLLM (virtual LLM), a serving system.") == ["vLLM"]
    paper = _paper(3, "Chain-of-Verification Reduces Hallucination in Large Language Models", abstract)
    claims = [
        ReportClaim(number=i + 1, claim=Claim(text=t), paper=3)
        for i, t in enumerate(["CoVe more than doubles the precision.", "CoVe outperforms PerplexityAI."])
    ]
    assert paper_systems(paper, claims) == ("CoVe", "Chain-of-Verification")
    assert paper_systems(paper, [])[0] == "Chain-of-Verification"  # no claims: the title's name first


def test_a_generic_subject_gives_way_to_what_the_question_asks_of_it() -> None:
    """ "Can large language models be finetuned or run on a single GPU …": in a corpus of LLM papers the subject
    matches every claim alike, so claim relevance also reads the question without it; a specific subject
    ("speculative decoding", "LLM serving systems" past its first word) keeps the question whole."""
    from synth.core.facets import question_focus

    q3 = "Can large language models be finetuned or run on limited hardware such as a single GPU?"
    assert question_focus(q3) == "Can be finetuned or run on limited hardware such as a single GPU?"
    assert question_focus("Can LLMs  reason about code?") == "Can reason about code?"
    assert question_focus("How do LLM serving systems manage KV-cache memory?") == (
        "How do serving systems manage KV-cache memory?"
    )
    same = "How much does speculative decoding speed up LLM inference?"
    assert question_focus(same) == same
    assert question_focus("Do models?") == "Do models?"  # nothing but the generic subject: kept
    assert question_focus("Summarise the corpus") == "Summarise the corpus"


def test_the_answer_says_what_each_method_achieves_in_its_own_abstract() -> None:
    """An expert answer names what a method does, not only its figures: FlexGen's abstract sentence on its effect
    (a pronoun subject is fine beside the method's name), CoVe's finding; a link, an intro without an effect and
    a paper off topic give nothing."""
    from synth.synthesize.answer import method_effect, methods_sentence

    flexgen = (
        "We present FlexGen, a high-throughput generation engine for running LLMs with limited GPU memory. "
        "These techniques enable FlexGen to use a much larger batch size and significantly increase throughput by "
        "trading off latency. As a result, when running OPT-175B on a single 16GB GPU, FlexGen can achieve up to "
        "100× higher throughput compared to state-of-the-art offloading systems. The code is available at "
        "https://github.com/FMInference/FlexGen."
    )
    assert method_effect(flexgen, ("FlexGen",)) == (
        "These techniques enable FlexGen to use a much larger batch size and significantly increase throughput by "
        "trading off latency."
    )  # without figures first: the headline gives those
    cove = (
        "Abstract Generation of plausible yet incorrect factual information, termed hallucination, is an unsolved "
        "issue in large language models. In experiments, we show CoVe decreases hallucinations across a variety "
        "of tasks, from list-based questions to longform text generation."
    )
    assert method_effect(cove, ("CoVe",)).startswith("In experiments, we show CoVe decreases hallucinations")
    assert method_effect("We present FlexGen, an engine for running LLMs on one GPU.", ("FlexGen",)) is None
    qlora = "Abstract We present QLoRA, an efficient finetuning approach that reduces memory usage on a single GPU."
    assert method_effect(qlora, ("QLoRA",)).startswith("We present QLoRA")  # the heading run into the sentence
    vllm = "On top of it, we build vLLM, an LLM serving system that achieves near-zero waste to reduce memory usage."
    assert (
        method_effect(vllm, ("vLLM",)) == "We build vLLM, an LLM serving system that achieves near-zero waste to "
        "reduce memory usage."
    )  # the opening that points back at a sentence not quoted is dropped
    assert method_effect("The code is available at https://github.com/x/y and it improves nothing.", ("y",)) is None

    run = sample_run()
    assert run.retrieval is not None
    run.retrieval.papers = [_paper(1, "High-throughput Generative Inference with a Single GPU", flexgen),
                            _paper(2, "Chain-of-Verification Reduces Hallucination", cove)]  # fmt: skip
    run.retrieval.papers[1].on_topic = False

    def rc(number: int, paper: int) -> ReportClaim:
        claim = Claim(text="FlexGen achieves 100x higher throughput.", provenance=Provenance(doc_id=f"d{paper}"),
                      extractor="extractive")  # fmt: skip
        return ReportClaim(number=number, claim=claim, paper=paper)

    sentence = methods_sentence(run, [rc(1, 1), rc(2, 2)], {"d1": ("FlexGen",), "d2": ("CoVe",)})
    assert sentence is not None and sentence.text.startswith("What the methods do, in their own abstracts: FlexGen:")
    assert "[R1, p. 1]" in sentence.text and "CoVe" not in sentence.text  # off topic: not heard
    assert methods_sentence(run, [rc(2, 2)], {"d1": ("FlexGen",)}) is None  # no claim taken from FlexGen


def test_the_fields_background_is_not_a_finding() -> None:
    background = "Disaggregated inference, which separates prefill and decode stages, is a promising approach to "
    assert claim_defect(background + "improving hardware utilization.") == "background, not a finding"
    assert claim_defect("Disaggregated LLM inference is introduced to serve these two stages.") == (
        "background, not a finding"
    )
    assert claim_defect("KVDirect reduces per-request latency by 55% compared to the baseline.") is None


def test_answer_breadth_counts_the_papers_the_topic_gate_kept() -> None:
    """A paper the topic gate found off the subject (speculative decoding's "verification" in a question about
    self-verification) is no missing source of the Answer."""
    import re

    from synth.review.answer import review_answer
    from synth.synthesize.answer import answer_bullets
    from synth.synthesize.synthesis import template_synthesis

    run = sample_run()
    run.synthesis = template_synthesis(run)
    assert run.retrieval is not None
    assert review_answer(run).details["breadth"] < 1.0  # every paper on topic: one of them is not cited
    text = answer_bullets(run.synthesis.answer, markdown=False)
    cited = {int(n) for n in re.findall(r"\[R(\d+)", text)}
    cited |= {c.paper for c in run.claims if c.paper is not None and f"[{c.number}]" in text}
    for p in run.retrieval.papers:
        p.on_topic = p.number in cited
    assert review_answer(run).details["breadth"] == 1.0


def test_latency_figures_are_compared_only_with_the_same_latency() -> None:
    """vLLM's 1.9x kernel latency (vAttention) and its 12.3x TTFT (KVDirect) are different costs: neither
    contradicts the other; two papers' TTFT figures for one method are compared."""
    kernel = _read("Using a higher block size for vLLM increases its kernel latency by up to 1.9x.", ("vLLM",))
    both = _read(
        "For vLLM, the contention leads to a TBT increase of up to 2.2x and a TTFT increase of up to 12.3x.", ("vLLM",)
    )
    assert [f.multiplies for f in kernel + both] == ["kernel latency", "TBT", "TTFT"]
    for f, doc in zip(kernel + both, ("a", "b", "b"), strict=True):
        f.doc_id = doc
    cross_check(kernel + both)
    assert all(f.check == "quoted" for f in kernel + both)
    (plain,) = _read("vLLM shows a latency of 30 ms and a TTFT of 90 ms.", ("vLLM",))[:1]
    assert plain.multiplies is None
    (one,) = _read("vLLM shows a TTFT increase of up to 12.3x under load.", ("vLLM",), doc="a")
    (two,) = _read("vLLM shows a TTFT increase of up to 3x under load.", ("vLLM",), doc="b")
    cross_check([one, two])
    assert one.check == two.check == "contradicted"


def test_the_answer_opens_with_the_typical_speedup_over_plain_decoding_only() -> None:
    """ "How much does it speed up": the methods' own headline multipliers over plain decoding, ranged with
    their median; a multiplier over another accelerator ("over vanilla speculative decoding", "over EAGLE-2") or
    a survey's re-measurement is not ranged with them, and a question asking first for memory gets no range."""
    from synth.synthesize.answer import plain_baseline, typical_sentence

    figures = [
        *_read("EAGLE-2 achieves speedup ratios of 3.05x-4.26x over vanilla decoding.", ("EAGLE-2",), "e2", 1),
        *_read(
            "EAGLE-3 achieves a speedup ratio up to 6.5x, with about 1.4x improvement over EAGLE-2.",
            ("EAGLE-3",),
            "e3",
            1,
        ),  # fmt: skip
        *_read("MEDUSA-2 improves the speedup to 2.3-2.8x over autoregressive decoding.", ("Medusa",), "m", 1),
        *_read(
            "PEARL achieves up to 4.43x over vanilla auto-regressive methods and 1.5x over vanilla speculative "
            "decoding.",
            ("PEARL",),
            "p",
            1,
        ),  # fmt: skip
        *_read("Under greedy settings, EAGLE achieves a speedup of 1.8x over autoregressive decoding.", (), "s", 8),
    ]
    sentence = typical_sentence(figures, [("gain", "x"), ("gain", "%")])
    assert sentence is not None
    assert "2.3x (MEDUSA-2) to 6.5x (EAGLE-3) across 4 methods" in sentence.text, sentence.text
    assert "median of their top figures 4.34x" in sentence.text
    assert "1.5x" not in sentence.text and "1.8x" not in sentence.text
    assert "(setups differ: models, batch size" in sentence.text  # no method says where it ran
    from synth.core.figures import PaperSetup
    from synth.synthesize.figures import with_setup

    a100 = PaperSetup(hardware=["A100"], pages=[6])
    placed = [with_setup(f, a100) if f.doc_id in ("p", "e2") else f for f in figures]
    placed = [f.model_copy(update={"hardware": ["RTX 3090"]}) if f.doc_id == "m" else f for f in placed]
    where = typical_sentence(placed, [("gain", "x")])
    assert where is not None
    assert "(setups differ: A100 for EAGLE-2, PEARL; RTX 3090 for MEDUSA-2; 1 names none; models" in where.text
    assert typical_sentence(figures, [("gain", "%"), ("gain", "x")]) is None
    assert typical_sentence(figures[:2], [("gain", "x")]) is None  # two methods are no "typical"
    assert plain_baseline("vanilla auto-regressive decoding") and plain_baseline("standard decoding")
    assert not plain_baseline("vanilla speculative decoding") and not plain_baseline("SI")
    assert plain_baseline("non-speculative inference") and not plain_baseline("EAGLE-2")


def test_a_benefit_named_with_a_cost_word_is_not_the_answers_cost() -> None:
    from synth.synthesize.answer import stated_cost

    assert not stated_cost("Faster Cascades incorporates deferral rules for improved cost-quality tradeoffs.")
    assert not stated_cost("DeepSeek-V2 reduces KV-cache memory by 93.3%.")
    assert not stated_cost("DeepSeekMoE 145B matches DeepSeek 67B using only 28.5% (maybe even 18.2%) of computations.")
    assert stated_cost("It also incurs a higher total compute cost compared to sequential cascades.")
    assert stated_cost("HiSpec adds no training overhead for the intermediate verifier.")  # the cost's size


def test_a_machines_memory_and_a_bandwidth_are_conditions_not_figures() -> None:
    assert _read("We use a NVIDIA A10 GPU with 24 GB device memory as the S-worker.", ("FastDecode",)) == []
    assert _read("LoongServe runs on eight NVIDIA A800 80GB GPUs with 2048 GB of host memory.", ("LoongServe",)) == []
    assert _read("The NVLink bandwidth between two GPUs is 400 GB/s.", ("LoongServe",)) == []
    kept = _read("QLoRA reduces the memory of finetuning a 65B model from >780GB of GPU memory to <48GB.", ("QLoRA",))
    # one figure, the end of the change, with where it started: "memory from over 780 GB to under 48 GB"
    assert [(f.start, f.shown()) for f in kept] == [("over 780 GB", "up to 48 GB")]
    assert _figure_phrase(kept[0]) == "memory from over 780 GB to under 48 GB"
    assert kept[0].shown_change() == "over 780 GB → up to 48 GB"  # the figures table and the plot's label
    assert not kept[0].absolute  # a change, not a level
    (used,) = _read("DeepSeek-V2 uses 21 GB of memory per GPU.", ("DeepSeek-V2",))
    assert used.value == 21


def test_a_measured_rate_is_a_level_not_a_gain() -> None:
    """The figures table called "124 tokens per second" and "1.36 rps" gains; a level is labelled as such, a
    change in an absolute unit stays a gain or cost."""
    text = "PyramidSD achieves up to 1.91x speed over standard SD, reaching 124 tokens per second."
    rate = _read(text, ("PyramidSD",))
    kinds = {f.shown(): f.kind for f in rate}
    assert kinds["124 tokens/s"] == "throughput (absolute)" and kinds["up to 1.91x"] == "speedup (gain)"
    saved = _read("FlexGen reduces latency by 20 s compared with DeepSpeed.", ("FlexGen",))
    assert all(not f.absolute for f in saved)


def test_a_cut_answer_keeps_the_range_the_headline_and_the_cost() -> None:
    from synth.core.run import CitedSentence
    from synth.synthesize.answer import _cut

    sentences = [CitedSentence(text=f"s{i}.") for i in range(8)]
    sentences[-1] = CitedSentence(text="Not answered: memory.", kind="meta")
    core = [sentences[0], sentences[1], sentences[6]]
    kept = [s.text for s in _cut(sentences, core)]
    assert kept == ["s0.", "s1.", "s2.", "s3.", "s6.", "Not answered: memory."]


def test_a_percentage_says_what_it_changes() -> None:
    """The answer listed "MOONCAKE 36%, 53%, 64%" and "KVDirect 55% latency": a reader needs what changed."""
    from synth.synthesize.answer import _headline_phrase

    mooncake = _read(
        "MOONCAKE significantly reduces GPU time by fully utilizing global cache, achieving reductions of 36%, 53%, "
        "and 64% for conversation, tool&agent, and synthetic workloads, respectively.",
        ("MOONCAKE",),
    )
    assert [f.shown() for f in mooncake] == [f"{v}% reduction in GPU time" for v in (36, 53, 64)]
    assert "MOONCAKE 36%, 53%, 64% reduction in GPU time" in _headline_phrase("MOONCAKE", mooncake, [])
    (requests, _) = _read("MOONCAKE lets Kimi handle 115% and 107% more requests on A800 and H800.", ("MOONCAKE",))
    assert requests.shown() == "115% more requests"
    (latency,) = _read("KVDirect reduces the per-request latency by 55% compared with the baseline.", ("KVDirect",))
    assert "55% lower latency than" in _headline_phrase("KVDirect", [latency], [])


def test_the_baselines_figure_after_versus_is_not_the_methods() -> None:
    figures = _read(
        "DeepSpeed-FastGen demonstrates up to 2x higher throughput (1.36 rps vs. 0.67 rps) at identical latency.",
        ("DeepSpeed-FastGen",),
    )
    assert 0.67 not in [f.value for f in figures] and 1.36 in [f.value for f in figures]


def test_a_paper_without_a_system_name_is_cited_by_its_first_author() -> None:
    from synth.synthesize.answer import short_title

    survey = _paper(1, "Unlocking Efficiency in Large Language Model Inference: A Comprehensive Survey", "We survey.")
    survey.authors, survey.year = ["Heming Xia", "Zhe Yang"], 2024
    assert short_title(survey) == "Xia et al. (2024)"
    survey.authors = ["LOSSLESS LANGUAGE MODEL INFERENCE", "Nadav Timor"]  # a title line read as an author
    assert short_title(survey) == "Unlocking Efficiency in Large Language…"


def test_a_saving_worded_with_a_cost_noun_is_a_gain() -> None:
    """ "saves 42.5% of training costs, reduces the KV cache by 93.3%" read as "42.5% higher cost, 93.3% higher
    memory": the cost noun is what is saved."""
    from synth.synthesize.answer import _headline_phrase

    figures = _read(
        "DeepSeek-V2 saves 42.5% of training costs, reduces the KV cache by 93.3%, and boosts the maximum "
        "generation throughput to 5.76 times.",
        ("DeepSeek-V2",),
    )
    assert [(f.shown(), f.role) for f in figures] == [("42.5%", "gain"), ("93.3%", "gain"), ("5.76x", "gain")]
    assert "42.5% lower cost, 93.3% lower memory" in _headline_phrase("DeepSeek-V2", figures, [("gain", "%")])
    text = "EAGLE-2 achieves speedup ratios 3.05x-4.26x, which is 20%-40% faster than EAGLE-1."
    (_, faster) = _read(text, ("EAGLE-2",))
    assert faster.role == "gain"  # "faster" reads "higher": still a gain for a latency figure


def test_the_answer_says_how_gains_depend_on_the_setting_and_what_happens_to_quality() -> None:
    """EAGLE's "the speedup ratio diminishes with increasing batch size" and "speculative sampling methods achieve
    lossless acceleration" carry no figure, so a list of figures misses them; an expert's answer gives both. The
    shortest statement of a paper is its most direct; a paper off the subject gives none."""
    from synth.synthesize.answer import _DEPENDENCE, _QUALITY_STATEMENT, stated_sentence

    eagle = _paper(2, "EAGLE", "As the batch size increases, the available computational capacity of the GPU "
                   "decreases, leading to a reduction in the acceleration effect. As demonstrated in Table 7, the "
                   "speedup ratio diminishes with increasing batch size. EAGLE is trained on ShareGPT.")  # fmt: skip
    survey = _paper(1, "A survey", "Speculative sampling methods achieve lossless acceleration by using the "
                    "original LLM for verification. Relaxed acceptance trades off quality for higher "
                    "speedup.")  # fmt: skip
    flash = _paper(3, "LLM in a flash", "The speedup diminishes as the batch size grows beyond DRAM capacity.")
    flash.on_topic = False
    run = sample_run().model_copy(deep=True)
    assert run.retrieval is not None
    run.retrieval.papers = [survey, eagle, flash]
    depends = stated_sentence(run, [], _DEPENDENCE, "How the gains depend on the setting:")
    assert depends is not None
    assert depends.text == (
        "How the gains depend on the setting: The speedup ratio diminishes with increasing batch size [R2, p. 1]."
    )
    quality = stated_sentence(run, [], _QUALITY_STATEMENT, "Output quality:")
    assert quality is not None and "Relaxed acceptance trades off quality for higher speedup [R1, p. 1]" in quality.text
    claim = ReportClaim(number=4, paper=2, claim=Claim(
        text="EAGLE keeps the output distribution unchanged while running 3x faster.",
        provenance=Provenance(doc_id="d2", page=1), extractor="extractive"))  # fmt: skip
    with_claim = stated_sentence(run, [claim], _QUALITY_STATEMENT, "Output quality:")
    assert with_claim is not None and with_claim.claims == [4]  # a verified claim first, cited as such
    assert "EAGLE keeps the output distribution unchanged" in with_claim.text
    # The outcome stated of the method comes before a quality word said in passing by a paper ranked higher.
    passing = _paper(1, "HiSpec", "HiSpec improves throughput by up to 2.01x without compromising accuracy.")
    lossless = _paper(2, "EAGLE-2", "EAGLE-2 also ensures that the distribution of the generated text remains "
                      "unchanged, making it a lossless acceleration algorithm.")  # fmt: skip
    run.retrieval.papers = [passing, lossless]
    from synth.synthesize.answer import _QUALITY_OUTCOME

    first = stated_sentence(run, [], _QUALITY_STATEMENT, "Output quality:", limit=1, prefer=_QUALITY_OUTCOME)
    assert first is not None and "lossless acceleration algorithm [R2, p. 1]" in first.text
    plain = stated_sentence(run, [], _QUALITY_STATEMENT, "Output quality:", limit=1)
    assert plain is not None and "without compromising accuracy [R1, p. 1]" in plain.text


def test_a_paper_without_a_system_name_keeps_its_own_results_a_survey_does_not() -> None:
    """ "LLM in a flash" names no system: its "Our method … 4-5x" figures were dropped as background. They are the
    paper's, named by its short title; a survey's first person reports other methods, so it gets no such name."""
    from synth.synthesize.answer import collect_figures, is_survey, source_sentences, untitled_name

    flash = _paper(1, "LLM in a flash: Efficient Large Language Model Inference with Limited Memory",
                   "We observe a 4-5x increase in inference speed over naive loading on an Apple M1 Max.")  # fmt: skip
    survey = _paper(2, "Unlocking Efficiency in Large Language Model Inference: A Comprehensive Survey of "
                    "Speculative Decoding", "This paper presents a comprehensive overview of Speculative "
                    "Decoding. We observe a 1.8x speedup on average over autoregressive decoding on "
                    "Spec-Bench.")  # fmt: skip
    long_title = _paper(3, "Better & Faster Large Language Models via Multi-token Prediction", "We reach 3x.")
    long_title.authors, long_title.year = ["Fabian Gloeckle", "Badr Youbi Idrissi"], 2024
    assert untitled_name(flash) == "LLM in a flash" and not is_survey(flash)
    assert is_survey(survey)
    assert untitled_name(long_title) == "Gloeckle et al. (2024)"
    run = sample_run().model_copy(deep=True)
    assert run.retrieval is not None
    run.retrieval.papers = [flash, survey]
    systems = {s.doc_id: s.paper_systems for s in source_sentences(run, [])}
    assert systems == {"d1": ("LLM in a flash",), "d2": ()}
    figures = collect_figures(run, [])
    assert [(f.method, f.text) for f in figures] == [("LLM in a flash", "4-5x increase")]  # the survey: none


def test_facets_are_read_from_how_much_lists_and_cost_questions_too() -> None:
    # "how much throughput or quality is lost" asks about quality as surely as a bracketed list does
    limited = "Can LLMs run on a single GPU, and how much throughput or quality is lost?"
    assert facets(limited) == ["throughput", "quality"]
    moe = "How much training compute, activated parameters and inference cost do MoE LLMs save?"
    assert facets(moe) == ["training compute", "activated parameters", "inference cost"]
    assert facets("Can RL make reasoning more accurate, and what does it cost at inference time?") == ["cost"]
    assert facets("How much does speculative decoding speed up LLM inference?") == []  # "how much does": no list
    assert facets("How many GPUs does it take?") == ["GPUs"]
    assert facets("at what cost (extra draft models or heads, training, memory, output quality)?")[-1] == (
        "output quality"
    )  # the bracketed list says which costs: no bare "cost"
