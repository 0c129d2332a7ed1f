"""Plain-text reader: form feeds, when present, separate pages."""

from __future__ import annotations

from pathlib import Path

from synth.core.documents import Page, ParsedDocument
from synth.corpus.readers.base import build_document
from synth.corpus.text import normalize_page_text


def decode_text(path: Path) -> str:
    from synth.corpus.readers import ReaderError

    data = path.read_bytes()
    for encoding in ("utf-8", "utf-16"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    if b"\x00" in data[:4096]:
        raise ReaderError("binary file, not text; convert it to .txt/.md/.pdf first")
    return data.decode("latin-1")


def pages_from_text(text: str) -> list[Page]:
    parts = text.split("\f") if "\f" in text else [text]
    return [Page(number=i + 1, text=normalize_page_text(part)) for i, part in enumerate(parts)]


def read_text(path: Path, content_hash: str) -> ParsedDocument:
    return build_document(path, content_hash, "text", pages_from_text(decode_text(path)))
