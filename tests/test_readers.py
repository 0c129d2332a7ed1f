from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from synth.corpus.readers import ReaderError, read_document
from synth.corpus.text import collapse_ws
from tests.conftest import PAPERS, SHARED, run_cli


def _manifest() -> dict[str, str]:
    with (SHARED / "corpus" / "MANIFEST.tsv").open() as fh:
        return {row["id"]: row["title"] for row in csv.DictReader(fh, delimiter="\t")}


def _norm(title: str) -> str:
    return "".join(ch for ch in title.lower() if ch.isalnum())


def test_pdf_reader_on_real_paper() -> None:
    doc = read_document(PAPERS / "2309.06180.pdf")
    assert doc.format == "pdf" and doc.arxiv_id == "2309.06180" and doc.year == 2023
    assert len(doc.pages) == 16 and all(p.number == i + 1 for i, p in enumerate(doc.pages))
    assert doc.title == "Efficient Memory Management for Large Language Model Serving with PagedAttention"
    assert doc.authors[:2] == ["Woosuk Kwon", "Zhuohan Li"]
    assert "PagedAttention" in doc.pages[0].text
    assert "ﬁ" not in "".join(p.text for p in doc.pages)  # ligatures normalised


def test_ingested_titles_match_manifest_for_most_papers(corpus_home: Path) -> None:
    manifest = _manifest()
    proc = run_cli("corpus", "list", "--json", env={"SYNTH_HOME": str(corpus_home)})
    docs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert sorted(d["doc_id"] for d in docs) == sorted(manifest)
    matched = sum(_norm(d["title"]) in _norm(manifest[d["doc_id"]]) for d in docs)
    assert matched >= 34, f"only {matched}/40 titles recovered"
    assert all(d["year"] and d["n_pages"] > 0 and d["chunks"] > 0 for d in docs)


def test_markdown_latex_and_text_readers(tmp_path: Path) -> None:
    abstract = read_document(PAPERS / "2305.13245.pdf").pages[0].text
    md = tmp_path / "notes.md"
    md.write_text(f"# Grouped-query attention notes\n\n## Abstract\n\n{abstract}\n\n## Results\n\n**GQA** is fast.\n")
    doc = read_document(md)
    assert doc.format == "markdown" and doc.title == "Grouped-query attention notes"
    assert "GQA is fast." in doc.pages[0].text

    tex = tmp_path / "paper.tex"
    tex.write_text(
        "\\documentclass{article}\\title{Uptraining \\emph{Multi-Query} Models}\\author{A. Author \\and B. Writer}"
        "\\begin{document}\\maketitle\\begin{abstract}We uptrain checkpoints.\\end{abstract}"
        "\\section{Introduction}Multi-query attention is \\textbf{fast}.\\end{document}"
    )
    doc = read_document(tex)
    assert doc.format == "latex" and doc.title == "Uptraining Multi-Query Models"
    text = doc.pages[0].text
    assert "Introduction" in text and "Multi-query attention is fast." in collapse_ws(text)
    assert doc.authors == ["A. Author", "B. Writer"]

    txt = tmp_path / "2305.13245v3.txt"
    txt.write_text("Page one text.\fPage two text.")
    doc = read_document(txt)
    assert [p.text for p in doc.pages] == ["Page one text.", "Page two text."]
    assert doc.arxiv_id == "2305.13245"


def test_corrupt_encrypted_and_empty_pdfs_fail_clearly(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes((PAPERS / "2305.13245.pdf").read_bytes()[:5000])
    with pytest.raises(ReaderError, match="unreadable PDF|no text layer"):
        read_document(corrupt)

    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"not a pdf at all")
    with pytest.raises(ReaderError, match="unreadable PDF"):
        read_document(garbage)

    writer = PdfWriter()
    for page in PdfReader(PAPERS / "2305.13245.pdf").pages[:2]:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(ReaderError, match="encrypted"):
        read_document(locked)

    blank = PdfWriter()
    blank.add_blank_page(width=612, height=792)
    empty = tmp_path / "scan.pdf"
    with empty.open("wb") as fh:
        blank.write(fh)
    with pytest.raises(ReaderError, match="no text layer"):
        read_document(empty)


def test_unsupported_suffix(tmp_path: Path) -> None:
    other = tmp_path / "table.xlsx"
    other.write_bytes(b"x")
    with pytest.raises(ReaderError, match="unsupported"):
        read_document(other)
