"""Figures read right (issue 14, requirements 2, 5 and 13): the misreadings found in the report for the README
question, on the papers' own sentences. Pure functions, no models, no ../shared (fast unit tier)."""

from __future__ import annotations

import pytest

from synth.core.figures import ReportedFigure
from synth.synthesize.answer import headline_sentences, own_figures, remeasured_sentence
from synth.synthesize.figures import SourceSentence, by_method, figures_in

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`

KNOWN = frozenset({"eagle", "eagle2", "eagle3", "medusa", "hispec", "pearl"})


def _read(text: str, systems: tuple[str, ...] = (), doc: str = "d", page: int = 1, paper: int = 1):
    return figures_in(SourceSentence(text, doc, page, systems, systems[0] if systems else doc, paper=paper), KNOWN)


# ---------------------------------------------------------------- 1. background is not the paper's result


def test_background_sentences_are_not_attributed_to_the_papers_system() -> None:
    """HiSpec's introduction: figures about speculative decoding in general, neither naming HiSpec nor saying 'we'."""
    assert (
        _read(
            "Verification is often the bottleneck (e.g. verification is 4× slower than token generation when a 3B "
            "model speculates for a 70B target model), but most prior works focus only on accelerating drafting.",
            ("HiSpec",),
        )
        == []
    )
    assert (
        _read(
            "Long verification latencies (upto 10.3× higher than draft generation) limit speculative decoding "
            "throughput because subsequent tokens cannot be speculated until prior tokens are verified.",
            ("HiSpec",),
        )
        == []
    )
    assert _read("Verification takes 2-10.3× longer than token generation.", ("HiSpec",)) == []


def test_a_results_section_change_against_the_baseline_is_the_papers_own() -> None:
    """CoVe's results: "FACTSCORE increases 28% (55.9 → 71.4) from the few-shot baseline" names no system and
    says no "we", yet in the results section a change against "the baseline" citing nobody is the paper's
    result. The same sentence in an introduction, or citing prior work, stays background."""
    text = "FACTSCORE increases 28% (55.9 → 71.4) from the few-shot baseline, with a small reduction in facts."
    found = figures_in(SourceSentence(text, "d", 7, ("CoVe",), "CoVe", paper=1, section="results"), KNOWN)
    assert found and {f.method for f in found} == {"CoVe"} and all(f.primary for f in found)
    assert [f.role for f in found if f.value == 28.0] == ["gain"]  # a change of the score, not the score
    (sentence,) = headline_sentences(found, [("gain", "%")])
    assert "CoVe 28% increase" in sentence.text
    assert _read(text, ("CoVe",)) == []  # section unknown: no attribution
    intro = SourceSentence(text, "d", 1, ("CoVe",), "CoVe", paper=1, section="introduction")
    assert figures_in(intro, KNOWN) == []
    cited = "Accuracy improves 12% over the baseline [14]."
    assert figures_in(SourceSentence(cited, "d", 7, ("CoVe",), "CoVe", paper=1, section="results"), KNOWN) == []


def test_a_name_in_an_aside_on_the_subject_does_not_take_the_figure() -> None:
    """Medusa p. 9: "MEDUSA-1, which fine-tunes only the MEDUSA heads, achieves a 2.18x speedup" is MEDUSA-1's
    figure; read as "MEDUSA" it was listed as a third Medusa method and pushed EAGLE-3 out of the headline."""
    (found,) = _read(
        "MEDUSA-1, which fine-tunes only the MEDUSA heads, achieves a 2.18x speedup without compromising quality.",
        ("Medusa",),
    )
    assert (found.method, found.value) == ("MEDUSA-1", 2.18)


def test_sentences_naming_the_system_or_saying_we_still_attribute() -> None:
    (low, high) = _read(
        "HiSpec improves throughput by 1.7× on average and up to 2.08× compared to vanilla auto-regressive decoding.",
        ("HiSpec",), page=8,
    )  # fmt: skip
    assert (low.method, high.method, high.shown(), high.primary) == ("HiSpec", "HiSpec", "up to 2.08x", True)
    six, _ = _read(
        "The results show that EAGLE-3 achieves a speedup ratio up to 6.5x, with about 1.4x improvement over EAGLE-2.",
        ("EAGLE-3",),
    )
    assert (six.method, six.shown(), six.primary) == ("EAGLE-3", "up to 6.5x", True)
    first_person = _read(
        "Experiments on various text generation benchmarks demonstrate the effectiveness of our PEARL, leading to a "
        "superior speed up performance up to 4.43× and 1.50×, compared to auto-regressive decoding and vanilla "
        "speculative decoding, respectively.",
        ("PEARL",),
    )
    assert [f.method for f in first_person] == ["PEARL", "PEARL"]


# ---------------------------------------------------------------- 2. more time is not a speed-up


def test_a_latency_multiplier_higher_than_a_baseline_is_a_cost_not_a_gain() -> None:
    (latency,) = _read(
        "We show that long verification latencies (upto 10.3× higher than draft generation) limit speculative "
        "decoding throughput because subsequent tokens cannot be speculated until prior tokens are verified.",
        ("HiSpec",), page=2,
    )  # fmt: skip
    assert latency.role == "cost" and latency.shown() == "10.3x"
    (throughput,) = _read("HiSpec reaches 2x higher throughput than vanilla decoding.", ("HiSpec",))
    assert throughput.role == "gain"
    listed = _read(
        "vLLM’s PagedAttention kernel incurs up to 2.8×, 1.5×, and 2.5× higher latency than FlashAttention-2 kernels "
        "for Yi-6B, Llama-3-8B and Yi-34B.",
        ("vAttention",),
    )
    assert [(f.method, f.shown(), f.role) for f in listed] == [
        ("PagedAttention", "up to 2.8x", "cost"),
        ("PagedAttention", "1.5x", "cost"),
        ("PagedAttention", "2.5x", "cost"),
    ]
    assert {f.baseline for f in listed} == {"FlashAttention-2 kernels"}
    (lossless,) = _read("EAGLE achieves a 2x speedup while incurring no loss in quality.", ("EAGLE",))
    assert lossless.role == "gain"


# ---------------------------------------------------------------- 3. respectively


def test_respectively_pairs_each_figure_with_its_own_baseline() -> None:
    ar, sd = _read(
        "PEARL can achieve up to 4.43× and 1.50× speed up compared with vanilla auto-regressive methods and vanilla "
        "speculative decoding, respectively.",
        ("PEARL",), page=7,
    )  # fmt: skip
    assert (ar.shown(), ar.baseline) == ("up to 4.43x", "vanilla auto-regressive methods")
    assert (sd.shown(), sd.baseline) == ("1.5x", "vanilla speculative decoding")


def test_respectively_pairs_figures_with_listed_methods_baselines_and_datasets() -> None:
    two = _read("EAGLE and Medusa reach 2x and 3x speedup on MT-bench and GSM8K, respectively.")
    assert [(f.method, f.shown(), f.dataset) for f in two] == [
        ("EAGLE", "2x", ["MT-bench"]),
        ("Medusa", "3x", ["GSM8K"]),
    ]
    before = _read(
        "Compared to the recently proposed speculative sampling-based frameworks, Lookahead and Medusa, EAGLE "
        "achieves 1.7x-2.1x and 1.5x-1.6x speedups, respectively.",
        ("EAGLE",), page=3,
    )  # fmt: skip
    assert [(f.method, f.shown(), f.baseline) for f in before] == [
        ("EAGLE", "1.7–2.1x", "Lookahead"), ("EAGLE", "1.5–1.6x", "Medusa"),
    ]  # fmt: skip
    (single,) = _read("EAGLE-2 achieves 3.05x over vanilla decoding, and Medusa respectively less.", ("EAGLE-2",))
    assert single.baseline == "vanilla decoding"  # one figure: nothing to pair


# ---------------------------------------------------------------- 4. names broken at a line end


def test_names_hyphenated_across_a_line_break_are_read_whole_and_quoted_as_printed() -> None:
    (sglang,) = _read(
        "In the SGLang framework, EAGLE- 3 achieves a 1.38x throughput improvement at a batch size of 64.",
        ("EAGLE-3",), doc="eagle3",
    )  # fmt: skip
    assert (sglang.method, sglang.primary) == ("EAGLE-3", True)
    assert sglang.quote.startswith("In the SGLang framework, EAGLE- 3 achieves")
    at_speed = _read(
        "At- Speed [106] combines strict top-K alignment (AtSpeed-S) and relaxed sampling verification (AtSpeed-R), "
        "to significantly accelerate LLM-based generative recommendation with speedup from 2× to 2.5×, addressing "
        "inference latency challenges in top-K sequence generation.",
        ("Survey",),
    )
    assert [(f.method, f.shown()) for f in at_speed] == [("At-Speed", "2x"), ("At-Speed", "2.5x")]
    (pre,) = _read("EAGLE-2 speeds up pre- and post-processing by 2x.", ("EAGLE-2",))
    assert pre.quote == "EAGLE-2 speeds up pre- and post-processing by 2x."


# ---------------------------------------------------------------- 5. flattened table fragments


def test_flattened_table_fragments_give_no_figure_but_a_table_cell_does() -> None:
    assert _read("facebook/opt-6.7b 2.2×26.83 2×.", ("HiSpec",)) == []
    assert _read("Llama-3.2-1BINST 2.2×26.83 6×.", ("HiSpec",)) == []
    (cell,) = _read("Llama3-8BINST HiSpec Speedup (vs. Vanilla) CNN/DM 2.08×.", ("HiSpec",))
    assert cell.method == "HiSpec" and cell.shown() == "2.08x"


# ---------------------------------------------------------------- 6. the Answer

GAINS = [("gain", "x"), ("gain", "%")]


def test_headline_takes_the_sentence_stating_a_gain_over_a_page_one_cost() -> None:
    cost = _read(
        "We show that long verification latencies (upto 10.3× higher than draft generation) limit speculative "
        "decoding throughput because subsequent tokens cannot be speculated until prior tokens are verified.",
        ("HiSpec",), page=1, paper=8,
    )  # fmt: skip
    gain = _read(
        "HiSpec improves throughput by 1.7× on average and up to 2.08× compared to vanilla auto-regressive decoding.",
        ("HiSpec",), page=8, paper=8,
    )  # fmt: skip
    (sentence,) = headline_sentences(cost + gain, GAINS)
    assert "up to 2.08x throughput over vanilla auto-regressive decoding" in sentence.text
    assert "10.3" not in sentence.text and "cost" not in sentence.text


def test_headline_gives_each_figure_its_own_baseline() -> None:
    pearl = _read(
        "PEARL can achieve up to 4.43× and 1.50× speed up compared with vanilla auto-regressive methods and vanilla "
        "speculative decoding, respectively.",
        ("PEARL",), page=7, paper=7,
    )  # fmt: skip
    (sentence,) = headline_sentences(pearl, GAINS)
    assert "up to 4.43x speed-up over vanilla auto-regressive methods" in sentence.text
    assert "1.5x speed-up over vanilla speculative decoding" in sentence.text


def test_also_reported_shows_no_figure_of_role_other() -> None:
    motivation = ReportedFigure(
        method="3-Model Speculative Decoding", metric="latency", role="other", value=0.1, unit="s",
        text="approximately 100ms", bound="approx", doc_id="pyramid", paper=3, page=1, primary=True,
        quote="Generating each token with a large model result in high latency (e.g., approximately 100ms for "
        "Llama-3.2-70B with IQ2_S on an RTX 4090), limiting interactivity and scalability.",
    )  # fmt: skip
    eagle3 = _read(
        "The results show that EAGLE-3 achieves a speedup ratio up to 6.5x, with about 1.4x improvement over EAGLE-2.",
        ("EAGLE-3",), paper=9,
    )  # fmt: skip
    assert [m for m, _ in own_figures([motivation, *eagle3])] == ["EAGLE-3"]
    text = " ".join(s.text for s in headline_sentences([motivation, *eagle3], GAINS))
    assert "EAGLE-3 up to 6.5x" in text and "0.1 s" not in text and "3-Model" not in text


def test_papers_disagree_only_against_the_same_baseline() -> None:
    own = _read(
        "On MT-bench, EAGLE is 2.1x-3.8x faster than vanilla autoregressive decoding, 1.7x-2.1x faster than "
        "Lookahead, and 1.5x-1.6x faster than Medusa.",
        ("EAGLE",), doc="eagle", paper=10,
    )  # fmt: skip
    spec_bench = _read(
        "Under greedy settings, EAGLE (Li et al., 2024) achieves the highest speedup ratio (1.8×∼2.4×) over "
        "autoregressive decoding across most subtasks, especially in mathematical reasoning (with a ∼2.4× speedup).",
        ("Spec-Bench",), doc="specbench", paper=1,
    )  # fmt: skip
    eagle3 = _read(
        "In the SGLang framework, EAGLE- 3 achieves a 1.38x throughput improvement at a batch size of 64.",
        ("EAGLE-3",), doc="eagle3", paper=9,
    )  # fmt: skip
    sentence = remeasured_sentence(by_method(own + spec_bench + eagle3))
    assert sentence is not None
    assert (
        "EAGLE 1.8–2.4x over autoregressive decoding (greedy) [R1, p. 1], below the 2.1–3.8x over vanilla "
        "autoregressive decoding its own paper reports [R10, p. 1]" in sentence.text
    )
    assert "1.5–3.8x" not in sentence.text and "1.38" not in sentence.text
    over_medusa = [f for f in own if f.baseline == "Medusa"]
    alone = remeasured_sentence(by_method(over_medusa + spec_bench))
    assert alone is not None and "below" not in alone.text  # 1.5x over Medusa: nothing to compare


def test_a_comparison_belongs_to_the_figure_next_to_it() -> None:
    """EAGLE-2's abstract: the 3.05x-4.26x are over vanilla decoding; only the 20%-40% are 'faster than EAGLE-1'
    (the whole sentence's figures were read as over EAGLE-1)."""
    figures = _read(
        "We conducted extensive evaluations on three series of LLMs and six tasks, with EAGLE-2 achieving speedup "
        "ratios 3.05x- 4.26x, which is 20%-40% faster than EAGLE-1.",
        ("EAGLE-2",),
    )
    by_text = {f.text: f.baseline for f in figures}
    assert by_text["3.05x-4.26x"] is None
    assert by_text["20%-40% faster"] == "EAGLE-1"
    eagle = _read(
        "On MT-bench, EAGLE is 2.1x-3.8x faster than vanilla autoregressive decoding, 1.7x-2.1x faster than "
        "Lookahead, and 1.5x-1.6x faster than Medusa.",
        ("EAGLE",),
    )
    assert [f.baseline for f in eagle] == ["vanilla autoregressive decoding", "Lookahead", "Medusa"]


def test_a_change_reports_where_it_ended_and_a_variant_of_the_papers_system_is_its_own() -> None:
    """DeepSeek-R1 p. 3: R1-Zero's AIME score "increases from 15.6% to 71.0%": 15.6% is where RL started, not a
    result, and DeepSeek-R1-Zero is the paper's own model (it was shown "as measured by DeepSeek-R1", 15.6-86.7%).
    A range written "from 2x to 2.5x" with no change verb keeps both ends."""

    def read_r1(text: str) -> list:
        return figures_in(SourceSentence(text, "r1", 3, ("DeepSeek-R1",), "DeepSeek-R1"), frozenset({"deepseekr1"}))

    zero = read_r1(
        "DeepSeek-R1-Zero's pass@1 score on AIME 2024 increases from 15.6% to 71.0%, and with majority voting, the "
        "score further improves to 86.7%."
    )
    assert [(f.method, f.value, f.primary) for f in zero] == [
        ("DeepSeek-R1-Zero", 71.0, True),
        ("DeepSeek-R1-Zero", 86.7, True),
    ]
    jumping = read_r1(
        "The average pass@1 score of DeepSeek-R1-Zero on AIME 2024 jumps from an initial 15.6% to an impressive 71.0%."
    )
    assert [f.value for f in jumping] == [71.0]
    ranged = _read("EAGLE reaches a speedup from 2x to 2.5x on MT-bench.", ("EAGLE",))
    assert [f.value for f in ranged] == [2.0, 2.5]
    across = _read(
        "The speedup ratio of PLD increases from 1.27x in the question answering subtask to 1.66x in the "
        "retrieval-augmented generation subtask.",
        ("Survey",),
    )
    assert [f.value for f in across] == [1.27, 1.66]  # two conditions, two results


def test_a_papers_system_is_its_own_under_its_abbreviation() -> None:
    """Chain-of-Verification's "CoVe more than doubles the precision" was shown as another paper's system."""
    from synth.synthesize.figures import is_own

    assert is_own("CoVe", ("Chain-of-Verification",))
    assert not is_own("Medusa", ("Chain-of-Verification",))
    assert not is_own("EAGLE", ("EAGLE-2",))


def test_hardware_is_a_setting_not_a_system() -> None:
    """LLM in a flash's abstract: "DRAM" opened its figures' method column ("DRAM 4–20x", re-measured), and a
    serving paper's hardware list gave "NVIDIA 24 GB" and "NVLink 400 GB" rows."""
    figures = _read(
        "Our method enables running models up to twice the size of the available DRAM, with a 4-5x and 20-25x "
        "increase in inference speed compared to naive loading approaches in CPU and GPU, respectively.",
        ("LLM in a flash",),
    )
    assert figures and {f.method for f in figures} == {"LLM in a flash"}
    assert _read("Each node has 8 NVIDIA A800 GPUs connected by NVLink at 400 GB/s.", ("LoongServe",)) == []


# ---------------------------------------------------------------- a paper's stated setup


SPEC_BENCH_SETUP = [
    (14, "B.2 Implementation Details", "B.2 Implementation Details We have selected six representative Speculative "
     "Decoding methods for our comparative analysis on Spec-Bench. All experiments are conducted on a single NVIDIA "
     "GeForce RTX 3090 GPU (24GB) with a batch size of 1, using greedy decoding and FP16 precision."),
    (15, "B.2 Implementation Details", "The draft models of EAGLE were trained on ShareGPT with a batch size of 16 "
     "on 4 A100 GPUs. Spec-Bench covers MT-bench, WMT14, CNN/DM, Natural Questions, GSM8K and DPR subtasks."),
    (16, "C Details of Main Experimental Results", "Table 5 lists the speedup of every method on Spec-Bench."),
]  # fmt: skip


def test_a_papers_stated_setup_is_read_from_its_setup_passages_not_its_training_runs() -> None:
    from synth.synthesize.figures import paper_setup

    setup = paper_setup(SPEC_BENCH_SETUP, body="Spec-Bench " * 5 + "MT-bench GSM8K")
    assert setup is not None
    assert setup.hardware == ["RTX 3090"]  # the A100s trained the drafts; the figures ran on the RTX 3090
    assert setup.dataset == ["Spec-Bench"]  # more than three benchmarks: the one the paper names most
    assert setup.setting == ["batch size 1", "greedy", "FP16"]  # not the training batch size of 16
    assert setup.pages == [14, 15]  # a results appendix is not a setup passage
    # A model's abbreviation is not a GPU; "speculative sampling" is a method, not sampled decoding.
    other = paper_setup([(5, "4.1 Experimental Setup", "We use LLaMA-Instruct 3.1 (L31) as the target and compare "
                          "with speculative sampling under greedy decoding.")])  # fmt: skip
    assert other is not None and other.hardware == [] and other.setting == ["greedy"]
    assert paper_setup([(3, "2 Method", "Our method runs on A100 GPUs.")]) is None  # no setup passage


def test_figures_carry_their_papers_setup_and_the_answer_names_both_sides() -> None:
    from synth.synthesize.figures import paper_setup, with_setup

    own = _read(
        "On MT-bench, EAGLE is 2.1x-3.8x faster than vanilla autoregressive decoding.", ("EAGLE",), doc="eagle",
        paper=10,
    )  # fmt: skip
    eagle_setup = paper_setup([(5, "4 Experiments", "Experiments run on 8 NVIDIA A100 GPUs with a batch size of 1.")])
    spec_bench = _read(
        "Under greedy settings, EAGLE (Li et al., 2024) achieves the highest speedup ratio (1.8×∼2.4×) over "
        "autoregressive decoding across most subtasks.",
        ("Spec-Bench",), doc="specbench", paper=1,
    )  # fmt: skip
    own = [with_setup(f, eagle_setup) for f in own]
    spec_bench = [with_setup(f, paper_setup(SPEC_BENCH_SETUP)) for f in spec_bench]
    # Only kinds the figure's sentence does not name: its "greedy" stays its own, MT-bench is the sentence's.
    assert own[0].setup == ["A100", "batch size 1"] and own[0].setup_page == 5
    assert spec_bench[0].setup == ["RTX 3090", "Spec-Bench", "batch size 1", "FP16"]
    assert own[0].conditions() == "MT-bench; paper's setup (p. 5): A100, batch size 1"
    text = remeasured_sentence(by_method(own + spec_bench)).text  # type: ignore[union-attr]
    assert text.startswith("Re-measured by Spec-Bench (RTX 3090, Spec-Bench, batch size 1, FP16): EAGLE 1.8–2.4x")
    assert "its own paper reports (A100, batch size 1) [R10, p. 1]" in text
    assert with_setup(own[0], None) is own[0]


def test_a_generic_baseline_is_named_by_its_examples_and_a_leading_one_counts() -> None:
    """vLLM's abstract compares with "the state-of-the-art systems, such as FasterTransformer and Orca": the
    examples are the baseline a reader can look up; "Compared to FasterTransformer, vLLM can sustain up to 22x
    higher request rates" states its baseline first. A generic baseline without examples stays as written."""
    (abstract,) = _read(
        "vLLM improves the throughput of popular LLMs by 2-4× with the same level of latency compared to the "
        "state-of-the-art systems, such as FasterTransformer and Orca.",
        ("vLLM",),
    )  # fmt: skip
    assert abstract.baseline == "FasterTransformer and Orca"
    (leading,) = _read(
        "Compared to FasterTransformer, vLLM can sustain up to 22× higher request rates, as FasterTransformer "
        "does not utilize a fine-grained scheduling mechanism.",
        ("vLLM",),
    )  # fmt: skip
    assert leading.baseline == "FasterTransformer"
    listed = _read("PEARL is 3x faster than existing methods (e.g., EAGLE, Medusa, and Lookahead) on HumanEval.",
                   ("PEARL",))  # fmt: skip
    assert [f.baseline for f in listed] == ["EAGLE, Medusa, and Lookahead"]
    plain = _read("PEARL is 3x faster than existing methods.", ("PEARL",))
    assert [f.baseline for f in plain] == ["existing methods"]


def test_a_change_in_the_bad_direction_is_a_cost() -> None:
    """vAttention's paper: "up to 5% higher latency … with PagedAttention" and "Serving throughput dropped by more
    than 10%" were read as gains (the Answer's headline said "vAttention up to 5% higher"). Lower latency and
    higher throughput stay gains."""
    known = frozenset({"vattention", "tensorrtllm", "kvdirect"})
    worse = [
        "Even with C++, we observe up to 5% higher latency in some cases with PagedAttention.",
        "TensorRT-LLM [6]: Serving throughput dropped by more than 10% in a Python front-end [5].",
    ]
    for text in worse:
        figures = figures_in(SourceSentence(text, "d", 1, ("vAttention",), "vAttention"), known)
        assert [f.role for f in figures] == ["cost"], text
    better = figures_in(
        SourceSentence("KVDirect reduces the per-request latency by 55% compared to the baseline.", "d", 1,
                       ("KVDirect",), "KVDirect"), known,
    )  # fmt: skip
    assert [f.role for f in better] == ["gain"]


def test_a_headline_gives_the_gains_asked_first_and_says_what_a_change_changes() -> None:
    """vAttention: a page-one cost ("up to 5% higher latency") gave way to its prefill savings, which were shown as
    levels ("1.5 s latency"): "gains of 1.5 seconds, 7.4 seconds and 16.9 seconds" are all savings."""
    from synth.synthesize.answer import _figure_phrase, headline

    cost = _read("Even with C++, we observe up to 5% higher latency in some cases with PagedAttention.",
                 ("vAttention",), page=1)  # fmt: skip
    saved = _read(
        "For FlashAttention-2, nearly all the gains of vAttention are due to faster attention kernels, e.g., "
        "prefill gains of 1.5 seconds, 7.4 seconds and 16.9 seconds for Yi-6B are all due to gains in attention "
        "computation.",
        ("vAttention",), page=10,
    )  # fmt: skip
    assert [_figure_phrase(f) for f in cost] == ["up to 5% higher latency"]
    assert [f.absolute for f in saved] == [False, False, False]
    assert [_figure_phrase(f) for f in saved] == ["1.5 s lower latency", "7.4 s lower latency", "16.9 s lower latency"]
    picked = headline(cost + saved, [("gain", "%"), ("cost", "%")])
    assert [f.page for f in picked] == [10, 10, 10]  # the gains the question asks for first, not the page-one cost


def test_a_figure_of_unnamed_earlier_systems_is_not_the_papers_own() -> None:
    """vLLM's "the actual effective memory in previous systems can be as low as 20.4%" was listed as vLLM's
    memory cost; "vLLM improves throughput by 2-4x compared to existing systems" stays vLLM's."""
    systems = ("vLLM", "PagedAttention")
    assert _read("We visualize the average percentage of memory wastes in our experiments in Fig. 2, revealing that "
                 "the actual effective memory in previous systems can be as low as 20.4%.", systems) == []  # fmt: skip
    (own,) = _read("Our evaluations show that vLLM improves the throughput by 2-4× compared to existing systems.",
                   systems)  # fmt: skip
    assert own.method == "vLLM" and own.baseline == "existing systems"


def test_a_target_held_to_and_a_metric_or_word_are_not_a_method_or_its_figure() -> None:
    """Step-3's "up to 4,039 tokens per second per GPU under 50ms TPOT SLA": the 50 ms is the SLA, not a latency
    Step-3 reached (the Answer said "up to 0.05 s TPOT latency"); "TGS" (tokens per GPU per second) and
    "Pre-training" were read as methods."""
    from synth.synthesize.figures import _is_method_name

    step3 = _read(
        "Our implementation on Hopper GPUs achieves a decoding throughput of up to 4,039 tokens per second per GPU "
        "under 50ms TPOT SLA (4K context, FP8, no MTP).",
        ("Step-3",),
    )  # fmt: skip
    assert [f.text for f in step3] == ["up to 4,039 tokens per second"]
    assert not _is_method_name("TGS") and not _is_method_name("Pre-training") and not _is_method_name("Fine-tuning")
    assert _is_method_name("Chain-of-Verification") and _is_method_name("EAGLE-2") and _is_method_name("Co-LLM")


def test_a_figure_measured_against_unnamed_earlier_systems_stays_the_papers() -> None:
    """The rule above must not drop the paper's own result stated against "existing systems"."""
    (own,) = _read("Our system outperforms existing systems by 2.1x in throughput.", ("FlashX",))
    assert own.method == "FlashX"


def test_scores_listed_each_on_its_benchmark_keep_their_benchmark() -> None:
    """DeepSeek-R1 p. 4: "scores of 90.8% on MMLU, 84.0% on MMLU-Pro, and 71.5% on GPQA Diamond" gave every
    score MMLU; "87.6% on AlpacaEval 2.0 and a win-rate of 92.3% on ArenaHard" gave 92.3% to "AlpacaEval"."""
    scores = _read(
        "DeepSeek-R1 achieves outstanding results, significantly outperforming DeepSeek-V3 with scores of 90.8% on "
        "MMLU, 84.0% on MMLU-Pro, and 71.5% on GPQA Diamond.",
        ("DeepSeek-R1",),
    )
    assert [(f.value, f.dataset) for f in scores] == [(90.8, ["MMLU"]), (84.0, ["MMLU-Pro"]), (71.5, ["GPQA Diamond"])]
    assert {f.baseline for f in scores} == {"DeepSeek-V3"}  # "outperforming DeepSeek-V3 with scores of …"
    wins = _read(
        "DeepSeek-R1 achieves a length-controlled win-rate of 87.6% on AlpacaEval 2.0 and a win-rate of 92.3% on "
        "ArenaHard.",
        ("DeepSeek-R1",),
    )
    assert [(f.method, f.dataset) for f in wins] == [
        ("DeepSeek-R1", ["AlpacaEval 2.0"]),
        ("DeepSeek-R1", ["ArenaHard"]),
    ]
    (both,) = _read("EAGLE-2 achieves a 3.05x-4.26x speedup on MT-bench and GSM8K.", ("EAGLE-2",))
    assert both.dataset == ["MT-bench", "GSM8K"]  # a lone figure keeps every benchmark its sentence names
    machines = _read("EAGLE reaches 2.7x on A100 and 3.0x on RTX 3090.", ("EAGLE",))
    assert all(f.dataset == [] for f in machines)  # a machine is no benchmark


def test_a_share_of_the_baselines_cost_is_a_saving_and_a_learning_rate_is_no_result() -> None:
    """DeepSeekMoE p. 15: "with only about 40% of computations" read as a bare 40% of no kind; DeepSeek-Coder-V2's
    "reducing the learning rate to 10% of its initial value" was its headline "10%" gain."""
    from synth.synthesize.answer import _headline_phrase

    (share,) = _read(
        "Compared with LLaMA2 7B, DeepSeekMoE 16B achieves superior performance with only about 40% of computations.",
        ("DeepSeekMoE",),
    )
    assert (share.role, share.multiplies, share.baseline) == ("gain", "of computations", "LLaMA2 7B")
    assert _headline_phrase("DeepSeekMoE", [share], [("gain", "%")]).startswith(
        "DeepSeekMoE about 40% of computations compared with LLaMA2 7B"
    )
    assert _read("DeepSeekMoE uses 40% of computations for routing.", ("DeepSeekMoE",)) == [] or all(
        f.role != "gain" for f in _read("DeepSeekMoE uses 40% of computations for routing.", ("DeepSeekMoE",))
    )  # no "only": not a share it saves
    schedule = (
        "For learning rate scheduling, we employ a cosine decay strategy, starting with 2000 warm-up steps and "
        "gradually reducing the learning rate to 10% of its initial value."
    )
    assert _read(schedule, ("DeepSeek-Coder-V2",)) == []


def test_a_figure_achieved_by_another_model_is_that_models() -> None:
    """DeepSeek-Coder-V2 p. 3: "nearly matching the state-of-the-art accuracy of 76.6% achieved by GPT-4o" gave
    DeepSeek-Coder-V2 a 75.7-76.6% range; the model names keep no sentence's full stop ("GPT-4o.")."""
    own, other = _read(
        "DeepSeek-Coder-V2 attains an accuracy of 75.7% on the MATH benchmark, nearly matching the state-of-the-art "
        "accuracy of 76.6% achieved by GPT-4o.",
        ("DeepSeek-Coder-V2",),
    )
    assert (own.method, own.value, own.primary) == ("DeepSeek-Coder-V2", 75.7, True)
    assert (other.method, other.value, other.primary) == ("GPT-4o", 76.6, False)
    assert "GPT-4o" in own.models and "GPT-4o." not in own.models
    (medusa,) = _read("Medusa reaches 2.2x on MT-bench, as reported by EAGLE's authors.", ("Survey",))
    assert medusa.method == "Medusa"  # who reported a figure does not own it


def test_the_method_a_system_is_an_alternative_to_is_not_the_figures_owner() -> None:
    """vAttention p. 1: "a … performant alternative to PagedAttention: it … improves LLM serving throughput by up
    to 1.23×" was PagedAttention's 1.23x, and vAttention's headline fell to a page-10 prefill time."""
    (gain,) = _read(
        "Overall, vAttention is a simpler, portable, and performant alternative to PagedAttention: it supports various "
        "attention kernels out-of-the-box and improves LLM serving throughput by up to 1.23× compared to the use of "
        "PagedAttention-based kernels of FlashAttention-2 and FlashInfer.",
        ("vAttention",),
    )
    assert (gain.method, gain.primary, gain.role) == ("vAttention", True, "gain")
    assert gain.baseline == "PagedAttention-based kernels of FlashAttention-2"


def test_a_multiple_of_another_systems_figure_names_its_baseline() -> None:
    """FASTDECODE p. 1: "achieves 1.88 × −5.04× the throughput of vLLM" had no baseline in the Answer."""
    low, high = _read(
        "FASTDECODE achieves 1.88 × −5.04× the throughput of vLLM when serving modern LLMs with the same GPU.",
        ("FASTDECODE",),
    )
    assert (low.baseline, high.baseline) == ("vLLM", "vLLM")
    (eagle,) = _read("EAGLE achieves 2.7x the speed of vanilla decoding.", ("EAGLE",))
    assert eagle.baseline == "vanilla decoding"


def test_a_quoted_statement_starts_at_the_colon_that_opens_it() -> None:
    from synth.synthesize.answer import _QUALITY_STATEMENT, _after_preamble

    medusa = (
        "We present two levels of fine-tuning procedures for MEDUSA to meet the needs of different use cases: "
        "MEDUSA-1: MEDUSA is directly fine-tuned on top of a frozen backbone LLM, enabling lossless inference "
        "acceleration."
    )
    assert _after_preamble(medusa, _QUALITY_STATEMENT).startswith("…MEDUSA-1: MEDUSA is directly fine-tuned")
    plain = "As fuzzy threshold compares the logits, τ can be adjusted to trade quality and acceptance rate β."
    assert _after_preamble(plain, _QUALITY_STATEMENT) == plain
