"""PDF reader (pypdf): per-page text plus title, authors, year and arXiv id."""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from synth.core.documents import Page, ParsedDocument
from synth.corpus.readers.base import build_document
from synth.corpus.tables import has_caption
from synth.corpus.text import normalize_page_text, strip_running_lines


def read_pdf(path: Path, content_hash: str) -> ParsedDocument:
    """pypdf's warnings about malformed files it repairs ("incorrect startxref pointer", "Rotated text discovered")
    are silenced: they went to stderr mid-progress, once per file, with no file name and nothing a user can do; a
    file pypdf cannot read still fails with a reason."""
    with _quiet_pypdf():
        return _read_pdf(path, content_hash)


@contextlib.contextmanager
def _quiet_pypdf() -> Iterator[None]:
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _read_pdf(path: Path, content_hash: str) -> ParsedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    from synth.corpus.readers import ReaderError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                # NOTE: many PDFs are "encrypted" with an empty user password only.
                if not reader.decrypt(""):
                    raise ReaderError("encrypted PDF; decrypt it (e.g. qpdf --decrypt) and add it again")
            except (NotImplementedError, PdfReadError) as exc:
                raise ReaderError(f"encrypted PDF ({exc}); decrypt it and add it again") from exc
        raw_pages = [page.extract_text() or "" for page in reader.pages]
        layouts = _table_layouts(reader, raw_pages)
        info = reader.metadata or {}
        meta_title = str(info.get("/Title") or "") or None
        meta_author = str(info.get("/Author") or "") or None
    except ReaderError:
        raise
    except Exception as exc:  # pypdf raises many types on corrupt input
        raise ReaderError(f"unreadable PDF ({type(exc).__name__}: {exc})") from exc
    texts = strip_running_lines([normalize_page_text(text) for text in raw_pages])
    pages = [Page(number=i + 1, text=text) for i, text in enumerate(texts)]
    parsed = build_document(path, content_hash, "pdf", pages, meta_title=meta_title, meta_author=meta_author)
    parsed.layouts = layouts
    return parsed


def _table_layouts(reader: Any, raw_pages: list[str]) -> dict[int, str]:
    """Layout-mode text of the pages whose plain text has a table caption (about 0.1 s a page, so only those).

    A page layout mode cannot read is left to the plain text: tables are an extra, never a reason to fail."""
    out: dict[int, str] = {}
    for i, text in enumerate(raw_pages):
        if not has_caption(text):
            continue
        try:
            out[i + 1] = reader.pages[i].extract_text(extraction_mode="layout") or ""
        except Exception:  # noqa: BLE001 - pypdf's layout mode raises many types on odd pages
            continue
    return out
