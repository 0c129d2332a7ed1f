"""Tables read back with row and column labels: laid-out PDF text, Markdown and ragged input."""

from __future__ import annotations

from pathlib import Path

import pytest

from synth.core.documents import Page, ParsedDocument
from synth.corpus.tables import find_tables, page_tables, table_chunks

PAPERS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "papers"

# Table 4 of arXiv 2205.10625 as pypdf's layout mode prints it.
LAID_OUT = """Results.  We randomly sample words in Wiktionary to construct testing lists with lengths varying
from 4 to 12.  For each given length, 500 lists are constructed.

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`

                                               L = 4    L = 6    L = 8    L = 10    L = 12
                  Standard prompting             0.0          0.0          0.0           0.0            0.0
                   Chain-of-Thought             84.2        69.2        50.2         39.8          31.8
                      Least-to-Most             94.0       88.4       83.0        76.4         74.0

Table 4: Accuracies of different prompting methods on the last-letter-concatenation task. The length
of testing lists increases from 4 to 12.
"""

GROUPED = """Table 1:  Throughput relative to vanilla auto-regressive decoding (higher is better).
                     Method                                          Speedup (vs. Vanilla)
                                            ShareGPT     CNN/DM     HumanEval     GSM8K     XSum
              Llama3-8BINST
                  AdaDecode             1.00×        1.12×         1.36×        1.39×   1.06×
                  LayerSkip               1.14×        1.70×         1.54×        1.77×   1.31×
                  HiSpec(Ours)                 2.01×              2.08×             1.91×           1.93×       1.84×
              Llama2-7BINST
                  LayerSkip               1.31×        1.93×         1.71×        1.69×   1.43×
"""


def test_rows_and_column_labels_from_a_laid_out_page() -> None:
    [table] = find_tables(LAID_OUT, require_caption=True)
    assert table.caption.startswith("Table 4: Accuracies of different prompting methods")
    assert table.columns == ["L = 4", "L = 6", "L = 8", "L = 10", "L = 12"]
    sentences = table.sentences()
    assert "Least-to-Most L = 12 74.0." in sentences
    assert "Chain-of-Thought L = 4 84.2." in sentences
    assert len(sentences) == 15


def test_group_rows_and_spanning_headers() -> None:
    [table] = find_tables(GROUPED, require_caption=True)
    sentences = table.sentences()
    # The group label ("Llama3-8BINST") heads its rows; a row shifted out of its columns keeps them by order.
    assert "Llama3-8BINST LayerSkip Speedup (vs. Vanilla) CNN/DM 1.70×." in sentences
    assert "Llama3-8BINST HiSpec(Ours) Speedup (vs. Vanilla) CNN/DM 2.08×." in sentences
    assert "Llama2-7BINST LayerSkip Speedup (vs. Vanilla) CNN/DM 1.93×." in sentences


def test_markdown_table() -> None:
    text = (
        "| Model | HumanEval | MBPP |\n|---|---|---|\n| Qwen2.5-Coder-7B | 61.6 | 76.9 |\n| Llama3-8B | 33.5 | 61.2 |"
    )
    [table] = find_tables(text)
    assert table.columns == ["HumanEval", "MBPP"]
    assert "Llama3-8B MBPP 61.2." in table.sentences()


def test_plot_labels_without_a_caption_are_not_a_table() -> None:
    axis = "  0.5     1.0     1.5     2.0\n  2.5     3.0     3.5     4.0\n"
    assert find_tables(axis, require_caption=True) == []


@pytest.mark.parametrize(
    "text",
    ["", "   \n\n", "| a | b |\n| 1 |", "1.2 3.4 | | 5", "Table 3: x\n  1  2\n", "x" * 5000,
     "| A | B | C |\n| r1 | 1 | 2 | 3 | 4 |\n| r2 | 5 |\n| r3 | 6 | 7 |"],
)  # fmt: skip
def test_ragged_or_empty_input_never_crashes(text: str) -> None:
    for table in find_tables(text) + find_tables(text, require_caption=True):
        assert all(s.endswith(".") for s in table.sentences())


def test_table_chunks_repeat_the_caption_and_respect_the_size() -> None:
    [table] = find_tables(LAID_OUT, require_caption=True)
    chunks = table_chunks("2205.10625", 4, [table], first_ordinal=10, chunk_words=40)
    assert len(chunks) > 1
    assert all(c.text.startswith("Table 4:") and c.section == "table" and c.page_start == 4 for c in chunks)
    assert [c.ordinal for c in chunks] == list(range(10, 10 + len(chunks)))
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_page_tables_of_a_text_document() -> None:
    text = "| Model | Acc |\n|---|---|\n| A | 1.5 |\n| B | 2.5 |"
    parsed = ParsedDocument(path="/x.md", content_hash="0", format="markdown", pages=[Page(number=1, text=text)])
    [chunk] = page_tables("doc", parsed, 3, 250)
    assert "A Acc 1.5." in chunk.text and chunk.ordinal == 3


def test_a_corpus_pdf_table() -> None:
    pdf = PAPERS / "2205.10625.pdf"
    if not pdf.is_file():
        pytest.skip(f"{pdf} not present (the shared corpus)")
    from synth.corpus.readers.pdf import read_pdf

    parsed = read_pdf(pdf, "0")
    chunks = page_tables("2205.10625", parsed, 0, 250)
    text = " ".join(c.text for c in chunks if c.page_start == 4)
    assert "Least-to-Most L = 12 74.0." in text
    assert "Chain-of-Thought L = 12 31.8." in text


@pytest.mark.parametrize(
    ("claim", "outcome"),
    [
        ("With 12-word lists, least-to-most prompting reaches about 74% accuracy on last-letter concatenation.",
         "agree"),
        # attribution: 74.0 is least-to-most's, not chain-of-thought's
        ("With 12-word lists, chain-of-thought prompting reaches about 74% accuracy on last-letter concatenation.",
         "conflict"),
        # condition: 74.0 is the L = 12 column, the claim says 4-word lists
        ("With 4-word lists, least-to-most prompting reaches about 74% accuracy on last-letter concatenation.",
         "conflict"),
    ],
)  # fmt: skip
def test_a_cell_is_aligned_with_its_row_and_column(claim: str, outcome: str) -> None:
    from synth.verify.align import align

    [table] = find_tables(LAID_OUT, require_caption=True)
    windows = [c.text for c in table_chunks("2205.10625", 4, [table], 0, 250)]
    checks = [c for c in align(claim, windows).checks if c.claim.text == "74%"]
    assert [c.outcome for c in checks] == [outcome]
