"""A hand-built `synth report` run on speculative decoding, and the damage the review tests inject into it.

The base run is what a good report looks like: prose that cites SUPPORTED claims
from four of the five retrieved papers, on-topic claims, and two measurable
claims measured CONSISTENT. Each `with_*` helper returns a damaged deep copy.
"""

from __future__ import annotations

from synth.core.bench_spec import BenchSpec
from synth.core.claims import Claim, ClaimKind, VerdictLabel
from synth.core.measurement import (
    Arm,
    ClaimCategory,
    ClaimType,
    EmpiricalCheck,
    EmpiricalVerdict,
    ExperimentPlan,
    MeasuredRatio,
    Relation,
)
from synth.core.measurement import MeasurementLabel as Outcome
from synth.core.run import (
    CitedSentence,
    MeasurementStage,
    PaperRef,
    Paragraph,
    ReportClaim,
    ReportRun,
    Synthesis,
)
from tests.run_builders import cited, report_run, verified_claim

QUESTION = "How much does speculative decoding speed up LLM inference, and at what cost?"

PAPERS = [
    (1, "2211.17192", "Fast Inference from Transformers via Speculative Decoding", 2023),
    (2, "2302.01318", "Accelerating Large Language Model Decoding with Speculative Sampling", 2023),
    (3, "2401.10774", "Medusa: Simple LLM Inference Acceleration Framework with Multiple Decoding Heads", 2024),
    (4, "2406.16858", "EAGLE-2: Faster Inference of Language Models with Dynamic Draft Trees", 2024),
    (5, "2309.06180", "Efficient Memory Management for Large Language Model Serving with PagedAttention", 2023),
]
TITLES = {number: title for number, _, title, _ in PAPERS}

S, NEI, REF = VerdictLabel.SUPPORTED, VerdictLabel.NOT_ENOUGH_INFO, VerdictLabel.REFUTED
# number, paper, text, label, confidence, measurable tags
CLAIMS = [
    (1, 1, "Speculative decoding accelerates T5-XXL inference by 2x-3x compared with the standard T5X "
           "implementation, with identical outputs.", S, 0.92, []),
    (2, 1, "Speculative decoding requires no retraining or architecture change of the target model.", S, 0.85, []),
    (3, 2, "Speculative sampling achieves a 2-2.5x decoding speedup for Chinchilla 70B in a distributed setup "
           "without compromising sample quality.", S, 0.88, []),
    (4, 3, "Medusa-1 achieves over 2.2x speedup without compromising generation quality.", S, 0.90, ["throughput"]),
    (5, 3, "Medusa-2 further improves the speedup to 2.3-3.6x.", S, 0.86, []),
    (6, 4, "EAGLE-2 achieves speedup ratios of 3.05x-4.26x, which is 20%-40% faster than EAGLE-1.", S, 0.90, []),
    (7, 4, "The EAGLE-2 draft model adds about 0.24B parameters to a 7B target model.", S, 0.72, []),
    (8, 2, "The 4B draft model of Chinchilla samples a token about 8x faster than the 70B target model.", S, 0.80,
     ["throughput"]),
    (9, 4, "Running the EAGLE-2 draft head alongside the target model raises peak memory by less than 10%.", S,
     0.75, ["memory"]),
    (10, 1, "Speculative decoding gives no speedup when the draft model's acceptance rate is below 0.3.", NEI,
     0.60, []),
    (11, 2, "Speculative sampling speeds up every model size by more than 5x.", REF, 0.80, []),
]  # fmt: skip

