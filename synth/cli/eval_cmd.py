"""`synth eval verify` and `synth calibrate`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)  # one line per message, however narrow: logs and pipes stay greppable
app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)  # help text is literal: "[values]" stays

FORMAT_HELP = (
    "jsonl, scifact-rte, healthver, check-covid, check-covid-rationale (the marked sentences as evidence)"
    " or citation-integrity (default: guessed from the path)."
)


def _progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, disable=quiet, transient=True,
    )  # fmt: skip


def _outcomes(
    settings: Any,
    data: Any,
    corpus: Path | None,
    judge: bool,
    quiet: bool,
    notes: list[str],
    keep_hidden: bool = False,
    judges: list | None = None,
) -> list:
    """Checker features of every pair; corpus evidence for pairs that name an arXiv id.

    `keep_hidden` keeps the judge's hidden states (for fitting probes); `judges` collects the judge used.
    """
    from synth.eval.verify_eval import compute_outcomes, pair_policy
    from synth.pipeline.context import RunContext
    from synth.verify.service import VerifyContext, passages_for_policy, source_text

    ctx = RunContext.build(settings)
    retriever = catalog = None
    if any(p.arxiv_id for p in data.pairs):
        from synth.cli.corpus_cmd import run_ingest
        from synth.errors import UserError

        if corpus is not None:
            run_ingest(settings, [corpus], quiet=True)
        retriever, catalog = ctx.retriever, ctx.catalog
        if catalog.stats()["documents"] == 0:
            raise UserError("pairs name an arxiv_id but the corpus is empty: pass --corpus DIR")
    by_arxiv = {d.arxiv_id: d.doc_id for d in catalog.documents() if d.arxiv_id} if catalog is not None else {}
    verifier, verifier_notes = ctx.verifier(judge, keep_hidden=keep_hidden)
    notes.extend(verifier_notes)
    if judges is not None and verifier.judge is not None:
        judges.append(verifier.judge)

    context = VerifyContext.of(verifier, retriever)

    def passages_for(pair):  # noqa: ANN001, ANN202
        policy = pair_policy(pair, by_arxiv.get(pair.arxiv_id), settings.verify.candidate_chunks)
        passages = passages_for_policy(pair.claim, policy, context)  # what `verify_claim` reads for this policy
        if policy.source_missing:
            notes.append(
                f"pair {pair.pair_id}: arXiv {pair.arxiv_id} is not in the corpus "
                + ("(other papers on the same system used)" if passages else "(source not available: no evidence)")
            )
        return passages

    def paper_text_for(pair):  # noqa: ANN001, ANN202
        policy = pair_policy(pair, by_arxiv.get(pair.arxiv_id), settings.verify.candidate_chunks)
        return source_text(policy, context)

    with _progress(quiet) as progress:
        task = progress.add_task(f"verify {data.name}", total=len(data.pairs))
        outcomes = compute_outcomes(
            verifier, data, passages_for, lambda n: progress.advance(task, n), paper_text_for=paper_text_for
        )
    hits = getattr(verifier.judge, "hits", 0)
    if hits:
        notes.append(
            f"{hits} of {hits + verifier.judge.misses} judge scores came from the cache "  # type: ignore[union-attr]
            f"({settings.home / 'cache' / 'judge.sqlite'}): pairs/s is not the judge's speed; "
            "see benchmarks/verify_bench.py"
        )
    return outcomes


@app.command("verify")
def eval_verify(
    ctx: typer.Context,
    data: Annotated[Path, typer.Option("--data", help="Labelled claims file.")],
    fmt: Annotated[str | None, typer.Option("--format", help=FORMAT_HELP)] = None,
    corpus: Annotated[Path | None, typer.Option("--corpus", help="Papers for pairs that give an arxiv_id.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Stratified sample of this many pairs.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the --limit sample.")] = 0,
    judge: Annotated[
        bool | None,
        typer.Option(
            "--judge/--no-judge", help="Use the LM judge when installed (default: from [verify] judge, true)."
        ),
    ] = None,
    cv: Annotated[
        int,
        typer.Option(
            "--cv",
            min=0,
            help="Also cross-validate a label model fitted on this set, N folds by paper (0: off; claims-dev).",
        ),
    ] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the final JSON line.")] = False,
) -> None:
    """Score the verifier on labelled data: per-class P/R, balanced accuracy, macro-F1, ECE, pairs/s.

    Sets with error types (claims-dev) also get REFUTED recall per error type; `--cv N` refits the label
    model N times, each time without the scored papers' claims, and reports those held-out figures too."""
    from synth.cli import settings_from
    from synth.errors import UserError
    from synth.eval.datasets import load_dataset, stratified_sample
    from synth.eval.verify_eval import evaluate, pick_model, task_of
    from synth.verify.label_model import load_label_models

    settings = settings_from(ctx)
    dataset = stratified_sample(load_dataset(data, fmt), limit, seed)
    notes: list[str] = []
    judge = settings.verify.judge if judge is None else judge
    outcomes = _outcomes(settings, dataset, corpus, judge, quiet, notes)
    task = task_of(dataset)
    verifier_models = load_label_models(settings.verify.calibration)
    names = outcomes[0].features if outcomes else {}
    picked = pick_model(verifier_models, task, names)
    if picked is None:
        raise UserError("no fitted label model for these checkers: run `synth calibrate` first")
    model, key = picked
    report = evaluate(outcomes, model, key, dataset.name, dataset.labels)
    if not quiet:
        for note in dict.fromkeys(notes):
            err.print(f"[yellow]note[/] {note}", highlight=False)
        table = Table(title=f"{report.data}: {report.n} pairs, model {report.model}")
        for col in ("label", "precision", "recall", "F1", "support"):
            table.add_column(col, justify="right" if col != "label" else "left")
        for label, s in report.metrics.per_class.items():
            table.add_row(label, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.support))
        console.print(table)
        m = report.metrics
        console.print(
            f"balanced accuracy {m.balanced_accuracy:.3f}  macro-F1 {m.macro_f1:.3f}  accuracy {m.accuracy:.3f}  "
            f"ECE {report.ece:.3f} (uncalibrated {report.ece_raw:.3f})  {report.pairs_per_s:.2f} pairs/s",
            highlight=False,
        )
    figures = {
        "data": report.data, "n": report.n, "model": key,
        "balanced_accuracy": round(report.metrics.balanced_accuracy, 4), "macro_f1": round(report.metrics.macro_f1, 4),
        "accuracy": round(report.metrics.accuracy, 4), "ece": round(report.ece, 4), "ece_raw": round(report.ece_raw, 4),
        "pairs_per_s": round(report.pairs_per_s, 3), "judge_calls": report.judge_calls,
        "judge_cache_hits": next((int(n.split()[0]) for n in notes if "from the cache" in n), 0),
        "per_class": {k: {"precision": round(v.precision, 4), "recall": round(v.recall, 4), "support": v.support}
                      for k, v in report.metrics.per_class.items()},
    }  # fmt: skip
    types = [p.error_type for p in dataset.pairs]
    if any(types):
        from synth.eval.crossval import error_type_recall
        from synth.eval.verify_eval import predict_outcome

        predicted = [predict_outcome(o, model, dataset.labels)[0] for o in outcomes]
        figures["error_type_recall"] = error_type_recall(types, [o.gold for o in outcomes], predicted)
    if cv:
        figures["cv"] = _cross_validated(outcomes, dataset, cv, judged="support_logit" in names, quiet=quiet)
    typer.echo(json.dumps(figures))


