"""`synth search`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

console = Console(soft_wrap=True)


def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int | None, typer.Option("-k", min=1, max=500, help="Number of hits.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per hit, one per line.")] = False,
    mode: Annotated[str | None, typer.Option("--mode", help="hybrid, dense or lexical.")] = None,
    per_doc_cap: Annotated[
        int | None, typer.Option("--per-doc-cap", min=0, help="Most hits per document (0: no cap).")
    ] = None,
) -> None:
    """Search the local corpus; each hit shows doc id, title, page, section, score and the passage."""
    from synth.cli import settings_from
    from synth.errors import UserError
    from synth.retrieve import open_retriever

    settings = settings_from(ctx, **{"retrieve.k": k, "retrieve.mode": mode, "retrieve.per_doc_cap": per_doc_cap})
    retriever = open_retriever(settings)
    if retriever.catalog.stats()["documents"] == 0:
        raise UserError(
            f"the corpus at {settings.index_dir} is empty: add papers with `synth corpus add PATH` "
            "(or check SYNTH_HOME / --home)"
        )
    hits = retriever.retrieve(query)
    if as_json:
        for hit in hits:
            typer.echo(json.dumps(hit.model_dump()))
        return
    if not hits:
        console.print("no hits")
    for rank, hit in enumerate(hits, 1):
        console.print(
            f"[bold]{rank}. {hit.doc_id}[/] {hit.title} — {hit.pages_label}, {hit.section}"
            f"{' (' + hit.heading + ')' if hit.heading else ''}  [dim]score {hit.score:.4f}[/]",
            highlight=False,
        )
        console.print(f"   {hit.text[:600]}{'…' if len(hit.text) > 600 else ''}\n", highlight=False)