ABSTRACT = [
    ("Speculative decoding speeds up LLM inference by about 2-4x without changing the outputs.", [1, 3, 6]),
    ("Its main cost is a draft model or extra decoding heads, which add little memory.", [7, 9]),
]
RESULTS = [
    ("Draft-model speculative decoding", [
        ("On T5-XXL, speculative decoding is 2x-3x faster than standard decoding with identical outputs.", [1]),
        ("Speculative sampling reaches a 2-2.5x speedup for Chinchilla 70B.", [3]),
        ("Neither needs retraining of the target model.", [2]),
        ("The small draft model samples tokens about 8x faster than the target model.", [8]),
    ]),
    ("Draft heads and draft trees", [
        ("Medusa-1 achieves over 2.2x speedup without compromising generation quality, and Medusa-2 raises this "
         "to 2.3-3.6x.", [4, 5]),
        ("EAGLE-2 reaches 3.05x-4.26x, 20%-40% faster than EAGLE-1.", [6]),
        ("The EAGLE-2 draft adds about 0.24B parameters to a 7B model and under 10% peak memory.", [7, 9]),
    ]),
]  # fmt: skip

OFF_TOPIC = [
    ("Highly accurate protein structure prediction with AlphaFold",
     "AlphaFold predicts protein structures with atomic accuracy in the majority of cases."),
    ("The Food Lab: Better Home Cooking Through Science",
     "Searing meat does not seal in its juices, but it adds flavour through the Maillard reaction."),
    ("Mass loss of the Greenland ice sheet",
     "Greenland's glaciers lost about 270 billion tonnes of ice per year between 2002 and 2016."),
    ("Sourdough fermentation",
     "A sourdough starter fed twice a day at 25 degrees doubles in volume within six hours."),
]  # fmt: skip


def _check(text: str, category: ClaimCategory, outcome: Outcome, ratio: float | None, reason: str) -> EmpiricalCheck:
    """An empirical check as the measurement stage stores it; `ratio=None` means nothing could be measured."""
    claim_type = ClaimType(
        text=text, type=category, quantity="memory" if category is ClaimCategory.RELATIVE_MEMORY else "throughput",
        arm_a=Arm(label="the target model"), arm_b=Arm(label="the draft"), relation=Relation(ratio=ratio or 2.2),
    )  # fmt: skip
    if ratio is None:
        plan = ExperimentPlan(claim=claim_type, inconclusive_reason=reason)
        verdict = EmpiricalVerdict(verdict=outcome, claimed="2.20x", tolerance=0.25, reason=reason)
        return EmpiricalCheck(claim_text=text, claim_id="x", claim_type=claim_type, plan=plan, verdict=verdict)
    arm = BenchSpec(model="smollm2-135m-instruct")
    plan = ExperimentPlan(claim=claim_type, arm_a=arm, arm_b=arm, metric="decode_tokens_per_s")
    measured = MeasuredRatio(ratio=ratio, std=0.1, metric=plan.metric or "", a_mean=10.0, a_std=0.3,
                             b_mean=10.0 * ratio, b_std=0.5)  # fmt: skip
    verdict = EmpiricalVerdict(verdict=outcome, claimed="—", measured=measured, tolerance=0.25, reason=reason)
    return EmpiricalCheck(claim_text=text, claim_id="x", claim_type=claim_type, plan=plan, verdict=verdict)


def _empirical(number: int, text: str) -> list[EmpiricalCheck]:
    if number == 4:
        reason = "the bench has no speculative decoding technique to run"
        return [_check(text, ClaimCategory.RELATIVE_THROUGHPUT_TECHNIQUES, Outcome.INCONCLUSIVE, None, reason)]
    if number == 8:
        reason = "measured 7.10x ± 0.40, within ±25% of the claimed 8.00x"
        return [_check(text, ClaimCategory.RELATIVE_THROUGHPUT_SIZES, Outcome.CONSISTENT, 7.1, reason)]
    if number == 9:
        reason = "measured 1.06x ± 0.02, within ±25% of the claimed 1.10x"
        return [_check(text, ClaimCategory.RELATIVE_MEMORY, Outcome.CONSISTENT, 1.06, reason)]
    return []


def report_claim(number: int, paper: int | None, text: str, label: VerdictLabel, confidence: float,
                 measurable: list[str], title: str | None) -> ReportClaim:  # fmt: skip
    claim = Claim(text=text, kind=ClaimKind.QUANTITATIVE, source_title=title, extractor="extractive")
    return verified_claim(number, claim, paper, label, confidence, checks=["nli"], measurable=measurable,
                          empirical=_empirical(number, text) if measurable else [])  # fmt: skip


