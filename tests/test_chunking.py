from __future__ import annotations

import pytest

from synth.corpus.chunking import chunk_document, split_sentences
from synth.corpus.readers import read_document
from synth.corpus.sections import canonical_kind, detect_sections, split_bibliography
from synth.corpus.text import collapse_ws, normalize_page_text, strip_running_lines
from tests.conftest import PAPERS


def test_sentence_splitter_handles_abbreviations_and_numbers() -> None:
    text = (
        "Kwon et al. (2023) propose vLLM. It is 2.5x faster than Orca, e.g. on OPT-13B. "
        "See Fig. 3 for details. J. Smith agrees! Does it scale? Yes."
    )
    sentences = [s.text for s in split_sentences(text)]
    assert sentences == [
        "Kwon et al. (2023) propose vLLM.",
        "It is 2.5x faster than Orca, e.g. on OPT-13B.",
        "See Fig. 3 for details.",
        "J. Smith agrees!",
        "Does it scale?",
        "Yes.",
    ]
    for s in split_sentences(text, page=2, base=100):
        assert text[s.start - 100 : s.end - 100] == s.text and s.page == 2


def test_normalisation_joins_hyphenated_words() -> None:
    assert normalize_page_text("How-\never the ﬁrst  model") == "However the first model"
    assert normalize_page_text("Multi-\nQuery") == "Multi-\nQuery"


def test_canonical_sections() -> None:
    assert canonical_kind("5 Experiments") is None or canonical_kind("Experiments") == "results"
    assert canonical_kind("Related Work") == "related_work"
    assert canonical_kind("Conclusion and Future Work") == "conclusion"
    assert canonical_kind("REFERENCES") == "references"
    assert canonical_kind("Limitations") == "limitations"


@pytest.mark.parametrize("name", ["2309.06180.pdf", "2406.16858.pdf", "2305.13245.pdf", "2405.04434.pdf"])
def test_chunk_text_is_found_on_its_pages(name: str) -> None:
    doc = read_document(PAPERS / name)
    sections = detect_sections(doc.pages)
    chunks, bibliography = chunk_document("x", doc.pages, sections)
    pages = {p.number: p.text for p in doc.pages}
    assert chunks
    for chunk in chunks:
        if chunk.page_start == chunk.page_end:
            source = pages[chunk.page_start][chunk.char_start : chunk.char_end]
        else:
            middle = [pages[n] for n in range(chunk.page_start + 1, chunk.page_end)]
            source = " ".join(
                [pages[chunk.page_start][chunk.char_start :], *middle, pages[chunk.page_end][: chunk.char_end]]
            )
        assert collapse_ws(source) == chunk.text
        assert chunk.section != "references"
        assert len(chunk.text.split()) <= 250 + 80  # target size plus at most one long sentence
    kinds = {s.kind for s in sections}
    assert {"abstract", "introduction", "references"} <= kinds
    assert len(split_bibliography(bibliography)) >= 10


@pytest.mark.parametrize(
    ("name", "opening"),
    [
        ("2305.14314.pdf", "We present QLORA, an efficient finetuning approach"),  # short title block, then "Abstract"
        ("2502.19732.pdf", "Sequential dependencies present a fundamental bottleneck"),  # "Abstract—Sequential …"
    ],
)
def test_the_abstract_is_its_own_section(name: str, opening: str) -> None:
    """A title block of under 25 words ran into the abstract and labelled it "front", so the headline
    ("finetune a 65B parameter model on a single 48GB GPU") was no abstract to the topic gate or the claims."""
    doc = read_document(PAPERS / name)
    chunks, _ = chunk_document("x", doc.pages, detect_sections(doc.pages))
    abstract = [c for c in chunks if c.section == "abstract"]
    assert abstract and opening in abstract[0].text
    assert not any(opening in c.text for c in chunks if c.section == "front")


def test_reference_list_is_not_searchable() -> None:
    doc = read_document(PAPERS / "2309.06180.pdf")
    chunks, bibliography = chunk_document("x", doc.pages, detect_sections(doc.pages))
    # A reference entry of the vLLM paper: present in the bibliography, absent from every chunk.
    assert "Orca: A Distributed Serving System" in collapse_ws(bibliography)
    assert not any("Orca: A Distributed Serving System" in c.text for c in chunks)


