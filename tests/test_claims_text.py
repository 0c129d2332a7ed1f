"""Sentences of real papers that the extractive claim path lost, and the claims it now makes of them."""

from __future__ import annotations

import pytest

from synth.claims.extract.extractive import claim_worthiness, resolve_leading_it
from synth.claims.extract.paper import strip_lead
from synth.claims.extract.sentences import document_sentences
from synth.claims.extract.subject import rewrite_subject
from synth.claims.gates import claim_defect
from synth.core.documents import Page

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`


def sentences(text: str) -> list[str]:
    return [s.text for s in document_sentences("d", [Page(number=1, text=text)], sections=[])]


def test_a_run_in_heading_is_cut_off_the_first_person_sentence_it_heads() -> None:
    text = (
        "Our main findings are as follows.\nCoVe improves precision on list-based answer tasks We find that CoVe "
        "provides large gains in precision on the list-based tasks (from 0.17 to 0.36).\nSummary Our results "
        "consistently show that 4-bit QLORA with NF4 data type matches 16-bit LoRA finetuning performance."
    )
    assert sentences(text) == [
        "Our main findings are as follows.",
        "CoVe improves precision on list-based answer tasks",
        "We find that CoVe provides large gains in precision on the list-based tasks (from 0.17 to 0.36).",
        "Summary",
        "Our results consistently show that 4-bit QLORA with NF4 data type matches 16-bit LoRA finetuning performance.",
    ]


def test_a_first_person_sentence_after_a_clause_is_not_cut() -> None:
    text = "For example, when the batch is large We cannot tell. Instead, as the results show, we find that X wins."
    assert len(sentences(text)) == 2


def test_etc_and_a_footnote_mark_end_a_sentence() -> None:
    text = (
        "Hallucinations could come in other forms, such as opinions, etc. We also note that CoVe comes at the cost "
        "of increased computational expense. Any combination of A800 or Ascend 910B.1 Step-3\nlargely improves the "
        "Pareto frontier. See Fig.3 The end. Such as A, B, etc. GPT-4 is not cut."
    )
    assert sentences(text) == [
        "Hallucinations could come in other forms, such as opinions, etc.",
        "We also note that CoVe comes at the cost of increased computational expense.",
        "Any combination of A800 or Ascend 910B.",
        "Step-3 largely improves the Pareto frontier.",
        "See Fig.3 The end.",
        "Such as A, B, etc. GPT-4 is not cut.",
    ]


def test_a_dash_list_item_on_its_own_line_is_its_own_sentence() -> None:
    text = (
        "• Decoding costs go beyond parameter count: Neither count is a good\nindicator for decoding costs.\n"
        "– For example, Qwen-3 MoE 235B exhibits only 10%\nlower theoretical decoding cost than DSv3."
    )
    assert sentences(text) == [
        "• Decoding costs go beyond parameter count: Neither count is a good indicator for decoding costs.",
        "– For example, Qwen-3 MoE 235B exhibits only 10% lower theoretical decoding cost than DSv3.",
    ]


def test_a_bulleted_run_in_label_is_stripped_before_the_sentence_is_judged() -> None:
    item = "• Reasoning tasks: (1) DeepSeek-R1 achieves a score of 79.8% Pass@1 on AIME 2024, slightly surpassing o1."
    assert strip_lead(item) == "DeepSeek-R1 achieves a score of 79.8% Pass@1 on AIME 2024, slightly surpassing o1."
    assert claim_worthiness(strip_lead(item), "conclusion") > 0
    assert strip_lead("Observation 2: Total and activated parameter counts are bad indicators of decoding costs.") == (
        "Total and activated parameter counts are bad indicators of decoding costs."
    )
    assert strip_lead("Medusa-2: achieves 3x.") == "Medusa-2: achieves 3x."  # no label taken off a lower-case rest
    caption = "Table 3: Experiments comparing 16-bit BrainFloat and 4-bit NormalFloat on GLUE and Super-NI."
    assert strip_lead(caption) == caption


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Indeed, our profiling results in Fig. 2 show that only 20.4% - 38.2% of the KV cache memory is used to "
         "store the actual token states in the existing systems.",
         "Only 20.4% - 38.2% of the KV cache memory is used to store the actual token states in the existing systems."),
        ("Results are shown in Table 4 where we see that NF4 with double quantization fully recovers the 16-bit LoRA "
         "MMLU performance.", "NF4 with double quantization fully recovers the 16-bit LoRA MMLU performance."),
        ("We can see in Figure 2 PerplexityAI still outperforms CoVe for very rare facts.",
         "PerplexityAI still outperforms CoVe for very rare facts."),
        ("We will demonstrate that, although Step-3 has more activated parameters than DSv3, we achieve "
         "significantly lower decoding costs.",
         "Although Step-3 has more activated parameters than DSv3, Step-3 achieves significantly lower decoding "
         "costs."),
    ],
)  # fmt: skip
def test_reporting_frames_are_stripped(sentence: str, expected: str) -> None:
    assert rewrite_subject(sentence, "Step-3") == expected
    assert claim_defect(expected) is None


def test_it_after_a_fronted_phrase_is_the_papers_system() -> None:
    text = "On MATH-500, it attains an impressive score of 97.3%, performing on par with OpenAI-o1-1217."
    assert resolve_leading_it(text, "DeepSeek-R1").startswith("On MATH-500, DeepSeek-R1 attains")
    assert resolve_leading_it("In this case, it is slower than the baseline.", "X").startswith("In this case, it is")


def test_an_example_takes_the_system_of_the_sentence_it_illustrates() -> None:
    """DeepSeek-R1 p. 3: "For instance, the pass@1 score on AIME 2024 increases from 15.6% to 71.0%" was the claim
    "The pass@1 score ... increases ..." (whose?), and its figures went to no system; the sentence before names
    DeepSeek-R1-Zero. A sentence that is no example, or one after a sentence naming no system, is left alone."""
    from synth.claims.extract.extractive import extractive_candidates
    from synth.claims.extract.paper import paper_from_pages

    page = (
        "During training, DeepSeek-R1-Zero naturally emerged with numerous powerful and interesting reasoning "
        "behaviors. After thousands of RL steps, DeepSeek-R1-Zero exhibits super performance on reasoning "
        "benchmarks. For instance, the pass@1 score on AIME 2024 increases from 15.6% to 71.0%, and with majority "
        "voting, the score further improves to 86.7%, matching the performance of OpenAI-o1-0912. The method "
        "exhibits good results. For example, the throughput rises by 2.1x over the baseline on every task."
    )
    paper = paper_from_pages("d", "DeepSeek-R1: Incentivizing Reasoning", [Page(number=1, text=page)], [])
    texts = [c.text for c in extractive_candidates(paper, 10)[0]]
    resolved = "DeepSeek-R1-Zero's pass@1 score on AIME 2024 increases from 15.6% to 71.0%"
    assert any(t.startswith(resolved) for t in texts)
    assert not any("'s throughput rises" in t for t in texts)