def _cross_validated(outcomes: list, dataset: Any, folds: int, judged: bool, quiet: bool) -> dict[str, Any]:
    """Held-out figures of a label model refitted per fold, whole papers held out (`--cv`)."""
    from synth.eval.crossval import cross_validate
    from synth.verify.aggregate import JUDGE_FEATURES, NO_JUDGE_FEATURES

    features = NO_JUDGE_FEATURES + (JUDGE_FEATURES if judged else ())
    groups = [p.group or p.pair_id for p in dataset.pairs]
    report = cross_validate(
        outcomes, groups, dataset.labels, features, dataset.name, [p.error_type for p in dataset.pairs], folds,
        judged=judged,
    )  # fmt: skip
    m = report.metrics
    if not quiet:
        console.print(
            f"cross-validated by paper ({report.folds} folds, {'with' if judged else 'without'} the LM judge): "
            f"balanced accuracy {m.balanced_accuracy:.3f}  REFUTED recall {m.per_class['REFUTED'].recall:.3f}  "
            f"ECE {report.ece:.3f}",
            highlight=False,
        )
        if report.error_type_recall:
            console.print(
                "REFUTED recall per error type: "
                + ", ".join(
                    f"{t} {r:.2f} (n={report.error_type_support[t]})" for t, r in report.error_type_recall.items()
                ),
                highlight=False,
            )
    return {
        "folds": report.folds, "judge": judged, "balanced_accuracy": round(m.balanced_accuracy, 4),
        "macro_f1": round(m.macro_f1, 4), "ece": round(report.ece, 4),
        "recall": {k: round(v.recall, 4) for k, v in m.per_class.items()},
        "error_type_recall": report.error_type_recall, "error_type_support": report.error_type_support,
    }  # fmt: skip


