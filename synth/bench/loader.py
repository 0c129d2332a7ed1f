"""Resolve a spec's model reference to weights on disk (or a random-weight preset) and a device.

Fail closed: a registry model that is not installed names the command that
installs it; nothing is downloaded. CUDA requested where there is none
degrades to CPU with a note, so a spec written for a GPU box still runs here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from synth.core.bench_spec import BenchSpec
from synth.errors import UserError


class ModelNotAvailable(UserError):
    pass


@dataclass
class ResolvedModel:
    kind: Literal["preset", "hf", "gguf"]
    name: str
    path: Path | None = None
    notes: list[str] = field(default_factory=list)


def resolve_device(requested: str) -> tuple[str, list[str]]:
    import torch

    if requested == "cpu":
        return "cpu", []
    if torch.cuda.is_available():
        return "cuda", []
    if requested == "cuda":
        return "cpu", ["CUDA requested but not available here: ran on CPU"]
    return "cpu", []


def resolve_model(spec: BenchSpec, models_dir: Path) -> ResolvedModel:
    """Preset name → random weights; *.gguf → file; folder → HF folder; else a registry name."""
    from synth.bench.presets import is_preset

    ref = spec.model
    kind = ref.kind
    name = ref.name
    path = Path(name).expanduser()
    if kind == "preset" or (kind == "auto" and is_preset(name)):
        if not is_preset(name):
            raise ModelNotAvailable(f"model {name!r} is not a preset: see `synth bench list-presets`")
        return ResolvedModel("preset", name)
    if kind == "gguf" or (kind == "auto" and name.lower().endswith(".gguf")):
        if not path.is_file():
            raise ModelNotAvailable(f"GGUF file {path} does not exist: pass an existing .gguf path or a registry name")
        return ResolvedModel("gguf", path.name, path)
    if kind == "hf" or (kind == "auto" and path.is_dir()):
        if not (path / "config.json").is_file():
            raise ModelNotAvailable(f"{path} is not a Hugging Face model folder (no config.json)")
        return ResolvedModel("hf", path.name, path)
    from synth.models.registry import get_spec, require_model

    reg = get_spec(name)  # unknown name → one-line error listing the registry
    if spec.backend == "llamacpp":
        location = require_model(name, models_dir)
        file = location if location.is_file() else location / (reg.file_name or "")
        return ResolvedModel("gguf", name, file)
    hf_dir = models_dir / "hf" / name
    if reg.format == "gguf":
        if not (hf_dir / "config.json").is_file():
            raise ModelNotAvailable(
                f"model {name} has no Hugging Face folder for the transformers backend: run "
                f"`synth models fetch {name} --hf` (or use backend: llamacpp)"
            )
        return ResolvedModel("hf", name, hf_dir)
    location = require_model(name, models_dir)
    return ResolvedModel("hf", name, location)


def torch_dtype(precision: str) -> Any:
    import torch

    return {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}.get(precision, torch.float32)