def test_pdf_glyph_quirks_are_fixed_at_ingest() -> None:
    """pypdf's "2.54ˆ" (×), "m “ 7" (=), ligatures and "base- line" are cleaned before offsets are taken, so
    stored pages, chunks and quotes parse; "pre- and post-training" keeps its hyphen."""
    from synth.corpus.text import normalize_page_text

    text = normalize_page_text(
        "EAGLE achieves 2.54ˆ speedup with m “ 7 paths over the base- line.\nWe ﬁne-tune pre- and post-training.\n"
        "EAGLE- 3 reaches 3.05x- 4.26x."
    )
    assert "2.54× speedup" in text and "m = 7 paths" in text and "baseline" in text
    assert "fine-tune pre- and post-training" in text
    assert "EAGLE-3 reaches 3.05x-4.26x" in text  # a name broken at a line end is one word again


def test_an_inline_abstract_heading_but_not_a_title_word() -> None:
    from synth.core.documents import Page

    def kinds(first_line: str) -> list[str]:
        page = Page(number=1, text=f"{first_line} results matter here.\nMore text follows.\n1 Introduction\nBody.")
        return [s.kind for s in detect_sections([page])]

    assert kinds("Abstract—Sequential dependencies bottleneck decoding;") == ["abstract", "introduction"]
    assert kinds("ABSTRACT: We study decoding;") == ["abstract", "introduction"]
    assert kinds("Abstract-Level Reasoning in Language Models") == ["introduction"]  # a title, not a heading


@pytest.mark.unit
def test_running_headers_and_page_numbers_are_dropped_but_repeated_content_stays() -> None:
    header = "EAGLE: Speculative Sampling Requires Rethinking Feature Uncertainty"
    pages = [f"{header}\nAbstract. We propose EAGLE.\n1"]
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    pages += [f"{header}\nBody of page {n} runs on\ninto {w}.\n{n}" for n, w in zip(range(2, 8), words, strict=True)]
    pages[4] = "Q: there are 15 trees in the grove.\n" + pages[4]  # an appendix prompt on two pages only
    pages[5] = "Q: there are 15 trees in the grove.\n" + pages[5]
    out = strip_running_lines(pages)
    assert out[0] == f"{header}\nAbstract. We propose EAGLE."  # the first page's title stays, its number goes
    assert all(header not in page for page in out[1:])
    assert out[2] == "Body of page 3 runs on\ninto beta."
    assert out[4].startswith("Q: there are 15 trees")  # not on most pages: content, kept
    # Alternating journal headers: one line on the even pages, another on the odd ones.
    body = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    alternating = [f"{'Left head' if n % 2 else 'Right head, 2025'}\nText {w}." for n, w in enumerate(body)]
    assert strip_running_lines(alternating)[1:] == [f"Text {w}." for w in body[1:]]
    assert strip_running_lines(pages[:3]) == pages[:3]  # too few pages to tell a running line from content


def test_running_header_does_not_split_a_sentence_across_a_page_break() -> None:
    """EAGLE prints its title at the top of every page; a chunk spanning a page break no longer holds it."""
    doc = read_document(PAPERS / "2401.15077.pdf")
    title = "EAGLE: Speculative Sampling Requires Rethinking Feature Uncertainty"
    assert sum(title in p.text for p in doc.pages[1:]) == 0
    assert all(not p.text.rstrip().endswith(str(p.number)) for p in doc.pages[1:])


def test_the_reference_list_is_cut_and_the_appendix_kept() -> None:
    """A model named only among the cited works (PaLM in a paper that tests GPT-3) is one the paper has no result
    for: the verifier reads the paper without its bibliography, appendix results included."""
    from synth.core.documents import Page
    from synth.corpus.sections import without_references

    pages = [
        Page(number=1, text="5 Results\nGPT-3 code-davinci-002 reaches 99.7% on SCAN.\nReferences\nChowdhery et al."),
        Page(number=2, text="2022. PaLM: Scaling language modeling.\nA Additional Results\nOn GSM8K it reaches 62.4%."),
    ]
    sections = detect_sections(pages)
    assert [s.kind for s in sections][:2] == ["results", "references"] and sections[2].kind != "references"
    cut = without_references(pages, sections)
    assert "PaLM" not in cut and "Chowdhery" not in cut and "99.7%" in cut and "62.4%" in cut
    assert without_references(pages, []) == "\n".join(p.text for p in pages) + "\n"  # no headings: all of it
