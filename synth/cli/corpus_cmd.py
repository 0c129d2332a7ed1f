"""`synth corpus add | list | remove | stats | fetch-arxiv`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)  # help text is literal: "[values]" stays
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)  # one line per message, however narrow: logs and pipes stay greppable

_STATUS_STYLE = {"added": "green", "updated": "cyan", "unchanged": "dim", "duplicate": "dim", "failed": "red"}


def run_ingest(settings, paths: list[Path], quiet: bool = False, source: str = "local"):  # noqa: ANN001, ANN201
    """Ingest with a progress bar; prints failures by name and a one-line summary."""
    from synth.corpus.ingest import ingest
    from synth.corpus.open import open_index

    index = open_index(settings)
    try:
        with Progress(
            TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.description}"), console=err, disable=quiet, transient=True,
        ) as progress:  # fmt: skip
            task = progress.add_task("", total=None)

            def on_progress(outcome, done: int, total: int) -> None:  # noqa: ANN001
                progress.update(task, completed=done, total=total, description=Path(outcome.path).name)

            report = ingest(paths, index, settings.corpus, on_progress=on_progress, source=source, fault=settings.fault)
    finally:
        index.close()
    for outcome in report.outcomes:
        if outcome.status == "failed":
            err.print(f"[red]skipped[/] {outcome.path}: {outcome.detail}", highlight=False)
    if report.repaired and any(report.repaired.values()):
        err.print(f"repaired an interrupted ingest: {report.repaired}")
    counts = {s: report.count(s) for s in _STATUS_STYLE}
    summary = ", ".join(f"[{_STATUS_STYLE[s]}]{n} {s}[/]" for s, n in counts.items() if n)
    if not quiet:
        console.print(f"{summary or 'nothing to do'} in {report.seconds:.1f} s", highlight=False)
    return report


@app.command("add")
def add(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders (default: corpus.paths in the settings).")
    ] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="Parser processes (0: auto).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
) -> None:
    """Add PDF, Markdown, LaTeX and text files; unchanged files are skipped, changed ones re-indexed."""
    from synth.cli import settings_from
    from synth.errors import UserError

    settings = settings_from(ctx, **{"corpus.workers": workers})
    targets = list(paths or settings.corpus.paths)
    if not targets:
        raise UserError(
            "no PATH given and corpus.paths is empty: pass files or folders, e.g. `synth corpus add papers/`"
        )
    report = run_ingest(settings, targets, quiet=quiet)
    failed = report.count("failed")
    if failed:  # the request was not fully done: scripts and CI must see it, the good files are indexed all the same
        err.print(
            f"{failed} of {len(report.outcomes)} file(s) not indexed (listed above with the reason); the others are "
            "indexed. Exit code 1.",
            highlight=False,
        )
        raise typer.Exit(1)


@app.command("list")
def list_docs(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="JSON lines.")] = False) -> None:
    """Indexed documents."""
    from synth.cli import settings_from
    from synth.corpus.catalog import Catalog
    from synth.corpus.open import require_index

    settings = settings_from(ctx)
    require_index(settings)  # a mistyped SYNTH_HOME is named, not turned into a new empty index
    catalog = Catalog(settings.index_dir / "catalog.sqlite")
    docs = catalog.documents()
    counts = dict(catalog.conn.execute("SELECT doc_id, COUNT(*) FROM chunks GROUP BY doc_id").fetchall())
    if as_json:
        for d in docs:
            row = d.model_dump(exclude={"bibliography", "sections"}) | {"chunks": counts.get(d.doc_id, 0)}
            typer.echo(json.dumps(row))
        return
    table = Table("id", "title", "year", "pages", "chunks", "source")
    for d in docs:
        table.add_row(d.doc_id, d.title[:80], str(d.year or ""), str(d.n_pages), str(counts.get(d.doc_id, 0)), d.source)
    console.print(table)
    console.print(f"{len(docs)} documents")


@app.command("remove")
def remove(
    ctx: typer.Context, doc_id: Annotated[str, typer.Argument(help="Document id (see `synth corpus list`).")]
) -> None:
    """Remove a document from the index (the file itself is left alone)."""
    from synth.cli import settings_from
    from synth.corpus.open import open_index, require_index
    from synth.errors import UserError

    settings = settings_from(ctx)
    require_index(settings)
    index = open_index(settings)
    try:
        if not index.remove(doc_id):
            raise UserError(f"no document {doc_id!r} in the index: see `synth corpus list`")
    finally:
        index.close()
    console.print(f"removed {doc_id}")


@app.command("stats")
def stats(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Counts of documents, pages, chunks and failed files."""
    from synth.cli import settings_from
    from synth.corpus.catalog import Catalog
    from synth.corpus.open import require_index

    settings = settings_from(ctx)
    require_index(settings)  # a mistyped SYNTH_HOME is named, not turned into a new empty index
    catalog = Catalog(settings.index_dir / "catalog.sqlite")
    data = catalog.stats() | {"index_dir": str(settings.index_dir)}
    failures = catalog.failures()
    if as_json:
        typer.echo(json.dumps(data | {"failed_files": [{"path": p, "reason": r} for p, r in failures]}))
        return
    for key, value in data.items():
        console.print(f"{key:12} {value}", highlight=False)
    for p, r in failures:
        console.print(f"[red]failed[/] {p}: {r}", highlight=False)


@app.command("fetch-arxiv")
def fetch_arxiv(
    ctx: typer.Context,
    query: Annotated[str | None, typer.Argument(help="arXiv search query, e.g. 'speculative decoding'.")] = None,
    ids: Annotated[list[str] | None, typer.Option("--id", help="arXiv id (repeatable), e.g. 2309.06180.")] = None,
    max_results: Annotated[int, typer.Option("--max", min=1, max=2000, help="Most results for a query.")] = 10,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Search arXiv (or look up ids), download the PDFs into the data dir and ingest them."""
    from synth.cli import settings_from
    from synth.sources.arxiv_source import ArxivUnavailable, fetch_papers

    settings = settings_from(ctx)
    if settings.offline:
        err.print("offline mode: arXiv skipped; the local corpus is unchanged")
        return
    try:
        papers = fetch_papers(
            settings.arxiv, settings.papers_dir, query, ids, max_results,
            log=lambda m: None if quiet else console.print(m, highlight=False),
        )  # fmt: skip
    except ArxivUnavailable as exc:
        err.print(f"arXiv unreachable: {exc}; continuing with the local corpus")
        return
    if not papers:
        console.print("arXiv returned no results")
        return
    run_ingest(settings, [Path(p.pdf_path) for p in papers if p.pdf_path], quiet=quiet, source="arxiv")
