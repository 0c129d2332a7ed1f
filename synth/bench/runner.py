"""Run one spec in this process and return its result (the child side of `synth bench run`).

The parent (`launch.py`) never imports this: a crash, an OOM kill or a hung
kernel here costs one result, not the pipeline. Everything the spec asks that
cannot run here becomes an `unsupported` result with the reason; nothing is
silently replaced.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from synth import __version__
from synth.bench.result import RANDOM_WEIGHTS_LABEL, BenchResult, Measurements, Stat
from synth.bench.spec import BenchSpec
from synth.errors import UserError


class Unsupported(Exception):
    """The spec cannot run on this hardware or with these libraries; the message says why."""


@dataclass
class RunStats:
    """Timings of one repetition over the whole prompt set."""

    prompt_tokens: int = 0
    prefill_s: float = 0.0
    answer_tokens: int = 0  # tokens of every generated stream that is an answer
    final_tokens: int = 0  # tokens of the answers a user gets (SC: one per prompt)
    decode_tokens: int = 0
    decode_s: float = 0.0
    total_s: float = 0.0
    ttfts: list[float] = field(default_factory=list)
    steps: list[float] = field(default_factory=list)
    forward_calls: int = 0  # target-model decode steps (speculation emits several tokens per step)


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[idx]


def measurements_from(runs: list[RunStats]) -> Measurements:
    steps = [s for r in runs for s in r.steps]
    return Measurements(
        decode_tokens_per_s=Stat.of([r.decode_tokens / r.decode_s for r in runs if r.decode_s > 0]),
        prefill_tokens_per_s=Stat.of([r.prompt_tokens / r.prefill_s for r in runs if r.prefill_s > 0]),
        ttft_s=Stat.of([statistics.fmean(r.ttfts) for r in runs if r.ttfts]),
        end_to_end_tokens_per_s=Stat.of([r.answer_tokens / r.total_s for r in runs if r.total_s > 0]),
        per_sample_tokens_per_s=Stat.of([r.final_tokens / r.total_s for r in runs if r.total_s > 0]),
        token_latency_p50_s=_percentile(steps, 0.5),
        token_latency_p95_s=_percentile(steps, 0.95),
        prompt_tokens=runs[-1].prompt_tokens if runs else None,
        generated_tokens=runs[-1].answer_tokens if runs else None,
        tokens_per_step=_tokens_per_step(runs),
    )


def _tokens_per_step(runs: list[RunStats]) -> float | None:
    calls = sum(r.forward_calls for r in runs)
    return round(sum(r.answer_tokens for r in runs) / calls, 3) if calls else None


def add_traces(stats: RunStats, traces: list[Any], final_divisor: int = 1) -> None:
    for tr in traces:
        tokens = sum(len(a) for a in tr.answers)
        stats.prompt_tokens += tr.prompt_tokens
        stats.prefill_s += tr.ttft_s
        stats.ttfts.append(tr.ttft_s)
        stats.answer_tokens += tokens
        stats.decode_tokens += max(0, tokens - len(tr.answers))
        stats.decode_s += max(0.0, tr.total_s - tr.ttft_s)
        stats.total_s += tr.total_s
        stats.steps.extend(tr.step_s)
        stats.forward_calls += tr.forward_calls
    stats.final_tokens += sum(sum(len(a) for a in tr.answers) for tr in traces) // max(1, final_divisor)


def generate_batch(model: Any, spec: BenchSpec, jobs: list[Any], kw: dict[str, Any]) -> tuple[list[Any], int]:
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
    from synth.bench.memory import PeakMemory
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
    if not code:
        for w in range(spec.warmup):
            for batch in groups:
                generate_batch(model, spec, batch, {**kw, "sampler": _sampler(spec, 1000 + w)})
    from synth.bench.consistency import picker_for

    picker = picker_for(settings)
    runs: list[RunStats] = []
    texts: list[list[str]] = []
    reps = 1 if code else spec.repetitions
    with PeakMemory(device) as peak:
        for rep in range(reps):
            stats = RunStats()
            for b, batch in enumerate(groups):
                traces, divisor = generate_batch(model, spec, batch, {**kw, "sampler": _sampler(spec, rep * 7919 + b)})
                add_traces(stats, traces, divisor)
                if code:
                    # A pass@k run generates once; each batch is one timing sample of the spread.
                    texts.append(_final_texts(spec, tokenizer, traces, divisor, len(batch), picker))
                    runs.append(stats)
                    stats = RunStats()
            if not code:
                runs.append(stats)
    m = measurements_from(runs)
    m.model_memory_mb = result.measurements.model_memory_mb
    m.peak_memory_mb, m.peak_memory_kind = peak.peak_mb, peak.kind  # type: ignore[assignment]
    result.measurements = m
    if code:
        score_code(spec, [j.problem for j in jobs], [t for batch in texts for t in batch], result)
        result.notes.append(f"pass@k run: one generation of {len(jobs)} samples; throughput spread is over batches")
    del model, assistant
    if device == "cuda":
        torch.cuda.empty_cache()


def _final_texts(
    spec: BenchSpec, tokenizer: Any, traces: list[Any], divisor: int, n_jobs: int, picker: Any
) -> list[str]:
    """One answer text per job; SC picks the most consistent of its n samples (MiniLM similarity)."""
    if divisor == 1:
        return [tokenizer.decode(a, skip_special_tokens=True) for a in traces[0].answers]
    if spec.technique.implementation == "batched":
        flat = traces[0].answers  # rows are job-major: n consecutive samples per job
        per_job = [flat[i * divisor : (i + 1) * divisor] for i in range(n_jobs)]
    else:
        per_job = [[tr.answers[i] for tr in traces] for i in range(n_jobs)]
    out = []
    for samples in per_job:
        decoded = [tokenizer.decode(a, skip_special_tokens=True) for a in samples]
        out.append(decoded[picker.pick(decoded)])
    return out


def score_code(spec: BenchSpec, problems: list[Any], texts: list[str], result: BenchResult) -> None:
    from synth.bench.passk import aggregate_pass_at_k
    from synth.bench.problems import build_program, extract_code
    from synth.bench.sandbox import run_many

    ev = spec.evaluation
    programs = [build_program(p, extract_code(p, t)) for p, t in zip(problems, texts, strict=True)]
    outcomes = run_many(programs, workers=ev.workers, timeout_s=ev.timeout_s, memory_mb=ev.memory_mb)
    per_task: dict[str, list[int]] = {}
    for p, o in zip(problems, outcomes, strict=True):
        n_c = per_task.setdefault(str(p.task_id), [0, 0])
        n_c[0] += 1
        n_c[1] += int(o.status == "passed")
    assert result.measurements is not None
    m = result.measurements
    m.pass_at = aggregate_pass_at_k([(n, c) for n, c in per_task.values()], ev.pass_at)
    m.problems = len(per_task)
    m.samples_per_problem = spec.sampling.samples_per_problem
    m.passed_samples = sum(c for _, c in per_task.values())
    result.samples = [{"task_id": k, "n": n, "passed": c} for k, (n, c) in per_task.items()]


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