def calibrate(
    ctx: typer.Context,
    data: Annotated[list[Path], typer.Option("--data", help="Labelled train file (repeat for several).")],
    fmt: Annotated[list[str] | None, typer.Option("--format", help=FORMAT_HELP + " Repeat per --data.")] = None,
    limit: Annotated[
        list[int] | None,
        typer.Option("--limit", min=1, help="Stratified sample per file: one value for all, or one per --data."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    add_nei: Annotated[
        int, typer.Option("--add-nei", min=0, help="Per 3-way file, add this many claim/other-evidence NEI pairs.")
    ] = 0,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Where to write the parameters.")] = None,
    judge: Annotated[bool, typer.Option("--judge/--no-judge", help="Fit the judge model too (llama.cpp).")] = True,
    probe: Annotated[
        bool, typer.Option("--probe/--no-probe", help="Fit linear probes on the judge's hidden state too.")
    ] = True,
    probe_tasks: Annotated[
        list[str] | None,
        typer.Option(
            "--probe-task",
            help="Tasks (2way, 3way) that get a label model stacked on the probes (default: all; repeat).",
        ),
    ] = None,
    keep_no_judge: Annotated[
        bool, typer.Option("--keep-no-judge", help="Keep the existing no-judge models (refit only judge models).")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Fit label models and confidence calibration on labelled data; writes numbers, never the data."""
    import datetime as dt

    from synth.cli import settings_from
    from synth.errors import UserError
    from synth.eval.calibrate import fit_probes, fit_task_models, probe_prompts
    from synth.eval.datasets import load_dataset, stratified_sample, with_mismatched_nei
    from synth.eval.verify_eval import task_of
    from synth.io import atomic_write_text
    from synth.verify.label_model import LabelModels, load_label_models, shipped_models_path

    settings = settings_from(ctx)
    formats = list(fmt or [])
    if formats and len(formats) != len(data):
        raise UserError("give one --format per --data, or none (guessed from the paths)")
    unknown = sorted(set(probe_tasks or []) - {"2way", "3way"})
    if unknown:
        raise UserError(f"--probe-task {unknown[0]!r} is not a task: use 2way or 3way")
    limits = list(limit or [])
    if len(limits) not in (0, 1, len(data)):
        raise UserError("give one --limit for all --data files, or one per --data")
    limits = limits * len(data) if len(limits) == 1 else limits or [None] * len(data)
    by_task: dict[str, tuple[list, list, list[str], tuple[str, ...]]] = {}
    notes: list[str] = []
    judges: list = []
    for i, path in enumerate(data):
        dataset = stratified_sample(load_dataset(path, formats[i] if formats else None), limits[i], seed)
        dataset = with_mismatched_nei(dataset, add_nei, seed)
        outcomes = _outcomes(settings, dataset, None, judge, quiet, notes, keep_hidden=judge and probe, judges=judges)
        task = task_of(dataset)
        entry = by_task.setdefault(task, ([], [], [], dataset.labels))
        entry[0].extend(outcomes)
        entry[2].append(dataset.name)
    target = output or settings.verify.calibration or shipped_models_path()
    existing = load_label_models(target) if target.is_file() else LabelModels()
    if judges and probe:
        lm = judges[0]
        tagged = [(task, o) for task, entry in by_task.items() for o in entry[0]]
        names = {task: entry[2] for task, entry in by_task.items()}
        probes = fit_probes(tagged, lm.model_id, probe_prompts(lm.prompt_versions), names)
        existing.probes = [p for p in existing.probes if p.model_id != lm.model_id] + probes
        for p in probes:
            notes.append(
                f"probe {p.task} {p.target} ({p.prompt}, n={p.n}, C={p.C}): "
                f"cross-validated balanced accuracy {p.cv_balanced_accuracy}"
            )
    for task, (outcomes, _, names, labels) in by_task.items():
        fitted = fit_task_models(task, labels, outcomes, names)
        if probe_tasks is not None and task not in probe_tasks:
            fitted.pop(f"{task}:judge+probe", None)
            existing.models.pop(f"{task}:judge+probe", None)
        if keep_no_judge:
            fitted = {k: m for k, m in fitted.items() if not k.endswith(":no-judge") or k not in existing.models}
        existing.models.update(fitted)
    existing.created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    atomic_write_text(target, existing.model_dump_json(indent=1))
    for note in dict.fromkeys(notes):
        err.print(f"[yellow]note[/] {note}", highlight=False)
    if not quiet:
        for key, m in existing.models.items():
            console.print(f"{key}: {len(m.features)} features, n={m.n}, {m.fitted_on}", highlight=False)
    typer.echo(json.dumps({"output": str(target), "models": sorted(existing.models)}))


@app.command("corpus-pairs")
def corpus_pairs(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help="JSONL file to write (claim, label, evidence).")],
    per_label: Annotated[int, typer.Option("--per-label", min=1, help="Pairs per label.")] = 70,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Make SUPPORTED / REFUTED (changed figure) / NOT_ENOUGH_INFO pairs from the indexed corpus, for `synth calibrate`.

    The shipped no-judge 3-way model was fitted on check-covid train plus 70 pairs per label made this way from
    the 40 shared papers: the biomedical sets hold almost no numbers, so without these the numeric checker is ignored.
    """
    import json

    from synth.cli import settings_from
    from synth.eval.corpus_pairs import make_pairs
    from synth.io import atomic_write_text
    from synth.retrieve import open_retriever

    settings = settings_from(ctx)
    pairs = make_pairs(open_retriever(settings), per_label, seed)
    if not pairs:
        from synth.errors import UserError

        raise UserError(f"no sentence with a figure in the corpus at {settings.index_dir}: run `synth corpus add`")
    atomic_write_text(output, "".join(json.dumps(p) + "\n" for p in pairs))
    typer.echo(f"wrote {len(pairs)} pairs to {output}")
