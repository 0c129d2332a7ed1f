"""Architecture presets: published shapes, parameter counts, fast seeded builds of the tiny ones."""

from __future__ import annotations

import pytest
import torch

from synth.bench.presets import (
    PresetError,
    SyntheticTokenizer,
    build_random_model,
    is_preset,
    list_presets,
    preset_config,
    preset_info,
    random_model_from_config,
)
from synth.core.bench_result import RANDOM_WEIGHTS_LABEL
from synth.errors import UserError

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`

TINY = ["tiny-llama", "tiny-gpt-bigcode", "tiny-moe"]
REQUIRED = [
    "llama-3.2-1b", "llama-3.2-3b", "gemma-2-2b", "starcoder-1b", "qwen2.5-0.5b", "qwen2.5-1.5b",
    "moe-small", "moe-small-dense-equal-active", *TINY,
]  # fmt: skip

# Shapes as in each model's config.json on its hub page.
PUBLISHED_SHAPES = {
    "llama-3.2-1b": dict(
        num_hidden_layers=16, hidden_size=2048, num_attention_heads=32, num_key_value_heads=8,
        intermediate_size=8192, vocab_size=128256, tie_word_embeddings=True, max_position_embeddings=131072,
    ),
    "llama-3.2-3b": dict(
        num_hidden_layers=28, hidden_size=3072, num_attention_heads=24, num_key_value_heads=8,
        intermediate_size=8192, vocab_size=128256, tie_word_embeddings=True, head_dim=128,
    ),
    "gemma-2-2b": dict(
        num_hidden_layers=26, hidden_size=2304, num_attention_heads=8, num_key_value_heads=4, head_dim=256,
        intermediate_size=9216, vocab_size=256000, sliding_window=4096, attn_logit_softcapping=50.0,
        final_logit_softcapping=30.0, query_pre_attn_scalar=256, tie_word_embeddings=True,
    ),
    "starcoder-1b": dict(
        n_layer=24, n_embd=2048, n_head=16, n_inner=8192, vocab_size=49152, n_positions=8192, multi_query=True,
    ),
    "qwen2.5-0.5b": dict(
        num_hidden_layers=24, hidden_size=896, num_attention_heads=14, num_key_value_heads=2,
        intermediate_size=4864, vocab_size=151936, tie_word_embeddings=True,
    ),
    "qwen2.5-1.5b": dict(
        num_hidden_layers=28, hidden_size=1536, num_attention_heads=12, num_key_value_heads=2,
        intermediate_size=8960, vocab_size=151936, tie_word_embeddings=True,
    ),
}  # fmt: skip
ROPE_THETA = {"llama-3.2-1b": 5e5, "llama-3.2-3b": 5e5, "gemma-2-2b": 1e4, "qwen2.5-0.5b": 1e6, "qwen2.5-1.5b": 1e6}
# Sizes as the hub pages state them (rounded), independent of the TOML's own figures.
HUB_PARAMS = {
    "llama-3.2-1b": 1.24e9,
    "llama-3.2-3b": 3.21e9,
    "gemma-2-2b": 2.61e9,
    "starcoder-1b": 1.14e9,
    "qwen2.5-0.5b": 0.494e9,
    "qwen2.5-1.5b": 1.54e9,
}


def test_required_presets_exist_and_carry_the_random_weights_label() -> None:
    infos = {info.name: info for info in list_presets()}
    assert set(REQUIRED) <= set(infos)
    for info in infos.values():
        assert info.label == RANDOM_WEIGHTS_LABEL
        assert info.published_from and info.description
        assert 0 < info.active_params <= info.total_params
    assert is_preset("llama-3.2-1b") and not is_preset("llama-3.2-1B-instruct")


@pytest.mark.parametrize("name", list(PUBLISHED_SHAPES))
def test_preset_config_has_the_published_shape(name: str) -> None:
    config = preset_config(name)
    for key, value in PUBLISHED_SHAPES[name].items():
        assert getattr(config, key) == value, key
    if name in ROPE_THETA:
        assert config.rope_parameters["rope_theta"] == ROPE_THETA[name]


def test_llama_3_2_keeps_its_llama3_rope_scaling() -> None:
    rope = preset_config("llama-3.2-1b").rope_parameters
    assert rope["rope_type"] == "llama3" and rope["factor"] == 32.0
    assert rope["original_max_position_embeddings"] == 8192


@pytest.mark.parametrize("name", list(HUB_PARAMS))
def test_parameter_count_matches_the_published_size(name: str) -> None:
    info = preset_info(name)  # counted on the meta device: no memory
    assert info.total_params == info.published_params  # exact when the shape is exact
    assert info.total_params == pytest.approx(HUB_PARAMS[name], rel=0.02)
    assert info.active_params == info.total_params


def test_moe_and_its_dense_twin_have_equal_active_parameters() -> None:
    moe, dense = preset_info("moe-small"), preset_info("moe-small-dense-equal-active")
    assert moe.model_type == "mixtral" and dense.model_type == "llama"
    assert moe.active_params == pytest.approx(dense.total_params, rel=0.02)
    assert moe.total_params > 3 * moe.active_params  # 8 experts, 2 active
    assert moe.total_params * 4 < 24 * 2**30  # fits 24 GiB in fp32
    config = preset_config("moe-small")
    assert (config.num_local_experts, config.num_experts_per_tok) == (8, 2)
    assert preset_config("moe-small-dense-equal-active").intermediate_size == 2 * config.intermediate_size


@pytest.mark.parametrize("name", TINY)
def test_tiny_preset_builds_runs_and_generates_a_fixed_length(name: str) -> None:
    model, tokenizer, info = build_random_model(name, torch.float32, seed=0)
    assert info.total_params < 20_000_000
    assert sum(p.numel() for p in model.parameters()) == info.total_params
    assert not any(t.is_meta for t in [*model.parameters(), *model.buffers()])
    ids = tokenizer.random_ids(12, batch_size=2, seed=1)
    with torch.inference_mode():
        logits = model(ids).logits
        out = model.generate(
            ids, attention_mask=torch.ones_like(ids), max_new_tokens=5, min_new_tokens=5, do_sample=False
        )
    assert logits.shape == (2, 12, model.config.vocab_size)
    assert torch.isfinite(logits).all()
    assert out.shape == (2, 17)
    assert tokenizer.decode(out[0, -2:]).count("<") == 2


def test_same_seed_gives_identical_weights_and_another_seed_does_not() -> None:
    a, _, _ = build_random_model("tiny-llama", torch.float32, seed=7)
    b, _, _ = build_random_model("tiny-llama", torch.float32, seed=7)
    c, _, _ = build_random_model("tiny-llama", torch.float32, seed=8)
    sa, sb, sc = a.state_dict(), b.state_dict(), c.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not torch.equal(sa["model.layers.0.mlp.up_proj.weight"], sc["model.layers.0.mlp.up_proj.weight"])


def test_weights_are_normal_002_norms_one_and_ties_kept() -> None:
    model, _, _ = build_random_model("tiny-llama", torch.bfloat16)
    weight = model.model.layers[0].self_attn.q_proj.weight
    assert weight.dtype == torch.bfloat16
    assert weight.float().std().item() == pytest.approx(0.02, rel=0.05)
    assert abs(weight.float().mean().item()) < 1e-3
    assert torch.equal(model.model.norm.weight, torch.ones_like(model.model.norm.weight))
    assert model.lm_head.weight is model.model.embed_tokens.weight
    rows = weight[:2].float()
    assert not torch.equal(rows[0], rows[1])


def test_gemma_style_norms_get_their_own_identity_init() -> None:
    """Gemma's RMSNorm scales by 1 + w, so its identity is w = 0; buffers such as embed_scale are computed."""
    config = preset_config("gemma-2-2b")
    config.update(dict(num_hidden_layers=2, hidden_size=128, intermediate_size=256, vocab_size=512, head_dim=32))
    model = random_model_from_config(config, torch.float32, seed=0)
    assert torch.count_nonzero(model.model.norm.weight) == 0
    assert model.model.embed_tokens.embed_scale.item() == pytest.approx(128**0.5)
    with torch.inference_mode():
        assert torch.isfinite(model(torch.tensor([[5, 6, 7]])).logits).all()


def test_synthetic_tokenizer_never_draws_special_ids() -> None:
    _, tokenizer, _ = build_random_model("tiny-gpt-bigcode")  # bos = eos = pad = 0
    ids = tokenizer.random_ids(4000, seed=3)
    assert ids.shape == (1, 4000)
    assert not (ids == 0).any()
    assert torch.equal(ids, tokenizer.random_ids(4000, seed=3))


def test_random_ids_skip_adjacent_special_ids_uniformly() -> None:
    tokenizer = SyntheticTokenizer(vocab_size=10, bos_token_id=3, eos_token_id=4, pad_token_id=4)
    ids = tokenizer.random_ids(2000, seed=0)
    assert set(ids.unique().tolist()) == {0, 1, 2, 5, 6, 7, 8, 9}


def test_unknown_preset_is_a_user_error_naming_the_known_ones() -> None:
    with pytest.raises(UserError) as err:
        build_random_model("llama-9b")
    assert isinstance(err.value, PresetError)
    message = str(err.value)
    assert "llama-9b" in message and "tiny-llama" in message and "gemma-2-2b" in message
    assert "\n" not in message
