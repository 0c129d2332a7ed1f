"""The smallest benchmark that tests a classified claim: two specs differing in one knob.

Arm A and arm B share everything but the knob the claim is about (technique,
precision or model), with fixed-length generation so token counts are equal
and only speed differs. What the claim names but this machine lacks is
replaced by the closest thing that is here, and every replacement is written
down in `substitutions` in plain words: a verdict on a replica is only as
good as the reader's knowledge that it is one. What cannot be replaced (an
fp8 claim on a runner without fp8, pass@k of a 7B model) yields a plan with no
specs and an `inconclusive_reason`, never a spec that would measure
something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from synth.core.bench_spec import BenchSpec, Evaluation, Generation, ModelRef, PromptSet, Sampling, Technique
from synth.core.measurement import (
    Arm,
    ClaimCategory,
    ClaimType,
    ExperimentPlan,
    ExtraSpec,
    Metric,
)
from synth.empirical.availability import Availability
from synth.settings import EmpiricalSettings

RUNNER_PRECISIONS = ("fp32", "bf16", "fp16", "int8", "int4", "nf4", "gguf")
_TECHNIQUE_NAMES = {
    "cad": "CAD", "self_consistency": "SC", "cot": "CoT", "rag": "RAG", "vanilla": "vanilla",
    "speculative": "speculative decoding",
}  # fmt: skip


@dataclass(frozen=True)
class KnownModel:
    """A model claims name, and what stands in for it here: its random-weight preset, or real registry weights."""

    family: str
    size_b: float
    display: str
    preset: str | None
    registry: str | None
    versions: tuple[str, ...] = ()


KNOWN_MODELS: tuple[KnownModel, ...] = (
    KnownModel("llama", 1.24, "Llama 3.2 1B", "llama-3.2-1b", None, ("3.2", "3")),
    KnownModel("llama", 3.21, "Llama 3.2 3B", "llama-3.2-3b", None, ("3.2", "3")),
    KnownModel("gemma", 2.61, "Gemma 2 2B", "gemma-2-2b", None, ("2",)),
    KnownModel("starcoder", 1.14, "StarCoder 1B", "starcoder-1b", None, ("1",)),
    KnownModel("qwen", 0.49, "Qwen2.5 0.5B", "qwen2.5-0.5b", "qwen2.5-coder-0.5b-instruct", ("2.5",)),
    KnownModel("qwen", 1.54, "Qwen2.5 1.5B", "qwen2.5-1.5b", "qwen2.5-coder-1.5b-instruct", ("2.5",)),
    KnownModel("smollm", 0.135, "SmolLM2 135M", None, "smollm2-135m-instruct", ("2",)),
)
_SIZE_TOLERANCE = 0.35  # "1B" names a 1.24B model; "2B" a 2.6B one


class _NotHere(Exception):
    """The arm cannot be run on this machine; the message is the plan's inconclusive reason."""


def _size_text(sizes: list[float]) -> str:
    return ", ".join(f"{s:g}B" for s in sizes)


def _matches(known: KnownModel, arm: Arm) -> bool:
    if arm.family and arm.family != known.family:
        return False
    if arm.version and known.versions and arm.version not in known.versions:
        return False
    size = arm.sizes_b[0] if arm.sizes_b else None
    return size is None or abs(size - known.size_b) / known.size_b <= _SIZE_TOLERANCE


def _arm_name(arm: Arm) -> str:
    """'Llama 3.2 1B', 'a 2B model', 'a larger model': the model an arm names, without its other words."""
    if arm.family:
        version = f" {arm.version}" if arm.version else ""
        return f"{arm.family.capitalize()}{version} {_size_text(arm.sizes_b)}".strip()
    if arm.sizes_b:
        return f"a {_size_text(arm.sizes_b)} model"
    return f"a {arm.relative_size} model" if arm.relative_size else arm.label


def _known_for(arm: Arm, config: EmpiricalSettings) -> list[KnownModel]:
    """Matching models, the default subject first, then the closest in size."""
    if not (arm.family or arm.sizes_b):
        return []
    size = arm.sizes_b[0] if arm.sizes_b else None

    def key(k: KnownModel) -> tuple[int, float]:
        distance = abs(size - k.size_b) / k.size_b if size is not None else 0.0
        return (0 if config.subject in (k.preset, k.registry) else 1, distance)

    return sorted((k for k in KNOWN_MODELS if _matches(k, arm)), key=key)


