"""Tables of bench results for people: `synth bench show` and `synth bench compare`.

Pure functions from result records to rows of strings, so the CLI and the
report renderer print the same figures the same way.
"""

from __future__ import annotations

from typing import Any

from synth.core.bench_result import BenchResult, Stat

METRICS: list[tuple[str, str]] = [
    ("decode_tokens_per_s", "decode tok/s"),
    ("prefill_tokens_per_s", "prefill tok/s"),
    ("end_to_end_tokens_per_s", "end-to-end tok/s"),
    ("per_sample_tokens_per_s", "per-answer tok/s"),
    ("ttft_s", "TTFT s"),
    ("token_latency_p50_s", "token latency p50 s"),
    ("token_latency_p95_s", "token latency p95 s"),
    ("peak_memory_mb", "peak memory MB"),
    ("model_memory_mb", "model memory MB"),
]


def metric_value(result: BenchResult, key: str) -> float | None:
    m = result.measurements
    if m is None:
        return None
    value = getattr(m, key, None)
    if isinstance(value, Stat):
        return value.mean
    return value


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, Stat):
        return value.short(3 if abs(value.mean) < 1 else 1)
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 1 else f"{value:.1f}"
    return str(value)


def result_rows(result: BenchResult) -> list[tuple[str, str]]:
    """(field, value) rows for one result; measurements that were not taken show as —."""
    rows = [("spec", result.spec.label()), ("status", result.status)]
    if result.reason:
        rows.append(("reason", result.reason))
    if result.labels:
        rows.append(("labels", ", ".join(result.labels)))
    m = result.measurements
    for key, title in METRICS:
        rows.append((title, _fmt(getattr(m, key, None) if m else None)))
    if m is not None and m.pass_at:
        for k, v in sorted(m.pass_at.items(), key=lambda kv: int(kv[0])):
            rows.append((f"pass@{k}", f"{v:.3f} ({m.problems} problems, n={m.samples_per_problem})"))
    env = result.environment
    if env is not None:
        hw = env.gpu_name or f"{env.cpu_model} ({env.cpu_count} cores, {env.threads} threads)"
        rows.append(("hardware", hw))
        rows.append(("versions", ", ".join(f"{k} {v}" for k, v in sorted(env.versions.items()))))
    rows += [("note", n) for n in result.notes]
    rows.append(("seconds", f"{result.seconds:.1f}"))
    return rows


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else k, v, out)
    else:
        out[prefix] = value


def spec_differences(a: BenchResult, b: BenchResult) -> list[tuple[str, str, str]]:
    fa: dict[str, Any] = {}
    fb: dict[str, Any] = {}
    _flatten("", a.spec.model_dump(mode="json"), fa)
    _flatten("", b.spec.model_dump(mode="json"), fb)
    return [(k, str(fa.get(k)), str(fb.get(k))) for k in sorted(set(fa) | set(fb)) if fa.get(k) != fb.get(k)]


def compare_rows(a: BenchResult, b: BenchResult) -> list[tuple[str, str, str, str]]:
    """(metric, A, B, B/A) rows; the ratio only where both were measured."""
    rows = []
    for key, title in METRICS:
        va, vb = metric_value(a, key), metric_value(b, key)
        ratio = f"{vb / va:.2f}x" if va and vb is not None else "—"
        rows.append((title, _fmt(va), _fmt(vb), ratio))
    pa = (a.measurements.pass_at if a.measurements else None) or {}
    pb = (b.measurements.pass_at if b.measurements else None) or {}
    for k in sorted(set(pa) | set(pb), key=int):
        va, vb = pa.get(k), pb.get(k)
        diff = f"{vb - va:+.3f}" if va is not None and vb is not None else "—"
        rows.append((f"pass@{k}", _fmt(va), _fmt(vb), diff))
    return rows


def hardware_of(result: BenchResult) -> str:
    return result.environment.describe() if result.environment is not None else "unknown hardware"
