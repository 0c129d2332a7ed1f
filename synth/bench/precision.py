"""Run a model in a requested precision, or say exactly why it cannot run here.

A benchmark of "int8" means nothing without the library that made it int8:
torch's dynamic int8, quanto's weight-only int8 and bitsandbytes' LLM.int8
differ several-fold in speed. So every conversion reports the method it
used, a precision that cannot run raises UnsupportedPrecision with the
reason, and nothing is ever replaced by a different precision.

Methods per (device, precision), first usable one wins; each is probed on a
small two-layer model first, so a missing kernel moves to the next method
before the real model is touched. The CPU order is measured: 2-core
Sapphire Rapids VM, 100M-parameter Llama shape, 128-token prefill (ms) /
greedy decode (tokens/s), medians of a quiet run:
fp32 193 / 27, bf16 108 / 24, fp16 235 / 28,
int8 torch.ao dynamic 127 / 38, quanto int8 373 / 24, torchao Int8WeightOnly 98 / 16,
int4 quanto 275 / 35.
torchao 0.18 has no CPU int4 path here (Int4WeightOnly needs mslk or CUDA,
the Intx opaque formats need torchao's CPU kernel library, the unpacked
format stores int4 in int8 bytes), so int4 on CPU is quanto only.

Only nn.Linear layers are quantized, and never the output head (as
transformers' bitsandbytes integration does): embeddings, norms and MoE
expert tensors stay in the compute dtype; `quantized_params` says how much
of the model was converted.
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from synth.core.bench_spec import TORCH_PRECISIONS
from synth.errors import UserError

if TYPE_CHECKING:
    import torch
    from torch import nn

DTYPE_NAMES = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16"}


class UnsupportedPrecision(UserError):
    """The precision cannot run on this device with the installed libraries; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Converter = Callable[["nn.Module", set[str], "torch.device"], "nn.Module"]


@dataclass(frozen=True)
class Method:
    precision: str
    library: str = field(metadata={"help": "PyPI distribution doing the work."})
    name: str = field(metadata={"help": "Short label, e.g. 'optimum.quanto qint4 weight-only'."})
    detail: str = field(metadata={"help": "What the weights and activations become."})
    dtype: str = field(metadata={"help": "fp32 | bf16 | fp16: dtype the model is loaded in and computes in."})
    convert: Converter | None = None
    requires: tuple[str, ...] = ()
    cuda_only: bool = False
    at_load: bool = field(default=False, metadata={"help": "from_pretrained quantizes (bitsandbytes)."})

    @property
    def quantizes(self) -> bool:
        return self.convert is not None


@dataclass
class PrecisionOutcome:
    model: Any
    precision: str
    device: str
    method: Method
    quantized_params: int = 0
    total_params: int = 0
    skipped: list[str] = field(default_factory=list)

    @property
    def library(self) -> str:
        return self.method.library

    def notes(self) -> list[str]:
        """Lines for BenchResult.notes: the method, the share converted, and any method passed over."""
        m = self.method
        line = f"{self.precision} via {m.name} ({_version(m.library)}): {m.detail}"
        if m.quantizes and self.total_params:
            share = self.quantized_params / self.total_params
            line += f"; {share:.0%} of parameters quantized (nn.Linear except the output head)"
        lines = [line]
        if self.precision == "fp16" and self.device.startswith("cpu"):
            lines.append("fp16 on CPU: torch runs it, but few CPUs have fast fp16 kernels; compare with bf16/fp32")
        lines += [f"passed over: {reason}" for reason in self.skipped]
        return lines


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{distribution} {version(distribution)}"
    except PackageNotFoundError:
        return distribution


# --- converters ----------------------------------------------------------------------------


def _linear_names(model: nn.Module, skip: set[str]) -> list[str]:
    from torch import nn

    return [name for name, mod in model.named_modules() if isinstance(mod, nn.Linear) and name not in skip]