def _subject(config: EmpiricalSettings, available: Availability, subs: list[str], why: str) -> tuple[ModelRef, float]:
    """The default subject (a preset or registry name), else the real 0.5B Qwen, else nothing."""
    size = next((k.size_b for k in KNOWN_MODELS if config.subject in (k.preset, k.registry)), 0.0)
    if config.subject in available.presets:
        subs.append(f"{why}: measured on the {config.subject} random-weight replica (the default subject)")
        return ModelRef(name=config.subject, kind="preset"), size
    if config.subject in available.hf_models:
        subs.append(f"{why}: measured on {config.subject} (the default subject)")
        return ModelRef(name=config.subject, kind="registry"), size
    fallback = config.accuracy_subject
    if fallback in available.hf_models:
        subs.append(f"{why}: measured on {fallback} (the default subject {config.subject} is not installed)")
        size = next((k.size_b for k in KNOWN_MODELS if k.registry == fallback), 0.0)
        return ModelRef(name=fallback, kind="registry"), size
    raise _NotHere(
        f"no model to measure on: the default subject {config.subject} is neither a preset nor an installed model "
        f"here; run `synth models fetch {fallback} --hf`"
    )


def _named_model(
    arm: Arm, available: Availability, config: EmpiricalSettings, subs: list[str], purpose: str
) -> tuple[ModelRef, float]:
    candidates = _known_for(arm, config)
    name = candidates[0].display if arm.family and candidates else _arm_name(arm)
    if len(arm.sizes_b) > 1:
        sizes = _size_text(arm.sizes_b)
        raise _NotHere(f"'{arm.label}' names several models ({sizes}): one pair is compared at a time")
    if not candidates:
        raise _NotHere(f"{name} has no offline weights and no random-weight preset here")
    for known in candidates:
        if known.registry and known.registry in available.hf_models:
            if purpose == "accuracy" or arm.family is None:
                subs.append(f"{name} → {known.registry} (real weights)")
            return ModelRef(name=known.registry, kind="registry"), known.size_b
        if purpose == "accuracy":
            continue
        if known.preset and known.preset in available.presets:
            if arm.family:
                subs.append(
                    f"{name} not available offline: measured on its random-weight replica ({known.preset} preset) "
                    f"for {purpose}"
                )
            else:
                subs.append(f"{name} (no family named) → {known.preset}, the closest random-weight preset ({purpose})")
            return ModelRef(name=known.preset, kind="preset"), known.size_b
    if purpose == "accuracy":
        raise _NotHere(
            f"pass@k of {name} needs its real weights, which are not available offline "
            "(random-weight replicas cannot measure accuracy)"
        )
    raise _NotHere(f"{name}: neither real weights nor a random-weight preset is installed here")


def _resolve_models(
    claim: ClaimType, config: EmpiricalSettings, available: Availability, subs: list[str], purpose: str
) -> tuple[ModelRef, ModelRef]:
    """Models of arm A and arm B: named ones mapped, an unnamed reference model from the default subject."""
    a, b = claim.arm_a, claim.arm_b
    assert a is not None and b is not None
    a_named = bool(a.family or a.sizes_b)
    b_named = bool(b.family or b.sizes_b)
    if "size" not in claim.axes:
        if b_named or a_named:
            model, _ = _named_model(b if b_named else a, available, config, subs, purpose)
            return model, model
        model, _ = _subject(config, available, subs, "no model named")
        return model, model
    if a_named and b_named:
        model_a, _ = _named_model(a, available, config, subs, purpose)
        model_b, _ = _named_model(b, available, config, subs, purpose)
        return model_a, model_b
    if not (a_named or b_named):
        raise _NotHere("the claim compares models without naming either (no size or family given)")
    named, unnamed = (b, a) if b_named else (a, b)
    model_named, size_named = _named_model(named, available, config, subs, purpose)
    wants_smaller = unnamed.relative_size != "larger"
    extra: list[str] = []
    model_other, size_other = _subject(config, available, extra, "reference model")
    if size_other == 0.0 or (size_other < size_named) != wants_smaller or model_other == model_named:
        raise _NotHere(f"the claim names only {_arm_name(named)}; the model it is compared with is not named")
    subs.append(
        f"the claim names only {_arm_name(named)}: compared with the default subject {model_other.name} "
        f"({size_other:g}B) as the {'smaller' if wants_smaller else 'larger'} model"
    )
    return (model_other, model_named) if named is b else (model_named, model_other)


