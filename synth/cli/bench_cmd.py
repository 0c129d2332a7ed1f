"""`synth bench run | list-presets | show | compare`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)  # help text is literal: "[values]" stays
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)  # one line per message, however narrow: logs and pipes stay greppable

SPEC_HELP = """Run the experiments of a YAML/JSON spec file, each in its own process.

A spec (schema v1): model (registry name, HF folder, .gguf file or a preset), backend (transformers|llamacpp),
device (auto|cpu|cuda), precision (fp32|bf16|fp16|int8|int4|nf4|gguf), technique {name: vanilla|cad|
self_consistency|cot|rag, implementation: naive|batched, alpha, n, rag_k}, batch_size, prompts {kind: synthetic|
humaneval|mbpp, limit, path, prompt_tokens, num_prompts}, generation {max_new_tokens, fixed_length}, sampling
{mode: greedy|sample, temperature, top_p, seed, samples_per_problem}, evaluation {pass_at, timeout_s, memory_mb},
repetitions, warmup, threads, timeout_s. A file may hold a list of specs, or `base:` plus `sweep:` {dotted.key:
[values]} expanded to their product."""


@app.command("run", help=SPEC_HELP)
def run(
    ctx: typer.Context,
    spec_file: Annotated[Path, typer.Argument(help="Spec file (.yaml, .yml or .json).")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the result(s) here (JSON).")] = None,
    executor: Annotated[str, typer.Option("--executor", help="local (default) or ray.")] = "local",
    address: Annotated[str | None, typer.Option("--address", help="Ray cluster address (ray executor).")] = None,
    timeout: Annotated[float | None, typer.Option("--timeout", help="Override every spec's timeout_s.")] = None,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Print only the final JSON line.")] = False,
) -> None:
    from synth.bench.launch import run_specs
    from synth.cli import settings_from
    from synth.core.bench_spec import load_specs
    from synth.io import atomic_write_text
    from synth.render.bench import result_rows

    specs = load_specs(spec_file)
    if timeout is not None:
        specs = [s.model_copy(update={"timeout_s": timeout}) for s in specs]
    settings = settings_from(ctx)

    def progress(result) -> None:  # noqa: ANN001 - BenchResult
        if quiet:
            return
        table = Table(show_header=False, title=result.spec.label(), title_justify="left")
        for key, value in result_rows(result):
            table.add_row(key, value)
        console.print(table)

    if not quiet:
        err.print(f"running {len(specs)} experiment(s) with the {executor} executor")
    results = run_specs(specs, settings, executor=executor, progress=progress, address=address)
    if output is not None:
        dumped = [r.model_dump(mode="json") for r in results]
        payload = dumped[0] if len(dumped) == 1 else dumped
        atomic_write_text(output, json.dumps(payload, indent=2) + "\n")
        if not quiet:
            err.print(f"wrote {output}")
    summary = [
        {"spec": r.spec.label(), "status": r.status, "decode_tokens_per_s": _mean(r, "decode_tokens_per_s"),
         "pass_at": r.measurements.pass_at if r.measurements else None}
        for r in results
    ]  # fmt: skip
    typer.echo(json.dumps({"results": summary}))
    if any(r.status in ("failed", "timeout") for r in results):
        raise typer.Exit(1)


def _mean(result, key: str) -> float | None:  # noqa: ANN001
    from synth.render.bench import metric_value

    value = metric_value(result, key)
    return round(value, 3) if value is not None else None


@app.command("list-presets", help="Architecture presets with random weights (speed and memory only).")
def list_presets(as_json: Annotated[bool, typer.Option("--json", help="One JSON object per preset.")] = False) -> None:
    from synth.bench.presets import list_presets as presets

    items = presets()
    if as_json:
        for p in items:
            typer.echo(json.dumps(p.model_dump(), default=str))
        return
    table = Table("preset", "model_type", "params", "active", "from")
    for p in items:
        total, active = f"{p.total_params / 1e9:.2f}B", f"{p.active_params / 1e9:.2f}B"
        table.add_row(p.name, p.model_type, total, active, p.published_from)
    console.print(table)
    console.print("All presets have random weights: speed and memory only; pass@k is refused for them.")


@app.command("show", help="Print a result file (one result or a sweep).")
def show(result_file: Annotated[Path, typer.Argument(help="Result JSON from `synth bench run -o`.")]) -> None:
    from synth.core.bench_result import load_results
    from synth.render.bench import result_rows

    for result in load_results(result_file):
        table = Table(show_header=False, title=result.spec.label(), title_justify="left")
        for key, value in result_rows(result):
            table.add_row(key, value)
        console.print(table)


@app.command("compare", help="Compare two results: what differs in their specs, and each metric with B/A.")
def compare(
    a: Annotated[Path, typer.Argument(help="Result A (the baseline).")],
    b: Annotated[Path, typer.Argument(help="Result B.")],
) -> None:
    from synth.core.bench_result import load_result
    from synth.render.bench import compare_rows, hardware_of, spec_differences

    ra, rb = load_result(a), load_result(b)
    diffs = spec_differences(ra, rb)
    if diffs:
        t = Table("spec field", "A", "B", title="spec differences", title_justify="left")
        for row in diffs:
            t.add_row(*row)
        console.print(t)
    t = Table("metric", f"A ({ra.status})", f"B ({rb.status})", "B/A", title="measurements", title_justify="left")
    for row in compare_rows(ra, rb):
        t.add_row(*row)
    console.print(t)
    ha, hb = hardware_of(ra), hardware_of(rb)
    console.print(f"hardware: {ha}" if ha == hb else f"hardware differs: A {ha}; B {hb} (compare ratios only)")
    for r, name in ((ra, "A"), (rb, "B")):
        if r.reason:
            console.print(f"{name}: {r.status}: {r.reason}")
