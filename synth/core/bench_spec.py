"""What one benchmark experiment is: a versioned, validated spec.

A spec carries every input that changes a measurement, so a result file is
self-describing: `synth bench compare` can say which knobs differ between two
runs, and a rerun of `result.spec` reproduces the experiment. Specs are YAML
or JSON files; a sweep file holds a list of them (or a `base` plus `sweep`
axes whose product is expanded).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from synth.errors import UserError

SPEC_SCHEMA_VERSION = 1

Backend = Literal["transformers", "llamacpp"]
Device = Literal["auto", "cpu", "cuda"]
# Torch precisions; a GGUF runs in its own quant type, written "gguf" (or the type itself, e.g. "q4_k_m").
TORCH_PRECISIONS = ("fp32", "bf16", "fp16", "int8", "int4", "nf4")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelRef(_Strict):
    """Which weights: a registry name, a local HF folder, a GGUF file, or an architecture preset (random weights)."""

    name: str = Field(..., description="Registry name, folder, .gguf path or preset name.")
    kind: Literal["auto", "registry", "hf", "gguf", "preset"] = Field(
        "auto", description="`auto`: preset if the name is one, else a .gguf path, a folder, a registry name."
    )
    seed: int = Field(0, description="Seed of the random weights of a preset.")

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value


class Technique(_Strict):
    """The decoding technique; `implementation` matters for CAD and self-consistency only."""

    name: Literal["vanilla", "cad", "self_consistency", "cot", "rag", "speculative"] = "vanilla"
    implementation: Literal["naive", "batched"] = Field(
        "batched",
        description="CAD: naive = two forward passes per token (as in the paper), batched = both streams in one "
        "batch. SC: naive = n sequential generations, batched = n samples in one batch.",
    )
    alpha: float = Field(0.5, ge=0, description="CAD: softmax((1+a)·logits(context) − a·logits(no context)).")
    n: int = Field(5, ge=1, le=64, description="Self-consistency: samples per prompt.")
    rag_k: int = Field(3, ge=1, le=20, description="RAG: passages retrieved from the corpus per prompt.")
    speculation: Literal["prompt_lookup", "draft_model", "none"] = Field(
        "prompt_lookup",
        description="Speculative: prompt_lookup = draft tokens copied from the prompt's n-grams and verified in one "
        "forward pass (transformers generate, prompt_lookup_num_tokens); draft_model = a smaller model with the "
        "same tokenizer drafts (`draft_model`; transformers assisted generation); none = the same generate() path "
        "without speculation, the fair baseline of a speculative arm.",
    )
    draft_tokens: int = Field(10, ge=1, le=64, description="Speculative: tokens proposed per verification step.")
    draft_model: ModelRef | None = Field(
        None, description="Speculative, draft_model: the drafter (same tokenizer as the model, e.g. a smaller size)."
    )

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _drafter(self) -> Technique:
        if (self.speculation == "draft_model") != (self.draft_model is not None) and self.name == "speculative":
            raise ValueError("speculation: draft_model needs technique.draft_model (and only it takes one)")
        return self


class PromptSet(_Strict):
    kind: Literal["synthetic", "humaneval", "mbpp"] = "synthetic"
    limit: int | None = Field(None, ge=1, description="First N problems of HumanEval/MBPP.")
    path: Path | None = Field(None, description="MBPP jsonl (e.g. ../shared/datasets/mbpp/mbpp.jsonl).")
    prompt_tokens: list[int] = Field(default_factory=lambda: [128], description="Synthetic prompt lengths (tokens).")
    num_prompts: int = Field(1, ge=1, description="Synthetic prompts per length.")

    @model_validator(mode="after")
    def _check(self) -> PromptSet:
        if self.kind == "mbpp" and self.path is None:
            raise ValueError("prompts.path is required for MBPP (e.g. ../shared/datasets/mbpp/mbpp.jsonl)")
        if any(n < 1 for n in self.prompt_tokens):
            raise ValueError("prompts.prompt_tokens must be positive")
        return self


class Generation(_Strict):
    max_new_tokens: int = Field(64, ge=1, le=8192)
    fixed_length: bool | None = Field(
        None,
        description="Generate exactly max_new_tokens (min_new_tokens = max_new_tokens, EOS masked): fair speed "
        "comparisons. Default: on for synthetic prompts, off for HumanEval/MBPP (programs must end).",
    )


class Sampling(_Strict):
    mode: Literal["greedy", "sample"] = "greedy"
    temperature: float = Field(0.8, gt=0, le=5)
    top_p: float = Field(0.95, gt=0, le=1)
    seed: int = 0
    samples_per_problem: int = Field(1, ge=1, le=200, description="n completions per problem for pass@k (n ≥ k).")


class Evaluation(_Strict):
    pass_at: list[int] = Field(default_factory=lambda: [1], description="k values of pass@k (HumanEval/MBPP).")
    timeout_s: float = Field(10.0, gt=0, description="Wall-clock limit per generated program.")
    memory_mb: int = Field(1024, ge=64, description="Address-space limit per generated program.")
    workers: int = Field(0, ge=0, description="Programs run in parallel (0: one per core).")


class BenchSpec(_Strict):
    schema_version: int = SPEC_SCHEMA_VERSION
    name: str = Field("", description="Free label shown in tables; defaults to a summary of the spec.")
    model: ModelRef
    backend: Backend = "transformers"
    device: Device = "auto"
    precision: str = Field("fp32", description="fp32 | bf16 | fp16 | int8 | int4 | nf4 | gguf (the file's own type).")
    technique: Technique = Field(default_factory=Technique)
    batch_size: int = Field(1, ge=1, le=256, description="Prompts decoded together.")
    prompts: PromptSet = Field(default_factory=PromptSet)
    generation: Generation = Field(default_factory=Generation)
    sampling: Sampling = Field(default_factory=Sampling)
    evaluation: Evaluation = Field(default_factory=Evaluation)
    repetitions: int = Field(3, ge=1, le=100, description="Timed runs; the spread is reported.")
    warmup: int = Field(1, ge=0, le=20, description="Untimed runs first.")
    threads: int = Field(0, ge=0, description="torch / llama.cpp threads (0: one per core).")
    timeout_s: float = Field(1800.0, gt=0, description="The parent kills the child after this long.")

    @model_validator(mode="after")
    def _check(self) -> BenchSpec:
        if self.schema_version != SPEC_SCHEMA_VERSION:
            raise ValueError(f"schema_version {self.schema_version} is not supported (this synth reads 1)")
        p = self.precision.lower()
        if self.backend == "transformers" and p not in TORCH_PRECISIONS:
            raise ValueError(f"precision {self.precision!r} is not a transformers precision {TORCH_PRECISIONS}")
        if self.backend == "llamacpp" and p in TORCH_PRECISIONS and p != "fp32":
            raise ValueError("the llamacpp backend runs the GGUF's own quant type: set precision: gguf")
        if self.prompts.kind != "synthetic":
            need = max(self.evaluation.pass_at)
            if self.sampling.samples_per_problem < need:
                got = self.sampling.samples_per_problem
                raise ValueError(f"pass@{need} needs sampling.samples_per_problem >= {need} (got {got})")
            if self.sampling.samples_per_problem > 1 and self.sampling.mode == "greedy":
                raise ValueError("several samples per problem need sampling.mode: sample (greedy repeats itself)")
        if self.generation.fixed_length is None:
            self.generation.fixed_length = self.prompts.kind == "synthetic"
        elif self.generation.fixed_length and self.prompts.kind != "synthetic":
            raise ValueError("generation.fixed_length garbles programs: set it false for HumanEval/MBPP")
        self.precision = p
        return self

    def label(self) -> str:
        if self.name:
            return self.name
        t = self.technique
        tech = t.name if t.name in ("vanilla", "cot", "rag") else f"{t.name}-{t.implementation}"
        if t.name == "speculative":
            tech = f"speculative-{t.speculation}" + (f"{t.draft_tokens}" if t.speculation != "none" else "")
            if t.draft_model is not None:
                tech += f"({t.draft_model.name})"
        return f"{Path(self.model.name).name}/{self.backend}/{self.precision}/{tech}/b{self.batch_size}"


class SpecError(UserError):
    pass


def _expand(doc: Any) -> list[dict[str, Any]]:
    """A spec, a list of specs, or {base: {...}, sweep: {dotted.key: [values]}} (cartesian product)."""
    if isinstance(doc, list):
        return [d for item in doc for d in _expand(item)]
    if isinstance(doc, dict) and "sweep" in doc:
        base = doc.get("base", {})
        axes = doc["sweep"]
        if not isinstance(axes, dict) or not axes:
            raise ValueError("`sweep` must map dotted keys to lists of values")
        out = []
        for combo in itertools.product(*axes.values()):
            spec = json.loads(json.dumps(base))
            for key, value in zip(axes.keys(), combo, strict=True):
                node = spec
                *parents, leaf = key.split(".")
                for part in parents:
                    node = node.setdefault(part, {})
                node[leaf] = value
            out.append(spec)
        return out
    if isinstance(doc, dict):
        return [doc]
    raise ValueError("a spec file holds a mapping, a list of mappings, or base + sweep")


def parse_specs(doc: Any, source: str = "spec") -> list[BenchSpec]:
    try:
        raw = _expand(doc)
        return [BenchSpec.model_validate(item) for item in raw]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "spec"
        raise SpecError(f"{source}: {where}: {first['msg']} (see `synth bench run --help` for the schema)") from None
    except ValueError as exc:
        raise SpecError(f"{source}: {exc}") from None


def load_specs(path: Path) -> list[BenchSpec]:
    """Read a YAML or JSON spec file; every error is one line naming the file and the field."""
    path = Path(path)
    if not path.is_file():
        raise SpecError(f"spec file {path} does not exist: pass a .yaml or .json bench spec")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".json":
            doc = json.loads(text)
        else:
            import yaml

            doc = yaml.safe_load(text)
    except Exception as exc:  # noqa: BLE001 - any parse error is the user's file
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SpecError(f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {msg}") from None
    if doc is None:
        raise SpecError(f"{path}: the file is empty; write a bench spec (model: ..., backend: ...)")
    return parse_specs(doc, str(path))