def _precision(value: str | None, available: Availability, subs: list[str], purpose: str) -> str:
    """A claimed precision as a runner precision here; fp16 on CPU runs as bf16 (same size, native format).

    With no precision claimed: bf16 on CUDA (what papers run), fp32 on CPU, where most processors have no
    native bf16 matmul and bf16 decodes slower despite reading half the bytes (Qwen2.5-Coder-0.5B here:
    5.5 tok/s bf16 vs 7.0 fp32). A ratio between two arms does not depend on which of the two is used.
    """
    if value is None:
        return "bf16" if available.cuda else "fp32"
    if value == "unquantized":
        subs.append("non-quantized weights → bf16 (16-bit, the format models ship in)")
        return "bf16"
    if value == "fp16" and not available.cuda:
        subs.append(f"fp16 → bf16 for {purpose}: CPUs have no fast fp16 matmul; bf16 is the same size")
        return "bf16"
    if value == "nf4" and not available.cuda:
        raise _NotHere("nf4 needs CUDA (bitsandbytes) and this machine has none")
    if value not in RUNNER_PRECISIONS:
        raise _NotHere(f"{value} is not a precision the runner supports ({', '.join(RUNNER_PRECISIONS)})")
    return value


def _technique(value: str | None, config: EmpiricalSettings, implementation: str = "naive") -> Technique:
    name = value or "vanilla"
    if name == "cad+rag":
        raise _NotHere("the runner has no combined CAD + RAG technique; CAD and RAG are measured one at a time")
    return Technique(
        name=name, implementation=implementation if name in ("cad", "self_consistency") else "batched",  # type: ignore[arg-type]
        alpha=config.cad_alpha, n=config.sc_samples, rag_k=config.rag_k,
    )  # fmt: skip


def _speed_spec(
    model: ModelRef, precision: str, technique: Technique, available: Availability, config: EmpiricalSettings,
    sample: bool,
) -> BenchSpec:  # fmt: skip
    return BenchSpec(
        model=model, backend="transformers", device=available.device, precision=precision, technique=technique,
        prompts=PromptSet(kind="synthetic", prompt_tokens=[config.prompt_tokens], num_prompts=1),
        generation=Generation(max_new_tokens=config.max_new_tokens, fixed_length=True),
        sampling=Sampling(mode="sample" if sample else "greedy"),
        repetitions=config.repetitions, warmup=config.warmup, timeout_s=config.timeout_s,
    )  # fmt: skip


def _accuracy_spec(model: ModelRef, precision: str, available: Availability, config: EmpiricalSettings) -> BenchSpec:
    return BenchSpec(
        model=model, backend="transformers", device=available.device, precision=precision,
        prompts=PromptSet(kind="humaneval", limit=config.humaneval_problems),
        generation=Generation(max_new_tokens=config.accuracy_max_new_tokens, fixed_length=False),
        sampling=Sampling(mode="greedy"), evaluation=Evaluation(pass_at=[1]),
        repetitions=1, warmup=0, timeout_s=config.accuracy_timeout_s,
    )  # fmt: skip


def _speed_metric(claim: ClaimType) -> Metric:
    if claim.quantity == "memory":
        return "peak_memory_mb" if claim.memory_kind == "peak" else "model_memory_mb"
    # SC and CAD produce one answer from several streams: papers' "throughput" counts the answer's tokens.
    return "per_sample_tokens_per_s" if "technique" in claim.axes else "end_to_end_tokens_per_s"


def _plan_accuracy(claim: ClaimType, available: Availability, config: EmpiricalSettings) -> ExperimentPlan:
    subs: list[str] = []
    a, b = claim.arm_a, claim.arm_b
    assert a is not None and b is not None
    if "size" in claim.axes:
        raise _NotHere(
            f"compares different models ({_arm_name(b)} vs {_arm_name(a)}): pass@k needs their real weights, "
            "which are not available offline"
        )
    precision_a = _precision(a.precision, available, subs, "accuracy")
    precision_b = _precision(b.precision, available, subs, "accuracy")
    named = b if (b.family or b.sizes_b) else a if (a.family or a.sizes_b) else None
    model: ModelRef | None = None
    if named is not None:
        try:
            model, _ = _named_model(named, available, config, subs, "accuracy")
        except _NotHere:
            model = None
    if model is None:
        if config.accuracy_subject not in available.hf_models:
            raise _NotHere(
                f"pass@k needs real weights: run `synth models fetch {config.accuracy_subject} --hf` "
                "(random-weight presets cannot measure accuracy)"
            )
        model = ModelRef(name=config.accuracy_subject, kind="registry")
        instead = _arm_name(named) if named is not None else "the claim's models"
        subs.append(f"pass@1 on {config.accuracy_subject} instead of {instead}")
    ks = [int(k) for k in re.findall(r"pass@\s*(\d+)", claim.text)]
    if any(k != 1 for k in ks):
        subs.append(f"pass@1 (greedy) instead of pass@{max(ks)}: k samples per problem cost k× the CPU time")
    subs.append(f"HumanEval, first {config.humaneval_problems} problems (a few, for CPU time): the noise is large")
    arm_a = _accuracy_spec(model, precision_a, available, config)
    arm_b = _accuracy_spec(model, precision_b, available, config)
    return ExperimentPlan(claim=claim, arm_a=arm_a, arm_b=arm_b, metric="pass_at", pass_k=1, substitutions=subs)


