"""The benchmark runner: spec validation, the decode loop's invariants, the child process and the CLI."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from synth.core.bench_spec import BenchSpec, SpecError, load_specs, parse_specs
from tests.conftest import SHARED, run_cli

TINY = "tiny-llama"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- spec validation -------------------------------------------------------------------------------------


def test_spec_defaults_and_sweep_expansion(tmp_path: Path) -> None:
    specs = load_specs(_write(tmp_path / "s.yaml", (
        "base: {model: tiny-llama, generation: {max_new_tokens: 4}}\n"
        "sweep: {precision: [fp32, bf16], technique.name: [vanilla, cad]}\n"
    )))  # fmt: skip
    assert len(specs) == 4
    assert {(s.precision, s.technique.name) for s in specs} == {
        ("fp32", "vanilla"), ("fp32", "cad"), ("bf16", "vanilla"), ("bf16", "cad")}  # fmt: skip
    assert all(s.generation.fixed_length for s in specs)  # synthetic prompts default to fixed length
    code = BenchSpec.model_validate({"model": "x", "prompts": {"kind": "humaneval", "limit": 2}})
    assert code.generation.fixed_length is False


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("model: tiny-llama\nprecision: fp8\n", "precision"),
        ("model: tiny-llama\nbogus: 1\n", "bogus"),
        ("model: tiny-llama\nprompts: {kind: mbpp}\n", "prompts.path is required"),
        ("model: x\nprompts: {kind: humaneval}\nevaluation: {pass_at: [5]}\n", "samples_per_problem >= 5"),
        ("model: x\nprompts: {kind: humaneval}\ngeneration: {fixed_length: true}\n", "fixed_length"),
        ("model: [unclosed\n", "not valid YAML"),
        ("", "empty"),
        ("model: x\nbackend: llamacpp\nprecision: int8\n", "own quant type"),
    ],
)
def test_spec_errors_are_one_line_and_name_the_field(tmp_path: Path, text: str, needle: str) -> None:
    path = _write(tmp_path / "bad.yaml", text)
    with pytest.raises(SpecError) as info:
        load_specs(path)
    message = str(info.value)
    assert needle in message and "\n" not in message and str(path) in message


def test_cli_rejects_a_bad_spec_with_exit_2(tmp_path: Path) -> None:
    proc = run_cli("bench", "run", str(_write(tmp_path / "bad.json", '{"model": "x", "batch_size": 0}')))
    assert proc.returncode == 2
    assert "batch_size" in proc.stderr and "Traceback" not in proc.stderr
    missing = run_cli("bench", "run", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr


# --- the decode loop on a tiny random model ---------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_model():  # noqa: ANN201
    import torch

    from synth.bench.presets import build_random_model

    torch.manual_seed(0)
    model, tok, _ = build_random_model(TINY, torch.float32, seed=0)
    return model, tok


def _prompts(tok, lengths: list[int]) -> list[list[int]]:  # noqa: ANN001
    return [tok.random_ids(n, seed=n)[0].tolist() for n in lengths]


def test_fixed_length_generation_ignores_eos(tiny_model) -> None:  # noqa: ANN001
    from synth.bench import decode

    model, tok = tiny_model
    prompts = _prompts(tok, [12, 7])
    vocab = model.config.vocab_size
    kw = dict(max_new_tokens=9, sampler=decode.Sampler(), pad_id=tok.pad_token_id)
    free = decode.vanilla(model, prompts, eos_ids=[], **kw)
    # Make the model's first greedy choice the EOS: fixed length must still produce every token.
    eos = free.answers[0][0]
    fixed = decode.vanilla(model, prompts, eos_ids=[eos], fixed_length=True, **kw)
    assert [len(a) for a in fixed.answers] == [9, 9]
    assert eos not in fixed.answers[0]
    stopped = decode.vanilla(model, prompts, eos_ids=[eos], fixed_length=False, **kw)
    assert stopped.answers[0] == []  # stops at EOS (EOS itself is not part of the answer)
    assert all(0 <= t < vocab for a in fixed.answers for t in a)
    assert len(fixed.step_s) == 8 and fixed.ttft_s > 0 and fixed.total_s >= fixed.ttft_s


def test_left_padded_batch_matches_single_prompts(tiny_model) -> None:  # noqa: ANN001
    from synth.bench import decode

    model, tok = tiny_model
    prompts = _prompts(tok, [15, 6])
    kw = dict(max_new_tokens=8, sampler=decode.Sampler(), pad_id=tok.pad_token_id)
    batch = decode.vanilla(model, prompts, **kw)
    singles = [decode.vanilla(model, [p], **kw).answers[0] for p in prompts]
    assert batch.answers == singles


def test_greedy_prompt_lookup_speculation_is_lossless(tiny_model) -> None:  # noqa: ANN001
    from synth.bench import decode

    model, tok = tiny_model
    base = _prompts(tok, [10])[0]
    prompts = [base * 3]  # repeated n-grams: prompt lookup has something to propose
    kw = dict(max_new_tokens=12, sampler=decode.Sampler(), pad_id=tok.pad_token_id, eos_ids=[], fixed_length=True)
    plain = decode.speculative(model, prompts, "none", 4, **kw)
    spec = decode.speculative(model, prompts, "prompt_lookup", 4, **kw)
    ours = decode.vanilla(model, prompts, **kw)
    assert spec.answers == plain.answers == ours.answers
    assert len(spec.answers[0]) == 12 and spec.ttft_s > 0 and spec.total_s >= spec.ttft_s
    assert len(plain.step_s) == 11 and len(spec.step_s) == 11  # one per token after the first, split evenly


def test_greedy_draft_model_speculation_is_lossless_and_accepts_drafts(tiny_model) -> None:  # noqa: ANN001
    """A drafter proposes, the target verifies: greedy output is the target's own, whatever the drafter; a
    drafter identical to the target has every draft accepted (several tokens per target step)."""
    import torch

    from synth.bench import decode
    from synth.bench.presets import build_random_model

    model, tok = tiny_model
    prompts = _prompts(tok, [12])
    kw = dict(max_new_tokens=12, sampler=decode.Sampler(), pad_id=tok.pad_token_id, eos_ids=[], fixed_length=True)
    plain = decode.speculative(model, prompts, "none", 4, **kw)
    same = decode.speculative(model, prompts, "draft_model", 4, assistant=model, **kw)
    other, _, _ = build_random_model(TINY, torch.float32, seed=1)
    stranger = decode.speculative(model, prompts, "draft_model", 4, assistant=other, **kw)
    assert same.answers == plain.answers == stranger.answers
    assert same.forward_calls < plain.forward_calls  # drafts accepted: fewer target steps than tokens
    with pytest.raises(ValueError, match="draft model"):
        decode.speculative(model, prompts, "draft_model", 4, **kw)


def test_draft_model_spec_needs_its_drafter() -> None:
    from synth.core.bench_spec import Technique

    with pytest.raises(ValueError, match="draft_model"):
        Technique(name="speculative", speculation="draft_model")
    t = Technique(name="speculative", speculation="draft_model", draft_model="qwen2.5-coder-0.5b-instruct")
    assert t.draft_model is not None and t.draft_model.name == "qwen2.5-coder-0.5b-instruct"


def test_cad_alpha_zero_equals_vanilla_and_batched_equals_naive(tiny_model) -> None:  # noqa: ANN001
    from synth.bench import decode

    model, tok = tiny_model
    ctx = _prompts(tok, [20, 11])
    noctx = [p[-4:] for p in ctx]
    kw = dict(max_new_tokens=10, sampler=decode.Sampler(), pad_id=tok.pad_token_id)
    plain = decode.vanilla(model, ctx, **kw)
    assert decode.cad(model, ctx, noctx, 0.0, batched=True, **kw).answers == plain.answers
    assert decode.cad(model, ctx, noctx, 0.0, batched=False, **kw).answers == plain.answers
    naive = decode.cad(model, ctx, noctx, 1.0, batched=False, **kw)
    batched = decode.cad(model, ctx, noctx, 1.0, batched=True, **kw)
    assert naive.answers == batched.answers
    assert naive.answers != plain.answers  # α=1 changes a random model's choices
    assert naive.forward_calls == 2 * batched.forward_calls == 2 * 10


def test_cad_combines_logits_as_specified() -> None:
    import torch

    from synth.bench.decode import cad_combine

    logits = torch.tensor([[2.0, 0.0], [1.0, 3.0]])  # row 0 with context, row 1 without
    out = cad_combine(0.5, 1)(logits)
    assert torch.allclose(out, torch.tensor([[1.5 * 2.0 - 0.5 * 1.0, 1.5 * 0.0 - 0.5 * 3.0]]))


def test_self_consistency_batched_and_naive_shapes(tiny_model) -> None:  # noqa: ANN001
    from synth.bench import decode

    model, tok = tiny_model
    prompts = _prompts(tok, [10])
    sampler = decode.Sampler(greedy=False, temperature=1.0, top_p=0.9, seed=3)
    batched = decode.self_consistency(model, prompts, 4, True, max_new_tokens=6, sampler=sampler, pad_id=0)
    assert len(batched) == 1 and len(batched[0].answers) == 4 and all(len(a) == 6 for a in batched[0].answers)
    assert len({tuple(a) for a in batched[0].answers}) > 1  # samples differ
    naive = decode.self_consistency(
        model, prompts, 3, False, max_new_tokens=6, sampler=decode.Sampler(greedy=False, seed=3), pad_id=0
    )
    assert len(naive) == 3 and all(len(t.answers) == 1 for t in naive)


def test_most_consistent_sample() -> None:
    import numpy as np

    from synth.bench.consistency import most_consistent

    angles = np.radians([0.0, 10.0, 20.0, 90.0])  # the 20° sample is closest to the others on average
    emb = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    assert most_consistent(emb) == 2
    assert most_consistent(emb[:2]) == 0


# --- the child process ------------------------------------------------------------------------------------


def _spec(**kw) -> BenchSpec:  # noqa: ANN003
    base = {"model": TINY, "generation": {"max_new_tokens": 6}, "prompts": {"prompt_tokens": [16]},
            "repetitions": 2, "warmup": 1, "timeout_s": 300}  # fmt: skip
    base.update(kw)
    return parse_specs(base)[0]


def test_run_spec_in_a_child_measures_everything() -> None:
    from synth.bench.launch import run_spec
    from synth.core.bench_result import RANDOM_WEIGHTS_LABEL

    result = run_spec(_spec(batch_size=2))
    assert result.status == "ok", result.reason + result.stderr_tail
    m = result.measurements
    assert m is not None and m.decode_tokens_per_s is not None and m.decode_tokens_per_s.n == 2
    assert m.decode_tokens_per_s.mean > 0 and m.prefill_tokens_per_s.mean > 0 and m.ttft_s.mean > 0
    assert m.generated_tokens == 2 * 6 and m.prompt_tokens == 2 * 16
    assert m.token_latency_p50_s is not None and m.token_latency_p95_s >= m.token_latency_p50_s
    assert m.peak_memory_kind == "rss_delta" and m.model_memory_mb > 0
    assert RANDOM_WEIGHTS_LABEL in result.labels and "CPU" in result.labels
    env = result.environment
    assert env is not None and env.cpu_count >= 1 and "torch" in env.versions


def test_crashing_child_becomes_a_failed_result(tmp_path: Path) -> None:
    from synth.bench.launch import run_spec

    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text("{ not json")
    result = run_spec(_spec(model=str(broken)))
    assert result.status == "failed"
    assert "exited with code" in result.reason
    assert "Traceback" in result.stderr_tail or "Error" in result.stderr_tail


def test_timeout_kills_the_child() -> None:
    from synth.bench.launch import run_spec

    t0 = time.perf_counter()
    result = run_spec(_spec(), timeout_s=1.0)
    assert result.status == "timeout" and "timeout" in result.reason
    assert time.perf_counter() - t0 < 30


def test_unsupported_precision_and_refused_pass_at_k() -> None:
    from synth.bench.runner import execute
    from synth.settings import load_settings

    settings = load_settings()
    nf4 = execute(_spec(precision="nf4"), settings)
    assert nf4.status == "unsupported" and "CUDA" in nf4.reason
    refused = execute(_spec(prompts={"kind": "humaneval", "limit": 1}), settings)
    assert refused.status == "unsupported" and "random weights" in refused.reason


def test_missing_registry_model_names_the_fetch_command() -> None:
    from synth.bench.runner import execute
    from synth.settings import load_settings

    result = execute(_spec(model="smollm2-135m-instruct"), load_settings())
    assert result.status == "failed" and "synth models fetch smollm2-135m-instruct" in result.reason


def test_cli_run_show_compare(tmp_path: Path) -> None:
    spec = _write(tmp_path / "s.yaml", (
        "base: {model: tiny-llama, generation: {max_new_tokens: 4}, prompts: {prompt_tokens: [8]},"
        " repetitions: 1, warmup: 0}\n"
        "sweep: {technique: [{name: cad, implementation: naive}, {name: cad, implementation: batched}]}\n"
    ))  # fmt: skip
    out = tmp_path / "out.json"
    proc = run_cli("bench", "run", str(spec), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert [r["status"] for r in summary["results"]] == ["ok", "ok"]
    results = json.loads(out.read_text())
    assert len(results) == 2
    for i, r in enumerate(results):
        _write(tmp_path / f"r{i}.json", json.dumps(r))
    show = run_cli("bench", "show", str(tmp_path / "r0.json"))
    assert show.returncode == 0 and "decode tok/s" in show.stdout and "random weights" in show.stdout
    cmp = run_cli("bench", "compare", str(tmp_path / "r0.json"), str(tmp_path / "r1.json"))
    assert cmp.returncode == 0 and "technique.implementation" in cmp.stdout and "B/A" in cmp.stdout
    bad = run_cli("bench", "show", str(spec))
    assert bad.returncode == 2 and "not JSON" in bad.stderr


def test_list_presets_cli() -> None:
    proc = run_cli("bench", "list-presets")
    assert proc.returncode == 0
    for name in ("llama-3.2-1b", "gemma-2-2b", "starcoder-1b", "qwen2.5-0.5b", "moe-small"):
        assert name in proc.stdout


@pytest.mark.slow
def test_ray_executor_in_local_mode() -> None:
    pytest.importorskip("ray")
    from synth.bench.launch import run_specs

    t0 = time.perf_counter()
    results = run_specs([_spec(repetitions=1, warmup=0)], executor="ray")
    assert [r.status for r in results] == ["ok"], results[0].reason + results[0].stderr_tail
    assert "ran as a Ray task" in results[0].notes
    assert time.perf_counter() - t0 < 300
    assert os.environ.get("RAY_ADDRESS") is None


# --- real models: the 135M chat model on HumanEval, both backends -----------------------------------------


def _humaneval_spec(backend: str, precision: str) -> BenchSpec:
    return parse_specs({
        "model": "smollm2-135m-instruct", "backend": backend, "precision": precision,
        "prompts": {"kind": "humaneval", "limit": 2}, "generation": {"max_new_tokens": 48},
        "sampling": {"mode": "greedy"}, "evaluation": {"pass_at": [1], "timeout_s": 5}, "timeout_s": 600,
    })[0]  # fmt: skip


@pytest.mark.slow
def test_humaneval_with_transformers_reports_pass_at_1_and_speed(
    smol_home: Path, monkeypatch: pytest.MonkeyPatch, precision: str = "int8"
) -> None:
    from synth.bench.launch import run_spec
    from synth.settings import load_settings

    monkeypatch.setenv("SYNTH_HOME", str(smol_home))
    result = run_spec(_humaneval_spec("transformers", precision), load_settings())
    assert result.status == "ok", result.reason + result.stderr_tail
    m = result.measurements
    assert m.problems == 2 and m.samples_per_problem == 1 and set(m.pass_at) == {"1"}
    assert 0.0 <= m.pass_at["1"] <= 1.0 and m.passed_samples in (0, 1, 2)
    assert m.end_to_end_tokens_per_s.mean > 0 and m.generated_tokens > 0
    assert [s["task_id"] for s in result.samples] == ["HumanEval/0", "HumanEval/1"]
    assert "random weights — speed and memory only" not in result.labels
    if precision == "int8":
        assert any("int8 via" in n for n in result.notes)


@pytest.mark.slow
def test_humaneval_with_llamacpp(smol_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("llama_cpp")
    from synth.bench.launch import run_spec
    from synth.settings import load_settings

    monkeypatch.setenv("SYNTH_HOME", str(smol_home))
    result = run_spec(_humaneval_spec("llamacpp", "gguf"), load_settings())
    assert result.status == "ok", result.reason + result.stderr_tail
    m = result.measurements
    assert m.problems == 2 and set(m.pass_at) == {"1"} and m.decode_tokens_per_s.mean > 0
    assert result.environment.versions.get("llama-cpp-python")
    from synth.core.bench_spec import Technique

    cad = run_spec(_humaneval_spec("llamacpp", "gguf").model_copy(update={"technique": Technique(name="cad")}))
    assert cad.status == "unsupported" and "transformers backend" in cad.reason


def test_check_claims_cli_measures_a_cad_claim_on_a_tiny_replica(tmp_path: Path) -> None:
    """The whole path: classify → plan (naive CAD + batched extra) → three child runs → verdict with numbers."""
    env = {"SYNTH_EMPIRICAL__SUBJECT": "tiny-llama", "SYNTH_EMPIRICAL__REPETITIONS": "2",
           "SYNTH_EMPIRICAL__WARMUP": "0", "SYNTH_EMPIRICAL__MAX_NEW_TOKENS": "8",
           "SYNTH_EMPIRICAL__PROMPT_TOKENS": "32"}  # fmt: skip
    out = tmp_path / "checks.json"
    proc = run_cli("check-claims", "--claim", "CAD roughly halves throughput compared with vanilla decoding.",
                   "--format", "json", "-o", str(out), env=env)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    checks = json.loads(out.read_text())
    assert len(checks) == 1
    check = checks[0]
    assert check["claim_type"]["type"] == "relative_throughput_techniques"
    assert len(check["results"]) >= 2 and all(r["status"] == "ok" for r in check["results"])
    verdict = check["verdict"]
    assert verdict["verdict"] in ("CONSISTENT", "INCONSISTENT", "INCONCLUSIVE")
    assert verdict["measured"]["ratio"] > 0 and verdict["reason"]
    assert any("tiny-llama" in s for s in verdict["substitutions"])
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["checks"] == 1
    dry = run_cli("check-claims", str(SHARED / "seeds" / "004_ae027df4a1b65a0f.txt"), "--dry-run", env=env)
    assert dry.returncode == 0 and "SC dramatically reduces throughput" in dry.stdout
