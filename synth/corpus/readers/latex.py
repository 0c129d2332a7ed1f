"""LaTeX reader (pylatexenc): sections become heading lines; \\title and \\author are kept."""

from __future__ import annotations

import re
from pathlib import Path

from synth.core.documents import ParsedDocument
from synth.corpus.readers.base import build_document
from synth.corpus.readers.plaintext import decode_text, pages_from_text

_SECTION = re.compile(r"\\(?:sub)*section\*?\{([^{}]*)\}")
_ABSTRACT = re.compile(r"\\begin\{abstract\}")
_BIB = re.compile(r"\\begin\{thebibliography\}\{[^}]*\}")
_BIBITEM = re.compile(r"\\bibitem(?:\[[^\]]*\])?\{[^}]*\}")


def _braced(source: str, command: str) -> str | None:
    match = re.search(r"\\" + command + r"\s*(?:\[[^\]]*\])?\{", source)
    if not match:
        return None
    depth, start = 1, match.end()
    for i in range(start, len(source)):
        if source[i] == "{":
            depth += 1
        elif source[i] == "}":
            depth -= 1
            if depth == 0:
                return source[start:i]
    return None


def latex_to_text(source: str) -> tuple[str, str | None, list[str]]:
    from pylatexenc.latex2text import LatexNodes2Text

    converter = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)
    title = _braced(source, "title")
    author = _braced(source, "author")
    body = source
    begin = body.find("\\begin{document}")
    if begin >= 0:
        body = body[begin + len("\\begin{document}") :]
    body = body.replace("\\maketitle", "")
    # Headings become their own lines so the section detector sees them.
    body = _SECTION.sub(lambda m: f"\n\n{m.group(1)}\n\n", body)
    body = _ABSTRACT.sub("\n\nAbstract\n\n", body)
    body = _BIB.sub("\n\nReferences\n\n", body)
    body = _BIBITEM.sub("\n\n", body)
    text = converter.latex_to_text(body)
    clean = lambda s: " ".join(converter.latex_to_text(s).split())  # noqa: E731
    authors = [clean(a) for a in re.split(r"\\and\b|\\\\|,", author)] if author else []
    return text, clean(title) if title else None, [a for a in authors if a]


def read_latex(path: Path, content_hash: str) -> ParsedDocument:
    text, title, authors = latex_to_text(decode_text(path))
    if title:
        text = f"{title}\n{text}"
    return build_document(
        path, content_hash, "latex", pages_from_text(text),
        meta_title=title, meta_author="; ".join(authors) if authors else None,
    )  # fmt: skip