def _plan_speed(claim: ClaimType, available: Availability, config: EmpiricalSettings) -> ExperimentPlan:
    subs: list[str] = []
    a, b = claim.arm_a, claim.arm_b
    assert a is not None and b is not None
    purpose = "memory" if claim.quantity == "memory" else "speed"
    if claim.type == ClaimCategory.MOE_VS_DENSE:
        moe, dense = "moe-small", "moe-small-dense-equal-active"
        missing = [p for p in (moe, dense) if p not in available.presets]
        if missing:
            raise _NotHere(f"MoE vs dense needs the {' and '.join(missing)} preset(s), which are not installed")
        subs.append(f"MoE vs dense measured on the {moe} preset vs {dense} (dense, same active parameters), "
                    "random weights")  # fmt: skip
        model_a = ModelRef(name=moe if a.moe else dense, kind="preset")
        model_b = ModelRef(name=moe if b.moe else dense, kind="preset")
    else:
        model_a, model_b = _resolve_models(claim, config, available, subs, purpose)
    shared = a.precision or b.precision
    precision_a = _precision(a.precision if "precision" in claim.axes else shared, available, subs, purpose)
    precision_b = _precision(b.precision if "precision" in claim.axes else shared, available, subs, purpose)
    technique_a = _technique(a.technique, config)
    technique_b = _technique(b.technique, config)
    sample = "technique" in claim.axes  # papers sample (temperature, top-p) in every technique setting
    arm_a = _speed_spec(model_a, precision_a, technique_a, available, config, sample)
    arm_b = _speed_spec(model_b, precision_b, technique_b, available, config, sample)
    if arm_a == arm_b:
        raise _NotHere(f"{a.label} and {b.label} are the same configuration here ({arm_a.label()})")
    extras = []
    if technique_b.name in ("cad", "self_consistency"):
        batched = arm_b.model_copy(deep=True)
        batched.technique = _technique(technique_b.name, config, "batched")
        extras.append(ExtraSpec(label=f"batched {_TECHNIQUE_NAMES[technique_b.name]}", spec=batched))
        subs.append(
            f"{_TECHNIQUE_NAMES[technique_b.name]} as papers implement it (naive: "
            f"{'two forward passes per token' if technique_b.name == 'cad' else 'n sequential samples'}); "
            "the batched implementation is reported beside it"
        )
    return ExperimentPlan(
        claim=claim, arm_a=arm_a, arm_b=arm_b, extras=extras, metric=_speed_metric(claim),
        invert=claim.quantity == "latency", substitutions=_unique(subs),
    )  # fmt: skip


_GENERIC_SPECULATION = re.compile(
    r"(?:standard |vanilla |classic )?speculative (?:decoding|sampling|inference|generation)|prompt[- ]lookup(?: "
    r"decoding)?|PLD|assisted generation",
    re.I,
)


