"""Architecture presets: published model shapes with random weights.

Speed and memory depend on a model's shape and precision, not on what its
weights learned, so a preset answers "how fast is Llama 3.2 1B here?" when
its weights cannot be fetched offline. The shapes live as data in
`synth/presets/architectures.toml`, copied from each model's config.json.
A preset's quality numbers mean nothing: every result carries
RANDOM_WEIGHTS_LABEL.

Building goes through the meta device: parameters get storage once
(`to_empty`) and are tiled from one seeded pool of normals, instead of
transformers' per-module init, so a 2.6B preset builds in about 2 s on
2 cores (iid normals would take 17 s).
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from synth.core.bench_result import RANDOM_WEIGHTS_LABEL
from synth.errors import UserError

if TYPE_CHECKING:
    import torch
    from transformers import PretrainedConfig, PreTrainedModel

INIT_STD = 0.02  # initializer_range of every preset's config.json
POOL_SIZE = 4_194_301  # prime, about 4M: the seeded normals every weight matrix is tiled from


class PresetError(UserError):
    """An unknown preset, or one that does not fit in memory here."""


class PresetInfo(BaseModel):
    model_config = ConfigDict(frozen=True)  # cached per name: shared by every caller

    name: str
    model_type: str = Field(description="transformers model_type, e.g. llama, gemma2, gpt_bigcode, mixtral.")
    total_params: int = Field(description="Unique parameters (tied embeddings counted once).")
    active_params: int = Field(
        description="Parameters used per token: total minus the experts a token is not routed to (MoE); "
        "embeddings included. Equals total_params for dense models."
    )
    published_params: int | None = Field(None, description="Count stated by the publisher; None for synthetic shapes.")
    published_from: str = Field(description="Where the shape comes from (config.json on the hub page, or 'synthetic').")
    description: str = ""
    label: str = RANDOM_WEIGHTS_LABEL


@dataclass(frozen=True)
class SyntheticTokenizer:
    """Stands in for the tokenizer no preset has offline: prompts are random token ids, output is never read.

    The runner asks it for prompt ids of an exact length, which is what speed needs; `decode`
    writes ids as `<id>` so logs stay readable. Special ids are never drawn, so a prompt
    cannot contain an early EOS.
    """

    vocab_size: int
    bos_token_id: int | None
    eos_token_id: int | None
    pad_token_id: int

    def random_ids(self, num_tokens: int, batch_size: int = 1, seed: int = 0) -> torch.Tensor:
        import torch

        specials = sorted({self.bos_token_id, self.eos_token_id, self.pad_token_id} - {None})
        gen = torch.Generator().manual_seed(seed)
        ids = torch.randint(0, self.vocab_size - len(specials), (batch_size, num_tokens), generator=gen)
        for special in specials:  # ascending: shifts [0, V - k) onto the non-special ids, uniformly
            ids += (ids >= special).long()
        return ids

    def decode(self, ids: Any, skip_special_tokens: bool = False) -> str:
        values = ids.tolist() if hasattr(ids, "tolist") else list(ids)
        return " ".join(f"<{i}>" for i in values)


@cache
def _table() -> dict[str, dict[str, Any]]:
    text = resources.files("synth").joinpath("presets/architectures.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["presets"]


def preset_names() -> list[str]:
    return list(_table())


def is_preset(name: str) -> bool:
    return name in _table()


def _entry(name: str) -> dict[str, Any]:
    table = _table()
    if name not in table:
        close = difflib.get_close_matches(name, table, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise PresetError(f"unknown preset {name!r}.{hint} Known presets: {', '.join(table)}.")
    return table[name]


def preset_config(name: str) -> PretrainedConfig:
    """A fresh config each call: callers may change attention implementation or cache settings."""
    from transformers import AutoConfig

    kwargs = dict(_entry(name)["config"])
    model_type = kwargs.pop("model_type")
    return AutoConfig.for_model(model_type, **kwargs)


def _meta_model(config: PretrainedConfig, dtype: torch.dtype | None = None) -> PreTrainedModel:
    import torch
    from transformers import AutoModelForCausalLM

    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(config, dtype=dtype)


def count_params(model: torch.nn.Module, config: PretrainedConfig) -> tuple[int, int]:
    """(total, active per token). Expert tensors live under `.experts.` (Mixtral, Qwen2-MoE in transformers 5)."""
    total = sum(p.numel() for p in model.parameters())
    experts = sum(p.numel() for n, p in model.named_parameters() if ".experts." in f".{n}.")
    n_experts = getattr(config, "num_local_experts", None) or getattr(config, "num_experts", None)
    top_k = getattr(config, "num_experts_per_tok", None)
    if not experts or not n_experts or not top_k:
        return total, total
    return total, total - experts + experts * top_k // n_experts


@cache
def preset_info(name: str) -> PresetInfo:
    entry = _entry(name)
    config = preset_config(name)
    total, active = count_params(_meta_model(config), config)
    return PresetInfo(
        name=name,
        model_type=config.model_type,
        total_params=total,
        active_params=active,
        published_params=entry.get("published_params"),
        published_from=entry["published_from"],
        description=entry.get("description", ""),
    )


def list_presets() -> list[PresetInfo]:
    return [preset_info(name) for name in _table()]


def synthetic_tokenizer(config: PretrainedConfig) -> SyntheticTokenizer:
    eos = config.eos_token_id[0] if isinstance(config.eos_token_id, list) else config.eos_token_id
    pad = config.pad_token_id if config.pad_token_id is not None else (eos if eos is not None else 0)
    return SyntheticTokenizer(config.vocab_size, config.bos_token_id, eos, pad)


def _available_bytes(device: torch.device) -> int | None:
    """MemAvailable on CPU, free memory on CUDA; None when unknown (no check then)."""
    import torch

    if device.type == "cuda":
        return torch.cuda.mem_get_info(device)[0]
    if device.type != "cpu":
        return None
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _check_fits(name: str, model: torch.nn.Module, device: torch.device, dtype: torch.dtype) -> None:
    """Refuse before allocating: an OOM kill of the benchmark child says nothing useful."""
    need = sum(p.numel() * p.element_size() for p in model.parameters())
    free = _available_bytes(device)
    if free is not None and need > 0.9 * free:
        raise PresetError(
            f"preset {name!r} in {str(dtype).removeprefix('torch.')} needs {need / 1e9:.1f} GB for its weights "
            f"but {free / 1e9:.1f} GB is free on {device}: pick a smaller precision or preset"
        )


def _fill_random(model: PreTrainedModel, seed: int, device: torch.device) -> None:
    """Matrices (and 3-D expert stacks) get seeded normal(0, 0.02) values; the rest goes to the model's own init.

    Drawing iid normals costs about 6 ns a value on a small CPU (17 s for a 2.6B model), so
    each matrix is tiled from one seeded pool of POOL_SIZE normals, starting at a seeded
    offset: memory speed, and speed or memory cannot depend on the values. The pool size is
    prime so consecutive rows of a matrix do not repeat. The pool is drawn on the CPU, so the
    weights are the same on every device.

    The model's `initialize_weights` then skips tensors flagged `_is_hf_initialized`, so it
    only sets norms (1, or 0 for Gemma's `1 + w` RMSNorm), biases (0) and buffers such as
    rotary frequencies and Gemma's embedding scale, which `to_empty` left uninitialised.
    """
    import torch

    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        pool = torch.randn(POOL_SIZE, generator=gen).mul_(INIT_STD)
        ring: dict[torch.dtype, torch.Tensor] = {}
        for param in model.parameters():  # tied parameters come once
            if param.dim() < 2:
                continue
            if param.dtype not in ring:
                ring[param.dtype] = torch.cat([pool, pool]).to(device=device, dtype=param.dtype)
            start = int(torch.randint(POOL_SIZE, (1,), generator=gen))
            _tile(param.view(-1), ring[param.dtype][start : start + POOL_SIZE])
            param._is_hf_initialized = True
        cuda = [device.index or 0] if device.type == "cuda" else []
        with torch.random.fork_rng(devices=cuda):
            torch.manual_seed(seed)
            model.initialize_weights()
    leftover = [n for n, t in [*model.named_parameters(), *model.named_buffers()] if t.is_meta]
    if leftover:
        raise RuntimeError(f"tensors left on the meta device after building: {leftover[:3]}")


def _tile(flat: torch.Tensor, values: torch.Tensor) -> None:
    size = values.numel()
    reps, rest = divmod(flat.numel(), size)
    if reps:
        flat[: reps * size].view(reps, size).copy_(values)
    if rest:
        flat[reps * size :].copy_(values[:rest])


def random_model_from_config(
    config: PretrainedConfig, dtype: torch.dtype | None = None, seed: int = 0, device: str = "cpu", name: str = ""
) -> PreTrainedModel:
    """A causal LM of any transformers config with seeded random weights, in eval mode (see build_random_model)."""
    import torch

    dtype = dtype or torch.float32
    target = torch.device(device)
    model = _meta_model(config, dtype)
    _check_fits(name or config.model_type, model, target, dtype)
    model.to_empty(device=target)
    model.tie_weights()  # to_empty made new Parameter objects: share the tied ones again
    _fill_random(model, seed, target)
    return model.eval()


def build_random_model(
    name: str, dtype: torch.dtype | None = None, seed: int = 0, device: str = "cpu"
) -> tuple[PreTrainedModel, SyntheticTokenizer, PresetInfo]:
    """The preset's model in eval mode with seeded random weights, a SyntheticTokenizer, and its info.

    Same name, dtype and seed give identical weights on any device. No tokenizer exists
    offline, so the second item makes random prompt ids of exact lengths. The model's
    generation config gets a pad id (EOS when the model has none, as transformers does);
    pass an attention mask with batched prompts.
    """
    info = preset_info(name)
    config = preset_config(name)
    model = random_model_from_config(config, dtype, seed, device, name)
    tokenizer = synthetic_tokenizer(config)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model, tokenizer, info