def _torch_dynamic_int8(model: nn.Module, skip: set[str], device: torch.device) -> nn.Module:
    import torch
    import torch.ao.quantization as tq

    spec = {name: tq.default_dynamic_qconfig for name in _linear_names(model, skip)}
    with warnings.catch_warnings():  # deprecated for torchao, whose eager CPU int8 decodes 2.4x slower here
        warnings.simplefilter("ignore")
        return tq.quantize_dynamic(model, spec, dtype=torch.qint8, inplace=True)


def _quanto(qtype_name: str) -> Converter:
    def convert(model: nn.Module, skip: set[str], device: torch.device) -> nn.Module:
        from optimum import quanto

        quanto.quantize(model, weights=getattr(quanto, qtype_name), exclude=sorted(skip) or None)
        quanto.freeze(model)
        return model

    return convert


def _torchao(config_factory: Callable[[], Any]) -> Converter:
    def convert(model: nn.Module, skip: set[str], device: torch.device) -> nn.Module:
        from torch import nn
        from torchao.quantization import quantize_

        quantize_(model, config_factory(), filter_fn=lambda mod, fqn: isinstance(mod, nn.Linear) and fqn not in skip)
        return model

    return convert


def _torchao_int8_weight_only() -> Any:
    from torchao.quantization import Int8WeightOnlyConfig

    return Int8WeightOnlyConfig()


def _torchao_int4_tinygemm() -> Any:
    from torchao.quantization import Int4WeightOnlyConfig

    return Int4WeightOnlyConfig(group_size=128, int4_packing_format="tile_packed_to_4d")


def _bitsandbytes(kind: str) -> Converter:
    """Post-load swap for models not loaded by from_pretrained (presets): the documented bitsandbytes
    recipe, a bnb layer given the float state dict on the CPU, quantized by `.to(cuda)`.
    Written to the bitsandbytes docs; not run on this project's CPU-only CI.
    """

    def convert(model: nn.Module, skip: set[str], device: torch.device) -> nn.Module:
        import bitsandbytes as bnb
        import torch

        for name in _linear_names(model, skip):
            parent_name, _, child_name = name.rpartition(".")
            parent = model.get_submodule(parent_name) if parent_name else model
            old = getattr(parent, child_name)
            bias = old.bias is not None
            if kind == "int8":
                new = bnb.nn.Linear8bitLt(
                    old.in_features, old.out_features, bias=bias, has_fp16_weights=False, threshold=6.0
                )
            else:
                new = bnb.nn.Linear4bit(
                    old.in_features, old.out_features, bias=bias, compute_dtype=torch.bfloat16, quant_type="nf4"
                )
            new.load_state_dict({k: v.detach().to("cpu") for k, v in old.state_dict().items()})
            setattr(parent, child_name, new.to(device))
        return model.to(device)

    return convert