def _plan_speculative(claim: ClaimType, available: Availability, config: EmpiricalSettings) -> ExperimentPlan:
    """Speculative decoding vs plain decoding on a real model: acceptance depends on the weights, so no preset.

    Both arms go through transformers' `generate` (the baseline without speculation), on
    HumanEval prompts: code completions reuse the prompt's identifiers, the case prompt
    lookup is made for. A named method (Medusa, EAGLE, ...) is not run; prompt lookup
    stands in for it and the plan says so.
    """
    a, b = claim.arm_a, claim.arm_b
    assert a is not None and b is not None
    spec_is_b = b.technique == "speculative"
    base = a if spec_is_b else b
    method = b if spec_is_b else a
    if base.technique not in (None, "vanilla") or (a.technique == b.technique == "speculative"):
        raise _NotHere(f"compares {method.label} with {base.label}, not with plain decoding: only speculative vs "
                       "plain decoding is measured here")  # fmt: skip
    subject = config.accuracy_subject
    if subject not in available.hf_models:
        raise _NotHere(
            f"speculative decoding needs real weights (how many drafted tokens are accepted depends on them): run "
            f"`synth models fetch {subject} --hf`"
        )
    subs: list[str] = []
    precision = _precision(a.precision or b.precision, available, subs, "speed")
    # Generic only when the claim speaks of the technique itself; a paper's method named by its title
    # ('the method of "Faster Cascades via Speculative Decoding"') is a different method.
    generic = _GENERIC_SPECULATION.fullmatch(method.label.strip()) is not None and 'method of "' not in claim.text
    drafted = generic and "prompt" not in method.label.lower() and "PLD" not in method.label
    pair = (config.speculative_target, config.speculative_drafter)
    technique = Technique(name="speculative", speculation="prompt_lookup", draft_tokens=config.speculative_draft_tokens)
    stand_in = None
    if drafted and all(m in available.hf_models for m in pair):
        # Speculative decoding itself: a small model of the same family drafts for a larger one.
        subject = config.speculative_target
        technique = Technique(
            name="speculative", speculation="draft_model", draft_tokens=config.speculative_drafter_tokens,
            draft_model=ModelRef(name=config.speculative_drafter, kind="registry"),
        )  # fmt: skip
        drafter, n = config.speculative_drafter, config.speculative_drafter_tokens
        subs.append(f"{drafter} drafting {n} tokens per step for {subject} (transformers assisted generation; the "
                    "paper's models and hardware differ)")  # fmt: skip
    else:
        stand_in = None if generic else f"prompt lookup decoding measured in place of {method.label}"
        lookup = f"prompt lookup decoding ({config.speculative_draft_tokens} tokens proposed per step, no draft model)"
        subs.append(lookup if generic else f"{method.label} → {lookup}")
        if drafted:
            subs.append(f"no draft-model pair installed: `synth models fetch {pair[0]} {pair[1]} --hf` measures "
                        "speculative decoding with a draft model")  # fmt: skip
    subs.append(f"on {subject} (real weights, transformers generate, greedy: both arms give the same tokens)")
    subs.append(f"HumanEval, first {config.speculative_problems} problems as prompts")

    def arm(technique: Technique) -> BenchSpec:
        return BenchSpec(
            model=ModelRef(name=subject, kind="registry"), backend="transformers", device=available.device,
            precision=precision, technique=technique,
            prompts=PromptSet(kind="humaneval", limit=config.speculative_problems),
            generation=Generation(max_new_tokens=config.speculative_max_new_tokens, fixed_length=False),
            sampling=Sampling(mode="greedy"), evaluation=Evaluation(pass_at=[1]), repetitions=1, warmup=0,
            timeout_s=config.timeout_s,
        )  # fmt: skip

    plain = arm(Technique(name="speculative", speculation="none"))
    spec = arm(technique)
    metric: Metric = _speed_metric(claim) if claim.quantity == "memory" else "end_to_end_tokens_per_s"
    return ExperimentPlan(
        claim=claim, arm_a=plain if spec_is_b else spec, arm_b=spec if spec_is_b else plain, metric=metric,
        invert=claim.quantity == "latency", substitutions=subs, stand_in=stand_in,
    )  # fmt: skip


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def plan_experiment(
    claim: ClaimType, available: Availability, config: EmpiricalSettings | None = None
) -> ExperimentPlan:
    """Arm specs, the metric whose B/A ratio is compared, and what was substituted (or why nothing can run)."""
    config = config or EmpiricalSettings()
    if claim.type == ClaimCategory.UNMEASURABLE:
        return ExperimentPlan(claim=claim, inconclusive_reason=claim.reason or "the claim is not measurable")
    if claim.type == ClaimCategory.ABSOLUTE_ON_HARDWARE:
        figure = claim.absolute.text if claim.absolute else "an absolute figure"
        return ExperimentPlan(
            claim=claim,
            inconclusive_reason=f"absolute numbers on other hardware are not comparable; the claim states {figure} "
            f"on {claim.hardware or 'unstated hardware'} with no second arm to form a ratio",
        )
    if claim.arm_a is None or claim.arm_b is None or claim.relation is None:
        return ExperimentPlan(claim=claim, inconclusive_reason="the claim has no two arms and relation to compare")
    try:
        if claim.type == ClaimCategory.ACCURACY_UNDER_QUANTIZATION:
            return _plan_accuracy(claim, available, config)
        if "speculative" in (claim.arm_a.technique, claim.arm_b.technique):
            return _plan_speculative(claim, available, config)
        return _plan_speed(claim, available, config)
    except _NotHere as exc:
        return ExperimentPlan(claim=claim, inconclusive_reason=str(exc))