def _sentences(items: list[tuple[str, list[int]]]) -> list[CitedSentence]:
    return [cited(text, *claims) for text, claims in items]


def make_run() -> ReportRun:
    """The good report: every prose sentence cites SUPPORTED claims; 4 of 5 retrieved papers gave claims."""
    papers = [PaperRef(number=n, doc_id=d, title=t, arxiv_id=d, year=y, source="local") for n, d, t, y in PAPERS]
    claims = [report_claim(n, p, t, lab, conf, m, TITLES[p]) for n, p, t, lab, conf, m in CLAIMS]
    synthesis = Synthesis(
        method="template", title="Speculative decoding: speedups and costs", abstract=_sentences(ABSTRACT),
        results=[Paragraph(heading=h, sentences=_sentences(s)) for h, s in RESULTS],
        not_enough_info=[10], refuted=[11],
    )  # fmt: skip
    measurement = MeasurementStage(mode="auto", budget_s=600, spent_s=212.0, planned=3, run=2,
                                   skipped=["[4]: the bench has no speculative decoding technique to run"])  # fmt: skip
    return report_run("20250101-000000-specdec", QUESTION, "2025-01-01T00:00:00Z", papers, claims,
                      measurement=measurement, synthesis=synthesis)  # fmt: skip


def with_unsupported_prose(run: ReportRun) -> ReportRun:
    """Adds a paragraph of sentences that cite nothing, or cite the NOT_ENOUGH_INFO and REFUTED claims."""
    damaged = run.model_copy(deep=True)
    assert damaged.synthesis is not None
    damaged.synthesis.results.append(Paragraph(heading="Outlook", sentences=_sentences([
        ("Speculative decoding will soon make every model ten times faster.", []),
        ("It has no drawbacks in any deployment.", []),
        ("It is useless when the acceptance rate is below 0.3.", [10]),
        ("Speculative sampling speeds up every model size by more than 5x.", [11]),
    ])))  # fmt: skip
    return damaged


def with_off_topic_claims(run: ReportRun) -> ReportRun:
    """Adds claims about protein folding, cooking, glaciers and bread (uncited, so only relevance sees them)."""
    damaged = run.model_copy(deep=True)
    start = len(damaged.claims) + 1
    for i, (title, text) in enumerate(OFF_TOPIC):
        damaged.claims.append(report_claim(start + i, None, text, NEI, 0.5, [], title))
    return damaged


def citing_one_paper(run: ReportRun, paper: int = 3) -> ReportRun:
    """The same prose, but every sentence cites only the claims of one paper (Medusa by default)."""
    damaged = run.model_copy(deep=True)
    assert damaged.synthesis is not None
    own = [c.number for c in damaged.claims if c.paper == paper and c.supported]
    for sentence in [*damaged.synthesis.abstract, *(s for p in damaged.synthesis.results for s in p.sentences)]:
        sentence.claims = own[:1] if len(sentence.claims) == 1 else own
    return damaged


def with_measurement_off(run: ReportRun) -> ReportRun:
    damaged = run.model_copy(deep=True)
    damaged.measurement = MeasurementStage(mode="off", budget_s=0)
    for claim in damaged.claims:
        claim.empirical = []
    return damaged


def with_inconsistent_measurement(run: ReportRun, number: int = 8) -> ReportRun:
    """The measured claim `number` now disagrees with its measurement (measured 2.1x where 8x was claimed)."""
    damaged = run.model_copy(deep=True)
    check = damaged.claim(number).empirical[0]
    assert check.verdict is not None and check.verdict.measured is not None
    check.verdict.verdict = Outcome.INCONSISTENT
    check.verdict.measured.ratio = 2.1
    check.verdict.reason = "measured 2.10x ± 0.10, outside ±25% of the claimed 8.00x by more than the noise"
    return damaged
