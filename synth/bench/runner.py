"""Run one spec in this process and return its result (the child side of `synth bench run`).

The parent (`launch.py`) never imports this: a crash, an OOM kill or a hung
kernel here costs one result, not the pipeline. Everything the spec asks that
cannot run here becomes an `unsupported` result with the reason; nothing is
silently replaced.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any

from synth import __version__
from synth.bench.timing import Generate, Generated, measure
from synth.core.bench_result import RANDOM_WEIGHTS_LABEL, BenchResult, Measurements
from synth.core.bench_spec import BenchSpec
from synth.errors import UserError


class Unsupported(Exception):
    """The spec cannot run on this hardware or with these libraries; the message says why."""


def generate_batch(model: Any, spec: BenchSpec, jobs: list[Any], kw: dict[str, Any]) -> Generated:
    """Run the spec's technique on one batch; returns the traces and the SC divisor (samples per answer)."""
    from synth.bench import decode

    t = spec.technique
    prompts = [j.with_context for j in jobs]
    assistant = kw.pop("assistant", None)  # the draft model of a draft_model speculative arm
    if t.name == "cad":
        nocontext = [j.without_context for j in jobs]
        return [decode.cad(model, prompts, nocontext, t.alpha, t.implementation == "batched", **kw)], 1
    if t.name == "self_consistency":
        return decode.self_consistency(model, prompts, t.n, t.implementation == "batched", **kw), t.n
    if t.name == "speculative":
        return [decode.speculative(model, prompts, t.speculation, t.draft_tokens, assistant=assistant, **kw)], 1
    return [decode.vanilla(model, prompts, **kw)], 1


def _batch_generator(model: Any, spec: BenchSpec, kw: dict[str, Any]) -> Generate[list[Any]]:
    """The loop's `generate`: a batch with its sampler seeded at the loop's offset (a fresh generator per batch)."""

    def generate(batch: list[Any], offset: int) -> Generated:
        return generate_batch(model, spec, batch, {**kw, "sampler": _sampler(spec, offset)})

    return generate


def _sampler(spec: BenchSpec, offset: int) -> Any:
    from synth.bench.decode import Sampler

    s = spec.sampling
    return Sampler(greedy=s.mode == "greedy", temperature=s.temperature, top_p=s.top_p, seed=s.seed + offset)


def _load_transformers(spec: BenchSpec, resolved: Any, device: str) -> tuple[Any, Any, int, list[str]]:
    """(model, tokenizer or None, vocab size, notes); precision applied or Unsupported raised."""
    import torch

    from synth.bench import precision as P

    notes: list[str] = []
    reason = P.check_precision(spec.precision, device, "transformers")
    if reason:
        raise Unsupported(reason)
    if resolved.kind == "preset":
        from synth.bench.presets import build_random_model

        base = P.load_kwargs_for(spec.precision, device).get("dtype", torch.float32)
        model, synthetic, _info = build_random_model(resolved.name, base, seed=spec.model.seed, device=device)
        tokenizer = None  # presets have no real tokenizer: prompts are random ids of the asked lengths
        model.generation_config.pad_token_id = synthetic.pad_token_id
    else:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        kwargs = P.load_kwargs_for(spec.precision, device)
        model = AutoModelForCausalLM.from_pretrained(str(resolved.path), **kwargs)
        if device == "cuda" and "quantization_config" not in kwargs:
            model = model.to(device)
        if "quantization_config" in kwargs:  # bitsandbytes quantized at load time
            notes.append(f"{spec.precision} via bitsandbytes at load time")
            model.eval()
            return model, AutoTokenizer.from_pretrained(str(resolved.path)), model.config.vocab_size, notes
        tokenizer = AutoTokenizer.from_pretrained(str(resolved.path))
    model.eval()
    try:
        outcome = P.convert_precision(model, spec.precision, device)
    except P.UnsupportedPrecision as exc:
        raise Unsupported(str(exc)) from None
    model = outcome.model
    notes.extend(outcome.notes())
    vocab = int(getattr(model.config, "vocab_size", 0) or 32000)
    return model, tokenizer, vocab, notes