TORCH_DYNAMIC_INT8 = Method(
    precision="int8",
    library="torch",
    name="torch.ao.quantization.quantize_dynamic",
    detail="int8 weights, activations quantized to int8 per batch at run time (x86/fbgemm kernels); "
    "the rest of the model stays fp32",
    dtype="fp32",
    convert=_torch_dynamic_int8,
)
QUANTO_INT8 = Method(
    precision="int8",
    library="optimum-quanto",
    name="optimum.quanto qint8 weight-only",
    detail="int8 weights per output channel, bf16 activations",
    dtype="bf16",
    convert=_quanto("qint8"),
    requires=("optimum.quanto",),
)
TORCHAO_INT8 = Method(
    precision="int8",
    library="torchao",
    name="torchao Int8WeightOnlyConfig",
    detail="int8 weights per row, bf16 activations (eager, no torch.compile)",
    dtype="bf16",
    convert=_torchao(_torchao_int8_weight_only),
    requires=("torchao",),
)
QUANTO_INT4 = Method(
    precision="int4",
    library="optimum-quanto",
    name="optimum.quanto qint4 weight-only",
    detail="int4 weights in groups of 128, packed two per byte, bf16 activations",
    dtype="bf16",
    convert=_quanto("qint4"),
    requires=("optimum.quanto",),
)
TORCHAO_INT4 = Method(
    precision="int4",
    library="torchao",
    name="torchao Int4WeightOnlyConfig (tinygemm)",
    detail="int4 weights in groups of 128, bf16 activations",
    dtype="bf16",
    convert=_torchao(_torchao_int4_tinygemm),
    requires=("torchao",),
    cuda_only=True,
)
BNB_INT8 = Method(
    precision="int8",
    library="bitsandbytes",
    name="bitsandbytes LLM.int8 (load_in_8bit)",
    detail="int8 weights, fp16 outlier columns above 6.0",
    dtype="fp16",
    convert=_bitsandbytes("int8"),
    requires=("bitsandbytes",),
    cuda_only=True,
    at_load=True,
)
BNB_NF4 = Method(
    precision="nf4",
    library="bitsandbytes",
    name="bitsandbytes NF4 (load_in_4bit)",
    detail="4-bit NormalFloat weights in blocks of 64, bf16 compute",
    dtype="bf16",
    convert=_bitsandbytes("nf4"),
    requires=("bitsandbytes",),
    cuda_only=True,
    at_load=True,
)

QUANTIZED_METHODS: dict[tuple[str, str], tuple[Method, ...]] = {
    ("cpu", "int8"): (TORCH_DYNAMIC_INT8, QUANTO_INT8, TORCHAO_INT8),
    ("cpu", "int4"): (QUANTO_INT4,),
    ("cuda", "int8"): (BNB_INT8,),
    ("cuda", "int4"): (TORCHAO_INT4, QUANTO_INT4),
    ("cuda", "nf4"): (BNB_NF4,),
}
NO_METHOD = {
    ("cpu", "nf4"): "nf4 needs CUDA and bitsandbytes (QLoRA's NF4 kernels): run it with device: cuda",
}


# --- choosing a method ---------------------------------------------------------------------


def resolve_device(device: str) -> str:
    """'auto' is CUDA when torch sees a GPU, else CPU."""
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _cast_method(precision: str, device: str) -> Method:
    if device.startswith("cuda") and precision == "bf16":
        import torch

        if not torch.cuda.is_bf16_supported():
            raise UnsupportedPrecision(
                f"bf16 needs a GPU with bfloat16 support; {torch.cuda.get_device_name()} lacks it"
            )
    detail = f"weights and activations in {DTYPE_NAMES[precision]}"
    return Method(precision=precision, library="torch", name="torch dtype cast", detail=detail, dtype=precision)


def _missing(method: Method, device: str) -> str | None:
    if method.cuda_only and not device.startswith("cuda"):
        return f"{method.name} needs CUDA"
    for module in method.requires:
        if importlib.util.find_spec(module.split(".")[0]) is None or importlib.util.find_spec(module) is None:
            return f"{method.library} is not installed (pip install {method.library})"
    return None


@cache
def _probe(method: Method, device: str) -> str | None:
    """Convert and run a small two-layer model; None if that works, else the error in one line."""
    import torch
    from torch import nn

    dtype = getattr(torch, DTYPE_NAMES[method.dtype])
    target = torch.device(device)
    try:
        probe = nn.Sequential(nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 256)).to(device=target, dtype=dtype)
        before = model_memory_mb(probe)
        assert method.convert is not None
        probe = method.convert(probe, set(), target)
        with torch.inference_mode():
            out = probe(torch.randn(2, 3, 256, device=target, dtype=dtype))
        if out.shape != (2, 3, 256) or not torch.isfinite(out).all():
            return f"{method.name} gave a wrong result on a probe model"
        if model_memory_mb(probe) >= before:
            return f"{method.name} did not shrink the weights of a probe model"
    except Exception as exc:  # noqa: BLE001 - any failure means this method cannot run here
        first = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
        return f"{method.name} fails here ({type(exc).__name__}: {first})"
    return None


