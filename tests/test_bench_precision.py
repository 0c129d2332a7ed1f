"""Precisions: each one converts and generates, or says why it cannot run here; memory reflects real storage."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from synth.bench.precision import (
    UnsupportedPrecision,
    apply_precision,
    check_precision,
    choose_method,
    convert_precision,
    load_kwargs_for,
    model_memory_mb,
)
from synth.bench.presets import build_random_model
from synth.core.bench_spec import TORCH_PRECISIONS
from synth.errors import UserError

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`

NO_CUDA = not torch.cuda.is_available()


def _generate(model: nn.Module, ids: torch.Tensor, new: int = 4) -> torch.Tensor:
    with torch.inference_mode():
        return model.generate(
            ids, attention_mask=torch.ones_like(ids), max_new_tokens=new, min_new_tokens=new, do_sample=False
        )


@pytest.mark.parametrize("precision", TORCH_PRECISIONS)
def test_every_precision_converts_and_generates_or_says_why_not(precision: str) -> None:
    model, tokenizer, _ = build_random_model("tiny-llama", torch.float32)
    reason = check_precision(precision, "cpu")
    if reason is not None:
        assert len(reason) > 10 and "\n" not in reason
        with pytest.raises(UnsupportedPrecision) as err:
            convert_precision(model, precision, "cpu")
        assert err.value.reason == reason
        return
    outcome = convert_precision(model, precision, "cpu")
    ids = tokenizer.random_ids(10, batch_size=2, seed=0)
    assert _generate(outcome.model, ids).shape == (2, 14)
    assert outcome.precision == precision
    assert outcome.notes()[0].startswith(f"{precision} via ")
    assert outcome.library in outcome.notes()[0]


def test_nf4_on_cpu_is_unsupported_and_names_cuda() -> None:
    reason = check_precision("nf4", "cpu")
    assert reason is not None and "CUDA" in reason and "bitsandbytes" in reason
    with pytest.raises(UserError):
        load_kwargs_for("nf4", "cpu")


def test_cpu_precisions_available_here_use_the_measured_methods() -> None:
    assert check_precision("fp16", "cpu") is None  # runs in torch on CPU; a note says it may be slow
    assert choose_method("int8", "cpu").name == "torch.ao.quantization.quantize_dynamic"
    assert choose_method("int4", "cpu").library == "optimum-quanto"
    assert load_kwargs_for("int8", "cpu") == {"dtype": torch.float32}
    assert load_kwargs_for("int4", "cpu") == {"dtype": torch.bfloat16}
    assert load_kwargs_for("bf16", "cpu") == {"dtype": torch.bfloat16}


def test_unknown_precision_device_and_library_are_reasons() -> None:
    assert "not a torch precision" in check_precision("int3", "cpu")
    assert "device" in check_precision("fp32", "tpu")
    assert "bitsandbytes" in check_precision("int8", "cpu", library="bitsandbytes")
    assert "gguf" in check_precision("int8", "cpu", backend="llamacpp")
    assert check_precision("q4_k_m", "cpu", backend="llamacpp") is None


@pytest.mark.skipif(not NO_CUDA, reason="checks the answer on a machine without a GPU")
def test_cuda_precisions_without_a_gpu_say_so() -> None:
    for precision in ("fp32", "int8", "nf4"):
        assert "no CUDA GPU" in check_precision(precision, "cuda")


@pytest.mark.parametrize("precision", ["int8", "int4"])
@pytest.mark.parametrize("name", ["tiny-gpt-bigcode", "tiny-moe"])
def test_quantized_other_architectures_generate(name: str, precision: str) -> None:
    model, tokenizer, _ = build_random_model(name, torch.float32)
    outcome = convert_precision(model, precision, "cpu")
    assert _generate(outcome.model, tokenizer.random_ids(8, seed=1)).shape == (1, 12)
    assert 0 < outcome.quantized_params < outcome.total_params  # embeddings, head (and experts) stay float


@pytest.mark.parametrize(("precision", "min_cosine"), [("bf16", 0.99), ("int8", 0.98), ("int4", 0.8)])
def test_converted_logits_stay_close_to_fp32(precision: str, min_cosine: float) -> None:
    model, tokenizer, _ = build_random_model("tiny-llama", torch.float32, seed=2)
    ids = tokenizer.random_ids(16, seed=2)
    with torch.inference_mode():
        reference = model(ids).logits[0, -1].float()
        outcome = convert_precision(model, precision, "cpu")
        logits = outcome.model(ids).logits[0, -1].float()
    assert torch.nn.functional.cosine_similarity(logits, reference, dim=0).item() > min_cosine


def test_output_head_is_not_quantized() -> None:
    model, _, _ = build_random_model("tiny-llama", torch.float32)
    outcome = convert_precision(model, "int4", "cpu")
    assert type(outcome.model.lm_head) is nn.Linear
    assert outcome.model.lm_head.weight is outcome.model.model.embed_tokens.weight


def _linear_stack() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(*[nn.Linear(512, 512) for _ in range(4)])


def test_memory_counts_real_storage_int4_lt_int8_lt_bf16_lt_fp32() -> None:
    sizes = {p: model_memory_mb(convert_precision(_linear_stack(), p, "cpu").model) for p in ("fp32", "bf16")}
    for precision in ("int8", "int4"):
        sizes[precision] = model_memory_mb(convert_precision(_linear_stack(), precision, "cpu").model)
    sizes["int8-quanto"] = model_memory_mb(
        convert_precision(_linear_stack(), "int8", "cpu", library="optimum-quanto").model
    )
    weights_fp32 = 4 * 512 * 512 * 4 / 2**20
    assert sizes["fp32"] == pytest.approx(weights_fp32 + 4 * 512 * 4 / 2**20)
    assert sizes["bf16"] == pytest.approx(sizes["fp32"] / 2)
    assert sizes["int8"] < 0.3 * sizes["fp32"] and sizes["int8-quanto"] < 0.3 * sizes["fp32"]
    assert sizes["int4"] < sizes["int8-quanto"] < sizes["bf16"] < sizes["fp32"]


def test_memory_of_a_quantized_preset_is_below_its_float_sizes() -> None:
    fp32 = model_memory_mb(build_random_model("tiny-llama", torch.float32)[0])
    bf16 = model_memory_mb(build_random_model("tiny-llama", torch.bfloat16)[0])
    int8 = model_memory_mb(convert_precision(build_random_model("tiny-llama")[0], "int8", "cpu").model)
    int4 = model_memory_mb(convert_precision(build_random_model("tiny-llama")[0], "int4", "cpu").model)
    assert bf16 == pytest.approx(fp32 / 2, rel=0.01)
    assert int8 < 0.6 * fp32  # fp32 embeddings stay: torch's dynamic int8 computes in fp32
    assert int4 < 0.6 * bf16


def test_apply_precision_loads_with_the_method_dtype_and_reports_it() -> None:
    seen: dict[str, object] = {}

    def load(kwargs: dict[str, object]) -> nn.Module:
        seen.update(kwargs)
        return build_random_model("tiny-llama", kwargs["dtype"])[0]

    outcome = apply_precision(load, "int4", "cpu")
    assert seen == {"dtype": torch.bfloat16}
    assert "optimum-quanto" in outcome.notes()[0] and "int4" in outcome.notes()[0]
    assert outcome.quantized_params > 0


def test_forcing_another_library_is_recorded() -> None:
    model, tokenizer, _ = build_random_model("tiny-llama", torch.bfloat16)
    outcome = convert_precision(model, "int8", "cpu", library="torchao")
    assert outcome.library == "torchao"
    assert "torchao" in outcome.notes()[0]
    assert _generate(outcome.model, tokenizer.random_ids(6)).shape == (1, 10)