def _load_drafter(spec: BenchSpec, settings: Any, device: str, result: BenchResult) -> Any:
    """The draft model of a draft_model arm, loaded like the target (same precision and device)."""
    from synth.bench.loader import resolve_model

    draft = spec.technique.draft_model
    assert draft is not None
    as_spec = spec.model_copy(update={"model": draft})
    resolved = resolve_model(as_spec, settings.models_dir)
    if resolved.kind == "gguf":
        raise Unsupported("a draft model needs transformers weights: fetch it with `synth models fetch NAME --hf`")
    model, _tokenizer, _vocab, notes = _load_transformers(as_spec, resolved, device)
    result.notes.append(f"drafted by {draft.name} ({spec.technique.draft_tokens} tokens per step)")
    result.notes.extend(f"drafter: {n}" for n in notes)
    return model


def _eos_ids(model: Any, tokenizer: Any) -> list[int]:
    ids: set[int] = set()
    gen = getattr(model, "generation_config", None)
    for source in (getattr(gen, "eos_token_id", None), getattr(tokenizer, "eos_token_id", None)):
        if isinstance(source, int):
            ids.add(source)
        elif isinstance(source, list | tuple):
            ids.update(int(x) for x in source)
    return sorted(ids)


def run_transformers(spec: BenchSpec, resolved: Any, device: str, settings: Any, result: BenchResult) -> None:
    import torch

    from synth.bench import inputs
    from synth.bench.precision import model_memory_mb

    model, tokenizer, vocab, notes = _load_transformers(spec, resolved, device)
    result.notes.extend(notes)
    assistant = _load_drafter(spec, settings, device, result) if spec.technique.draft_model is not None else None
    result.measurements = Measurements(model_memory_mb=model_memory_mb(model))
    pad_source = tokenizer if tokenizer is not None else model.generation_config
    pad_id = int(getattr(pad_source, "pad_token_id", None) or 0)
    eos = _eos_ids(model, tokenizer)
    code = spec.prompts.kind != "synthetic"
    if code:
        if tokenizer is None:
            raise Unsupported("pass@k needs a real model with a tokenizer; presets are random weights")
        jobs = inputs.code_jobs(spec, tokenizer, settings)
        jobs = [j for j in jobs for _ in range(spec.sampling.samples_per_problem)]
    else:
        jobs = inputs.synthetic_jobs(spec, tokenizer, vocab, settings)
    groups = inputs.batches(jobs, spec.batch_size)
    kw: dict[str, Any] = dict(
        max_new_tokens=spec.generation.max_new_tokens,
        eos_ids=eos,
        fixed_length=spec.generation.fixed_length,
        pad_id=pad_id,
    )
    if assistant is not None:
        kw["assistant"] = assistant

    def decode(tokens: list[int]) -> str:
        return tokenizer.decode(tokens, skip_special_tokens=True)

    measure(
        spec, settings, result, groups, _batch_generator(model, spec, kw),
        decode=decode, problems=[j.problem for j in jobs], memory_device=device, unit_name="batches",
    )  # fmt: skip
    del model, assistant, kw
    if device == "cuda":
        torch.cuda.empty_cache()


def execute(spec: BenchSpec, settings: Any) -> BenchResult:
    """Run `spec` here; every outcome is a result (ok, unsupported or failed with the reason)."""
    from synth.bench.environment import fingerprint
    from synth.bench.loader import resolve_device, resolve_model

    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    t0 = time.perf_counter()
    device, notes = resolve_device(spec.device)
    threads = spec.threads or os.cpu_count() or 1
    result = BenchResult(spec=spec, status="ok", notes=list(notes), started_at=started, synth_version=__version__)
    result.environment = fingerprint(device, threads)
    result.labels.append("GPU" if device == "cuda" else "CPU")
    try:
        import torch

        torch.set_num_threads(threads)
        resolved = resolve_model(spec, settings.models_dir)
        if resolved.kind == "preset":
            result.labels.append(RANDOM_WEIGHTS_LABEL)
            if spec.prompts.kind != "synthetic":
                raise Unsupported(f"pass@k is refused for {resolved.name}: random weights measure speed and memory")
        if spec.backend == "llamacpp" or resolved.kind == "gguf":
            from synth.bench.llamacpp_backend import run_llamacpp

            run_llamacpp(spec, resolved, device, threads, settings, result)
        else:
            run_transformers(spec, resolved, device, settings, result)
    except Unsupported as exc:
        result.status, result.reason = "unsupported", str(exc)
    except UserError as exc:
        result.status, result.reason = "failed", str(exc)
    result.seconds = round(time.perf_counter() - t0, 3)
    return result