def _choose(precision: str, device: str, library: str | None = None) -> tuple[Method, list[str]]:
    p = precision.lower()
    kind = "cuda" if device.startswith("cuda") else device
    if p not in TORCH_PRECISIONS:
        raise UnsupportedPrecision(f"precision {precision!r} is not a torch precision: use one of {TORCH_PRECISIONS}")
    if kind not in ("cpu", "cuda"):
        raise UnsupportedPrecision(f"device {device!r} is not supported: use cpu, cuda or auto")
    if kind == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise UnsupportedPrecision(
                f"device {device} but torch {torch.__version__} sees no CUDA GPU: use cpu or auto"
            )
    if p in DTYPE_NAMES:
        method = _cast_method(p, device)
        if library not in (None, method.library):
            raise UnsupportedPrecision(f"{p} is a dtype cast done by torch, not by {library}")
        return method, []
    if (kind, p) in NO_METHOD:
        raise UnsupportedPrecision(NO_METHOD[(kind, p)])
    candidates = [m for m in QUANTIZED_METHODS[(kind, p)] if library in (None, m.library)]
    if not candidates:
        known = ", ".join(m.library for m in QUANTIZED_METHODS[(kind, p)])
        raise UnsupportedPrecision(f"{p} on {kind} has no {library} method; libraries: {known}")
    skipped: list[str] = []
    for method in candidates:
        reason = _missing(method, device) or _probe(method, device)
        if reason is None:
            return method, skipped
        skipped.append(reason)
    raise UnsupportedPrecision(f"{p} on {kind}: no usable method ({'; '.join(skipped)})")


def check_precision(
    precision: str, device: str, backend: str = "transformers", library: str | None = None
) -> str | None:
    """None when the precision can run here, else the reason it cannot (one line)."""
    if backend == "llamacpp":
        if precision.lower() in TORCH_PRECISIONS and precision.lower() != "fp32":
            return "the llamacpp backend runs the GGUF's own quant type: set precision: gguf"
        return None
    try:
        _choose(precision, resolve_device(device), library)
    except UnsupportedPrecision as exc:
        return exc.reason
    return None


def choose_method(precision: str, device: str, library: str | None = None) -> Method:
    """The method that would run this precision here (`library` forces one); raises UnsupportedPrecision."""
    return _choose(precision, resolve_device(device), library)[0]


def load_kwargs_for(precision: str, device: str, library: str | None = None) -> dict[str, Any]:
    """from_pretrained keyword arguments; quantized precisions other than bitsandbytes also need convert_precision."""
    import torch

    device = resolve_device(device)
    method = choose_method(precision, device, library)
    kwargs: dict[str, Any] = {"dtype": getattr(torch, DTYPE_NAMES[method.dtype])}
    if method.at_load:
        from transformers import BitsAndBytesConfig

        if method.precision == "int8":
            kwargs["quantization_config"] = BitsAndBytesConfig(load_in_8bit=True)
        else:
            kwargs["quantization_config"] = BitsAndBytesConfig(
                load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16
            )
        kwargs["device_map"] = {"": device}
    return kwargs


# --- converting ----------------------------------------------------------------------------


def _output_head(model: nn.Module) -> set[str]:
    get = getattr(model, "get_output_embeddings", None)
    head = get() if callable(get) else None
    return {name for name, mod in model.named_modules() if head is not None and mod is head}


def _count(model: nn.Module, skip: set[str]) -> tuple[int, int]:
    total = sum(p.numel() for p in model.parameters())
    linear = sum(model.get_submodule(n).weight.numel() for n in _linear_names(model, skip))
    return linear, total


