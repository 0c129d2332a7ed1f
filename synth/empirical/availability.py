"""What this machine can measure with: fetched models, HF folders, presets, CUDA, llama.cpp.

The planner needs to know this before proposing a spec, so a claim about
Llama 3.2 1B is planned on the random-weight replica (and says so) instead of
failing in a subprocess. Detection is cheap: file checks and import specs,
never a model load.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from pydantic import BaseModel, Field

from synth.models.registry import load_registry, model_location


class Availability(BaseModel):
    registry_models: list[str] = Field(default_factory=list, description="Fetched registry models (GGUF files).")
    hf_models: list[str] = Field(
        default_factory=list, description="Registry names with an HF folder for the transformers backend."
    )
    presets: list[str] = Field(default_factory=list, description="Random-weight architecture presets.")
    cuda: bool = False
    gpu_name: str | None = None
    llamacpp: bool = False

    @property
    def device(self) -> str:
        return "cuda" if self.cuda else "cpu"


def _cuda() -> tuple[bool, str | None]:
    if importlib.util.find_spec("torch") is None:
        return False, None
    import torch

    if not torch.cuda.is_available():
        return False, None
    return True, torch.cuda.get_device_name(0)


def _presets() -> list[str]:
    try:
        from synth.bench.presets import preset_names
    except ImportError:  # the runner is not installed in this build: nothing to plan on
        return []
    return list(preset_names())


def detect_availability(settings: Any) -> Availability:
    """Look at `settings.models_dir` (and the pip target), the preset table and the accelerator."""
    models_dir = settings.models_dir
    pip_target = getattr(getattr(settings, "models", None), "pip_target", None)
    registry = load_registry()
    fetched = [
        name
        for name, spec in registry.items()
        if spec.role in ("chat", "base") and model_location(spec, models_dir, pip_target) is not None
    ]
    hf = [name for name in registry if (models_dir / "hf" / name / "config.json").is_file()]
    cuda, gpu = _cuda()
    return Availability(
        registry_models=sorted(fetched), hf_models=sorted(hf), presets=_presets(), cuda=cuda, gpu_name=gpu,
        llamacpp=importlib.util.find_spec("llama_cpp") is not None,
    )  # fmt: skip
