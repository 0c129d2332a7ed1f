"""Empirical claim checks: classify, plan, judge, dedupe, render; pure functions, no model is loaded."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from synth.audit.inputs import read_audit_input
from synth.core.bench_result import BenchResult, Environment, Measurements, Stat
from synth.core.bench_spec import BenchSpec
from synth.corpus.chunking import split_sentences
from synth.empirical import (
    Availability,
    ClaimCategory,
    EmpiricalCheck,
    MeasurementLabel,
    check_claims,
    classify_claim,
    classify_claim_parts,
    judge,
    plan_experiment,
)
from synth.render.empirical import render_json, render_markdown

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
PAPER = SEEDS / "004_ae027df4a1b65a0f.txt"
REPORT = SEEDS / "002_174f205853981076.txt"
PRESETS = [
    "llama-3.2-1b", "llama-3.2-3b", "gemma-2-2b", "starcoder-1b", "qwen2.5-0.5b", "qwen2.5-1.5b", "moe-small",
    "moe-small-dense-equal-active",
]  # fmt: skip
HERE = Availability(presets=PRESETS, hf_models=["qwen2.5-coder-0.5b-instruct"])
BARE = Availability()

CAD = "CAD alone reliably enhances accuracy, although at the cost of roughly halving throughput."
SC = "However, SC dramatically reduces throughput by a factor of five (as we obtain 5 generations per sample)."
RAG = "Likewise, RAG maintains roughly the same throughput as the vanilla setting while delivering slight accuracy"
COT = "CoT yields moderate accuracy gains without affecting throughput"
SIZES = "this comes at the expense of lower throughput (from 110 to 22 tokens / sec. for Humaneval"
THIRTEEN = "up to 31% accuracy improvements over baseline methods with only a 13% reduction in throughput"
ABSTRACT_RAG = "while RAG provides complementary gains with minimal impact on throughput"


@cache
def _paper_sentences() -> tuple[str, ...]:
    return tuple(s.text for s in split_sentences(" ".join(PAPER.read_text(encoding="utf-8").split())))


def _paper_sentence(fragment: str) -> str:
    """The seed paper's sentence containing `fragment`, cut by synth's own splitter (what extraction sees)."""
    return next(s for s in _paper_sentences() if fragment in s)


def _report_claim(fragment: str) -> str:
    claims = read_audit_input(REPORT).claims
    return next(c.text for c in claims if fragment in c.text)


# ---------------------------------------------------------------- classification


@pytest.mark.parametrize(
    ("fragment", "technique", "quantity", "ratio"),
    [
        (CAD, "cad", "throughput", 0.5),
        (SC, "self_consistency", "throughput", 0.2),
        (RAG, "rag", "throughput", 1.0),
        (COT, "cot", "throughput", 1.0),
        (ABSTRACT_RAG, "rag", "throughput", 1.0),
        ("RAG preserves the vanilla model's throughput", "rag", "throughput", 1.0),
        ("negligibly affecting throughput", "cot", "throughput", 1.0),
        ("computationally twice as expensive as normal inference", "cad", "latency", 2.0),
        ("thus roughly doubles the inference cost per sample", "cad", "latency", 2.0),
    ],
)
def test_seed_004_technique_claims(fragment: str, technique: str, quantity: str, ratio: float) -> None:
    # synth's splitter glues a bullet onto the sentence before it, so one "sentence" can hold two claims
    parts = classify_claim_parts(_paper_sentence(fragment))
    claim = next(p for p in parts if p.arm_b is not None and p.arm_b.technique == technique)
    assert claim.type == ClaimCategory.RELATIVE_THROUGHPUT_TECHNIQUES
    assert claim.arm_b is not None and claim.arm_b.technique == technique
    assert claim.arm_a is not None and claim.arm_a.technique == "vanilla"
    assert claim.quantity == quantity
    assert claim.relation is not None and claim.relation.ratio == pytest.approx(ratio)


def test_seed_004_size_claim_has_throughput_and_memory_parts() -> None:
    parts = classify_claim_parts(_paper_sentence(SIZES))
    by_quantity = {p.quantity: p for p in parts}
    speed, memory = by_quantity["throughput"], by_quantity["memory"]
    assert speed.type == ClaimCategory.RELATIVE_THROUGHPUT_SIZES
    assert speed.relation is not None and speed.relation.ratio == pytest.approx(0.2)
    assert speed.arm_b is not None and speed.arm_b.sizes_b == [2.0]
    assert speed.arm_a is not None and not speed.arm_a.named
    assert memory.type == ClaimCategory.RELATIVE_MEMORY and memory.memory_kind == "peak"
    assert memory.relation is not None and memory.relation.ratio == pytest.approx(4.0)


def test_claim_naming_no_arm_is_unmeasurable_but_keeps_its_figure() -> None:
    claim = classify_claim(_paper_sentence(THIRTEEN))
    assert claim.type == ClaimCategory.UNMEASURABLE
    assert claim.quantity == "throughput"
    assert claim.relation is not None and claim.relation.ratio == pytest.approx(0.87)
    assert "names no technique" in claim.reason


def test_seed_002_claims() -> None:
    slower = classify_claim(_report_claim("require more inference time than lower precision"))
    assert slower.type == ClaimCategory.RELATIVE_THROUGHPUT_PRECISIONS
    assert slower.quantity == "latency"
    assert slower.arm_b is not None and slower.arm_b.precision == "int8"
    assert slower.arm_a is not None and slower.arm_a.precision == "int4"
    assert slower.relation is not None and slower.relation.direction == "higher" and slower.relation.ratio is None

    parts = classify_claim_parts(_report_claim("does not effectively translate to better performance"))
    assert [p.type for p in parts] == [
        ClaimCategory.RELATIVE_THROUGHPUT_PRECISIONS, ClaimCategory.ACCURACY_UNDER_QUANTIZATION,
    ]  # fmt: skip
    assert parts[1].relation is not None and parts[1].relation.direction == "not_higher"

    drops = classify_claim(_report_claim("significantly drops at 2-bit"))
    assert drops.type == ClaimCategory.ACCURACY_UNDER_QUANTIZATION
    assert drops.arm_b is not None and drops.arm_b.precision == "int2"
    assert drops.relation is not None and drops.relation.direction == "lower"

    memory = classify_claim(_report_claim("comparable storage and memory demands"))
    assert memory.type == ClaimCategory.RELATIVE_MEMORY
    assert memory.arm_b is not None and (memory.arm_b.precision, memory.arm_b.sizes_b) == ("int4", [7.0])
    assert memory.arm_a is not None and memory.arm_a.sizes_b == [1.3, 2.0, 3.0]


@pytest.mark.parametrize(
    ("fragment", "why"),
    [
        ("evaluates the performance of five quantized", "no comparison"),
        ("best trade-off between performance and model size", "trade-off"),
        ("can be deployed on an average laptop", "feasibility"),
        ("tested on a consumer laptop at 2-, 4-, and 8-bit", "no throughput"),
    ],
)
def test_seed_002_unmeasurable(fragment: str, why: str) -> None:
    claim = classify_claim(_report_claim(fragment))
    assert claim.type == ClaimCategory.UNMEASURABLE
    assert why in claim.reason


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("We explore CAD and RAG and find that they are cheaper and faster to run.", "at once"),
        ("However, larger models are slower and need more memory.", "in general"),
        ("Technique pass@1 (↑) Throughput (↑) VANILLA 0.13 110 CAD 0.17 58 RAG 0.14 110", "table"),
        ("Notably, these accuracy gains come at a cost: approximately a 50% reduction in throughput.", "names no"),
        ("CAD improves pass@10 from 0.30 to 0.39 on HumanEval.", "only across precisions"),
    ],
)
def test_refusals_say_why(text: str, why: str) -> None:
    claim = classify_claim(text)
    assert claim.type == ClaimCategory.UNMEASURABLE
    assert why in claim.reason


@pytest.mark.parametrize(
    ("text", "ratio"),
    [
        ("CAD roughly halves throughput", 0.5),
        ("SC reduces throughput by a factor of five", 0.2),
        ("a 2B model is 5x slower than a 1B one", 0.2),
        ("int4 is 2x faster than fp16", 2.0),
        ("RAG preserves the vanilla throughput", 1.0),
        ("CoT has no impact on throughput", 1.0),
        ("Self-consistency is three times slower than greedy decoding", 1 / 3),
        ("chain-of-thought prompting causes a 13% reduction in throughput", 0.87),
        ("Retrieval-augmented generation lowers throughput by 10%", 0.9),
    ],
)
def test_relation_figures(text: str, ratio: float) -> None:
    claim = classify_claim(text)
    assert claim.type != ClaimCategory.UNMEASURABLE
    assert claim.relation is not None and claim.relation.ratio == pytest.approx(ratio)


def test_named_models_and_precisions() -> None:
    sizes = classify_claim("Gemma2 2B is 5x slower than Llama 3.2 1B")
    assert sizes.type == ClaimCategory.RELATIVE_THROUGHPUT_SIZES
    assert sizes.arm_b is not None and (sizes.arm_b.family, sizes.arm_b.sizes_b) == ("gemma", [2.0])
    assert sizes.arm_a is not None and (sizes.arm_a.family, sizes.arm_a.version) == ("llama", "3.2")
    accuracy = classify_claim("4-bit quantization keeps pass@1 within 1 point")
    assert accuracy.type == ClaimCategory.ACCURACY_UNDER_QUANTIZATION
    assert accuracy.relation is not None and accuracy.relation.max_abs_diff == pytest.approx(0.01)
    absolute = classify_claim("Llama 3.2 1B reaches 58 tokens/s on an A100")
    assert absolute.type == ClaimCategory.ABSOLUTE_ON_HARDWARE and absolute.hardware == "A100"
    assert classify_claim("MoE models decode faster than dense models").type == ClaimCategory.MOE_VS_DENSE


# ---------------------------------------------------------------- planning


def _differences(a: BenchSpec, b: BenchSpec) -> set[str]:
    da, db = a.model_dump(), b.model_dump()
    return {k for k in da if da[k] != db[k]}


def test_plan_cad_naive_primary_with_batched_extra() -> None:
    plan = plan_experiment(classify_claim(_paper_sentence(CAD)), HERE)
    assert plan.inconclusive_reason is None
    assert plan.arm_a is not None and plan.arm_b is not None
    assert _differences(plan.arm_a, plan.arm_b) == {"technique"}
    assert plan.arm_a.technique.name == "vanilla"
    assert (plan.arm_b.technique.name, plan.arm_b.technique.implementation) == ("cad", "naive")
    assert [e.spec.technique.implementation for e in plan.extras] == ["batched"]
    assert plan.arm_a.model.name == "llama-3.2-1b" and plan.arm_a.model.kind == "preset"
    assert plan.arm_a.generation.fixed_length and plan.arm_a.generation.max_new_tokens == 32
    assert plan.arm_a.prompts.prompt_tokens == [150]
    assert (plan.arm_a.repetitions, plan.arm_a.warmup) == (3, 1)
    assert plan.metric == "per_sample_tokens_per_s"
    assert any("llama-3.2-1b" in s for s in plan.substitutions)


def test_plan_sizes_uses_replicas_and_says_so() -> None:
    plan = plan_experiment(classify_claim("Gemma 2 2B is 5x slower than Llama 3.2 1B"), HERE)
    assert plan.arm_a is not None and plan.arm_b is not None
    assert (plan.arm_a.model.name, plan.arm_b.model.name) == ("llama-3.2-1b", "gemma-2-2b")
    assert _differences(plan.arm_a, plan.arm_b) == {"model"}
    assert any("Gemma 2 2B not available offline" in s and "gemma-2-2b" in s for s in plan.substitutions)
    unnamed = plan_experiment(classify_claim_parts(_paper_sentence(SIZES))[0], HERE)
    assert unnamed.arm_a is not None and unnamed.arm_a.model.name == "llama-3.2-1b"
    assert any("names only a 2B model" in s for s in unnamed.substitutions)


def test_plan_precisions_on_cpu() -> None:
    plan = plan_experiment(classify_claim("int4 is 2x faster than fp16"), HERE)
    assert plan.arm_a is not None and plan.arm_b is not None
    assert (plan.arm_a.precision, plan.arm_b.precision) == ("bf16", "int4")
    assert any("fp16 → bf16" in s for s in plan.substitutions)
    nf4 = plan_experiment(classify_claim("nf4 is slower than int8"), HERE)
    assert nf4.specs == [] and "nf4 needs CUDA" in (nf4.inconclusive_reason or "")
    on_gpu = plan_experiment(classify_claim("nf4 is slower than int8"), HERE.model_copy(update={"cuda": True}))
    assert on_gpu.arm_b is not None and on_gpu.arm_b.precision == "nf4" and on_gpu.arm_b.device == "cuda"
    two_bit = plan_experiment(classify_claim(_report_claim("significantly drops at 2-bit")), HERE)
    assert two_bit.specs == [] and "int2 is not a precision the runner supports" in (two_bit.inconclusive_reason or "")


def test_plan_accuracy_needs_real_weights() -> None:
    claim = classify_claim("4-bit quantization keeps pass@1 within 1 point on Llama 3.2 1B")
    plan = plan_experiment(claim, HERE)
    assert plan.arm_a is not None and plan.arm_b is not None
    assert plan.arm_b.model.name == "qwen2.5-coder-0.5b-instruct" and plan.arm_b.model.kind == "registry"
    assert plan.arm_b.prompts.kind == "humaneval" and plan.arm_b.prompts.limit
    assert any("instead of Llama 3.2 1B" in s for s in plan.substitutions)
    refused = plan_experiment(claim, Availability(presets=PRESETS))
    assert refused.specs == [] and "pass@k needs real weights" in (refused.inconclusive_reason or "")


def test_plan_without_any_model_is_inconclusive() -> None:
    plan = plan_experiment(classify_claim("CAD roughly halves throughput"), BARE)
    assert plan.specs == [] and "synth models fetch" in (plan.inconclusive_reason or "")


# ---------------------------------------------------------------- judging

ENV = Environment(cpu_model="Test CPU", cpu_count=2, threads=2)


def _result(spec: BenchSpec, values: list[float], status: str = "ok", reason: str = "") -> BenchResult:
    stat = Stat.of(values)
    m = Measurements(per_sample_tokens_per_s=stat, end_to_end_tokens_per_s=stat, model_memory_mb=100.0)
    return BenchResult(spec=spec, status=status, reason=reason, environment=ENV,  # type: ignore[arg-type]
                       measurements=m if status == "ok" else None)  # fmt: skip


def _judge(text: str, a: list[float], b: list[float], extra: list[float] | None = None, **kw: str):  # type: ignore[no-untyped-def]
    claim = classify_claim(text)
    plan = plan_experiment(claim, HERE)
    assert plan.arm_a is not None and plan.arm_b is not None
    results = [_result(plan.arm_a, a), _result(plan.arm_b, b, **kw)]
    results += [_result(e.spec, extra or a) for e in plan.extras]
    return judge(claim, plan, results)


def test_judge_consistent_ratio_with_spread_and_extra() -> None:
    v = _judge("CAD roughly halves throughput", [10.0, 10.2, 9.8], [5.1, 5.0, 4.9], extra=[9.4, 9.5, 9.6])
    assert v.verdict == MeasurementLabel.CONSISTENT
    assert v.measured is not None and v.measured.ratio == pytest.approx(0.5, abs=0.01)
    assert v.measured.std is not None and 0 < v.measured.std < 0.05
    assert v.extras and v.extras[0].text.startswith("batched CAD: 0.95x")
    assert "Test CPU" in v.hardware
    assert v.substitutions


def test_judge_inconsistent_ratio() -> None:
    v = _judge("SC reduces throughput by a factor of five", [10.0, 10.1, 9.9], [9.5, 9.6, 9.4])
    assert v.verdict == MeasurementLabel.INCONSISTENT
    assert "0.20x" in v.reason


def test_judge_latency_claim_is_the_inverse_ratio() -> None:
    v = _judge("CAD is computationally twice as expensive as normal inference", [10.0, 10.0, 10.0], [5.0, 5.0, 5.0])
    assert v.verdict == MeasurementLabel.CONSISTENT
    assert v.measured is not None and v.measured.ratio == pytest.approx(2.0)


def test_judge_direction_needs_more_than_noise() -> None:
    noisy = _judge("8-bit inference is slower than 4-bit", [10.0, 11.0, 9.0], [9.8, 10.5, 9.6])
    assert noisy.verdict == MeasurementLabel.INCONCLUSIVE and "noise" in noisy.reason
    clear = _judge("8-bit inference is slower than 4-bit", [10.0, 10.1, 9.9], [6.0, 6.1, 5.9])
    assert clear.verdict == MeasurementLabel.CONSISTENT
    opposite = _judge("8-bit inference is slower than 4-bit", [6.0, 6.1, 5.9], [10.0, 10.1, 9.9])
    assert opposite.verdict == MeasurementLabel.INCONSISTENT


def test_judge_failed_or_unsupported_arm_is_inconclusive() -> None:
    failed = _judge("CAD roughly halves throughput", [10.0] * 3, [5.0] * 3, status="failed", reason="out of memory")
    assert failed.verdict == MeasurementLabel.INCONCLUSIVE and "failed: out of memory" in failed.reason
    unsupported = _judge(
        "int4 is 2x faster than fp16", [10.0] * 3, [20.0] * 3, status="unsupported", reason="int4 needs torchao"
    )
    assert unsupported.verdict == MeasurementLabel.INCONCLUSIVE
    assert "unsupported: int4 needs torchao" in unsupported.reason


def test_judge_plan_level_refusals() -> None:
    fp8 = classify_claim("FP8 (W8A8-FP) is effectively lossless across all model scales.")
    v = judge(fp8, plan_experiment(fp8, HERE), [])
    assert v.verdict == MeasurementLabel.INCONCLUSIVE and "fp8 is not a precision the runner supports" in v.reason
    absolute = classify_claim("Llama 3.2 1B reaches 58 tokens/s on an A100")
    v = judge(absolute, plan_experiment(absolute, HERE), [])
    assert v.verdict == MeasurementLabel.INCONCLUSIVE
    assert v.reason.startswith("absolute numbers on other hardware are not comparable")
    vague = classify_claim("The study evaluates the performance of five quantized code LLMs in Lua code generation.")
    v = judge(vague, plan_experiment(vague, HERE), [])
    assert v.verdict == MeasurementLabel.INCONCLUSIVE and v.reason == vague.reason


# ---------------------------------------------------------------- end to end with a fake runner


def test_check_claims_dedupes_shared_specs() -> None:
    claims = [CAD, SC, RAG, COT, "The study evaluates five quantized models."]
    assert all(_paper_sentence(c) for c in claims[:4])  # the paper's own words
    calls: list[list[BenchSpec]] = []

    def fake_run(specs: list[BenchSpec]) -> list[BenchResult]:
        calls.append(specs)
        speed = {"vanilla": 10.0, "cad": 5.0, "self_consistency": 2.0, "rag": 9.8, "cot": 10.1}
        return [_result(s, [speed[s.technique.name]] * 3) for s in specs]

    checks = check_claims(claims, settings=None, run=fake_run, available=HERE)
    assert len(calls) == 1
    techniques = sorted((s.technique.name, s.technique.implementation) for s in calls[0])
    assert len(calls[0]) == 7 and techniques.count(("vanilla", "batched")) == 1  # one vanilla serves four claims
    verdicts = [c.verdict.verdict for c in checks if c.verdict]
    assert verdicts == [MeasurementLabel.CONSISTENT] * 4 + [MeasurementLabel.INCONCLUSIVE]
    vanilla_results = {id(c.results[0]) for c in checks[:4]}
    assert len(vanilla_results) == 1

    dry = check_claims(claims, settings=None, run=lambda s: pytest.fail("dry run must not run"), dry_run=True,
                       available=HERE)  # fmt: skip
    assert all(c.verdict is None for c in dry) and dry[0].plan.specs

    markdown = render_markdown(checks)
    assert "| # | claim | type | claimed | measured | verdict | reason |" in markdown
    assert "substitutions" in markdown and "Test CPU" in markdown
    restored = [EmpiricalCheck.model_validate(d) for d in json.loads(render_json(checks))]
    assert restored[0].verdict == checks[0].verdict


# ---------------------------------------------------------------- speculative decoding


def test_speculative_claims_plan_prompt_lookup_on_real_weights() -> None:
    named = classify_claim("MEDUSA-1 achieves a 2.2× speedup over autoregressive decoding.")
    assert named.type == ClaimCategory.RELATIVE_THROUGHPUT_TECHNIQUES
    plan = plan_experiment(named, HERE)
    assert plan.arm_a is not None and plan.arm_b is not None
    assert plan.arm_a.technique.name == plan.arm_b.technique.name == "speculative"
    assert (plan.arm_a.technique.speculation, plan.arm_b.technique.speculation) == ("none", "prompt_lookup")
    assert plan.arm_b.model.kind == "registry" and plan.arm_b.prompts.kind == "humaneval"
    assert plan.arm_b.sampling.mode == "greedy"
    assert plan.stand_in and "MEDUSA" in plan.stand_in
    generic = plan_experiment(classify_claim("Speculative decoding doubles throughput over standard decoding."), HERE)
    assert generic.specs and generic.stand_in is None
    refused = plan_experiment(named, Availability(presets=PRESETS))
    assert refused.specs == [] and "needs real weights" in (refused.inconclusive_reason or "")


def test_speculative_decoding_itself_is_measured_with_a_draft_model_when_the_pair_is_installed() -> None:
    generic = classify_claim("Speculative decoding doubles throughput over standard decoding.")
    pair = Availability(presets=PRESETS, hf_models=["qwen2.5-coder-0.5b-instruct", "qwen2.5-coder-1.5b-instruct"])
    plan = plan_experiment(generic, pair)
    assert plan.arm_a is not None and plan.arm_b is not None and plan.stand_in is None
    assert (plan.arm_a.technique.speculation, plan.arm_b.technique.speculation) == ("none", "draft_model")
    assert plan.arm_b.model.name == plan.arm_a.model.name == "qwen2.5-coder-1.5b-instruct"
    assert plan.arm_b.technique.draft_model is not None
    assert plan.arm_b.technique.draft_model.name == "qwen2.5-coder-0.5b-instruct"
    assert any("drafting" in s for s in plan.substitutions)
    lookup = plan_experiment(generic, HERE)  # the 0.5B only: prompt lookup, and the command that adds the drafter
    assert lookup.arm_b is not None and lookup.arm_b.technique.speculation == "prompt_lookup"
    assert any("synth models fetch qwen2.5-coder-1.5b-instruct" in s for s in lookup.substitutions)
    named = plan_experiment(classify_claim("EAGLE achieves a 3× speedup over vanilla decoding."), pair)
    assert named.stand_in and named.arm_b is not None and named.arm_b.technique.speculation == "prompt_lookup"


def test_stand_in_measurement_is_context_either_way() -> None:
    """A measurement of another method than the one named can neither confirm nor contradict the claim."""
    named = _judge("EAGLE achieves a 3× speedup over vanilla decoding.", [6.0, 6.1, 5.9], [4.0, 4.1, 3.9])
    assert named.verdict == MeasurementLabel.INCONCLUSIVE
    assert "measured in place of EAGLE" in named.reason and named.measured is not None
    assert named.measured.ratio == pytest.approx(0.667, abs=0.01)
    agreeing = _judge("EAGLE achieves a 2× speedup over vanilla decoding.", [6.0, 6.1, 5.9], [12.0, 12.1, 11.9])
    assert agreeing.verdict == MeasurementLabel.INCONCLUSIVE and "context only" in agreeing.reason
    generic = _judge("Speculative decoding achieves a 3× speedup over vanilla decoding.", [6.0, 6.1], [4.0, 4.1])
    assert generic.verdict == MeasurementLabel.INCONSISTENT