def convert_precision(
    model: nn.Module, precision: str, device: str = "cpu", library: str | None = None
) -> PrecisionOutcome:
    """Cast or quantize a loaded float model (in place where the library allows); raises UnsupportedPrecision.

    The model should already be on `device`; build or load it in `load_kwargs_for(...)["dtype"]`
    to avoid a cast.
    """
    import torch

    device = resolve_device(device)
    method, skipped = _choose(precision, device, library)
    dtype = getattr(torch, DTYPE_NAMES[method.dtype])
    model = model.to(dtype=dtype)
    if not method.quantizes:
        return PrecisionOutcome(model, method.precision, device, method, 0, _count(model, set())[1], skipped)
    skip = _output_head(model)
    linear, total = _count(model, skip)
    assert method.convert is not None
    model = method.convert(model, skip, torch.device(device))
    return PrecisionOutcome(model, method.precision, device, method, linear, total, skipped)


def apply_precision(
    load: Callable[[dict[str, Any]], nn.Module], precision: str, device: str = "cpu", library: str | None = None
) -> PrecisionOutcome:
    """Load with `load(from_pretrained_kwargs)`, then convert unless the load already quantized (bitsandbytes)."""
    device = resolve_device(device)
    method, skipped = _choose(precision, device, library)
    model = load(load_kwargs_for(precision, device, library))
    if method.at_load:
        skip = _output_head(model)
        return PrecisionOutcome(model, method.precision, device, method, *_count_quantized(model, skip), skipped)
    return convert_precision(model, precision, device, library)


def _count_quantized(model: nn.Module, skip: set[str]) -> tuple[int, int]:
    """After a bitsandbytes load the layers are no longer nn.Linear: count bnb layers' logical weights."""
    quantized = 0
    for name, mod in model.named_modules():
        if name not in skip and type(mod).__module__.startswith("bitsandbytes"):
            quantized += getattr(mod, "in_features", 0) * getattr(mod, "out_features", 0)
    total = sum(p.numel() for p in model.parameters())
    return quantized, max(total, quantized)


# --- memory --------------------------------------------------------------------------------


def _tensor_bytes(t: Any) -> int:
    """Real storage of a tensor: a quantized subclass's inner tensors, a quantized tensor's int storage."""
    if hasattr(t, "__tensor_flatten__") and type(t).__name__ not in ("Parameter", "Tensor"):
        names, _ = t.__tensor_flatten__()
        return sum(_tensor_bytes(getattr(t, n)) for n in names)
    size = t.numel() * t.element_size()
    if getattr(t, "is_quantized", False) and t.qscheme() in _per_channel_schemes():
        size += _tensor_bytes(t.q_per_channel_scales()) + _tensor_bytes(t.q_per_channel_zero_points())
    for extra in ("SCB", "quant_state"):  # bitsandbytes int8 scales, nf4 block absmax
        size += _state_bytes(getattr(t, extra, None))
    return size


@cache
def _per_channel_schemes() -> tuple[Any, ...]:
    import torch

    return (torch.per_channel_affine, torch.per_channel_symmetric, torch.per_channel_affine_float_qparams)


def _state_bytes(state: Any) -> int:
    import torch

    if state is None:
        return 0
    if isinstance(state, torch.Tensor):
        return state.numel() * state.element_size()
    values = state.as_dict(packed=False).values() if hasattr(state, "as_dict") else vars(state).values()
    return sum(v.numel() * v.element_size() for v in values if isinstance(v, torch.Tensor))


def model_memory_mb(model: nn.Module) -> float:
    """Parameters + buffers in MiB, at their real storage size (int8 is 1 byte, packed int4 half)."""
    seen: set[int] = set()
    total = 0
    for t in [*model.parameters(), *model.buffers()]:
        if id(t) not in seen:
            seen.add(id(t))
            total += _tensor_bytes(t)
    for mod in model.modules():  # torch.ao quantized Linear keeps its weight in a packed C++ object
        packed = getattr(mod, "_packed_params", None)
        if packed is not None and hasattr(packed, "_weight_bias"):
            weight, bias = packed._weight_bias()
            total += _tensor_bytes(weight) + (_tensor_bytes(bias) if bias is not None else 0)
    return total / 2**20
