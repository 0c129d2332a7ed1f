"""`synth check-claims`: re-measure the throughput, memory and quantization claims of a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(stderr=True, soft_wrap=True)  # one line per message, however narrow: logs and pipes stay greppable


def check_claims(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help="A report (claims table) or a paper (.pdf/.txt/.md/.tex).")
    ] = None,
    claim: Annotated[list[str] | None, typer.Option("--claim", help="A claim sentence (repeatable).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Classify and plan only; run nothing.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="md or json.")] = "md",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the report here.")] = None,
    all_claims: Annotated[
        bool, typer.Option("--all", help="Also list claims that cannot be measured (with the reason).")
    ] = False,
    executor: Annotated[str, typer.Option("--executor", help="local (default) or ray.")] = "local",
    address: Annotated[str | None, typer.Option("--address", help="Ray cluster address.")] = None,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="No progress lines.")] = False,
) -> None:
    """Classify each measurable claim, plan the smallest experiment, run it, and judge the claim.

    Verdicts: CONSISTENT / INCONSISTENT / INCONCLUSIVE with the claimed and the measured value, the
    tolerance and the reason; substitutions (e.g. a random-weight replica) are stated.
    """
    from synth.audit.measurable import measurable_claims_from_file
    from synth.cli import settings_from
    from synth.core.measurement import ClaimCategory
    from synth.empirical.run import check_claims as run_checks
    from synth.errors import UserError
    from synth.io import atomic_write_text
    from synth.render.empirical import render_json, render_markdown

    if fmt not in ("md", "json"):
        raise UserError(f"--format {fmt!r}: use md or json")
    if file is None and not claim:
        raise UserError("nothing to check: pass a FILE (report or paper) or --claim TEXT")
    settings = settings_from(ctx)
    texts: list[str] = list(claim or [])
    title = "Empirical claim checks"
    if file is not None:
        found, kind = measurable_claims_from_file(file)
        texts += found
        title = f"Empirical claim checks: {file.name}"
        if not quiet:
            console.print(f"{file}: {kind}, {len(found)} candidate claim(s)")

    def progress(result) -> None:  # noqa: ANN001 - BenchResult
        if not quiet:
            from synth.render.bench import metric_value

            tps = metric_value(result, "per_sample_tokens_per_s")
            figure = f"{tps:.2f} tok/s per answer" if tps else result.reason
            console.print(f"  measured {result.spec.label()}: {result.status} {figure} ({result.seconds:.0f} s)")

    def run(specs):  # noqa: ANN001, ANN202
        from synth.bench.launch import run_specs

        if not quiet:
            console.print(f"running {len(specs)} experiment(s), one process each ({executor} executor)")
        return run_specs(specs, settings, executor=executor, progress=progress, address=address)

    checks = run_checks(texts, settings, run=run, dry_run=dry_run, config=settings.empirical)
    if not all_claims:
        checks = [c for c in checks if c.claim_type.type != ClaimCategory.UNMEASURABLE]
    if not checks and not quiet:
        console.print(
            "no measurable claim found (throughput, latency, memory, quantization or a decoding technique "
            "compared with a baseline); --all lists the sentences that were read as unmeasurable"
        )
    text = render_json(checks) if fmt == "json" else render_markdown(checks, title=title)
    if output is not None:
        atomic_write_text(output, text if text.endswith("\n") else text + "\n")
        if not quiet:
            console.print(f"wrote {output}")
    else:
        typer.echo(text)
    counts: dict[str, int] = {}
    for c in checks:
        key = c.verdict.verdict.value if c.verdict else ("PLANNED" if c.plan.specs else "NOT_PLANNED")
        counts[key] = counts.get(key, 0) + 1
    typer.echo(json.dumps({"checks": len(checks), "verdicts": counts}))
