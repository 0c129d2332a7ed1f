"""arXiv as a paper source, through the `arxiv` package's Client (its paging, delay and retries).

The API endpoint is a setting, so tests (and mirrors) can point the real
client at a local server. Every request carries a timeout: with no network
the command says so in one line and the local corpus carries on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from synth.errors import UserError
from synth.settings import ArxivSettings
from synth.sources.sidecar import sidecar_path


class ArxivUnavailable(Exception):
    """The API or PDF host could not be reached (offline, DNS, timeout)."""


class ArxivQueryError(UserError):
    """arXiv answered, but rejected the request (e.g. a malformed id)."""


class ArxivPaper(BaseModel):
    arxiv_id: str = Field(description="Bare id, no version (2309.06180, quant-ph/0201082).")
    version_id: str = Field(description="Id with version as returned (2309.06180v1).")
    title: str
    authors: list[str]
    year: int | None
    published: str
    summary: str
    categories: list[str]
    pdf_url: str | None
    pdf_path: str | None = None


def bare_id(short_id: str) -> str:
    return re.sub(r"v\d+$", "", short_id)


def _timeout_session(timeout: float) -> Any:
    import requests

    class TimeoutSession(requests.Session):
        """requests has no session-wide timeout; the arxiv client sets none, so we add one."""

        def request(self, *args: Any, **kwargs: Any) -> Any:
            kwargs.setdefault("timeout", timeout)
            return super().request(*args, **kwargs)

    return TimeoutSession()


def make_client(settings: ArxivSettings, page_size: int | None = None) -> Any:
    import arxiv

    client = arxiv.Client(
        page_size=page_size or settings.page_size,
        delay_seconds=settings.delay_seconds,
        num_retries=settings.num_retries,
    )
    client.query_url_format = settings.query_url_format
    # NOTE: private attribute; arxiv 2.x-4.x keep their requests.Session here.
    client._session = _timeout_session(settings.timeout_seconds)
    return client


def search_arxiv(
    settings: ArxivSettings, query: str | None = None, ids: list[str] | None = None, max_results: int = 10
) -> list[ArxivPaper]:
    import arxiv
    import requests

    if not query and not ids:
        raise ArxivQueryError("give a search QUERY or at least one --id")
    client = make_client(settings, page_size=min(settings.page_size, max_results) if not ids else None)
    search = arxiv.Search(query=query or "", id_list=ids or [], max_results=max_results if not ids else None)
    try:
        results = list(client.results(search))
    except arxiv.HTTPError as exc:
        raise ArxivQueryError(f"arXiv rejected the request (HTTP {exc.status}); check the query or id syntax") from exc
    except arxiv.UnexpectedEmptyPageError as exc:
        raise ArxivUnavailable(f"arXiv returned an empty page after {settings.num_retries} retries") from exc
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
        raise ArxivUnavailable(f"arXiv API unreachable ({type(exc).__name__})") from exc
    papers = []
    for r in results:
        short = r.get_short_id()
        papers.append(
            ArxivPaper(
                arxiv_id=bare_id(short),
                version_id=short,
                title=" ".join(r.title.split()),
                authors=[a.name for a in r.authors],
                year=r.published.year if r.published else None,
                published=r.published.isoformat() if r.published else "",
                summary=" ".join(r.summary.split()),
                categories=list(r.categories),
                pdf_url=r.pdf_url,
            )
        )
    return papers


def pdf_url_for(paper: ArxivPaper, url_format: str) -> str | None:
    if url_format == "{pdf_url}" and not paper.pdf_url:
        return None
    return url_format.format(pdf_url=paper.pdf_url or "", id=paper.version_id, bare_id=paper.arxiv_id)


def download_pdf(paper: ArxivPaper, dest_dir: Path, settings: ArxivSettings) -> Path:
    """Download to a temp name and rename, and write a sidecar `.meta.json` that ingest prefers."""
    import requests

    url = pdf_url_for(paper, settings.pdf_url_format)
    if url is None:
        raise ArxivQueryError(f"arXiv lists no PDF for {paper.version_id}")
    dest_dir.mkdir(parents=True, exist_ok=True)
    stem = paper.arxiv_id.replace("/", "_")
    dest = dest_dir / f"{stem}.pdf"
    tmp = dest.with_suffix(".pdf.partial")
    try:
        with _timeout_session(settings.timeout_seconds).get(url, stream=True) as resp:
            if resp.status_code != 200:
                raise ArxivQueryError(f"PDF download of {paper.version_id} failed (HTTP {resp.status_code})")
            with tmp.open("wb") as fh:
                for block in resp.iter_content(1 << 16):
                    fh.write(block)
        tmp.replace(dest)
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
        raise ArxivUnavailable(f"PDF host unreachable for {paper.version_id} ({type(exc).__name__})") from exc
    finally:
        tmp.unlink(missing_ok=True)
    write_sidecar(dest, paper)
    return dest


def write_sidecar(pdf: Path, paper: ArxivPaper) -> None:
    meta = {
        "title": paper.title,
        "authors": paper.authors,
        "year": paper.year,
        "arxiv_id": paper.arxiv_id,
        "source": "arxiv",
        "summary": paper.summary,
        "published": paper.published,
    }
    tmp = pdf.with_name(pdf.name + ".meta.json.partial")
    tmp.write_text(json.dumps(meta, indent=1))
    tmp.replace(sidecar_path(pdf))


def fetch_papers(
    settings: ArxivSettings,
    dest_dir: Path,
    query: str | None,
    ids: list[str] | None,
    max_results: int,
    log: Callable[[str], None],
) -> list[ArxivPaper]:
    papers = search_arxiv(settings, query=query, ids=ids, max_results=max_results)
    for paper in papers:
        path = download_pdf(paper, dest_dir, settings)
        paper.pdf_path = str(path)
        log(f"downloaded {paper.version_id}: {paper.title}")
    return papers
