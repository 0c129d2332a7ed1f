"""Resolve a report's references to documents: local corpus first, arXiv when online.

Every reference ends in one of four states, and the audit reports each by name:
in the local corpus, fetched from arXiv now, "source not available offline"
(an arXiv id we cannot fetch here), or unresolvable (no arXiv id: a DOI or URL
synth cannot turn into a paper).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from synth.core.audit import Reference, ResolvedSource, SourceStatus
from synth.core.documents import Document

_ARXIV_IN_TEXT = re.compile(r"(?:arxiv[:\s/]*|abs/|pdf/)(\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE)


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def match_title(entry: str, documents: list[Document]) -> Document | None:
    """The corpus document whose title the bibliography entry quotes (titles of 4+ words only)."""
    norm = _norm(entry)
    best: Document | None = None
    for doc in documents:
        title = _norm(doc.title)
        if len(title.split()) >= 4 and title in norm and (best is None or len(title) > len(_norm(best.title))):
            best = doc
    return best


def reference_from_entry(entry: str) -> Reference:
    """A bibliography entry of a paper as a Reference (arXiv id read from 'arXiv:2309.06180' or a URL)."""
    from synth.claims.seed_report import parse_reference

    ref = parse_reference(entry)
    if ref.arxiv_id is None:
        match = _ARXIV_IN_TEXT.search(entry)
        if match:
            ref.arxiv_id = match.group(1)
    return ref


def resolve_references(
    references: list[Reference],
    documents: list[Document],
    fetch: Callable[[list[str]], dict[str, Document]] | None = None,
    offline_reason: str = "offline",
) -> list[ResolvedSource]:
    """Map each reference to a corpus document; `fetch` (online only) downloads and ingests arXiv ids."""
    by_arxiv = {d.arxiv_id: d for d in documents if d.arxiv_id}
    out: list[ResolvedSource] = []
    missing: list[str] = []
    for ref in references:
        doc = by_arxiv.get(ref.arxiv_id) if ref.arxiv_id else match_title(ref.raw, documents)
        if doc is not None:
            out.append(ResolvedSource(reference=ref, status=SourceStatus.LOCAL, doc_id=doc.doc_id, title=doc.title))
        elif ref.arxiv_id:
            missing.append(ref.arxiv_id)
            out.append(ResolvedSource(reference=ref, status=SourceStatus.OFFLINE, note=offline_reason))
        else:
            what = f"DOI {ref.doi}" if ref.doi else (ref.url or "no identifier")
            out.append(ResolvedSource(
                reference=ref, status=SourceStatus.UNRESOLVED,
                note=f"{what}: not an arXiv paper and not found in the local corpus by title",
            ))  # fmt: skip
    if fetch is not None and missing:
        fetched = fetch(missing)
        for item in out:
            doc = fetched.get(item.reference.arxiv_id or "")
            if item.status is SourceStatus.OFFLINE and doc is not None:
                item.status, item.doc_id, item.title, item.note = SourceStatus.FETCHED, doc.doc_id, doc.title, ""
    return out


def arxiv_fetcher(settings: object, ingest: Callable[[list[Path]], None], catalog: object, log: Callable[[str], None]):  # noqa: ANN201
    """A `fetch` for `resolve_references` that downloads PDFs with the arxiv client and ingests them."""
    from synth.sources.arxiv_source import ArxivUnavailable, fetch_papers

    def fetch(ids: list[str]) -> dict[str, Document]:
        try:
            papers = fetch_papers(settings.arxiv, settings.papers_dir, None, ids, len(ids), log)  # type: ignore[attr-defined]
        except ArxivUnavailable as exc:
            log(f"arXiv unreachable ({exc}); cited papers missing locally stay unavailable")
            return {}
        ingest([Path(p.pdf_path) for p in papers if p.pdf_path])
        docs = {d.arxiv_id: d for d in catalog.documents() if d.arxiv_id}  # type: ignore[attr-defined]
        return {i: docs[i] for i in ids if i in docs}

    return fetch
