"""Slot alignment: each error type summaries make, on sentences shaped like ML papers', both ways.

The unit tests use sentences written for the test (no ../shared); the dev-set tests read the
labelled claims of `../shared/eval/claims_dev.jsonl` at run time and check each error type there.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synth.corpus.tables import CELLS_MARKER
from synth.verify.align import align, figures_of, normalise_text, sentences_of, value_matches

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`

CLAIMS_DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "claims_dev.jsonl"


def _contradicts(claim: str, evidence: str) -> bool:
    a = align(claim, [evidence])
    f = a.features()
    return bool(f["al_conflict"] or f["al_changed"] or a.polarity_flip or a.negation_flip or a.scope_unsupported
                or a.name_swap)  # fmt: skip


def test_pdf_quirks_are_normalised() -> None:
    assert "2.54× speedup" in normalise_text("2.54ˆ speedup")
    assert normalise_text("ex- ceeding the ﬁrst") == "exceeding the first"
    assert normalise_text("m “ 7 paths") == "m = 7 paths"


def test_sentences_keep_abbreviations() -> None:
    text = "A beats B (39.2 v.s. 26.2 Inter. F1). Next sentence here. Li et al. (2024) agree."
    assert sentences_of(text) == ["A beats B (39.2 v.s. 26.2 Inter. F1).", "Next sentence here.",
                                  "Li et al. (2024) agree."]  # fmt: skip


def test_the_only_figure_of_its_kind_in_the_sentence_about_the_claim_is_its_slot() -> None:
    """A changed figure whose context words are paraphrased (no two shared beside the number) is still found:
    the on-topic sentence holds one figure of that unit and size. Both ways: the right figure is support."""
    evidence = (
        "We observe an additionaly 12% speedup due to an increase in acceptance rates for tokens reaching the "
        "70B model compared to direct 1B-to-70B verification."
    )
    claim = (
        "Adding an 8B intermediate verifier between the 1B drafter and the 70B model gives PipeSpec an extra "
        "speedup of about {} over direct 1B-to-70B verification."
    )
    wrong, right = claim.format("25%"), claim.format("12%")
    changed = align(wrong, [evidence]).checks
    assert [c.outcome for c in changed] == ["changed"] and changed[0].evidence.text == "12%"
    assert "only figure of that kind" in changed[0].detail
    assert [c.outcome for c in align(right, [evidence]).checks] == ["agree"]
    two = evidence.replace("verification.", "verification, with 30% fewer rejected drafts.")
    assert [c.outcome for c in align(wrong, [two]).checks] == ["absent"]  # two candidates: the slot is not known


def test_rounding_and_approximation() -> None:
    claim = figures_of("It reaches about 20% accuracy and roughly 2.7x speedup.", claim_side=True)
    evidence = figures_of("It reaches 20.4% accuracy and a 2.73× speedup.")
    assert value_matches(claim[0], evidence[0])
    assert value_matches(claim[1], evidence[1])
    exact = figures_of("It reaches 25% accuracy.", claim_side=True)
    assert not value_matches(exact[0], evidence[0])


def test_value_in_a_stated_range() -> None:
    claim = figures_of("The method runs about 1.5x faster.", claim_side=True)
    evidence = figures_of("The method is 1.29-1.92x faster than the baseline.")
    assert value_matches(claim[0], evidence[0])


def test_number_changed_is_contradiction_and_rounding_is_not() -> None:
    evidence = "With the small drafter the acceptance rate reaches 93% on HumanEval."
    assert not _contradicts("With the small drafter the acceptance rate is about 93% on HumanEval.", evidence)
    a = align("With the small drafter the acceptance rate is about 73% on HumanEval.", [evidence])
    assert a.features()["al_agree"] == 0.0
    assert a.features()["al_changed"] + a.features()["al_absent"] == 1.0


def test_attribution_swap() -> None:
    evidence = ("Specifically, FooDecode achieves merely 1.01× speedup in FP32 precision, and the effect of "
                "BarNet also diminishes, with its speedup falling from 2.39× to 1.74×.")  # fmt: skip
    a = align("In FP32 experiments, BarNet's speedup collapses to about 1.0x.", [evidence])
    assert a.features()["al_conflict"] == 1.0
    assert "1.01×" in a.mismatches()[0]
    assert not _contradicts("In FP32 experiments, FooDecode's speedup is merely about 1.0x.", evidence)


def test_a_figure_the_evidence_gives_to_another_system_than_the_claims_subject() -> None:
    """FastDecode's p. 10: the minimum latencies are TensorRT-LLM's; the claim gives them to its subject, vLLM,
    which the sentence never names. The same figure stated of TensorRT-LLM agrees; a sentence that names the
    subject beside another system is left to the other checks."""
    evidence = "TensorRT-LLM achieves the minimum average latency of 34.2 ms and 77.0 ms per token, respectively."
    swapped = align("In FastDecode's measurements, vLLM achieved the lowest average per-token latency, about 34 ms on "
                    "the 7B model.", [evidence])  # fmt: skip
    assert [c.outcome for c in swapped.checks] == ["conflict"]
    assert any("gives 34.2 ms for TensorRT-LLM" in m for m in swapped.mismatches())
    stated = align("TensorRT-LLM reaches about 34 ms per token on the 7B model.", [evidence])
    assert [c.outcome for c in stated.checks] == ["agree"]
    own = align(
        "EAGLE is about 3x faster than vanilla decoding.", ["EAGLE-2 and EAGLE reach 3.0x over vanilla decoding."]
    )
    assert [c.outcome for c in own.checks] == ["agree"]


def test_a_captions_label_starts_a_sentence() -> None:
    """FastDecode's p. 10: a chart's legend ("vLLM TensorRT-LLM …") ran into the caption and the sentence after
    it, so the sentence giving 34.2 ms to TensorRT-LLM seemed to name vLLM too."""
    evidence = ("0 250 500 Llama-7b min max mean vLLM TensorRT-LLM fastllm Ours (128) Latency / ms Figure 10: Token "
                "generating latency TensorRT-LLM achieves the minimum average latency of 34.2 ms and 77.0 ms per "
                "token, respectively in the two models.")  # fmt: skip
    assert sentences_of(evidence)[-1].startswith("Figure 10: Token generating latency TensorRT-LLM")
    swapped = align("In FastDecode's latency measurements, vLLM achieved the lowest average per-token latency, about "
                    "34 ms on the 7B model.", [evidence])  # fmt: skip
    assert [c.outcome for c in swapped.checks] == ["conflict"]
    stated = align("TensorRT-LLM reaches the minimum average latency, about 34 ms per token.", [evidence])
    assert [c.outcome for c in stated.checks] == ["agree"]


def test_a_figure_in_an_aside_belongs_to_the_name_before_the_bracket() -> None:
    """Step-3's p. 5: 512 is DeepSeek-V3's MLA's arithmetic intensity, stated in brackets after it; Step-3's own
    MFA is 128. 'MLA' does not abbreviate "Multi-Matrix" (its letters must open the name's parts)."""
    from synth.verify.align import abbreviates

    evidence = ("With Step-3's MFA design, its arithmetic intensity is 128 (assuming 8-bit quantization of KV). It is "
                "much closer to A800 (roofline is 156) and 910B (roofline is 175) than DSv3's MLA (arithmetic "
                "intensity is 512).")  # fmt: skip
    swapped = align(
        "Step-3's Multi-Matrix Factorization Attention has an arithmetic intensity of about 512.", [evidence]
    )
    assert [c.outcome for c in swapped.checks] == ["conflict"]
    stated = align("DeepSeek-V3's MLA has an arithmetic intensity of 512.", [evidence])
    assert [c.outcome for c in stated.checks] == ["agree"]
    assert not abbreviates("mla", "Step-3's Multi-Matrix Factorization Attention")
    assert abbreviates("cove", "Chain-of-Verification") and abbreviates("dsv3", "DeepSeek-V3")
    assert abbreviates("dsv3", "deepseekv3")  # a name key: its letters in order


def test_the_evidence_sentences_subject_and_a_figures_own_unit_are_not_missing() -> None:
    """Skywork-MoE's p. 14: the subject is named once before both figures, and "A800-80G GPUs" follows the
    claim's first figure, not its second. A figure given to another system after the first still conflicts."""
    evidence = ("The training of the Skywork-MoE model is conducted on a cluster comprising 192 NVIDIA-HGX-A800 nodes, "
                "totaling 1536 A800-80G SXM GPUs.")  # fmt: skip
    stated = align("Skywork-MoE was trained on 1,536 A800-80G GPUs across 192 nodes.", [evidence])
    assert [c.outcome for c in stated.checks] == ["agree", "agree"]
    pair = "TensorRT-LLM achieves an average latency of 34.2 ms, while vLLM-Turbo reaches 40.1 ms."
    assert [c.outcome for c in align("vLLM-Turbo reaches about 34 ms of average latency.", [pair]).checks] == [
        "conflict"
    ]


def test_a_cell_of_another_row_conflicts_across_the_windows_of_one_table() -> None:
    """HiSpec's Table 1, read as two evidence windows (the second cut from the middle of the table chunk, with no
    caption): 2.08x on CNN/DM is HiSpec's cell, not LayerSkip's (1.70x)."""
    caption = "Table 1: Throughput relative to vanilla decoding." + CELLS_MARKER
    first = caption + (" Llama3-8B LayerSkip Speedup CNN/DM 1.70×. Llama3-8B LayerSkip Speedup HumanEval 1.54×. "
                       "Llama3-8B LookAhead Speedup CNN/DM 1.44×.")  # fmt: skip
    second = "Llama3-8B HiSpec Speedup CNN/DM 2.08×. Llama3-8B HiSpec Speedup HumanEval 1.91×."
    swapped = align("On Llama3-8B, LayerSkip achieved about a 2.1x speedup on CNN/DM, the best in HiSpec's table.",
                    [first, second])  # fmt: skip
    assert [c.outcome for c in swapped.checks] == ["conflict"]
    stated = align("On Llama3-8B, HiSpec achieved about a 2.1x speedup on CNN/DM.", [first, second])
    assert [c.outcome for c in stated.checks] == ["agree"]
    twice = align("HiSpec reaches 2.08x on CNN/DM.", [first + " " + second, second])  # a cell in two windows
    assert [c.outcome for c in twice.checks] == ["agree"]


def test_condition_swap_in_a_flattened_table_row() -> None:
    evidence = "Vicuna-7B Vicuna-68M CNN-DM 29.4 2.5 8.4 67 1.29x Vicuna-7B Vicuna-68M Alpaca 26.0 2.5 9.5 59 1.70x"
    assert _contradicts("With Vicuna-7B and Vicuna-68M on CNN-DM, the method ran about 1.7x faster.", evidence)
    assert not _contradicts("With Vicuna-7B and Vicuna-68M on Alpaca, the method ran about 1.7x faster.", evidence)


def test_swapped_comparison_figures() -> None:
    evidence = ("Providing incoherent objects achieves better performance than providing irrelevant objects, "
                "especially on the harder dataset (39.2 v.s. 26.2 F1).")  # fmt: skip
    assert _contradicts("Incoherent objects scored about 26 F1, versus about 39 for irrelevant ones.", evidence)
    assert not _contradicts("Incoherent objects scored about 39 F1, versus about 26 for irrelevant ones.", evidence)


def test_direction_reversed() -> None:
    evidence = "The acceleration effect of all methods decreases with an increase in sampling temperature."
    assert align(
        "The acceleration of the methods grows as the sampling temperature increases.", [evidence]
    ).polarity_flip
    assert not align("The acceleration of the methods shrinks as the sampling temperature increases.",
                     [evidence]).polarity_flip  # fmt: skip


def test_a_figure_that_moves_the_other_way_is_a_direction_error() -> None:
    """SCoT on ARC (2409.03271): the paper's "2.6% decrease" summarised as "a gain of about 2.6 points". The
    figure matches; the word that governs it runs the other way. A paraphrase in the same direction, and two
    figures each with its own verb, are no flip."""
    evidence = "However, the Llama3-8B model exhibits a 2.6% decrease in performance on the ARC dataset."
    flipped = align("On ARC, zero-shot SCoT gave Llama3-8B a gain of about 2.6 points over zero-shot CoT.", [evidence])
    assert flipped.figure_direction_flip == evidence and flipped.features()["al_polarity_flip"] == 1.0
    assert any(m.startswith("direction:") for m in flipped.mismatches())
    same = align("On ARC, zero-shot SCoT lowered Llama3-8B's performance by about 2.6%.", [evidence])
    assert not same.figure_direction_flip
    both = "DeepSeek-V2 cuts the KV cache by 93.3% while its generation throughput rises 5.76 times."
    paraphrase = align("DeepSeek-V2 reduces the KV cache by 93.3% and boosts throughput 5.76x.", [both])
    assert not paraphrase.figure_direction_flip


def test_comparator_order() -> None:
    evidence = "Applying the solutions provided by the dataset outperforms our annotated rationales."
    assert align("Our annotated rationales outperform the solutions provided by the dataset.", [evidence]).polarity_flip
    assert not align("The solutions provided by the dataset outperform our annotated rationales.",
                     [evidence]).polarity_flip  # fmt: skip


def test_a_figure_stated_against_another_baseline_is_a_comparator_swap() -> None:
    """Comparator swaps: the figure is right, but the paper measures it against another baseline."""
    evidence = (
        "HiSpec improves throughput by 1.7× on average and up to 2.08× compared to vanilla auto-regressive decoding."
    )
    swapped = align("Relative to baseline single-layer speculation, HiSpec improves throughput by about 1.7x on "
                    "average.", [evidence])  # fmt: skip
    assert [c.outcome for c in swapped.checks] == ["conflict"]
    assert any("against vanilla auto-regressive decoding" in m for m in swapped.mismatches())
    stated = align("Relative to vanilla autoregressive decoding, HiSpec improves throughput by about 1.7x on average.",
                   [evidence])  # fmt: skip
    assert [c.outcome for c in stated.checks] == ["agree"]
    # Each figure of a list takes the baseline that follows it.
    two = "PEARL achieves speedups of 4.43x over AR decoding and 1.50x over standard speculative decoding."
    assert [c.outcome for c in align("PEARL runs about 4.4x faster than standard speculative decoding.", [two]).checks
            ] == ["conflict"]  # fmt: skip
    assert [c.outcome for c in align("PEARL runs about 4.4x faster than AR decoding.", [two]).checks] == ["agree"]
    assert [c.outcome for c in align("PEARL runs 1.5x faster than standard SD.", [two]).checks] == ["agree"]


def test_an_abbreviated_or_generic_baseline_is_not_another_baseline() -> None:
    si = "Our simulations show that DSI is 1.29-1.92x faster than SI in single-node setups."
    claim = "In single-node simulations, DSI runs about 1.3x to 1.9x faster than speculative inference."
    assert [c.outcome for c in align(claim, [si]).checks] == ["agree"]
    generic = "(d): DSI is up to 1.6x faster than the baseline algorithm, where the baseline is the faster of SI."
    claim = "In DSI's simulations, DSI is up to about 1.6x faster than whichever of SI and non-SI is faster."
    assert [c.outcome for c in align(claim, [generic]).checks] == ["agree"]
    bound = "Invalid reasoning steps can achieve over 80% of the performance obtained using CoT."
    assert [c.outcome for c in align("Invalid reasoning retains about 80% of the performance of CoT.", [bound]).checks
            ] == ["agree"]  # fmt: skip


def test_falls_behind_is_one_downward_comparison() -> None:
    evidence = "However, the Lite Instruct model falls behind in knowledge-intensive benchmarks like TriviaQA."
    assert align("The Lite Instruct model outscores the chat model on knowledge-intensive TriviaQA.",
                 [evidence]).polarity_flip  # fmt: skip
    assert not align("The Lite Instruct model trails the chat model on knowledge-intensive TriviaQA.",
                     [evidence]).polarity_flip  # fmt: skip


def test_a_value_placed_in_a_range_has_no_direction() -> None:
    evidence = ("Setting the draft length to half of the qualifier length works best, with ratios falling between "
                "1:2 and 1:3.")  # fmt: skip
    assert not align("Setting the draft length to half the qualifier length works best, with ratios between 1:2 "
                     "and 1:3.", [evidence]).polarity_flip  # fmt: skip
    assert align("Setting the draft length to half the qualifier length works worse, with ratios between 1:2 "
                 "and 1:3.", [evidence]).polarity_flip  # fmt: skip


def test_figures_whose_descriptions_trade_places_are_a_swap() -> None:
    evidence = ("On XSum using LLaMA2-13B, PipeSpec with three models {68M, 7B, 13B} achieves 2.00× speedup, "
                "significantly outperforming the two-model {68M, 13B} configuration at 1.64×.")  # fmt: skip
    swapped = align("On XSum with LLaMA2-13B, PipeSpec's two-model {68M, 13B} setup reached about a 2.0x speedup, "
                    "beating the three-model {68M, 7B, 13B} pipeline at about 1.6x.", [evidence])  # fmt: skip
    assert swapped.role_swap and swapped.features()["al_role_swap"] == 1.0
    assert swapped.features()["al_conflict"] == 1.0  # each figure is stated, for the other slot
    assert any(m.startswith("roles: the claim gives 2.0x and 1.6x") for m in swapped.mismatches())
    kept = align("On XSum with LLaMA2-13B, PipeSpec's three-model {68M, 7B, 13B} setup reached about a 2.0x "
                 "speedup, beating the two-model {68M, 13B} pipeline at about 1.6x.", [evidence])  # fmt: skip
    assert not kept.role_swap and kept.features()["al_all_agree"] == 1.0


def test_names_whose_descriptions_trade_places_are_a_swap() -> None:
    evidence = ("By deploying the draft model on the GPU and the target model on the CPU, Dovetail reduces the "
                "granularity of data transfer.")  # fmt: skip
    swapped = align("Dovetail places its draft model on the CPU while the target model runs on the GPU.", [evidence])
    assert swapped.role_swap and "trade places" in swapped.mismatches()[-1]
    assert not align("Dovetail places its draft model on the GPU while the target model runs on the CPU.",
                     [evidence]).role_swap  # fmt: skip


def test_a_unitless_fraction_is_a_figure_to_check() -> None:
    evidence = "With XSum, lossy speculative decoding matches the small model's quality at 0.64 relative latency."
    assert align("Lossy speculative decoding matches the small model's quality at about 0.64 relative latency on "
                 "XSum.", [evidence]).features()["al_all_agree"] == 1.0  # fmt: skip
    assert _contradicts("Lossy speculative decoding matches the small model's quality at about 0.46 relative "
                        "latency on XSum.", evidence)  # fmt: skip


def test_a_charts_axis_ticks_are_not_figures() -> None:
    ticks = "3.4 Robustness of Chain of Thought GSM8K 0 5 10 15 20Solve rate (%) Standard prompting 15.4"
    assert [f.text for f in figures_of(ticks)] == ["3.4", "15.4"]
    assert [f.text for f in figures_of("0 250 500 750 1000Llama-7b latency mean vLLM 34.2 ms")] == ["34.2 ms"]
    row = "Least-to-Most 62.39 74.53 68.91 59.73 45.23 sockets 1 2 4 8"  # a table row and a doubling series stay
    assert len(figures_of(row)) == 9
    assert not _contradicts("With standard prompting, the solve rate on GSM8K is about 15%.", ticks)


def test_a_list_bullet_starts_a_sentence() -> None:
    text = "We identified about 3% of Common Crawl as code candidates. • LLM Quality Filters: We employed a scorer."
    assert sentences_of(text)[-1].startswith("LLM Quality Filters")
    assert (
        align("About 3% of Common Crawl was flagged as code-related candidates.", [text]).features()["al_all_agree"]
        == 1.0
    )


def test_scope_overgeneralised() -> None:
    evidence = "In 5 out of 6 tasks the variant leads to small improvements, but it hurts one task."
    assert align("The variant improves on every task tested.", [evidence]).scope_unsupported
    assert align(
        "More aggressive speculation always yields higher throughput.",
        ["More aggressive speculation does not always yield higher throughput."],
    ).scope_unsupported
    assert not align("The variant improves on most of the tasks tested.", [evidence]).scope_unsupported


def test_hardware_condition_swapped() -> None:
    evidence = "We conduct our experiments on a compute node with four NVIDIA H100 GPUs."
    assert align("The experiments ran on a node with four NVIDIA A100 GPUs.", [evidence]).name_swap
    assert not align("The experiments ran on a node with four NVIDIA H100 GPUs.", [evidence]).name_swap


def test_another_variant_of_a_named_family_is_a_condition_swap() -> None:
    """The 2302.12246 case: the figure is stated, but for text-davinci-002, not code-davinci-002."""
    evidence = (
        "A larger improvement is observed with text-davinci-002, where Active-Prompt (D) improves over "
        "self-consistency by 7.2%."
    )
    claim = "On arithmetic reasoning with {}, Active-Prompt (D) beats self-consistency by an average of about 7.2%."
    assert align(claim.format("code-davinci-002"), [evidence]).name_swap
    assert not align(claim.format("text-davinci-002"), [evidence]).name_swap
    fuller = "Llama3-8B-Instruct reaches 2.0x over vanilla decoding."  # the same system, named more fully
    assert not align("Llama3-8B reaches about 2.0x over vanilla decoding.", [fuller]).name_swap


def test_a_shared_subject_and_a_blended_abbreviation_are_not_another_system() -> None:
    """False conflicts on correct claims: the subject named before every figure belongs to all of them, and
    "SpecDecode" names "speculative decoding". A figure given to another system is still a conflict."""
    evidence = (
        "For example, our studies show that the average token acceptance rate is only 39.7% when using up to "
        "Layer-10 as the draft. HiSpec increases the average token acceptance rate to 58.1% (46% improvement)."
    )
    claim = "HiSpec's intermediate verifier raises the average token acceptance rate from roughly 40% to about 58%."
    assert [c.outcome for c in align(claim, [evidence]).checks] == ["agree", "agree"]
    blended = "For example, with XSum, SpecDecode [Lossy] with γ = 3 matches the small model's quality at 0.64 latency."
    stated = "On XSum, lossy speculative decoding with a block size of 3 matches the small model at about 0.64 latency."
    assert "conflict" not in [c.outcome for c in align(stated, [blended]).checks]
    swapped = "On XSum, EAGLE with a block size of 3 matches the small model at about 0.64 latency."
    assert "conflict" in [c.outcome for c in align(swapped, [blended]).checks]
    row = (
        "Accuracy by Steps (GSM8K) All 2 Steps 3 Steps 4 steps ≥ 5 steps Least-to-Most 62.39 74.53 68.91 59.73 "
        "45.23 Chain-of-Thought 60.87 76.68 67.29 59.39 39.07"
    )
    reversed_claim = (
        "Least-to-most prompting also beats chain-of-thought on the easiest GSM8K problems, those requiring only "
        "two reasoning steps, by roughly 77% to 75%."
    )  # the names before both figures are paired with them, so the swap is still seen
    assert [c.outcome for c in align(reversed_claim, [row]).checks] == ["conflict", "conflict"]


def test_units_and_scale() -> None:
    evidence = "The verification latency is 42.54 ms while generation takes 7.10 ms."
    a = align("Verification took about 42.5 seconds and generation about 7 seconds.", [evidence])
    assert a.features()["al_agree"] == 0.0


def test_same_digits_on_another_scale_is_a_changed_figure() -> None:
    """Unit/scale errors: the digits agree, the unit's scale does not ("50 microseconds" for "50ms")."""
    evidence = "Performance target: 50ms time per output token via a 3-stage pipeline, with 16.6ms per stage."
    a = align("The time per output token target is 50 microseconds, with 16.6 microseconds per stage.", [evidence])
    assert [c.outcome for c in a.checks] == ["changed", "changed"]
    assert any("another unit or scale" in c.detail for c in a.checks)
    same = align("The time per output token target is 50 ms, with 16.6 ms per stage.", [evidence])
    assert [c.outcome for c in same.checks] == ["agree", "agree"]
    # Seconds for milliseconds: 3 s is not 2196 ms even though both read as "about 2-3 seconds".
    assert not value_matches(
        figures_of("Copying takes about 3 seconds.", claim_side=True)[0],
        figures_of("It leads to a latency of approximately 2196ms per token.")[0],
    )


def test_rounding_intervals_must_overlap() -> None:
    """ "5" and "6" are different integers; a bare "2" in the evidence does not stand for a claimed 1.9x."""
    five = figures_of("COSP samples 5 reasoning paths.", claim_side=True)[0]
    assert not value_matches(five, figures_of("we sample m = 6 reasoning paths")[0])
    assert value_matches(five, figures_of("we sample m = 5 reasoning paths")[0])
    claimed = figures_of("PyramidSD reaches up to about 1.9x the speed of SD.", claim_side=True)[0]
    assert not value_matches(claimed, figures_of("We compare (2) Fuzzy Speculative Decoding (FSD) here.")[0])
    assert value_matches(claimed, figures_of("PyramidSD achieves up to 1.91× generation speed over SD.")[0])
    doubles = figures_of("HiSpec roughly doubles throughput.", claim_side=True)
    if doubles:  # a multiplier in words is as precise as its word
        assert not value_matches(doubles[0], figures_of("prefill time is reduced by 1.74× overall")[0])


def test_a_changed_figure_beside_agreeing_ones() -> None:
    evidence = "HiSpec decodes 321 tokens/s at batch size 8, and its acceptance rate reaches 58.1% on ShareGPT."
    a = align("HiSpec decodes 321 tokens/s at batch size 8 with an acceptance rate of 48.1% on ShareGPT.",
              [evidence])  # fmt: skip
    assert a.features()["al_bad_beside_agree"] == 1.0
    ok = align("HiSpec decodes 321 tokens/s at batch size 8 with an acceptance rate of 58.1% on ShareGPT.", [evidence])
    assert ok.features()["al_bad_beside_agree"] == 0.0


def test_idioms_that_keep_a_result_and_counted_sets_are_no_negation_or_scope() -> None:
    """Both ways: "without compromising quality" negates nothing and "all 125 questions" counts a set, while a
    real negation and a real "every" still contradict."""
    medusa = "MEDUSA-1, which fine-tunes only the MEDUSA heads, achieves a 2.18x speedup without compromising quality."
    assert not _contradicts("Medusa's decoding heads deliver roughly a 2.2x speedup on Vicuna-7B.", medusa)
    assert _contradicts("Medusa's heads do not deliver a speedup.", "Medusa's heads deliver a speedup of 2.2x.")
    bench = "We evaluate on 800 of the 1,319 GSM8K test problems and on the 125 Bamboogle questions."
    assert not align("The study evaluated on all 125 Bamboogle test questions.", [bench]).scope_unsupported
    cascade = "With the exception of TriviaQA, SpecCascade matches the 27B model's quality at a lower rejection rate."
    assert not _contradicts("SpecCascade matches the 27B model's quality on every benchmark except TriviaQA.", cascade)
    assert _contradicts("SpecCascade matches the 27B model's quality on every benchmark.", cascade)


def test_a_figure_written_into_a_name_is_stated_and_another_systems_sentence_is_no_slot() -> None:
    hispec = "The HiSpec configuration using exit Layer-7 and Layer-12 improves throughput by 1.25x."
    checks = align("Drafting at exit layer 7 and verifying at layer 12 let HiSpec improve throughput by 1.25x.",
                   [hispec]).checks  # fmt: skip
    assert [c.outcome for c in checks] == ["agree", "agree", "agree"] and '"Layer-7"' in checks[0].detail
    end = "HiSpec reaches a 58.1% acceptance rate with an intermediate verifier that uses up to Layer-20."
    assert [c.outcome for c in align("HiSpec's verifier at layer 20 reaches about 58%.", [end]).checks] == [
        "agree", "agree",
    ]  # fmt: skip
    yi = "Yi-Coder [01.AI, 2024] is a code LLM trained on top of 2.4 trillion high-quality tokens of code."
    assert not align("Seed-Coder is trained on about 6 trillion high-quality tokens of code.", [yi]).features()[
        "al_changed"
    ]
    own = "Seed-Coder is trained on 6 trillion high-quality tokens of code."
    assert align("Seed-Coder is trained on about 9 trillion high-quality tokens of code.", [own]).features()[
        "al_changed"
    ]


def test_a_baseline_phrase_stops_where_the_next_sentence_begins() -> None:
    """pypdf dropped a full stop: "over standard SD AMUSD presents …" is against standard SD."""
    pearl = (
        "PEARL achieves 4.43× speedup over AR decoding and 1.50× over standard SD AMUSD presents an asynchronous "
        "multi-device approach to speculative decoding."
    )
    claim = "PEARL reaches about 4.4x speedup over autoregressive decoding and 1.5x over standard speculative decoding."
    assert not _contradicts(claim, pearl)
    assert _contradicts("PEARL reaches 1.5x over autoregressive decoding.", pearl)


def test_a_sentence_stating_one_figure_of_the_claim_decides_its_others_both_ways() -> None:
    kvdirect = "KVDirect reduces the per-request latency by 55% and 24%, for two datasets respectively."
    claim = "KVDirect cuts per-request latency by 55% on one dataset and {} on the other, against vLLM."
    assert [c.outcome for c in align(claim.format("24%"), [kvdirect]).checks] == ["agree", "agree"]
    changed = align(claim.format("34%"), [kvdirect])
    assert [c.outcome for c in changed.checks] == ["agree", "changed"] and "gives 24%" in changed.mismatches()[0]


def test_malformed_evidence_never_crashes() -> None:
    for windows in ([], [""], ["   "], ["| a | b |\n| 1 |", "1.2 3.4 | | 5"], ["x" * 5000]):
        result = align("The method is 2.1x faster than the baseline on GPU.", windows)
        assert 0.0 <= result.features()["al_agree"] <= 1.0


def _dev_claims() -> list[dict]:
    if not CLAIMS_DEV.is_file():
        pytest.skip(f"{CLAIMS_DEV} not present (the shared dev data)")
    return [json.loads(line) for line in CLAIMS_DEV.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("claim_id", ["2212.10001-d6", "2401.07851-d6"])
def test_issue_examples_on_gold_evidence(claim_id: str) -> None:
    """The two claims the issue names: a reversed direction and a swapped attribution."""
    row = next(r for r in _dev_claims() if r["id"] == claim_id)
    assert _contradicts(row["claim"], row["evidence"])


def test_dev_set_signals_separate_labels() -> None:
    """On the gold evidence, a contradiction flag fires on twice as many REFUTED claims as SUPPORTED ones
    (measured 55 vs 25 of 96 each when written)."""
    rows = [r for r in _dev_claims() if r["evidence"]]
    flagged = {"SUPPORTED": 0, "REFUTED": 0}
    for r in rows:
        flagged[r["label"]] += _contradicts(r["claim"], r["evidence"])
    assert flagged["REFUTED"] >= 2 * flagged["SUPPORTED"]
    assert flagged["REFUTED"] >= 0.5 * sum(r["label"] == "REFUTED" for r in rows)


def test_figures_the_evidence_states_for_two_settings_are_a_condition_swap_both_ways() -> None:
    """DeepSeek-Coder-V2's two long-context stages: the claim joins the second stage's 128K with the first stage's
    batch size; the second stage's own figures, or the first stage's, agree."""
    stages = [
        "In the first stage, we utilize a sequence length of 32K and a batch size of 1152 for 1000 steps. In the "
        "second stage, we train the model for an additional 1000 steps, employing a sequence length of 128K and a "
        "batch size of 288 sequences."
    ]
    claim = "The model was trained for 1,000 steps at a {} sequence length with a batch size of {}."
    mixed = align(claim.format("128K", "1,152 sequences"), stages)
    assert [c.outcome for c in mixed.checks] == ["agree", "agree", "changed"]
    assert "gives 288" in mixed.checks[2].detail and "32K" in mixed.checks[2].detail
    for own in (("128K", "288 sequences"), ("32K", "1152 sequences")):
        assert [c.outcome for c in align(claim.format(*own), stages).checks] == ["agree", "agree", "agree"]
    # "8K" is 8,192 in a flattened table row, whose other row holds the claim's other figures
    row = (
        "Step-3 (FP8 attention) 4096 32 (2A2F) 4039 Step-3 (FP8 attention) 8192 48 (4A2F) 2643 Table 8: "
        "Performance comparison. TGS: Tokens/GPU/s."
    )
    assert _contradicts("With an 8K average context, Step-3 with FP8 attention peaks at 4,039 TGS.", [row][0])
    assert value_matches(figures_of("a 32K context", claim_side=True)[0], figures_of("of 32768 tokens")[0])


def test_names_of_the_claims_other_figures_are_not_this_figures_own() -> None:
    """A count and a percentage never trade places, and a list's earlier item ("4-way tensor-expert (EDP)") or a
    setting written as a modifier ("1024-token") names no other system for the next figure."""
    fastdecode = (
        "When the length of sequences is 1024, FASTDECODE achieves 72.8% and 84.1% efficiency when scaling up from "
        "1 socket to 8 sockets, on the 7b and 13b models, respectively."
    )
    claim = "With 1024-token sequences, FastDecode scales from 1 to 8 CPU sockets at about 73% efficiency on 7B."
    assert [c.outcome for c in align(claim, [fastdecode]).checks] == ["agree"] * 4
    skywork = (
        "The model utilizes 12-way pipeline parallelism, 4-way tensor-expert parallelism (via EDP), and 32-way data "
        "parallelism with ZeRO-1 optimization."
    )
    claim = "Skywork-MoE uses 12-way pipeline, 4-way tensor-expert (EDP) and {}-way data parallelism."
    assert [c.outcome for c in align(claim.format(32), [skywork]).checks] == ["agree"] * 3
    assert _contradicts(claim.format(16), skywork)


def test_a_figure_stated_under_a_sibling_setting_conflicts_both_ways() -> None:
    active = (
        "Compared with the competitive baseline, self-consistency, Active-Prompt (D) outperforms it by an average "
        "of 2.1% with code-davinci-002. A larger "
        "improvement is observed with text-davinci-002, where Active-Prompt (D) improves over self-consistency by 7.2%."
    )
    claim = "With {}, Active-Prompt (D) beats self-consistency by an average of about 7.2%."
    wrong = align(claim.format("code-davinci-002"), [active]).checks
    assert [c.outcome for c in wrong] == ["conflict"] and "another setting" in wrong[0].detail
    assert [c.outcome for c in align(claim.format("text-davinci-002"), [active]).checks] == ["agree"]


def test_a_rate_per_another_interval_is_a_unit_error_both_ways() -> None:
    loong = (
        "On average, the global manager triggers 7.12 elastic scale-up operations per 10 seconds, which indicates "
        "the necessity of elastic scale-up to handle the dynamic workload."
    )
    claim = "LoongServe's global manager triggered about 7 elastic scale-up operations per {} on average."
    wrong = align(claim.format("minute"), [loong]).checks
    assert [c.outcome for c in wrong] == ["changed"] and "per 10 seconds" in wrong[0].detail
    assert "per 10 seconds, not per minute" in align(claim.format("minute"), [loong]).mismatches()[0]
    assert align(claim.format("minute"), [loong]).features()["al_unit"] == 1.0
    assert align(claim.format("10 seconds"), [loong]).features()["al_unit"] == 0.0
    assert [c.outcome for c in align(claim.format("10 seconds"), [loong]).checks] == ["agree"]


def test_a_setting_the_evidence_never_names_is_flagged_unless_a_sibling_is_named() -> None:
    cosp = "COSP achieves 10% to 15% average improvement over Zero-shot CoT on PaLM-62B and GPT-3."
    assert align("COSP improved zero-shot accuracy by about 8% on LLaMA-65B.", [cosp]).unnamed == ["LLaMA-65B"]
    assert align("COSP improved zero-shot accuracy by about 12% on PaLM-62B.", [cosp]).unnamed == []
    h100 = "We conduct our experiments on a compute node with four NVIDIA H100 GPUs (94GB HBM3)."
    assert align("HiSpec ran on a compute node with four NVIDIA A100 GPUs.", [h100]).unnamed == []  # swapped, named


def test_a_trend_that_runs_the_other_way_is_a_direction_error_both_ways() -> None:
    """What happens to one quantity as another grows, stated in any of the ways papers write it."""
    kvlink = "Finally, we observe a consistent performance gain as the number of link tokens increases."
    lowers = "In KVLink's experiments, increasing the number of link tokens from 0 to 5 steadily lowers QA accuracy."
    raises = "In KVLink's experiments, increasing the number of link tokens from 0 to 5 steadily raises QA accuracy."
    assert align(lowers, [kvlink]).trend_flip and "trend" in " ".join(align(lowers, [kvlink]).mismatches())
    assert not align(raises, [kvlink]).trend_flip
    kvdirect = (
        "Interestingly, when increasing the number of prefill workers from 2 to 3, an increase in per-request "
        "latency is observed."
    )
    assert align("Adding prefill workers always lowers per-request latency in KVDirect.", [kvdirect]).trend_flip
    assert not align("Adding prefill workers raises per-request latency in KVDirect.", [kvdirect]).trend_flip
    batch = "With larger batch sizes, the speedup of speculative decoding decreases."
    assert not align("The speedup of speculative decoding shrinks as the batch size grows.", [batch]).trend_flip
    assert align("The speedup of speculative decoding grows as the batch size grows.", [batch]).trend_flip


def test_an_average_is_not_a_maximum_both_ways() -> None:
    hispec = (
        "HiSpec improves throughput by 1.7× on average and up to 2.08× compared to vanilla auto-regressive decoding."
    )
    peak = align("HiSpec's throughput gains top out at about 1.66x over vanilla decoding.", [hispec])
    assert [c.outcome for c in peak.checks] == ["conflict"] and "as the average, not the maximum" in peak.mismatches()[
        0
    ]
    assert [c.outcome for c in align("HiSpec improves throughput by up to 2.08x.", [hispec]).checks] == ["agree"]
    assert [c.outcome for c in align("HiSpec's throughput gain averages about 1.7x.", [hispec]).checks] == ["agree"]
    step = "We test Step-3's decoding with 4,096 average context length on Hopper GPUs."
    assert [c.outcome for c in align("Step-3 was tested at up to 4,096 context length.", [step]).checks] == ["agree"]


def test_a_bare_table_cell_takes_its_headers_unit_both_ways() -> None:
    table = (
        "Target Model Draft Model Latency (ms) Tverif/Tgen Generation (Tgen) Verification (Tverif) facebook/opt-66b "
        "facebook/opt-1.3b 9.14 26.83 2.9× Llama-3.1-70BINST Llama-3.2-1BINST 7.10 42.54 6×"
    )
    claim = "Verifying draft tokens with a Llama-3.1-70B target took about 42.5 {}."
    assert [c.outcome for c in align(claim.format("seconds"), [table]).checks] == ["changed"]
    assert [c.outcome for c in align(claim.format("ms"), [table]).checks] == ["agree"]


def test_hardware_the_evidence_never_names_is_a_swap_when_it_names_its_own_both_ways() -> None:
    kvlink = (
        "We adopt Llama-3.2-1B-Instruct and Llama-3.2-3B-Instruct as the backbone models, fine-tuning them for 6,000 "
        "steps using a global batch size of 64 across 8 A100 GPUs."
    )
    claim = "KVLink was fine-tuned for 6,000 steps with a global batch size of 64 on eight {} GPUs."
    wrong = align(claim.format("H100"), [kvlink])
    assert wrong.features()["al_hardware"] == 1.0 and any(m.startswith("hardware:") for m in wrong.mismatches())
    assert align(claim.format("A100"), [kvlink]).features()["al_hardware"] == 0.0
    assert align(claim.format("H100"), ["KVLink is fine-tuned for 6,000 steps."]).features()["al_hardware"] == 0.0


def test_the_two_sides_of_a_contrast_trading_places_is_a_swap_both_ways() -> None:
    survey = ["In FP32 precision, the outputs of Speculative Decoding are guaranteed to be exactly the same as "
              "autoregressive decoding."]  # fmt: skip
    claim = "Speculative decoding is guaranteed to reproduce autoregressive outputs exactly in {}, whereas {} diverges."
    swapped = align(claim.format("FP16", "FP32"), survey)
    assert "says of FP32 what the claim says of FP16" in " ".join(swapped.mismatches())
    assert not align(claim.format("FP32", "FP16"), survey).role_swap


def test_a_respectively_list_gives_each_figure_to_its_own_item_both_ways() -> None:
    kvdirect = (
        "When the number of prefill workers is increased from 1 to 2, prefill time is reduced by 2.34×, 1.74×, 3.73×, "
        "and 4.04× for prompt lengths ranging from 8,192 to 65,536, respectively."
    )
    claim = (
        "In KVDirect, doubling prefill workers from one to two shrinks prefill time by about {} for {}-token prompts."
    )
    wrong = align(claim.format("4x", "8,192"), [kvdirect])
    assert "for 8,192 the evidence gives 2.34×" in " ".join(wrong.mismatches())
    for right in (("4x", "65,536"), ("2.3x", "8,192")):
        assert "conflict" not in [c.outcome for c in align(claim.format(*right), [kvdirect]).checks]
    fastdecode = (
        "When the length of sequences is 1024, FASTDECODE achieves 72.8% and 84.1% efficiency when scaling up from 1 "
        "socket to 8 sockets, on the 7b and 13b models, respectively."
    )
    claim = "With 1024-token sequences, FastDecode scales from 1 to 8 sockets at about 73% efficiency for the {} model."
    assert "for 13b models the evidence gives 84.1%" in " ".join(align(claim.format("13B"), [fastdecode]).mismatches())
    assert not align(claim.format("7B"), [fastdecode]).mismatches()


def test_a_bound_word_than_does_not_cut_a_figure_from_its_words() -> None:
    """ "costs less than 2%": "than" belongs to the bound, so the figure keeps "scale-up mechanism costs"."""
    claim = "Scale-down adds up to 10% overhead, whereas its scale-up mechanism costs less than 2%."
    figures = figures_of(normalise_text(claim), claim_side=True)
    assert {"costs", "scale-up"} <= set(figures[-1].context)


def test_a_model_the_whole_paper_never_names_is_no_result_of_it() -> None:
    """Against the windows alone, Llama-3.1-8B beside Llama-3.2-1B reads as a swapped model (no unnamed
    setting); the whole paper decides: never named there, the claim's model has no result (NOT ENOUGH INFO);
    named elsewhere in it, its figures decide as before."""
    claim = (
        "Applied to Llama-3.1-8B-Instruct, KVLink reaches roughly 70% accuracy on NaturalQuestions with "
        "separately encoded documents."
    )
    windows = ["On NaturalQuestions, KVLink with Llama-3.2-1B-Instruct reaches 45.2% accuracy with separately "
               "encoded documents."]  # fmt: skip
    assert align(claim, windows).unnamed == []
    never = align(claim, windows, "We fine-tune Llama-3.2-1B-Instruct and Llama-3.2-3B-Instruct.")
    assert never.unnamed == ["Llama-3.1-8B-Instruct"] and never.features()["al_unnamed"] == 1.0
    assert align(claim, windows, "We fine-tune Llama-3.2-1B-Instruct and Llama-3.1-8B-Instruct.").unnamed == []
    # A swapped accelerator stays a swapped condition: a paper states the one setup it ran on.
    gpu = align("PyramidSD's experiments were run on NVIDIA A100 GPUs.", ["All experiments run on RTX 4090 GPUs."],
                "All experiments run on RTX 4090 GPUs.")  # fmt: skip
    assert gpu.hardware_swap and gpu.unnamed == []
