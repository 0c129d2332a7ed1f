"""Readers turn one file into a `ParsedDocument` with per-page text.

Picked by file suffix through a small lazy registry, so adding a format is
one module and one line here, and pypdf is imported only when a PDF is read.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from synth.core.documents import ParsedDocument
from synth.errors import UserError
from synth.hashing import sha256_file

#: suffix -> "module:function"; each function takes (path, content_hash) and returns a ParsedDocument.
READERS: dict[str, str] = {
    ".pdf": "synth.corpus.readers.pdf:read_pdf",
    ".md": "synth.corpus.readers.markdown:read_markdown",
    ".markdown": "synth.corpus.readers.markdown:read_markdown",
    ".tex": "synth.corpus.readers.latex:read_latex",
    ".txt": "synth.corpus.readers.plaintext:read_text",
    ".text": "synth.corpus.readers.plaintext:read_text",
}


class ReaderError(UserError):
    """A file could not be turned into text; the message says why, for the ingest report."""


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


file_sha256 = sha256_file


def _resolve(target: str) -> Callable[[Path, str], ParsedDocument]:
    module, func = target.split(":")
    return getattr(importlib.import_module(module), func)


def read_document(path: Path, content_hash: str | None = None) -> ParsedDocument:
    """Read any supported file; raises ReaderError with a one-line reason on failure."""
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise ReaderError(f"unsupported file type {suffix or '(none)'}; supported: {', '.join(sorted(READERS))}")
    content_hash = content_hash or file_sha256(path)
    doc = _resolve(READERS[suffix])(path, content_hash)
    if not any(page.text.strip() for page in doc.pages):
        raise ReaderError("no text layer (empty or image-only); run OCR first (e.g. ocrmypdf) and add it again")
    return doc
