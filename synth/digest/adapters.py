"""The digest's calls into the stages below it: ingest, the report pipeline, re-verification and arXiv.

Each one is a thin adapter with the shape of a protocol in `records.py`; `run.py`
looks them up here at call time, so tests stand in for them by patching this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synth.core.run import ReportOptions, ReportRun
from synth.digest.records import CorpusPaper
from synth.digest.store import ClaimState


def pipeline_reverifier(settings: Any, options: ReportOptions, claims: list[ClaimState]) -> list[ClaimState]:
    """Each claim re-verified: its paper first, then the rest of the corpus (what the report's verify stage does).

    NOTE: a report keeps its top-N claims, so a claim whose paper changed often drops out of the
    new report; verifying it again is what lets the digest say its verdict moved.
    """
    if not claims:
        return []
    from synth.pipeline.context import RunContext
    from synth.verify.service import EvidencePolicy, VerifyContext, verify_claim

    ctx = RunContext.build(settings, retriever=shared_retriever(settings))
    catalog = ctx.catalog
    verifier, _ = ctx.verifier(options.judge)
    context = VerifyContext.of(verifier, ctx.retriever)
    out = []
    for c in claims:
        source = c.doc_id if c.doc_id and catalog.get_document(c.doc_id) is not None else None
        # The claim's sentence is not kept, so a best window that restates it stands in for it (as in the report).
        policy = EvidencePolicy(
            source_doc_ids=frozenset({source} if source else ()), k=settings.verify.candidate_chunks,
            source_missing=bool(c.doc_id) and source is None, attribute_if_restated=True,
        )  # fmt: skip
        result = verify_claim(c.text, policy, context)
        out.append(c.model_copy(update={"label": result.label, "confidence": round(result.confidence, 4)}))
    return out


def pipeline_runner(
    question: str, settings: Any, options: ReportOptions, run_dir: Path, *, progress: Any = None
) -> ReportRun:
    """The real `synth report` pipeline, then its renderers, into `run_dir`."""
    from synth.pipeline.context import RunContext
    from synth.render.reports import write_reports
    from synth.report.pipeline import run_report

    ctx = RunContext.build(settings, progress=progress, retriever=shared_retriever(settings))
    run = run_report(question, options, run_dir, ctx)
    write_reports(run, run_dir, list(options.formats))
    return run


_RETRIEVERS: dict[tuple[str, int], tuple[int, Any]] = {}


def shared_retriever(settings: Any) -> Any:
    """One retriever per index (and thread) while its catalog is unchanged.

    NOTE: a digest run reports and then re-verifies earlier claims against the same index;
    opening it twice loaded MiniLM and the BM25 index twice, and the report re-ingested
    folders the scanner had just ingested. `serve` keeps it between scheduled runs; a
    changed catalog (new papers) opens a fresh one.
    """
    import threading

    from synth.retrieve import open_retriever

    key = (str(settings.index_dir), threading.get_ident())
    cached = _RETRIEVERS.get(key)
    if cached is not None:
        generation, retriever = cached
        if retriever.catalog.generation == generation:
            return retriever
        retriever.close()
    retriever = open_retriever(settings)
    _RETRIEVERS[key] = (retriever.catalog.generation, retriever)
    return retriever


def ingest_scanner(settings: Any, folders: list[Path]) -> list[CorpusPaper]:
    """Ingest the folders incrementally (unchanged files are skipped) and list the catalog documents in them."""
    from synth.corpus.catalog import Catalog
    from synth.corpus.ingest import ingest
    from synth.corpus.open import open_index

    if not folders:
        return []
    index = open_index(settings)
    try:
        report = ingest(folders, index, settings.corpus)
    finally:
        index.close()
    ids = {o.doc_id for o in report.outcomes if o.doc_id and o.status != "failed"}
    roots = [f.resolve() for f in folders]
    catalog = Catalog(settings.index_dir / "catalog.sqlite")
    try:
        docs = [d for d in catalog.documents() if d.doc_id in ids or _under(Path(d.path), roots)]
    finally:
        catalog.close()
    return [
        CorpusPaper(doc_id=d.doc_id, content_hash=d.content_hash, title=d.title, path=d.path, arxiv_id=d.arxiv_id)
        for d in docs
    ]


def _under(path: Path, roots: list[Path]) -> bool:
    return any(path == r or path.is_relative_to(r) for r in roots)


def arxiv_papers(run: ReportRun) -> list[CorpusPaper]:
    """The arXiv papers the report retrieved, as scanned documents (online, arXiv results are new papers too)."""
    if run.retrieval is None:
        return []
    return [
        CorpusPaper(
            doc_id=p.doc_id,
            content_hash=f"arxiv:{p.arxiv_id or p.doc_id}",
            title=p.title,
            path=p.path,
            arxiv_id=p.arxiv_id,
            source="arxiv",
        )
        for p in run.retrieval.papers
        if p.source == "arxiv"
    ]


def arxiv_reachable(settings: Any) -> bool:
    """A 3 s probe: with arXiv unreachable a re-run with an unchanged corpus is 'nothing new' without recomputing
    the report (it would find no arXiv result either)."""
    from synth.pipeline.retrieval import reachable

    return reachable(settings.arxiv.query_url_format, timeout=min(3.0, settings.arxiv.timeout_seconds)) is None
