from __future__ import annotations

import json
from pathlib import Path

import pytest

from synth.corpus.catalog import Catalog
from synth.corpus.text import collapse_ws
from synth.retrieve.base import RetrievalError
from synth.retrieve.fusion import add_group_prior, cap_per_group, reciprocal_rank_fusion
from synth.retrieve.langchain import SynthLangchainRetriever
from tests.conftest import run_cli


def test_rrf_and_caps_are_pure_and_ordered() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "d"]], k=60)
    assert [item for item, _ in fused] == ["b", "c", "a", "d"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)
    capped = cap_per_group([("x:1", 3.0), ("x:2", 2.0), ("y:1", 1.0)], {"x:1": "x", "x:2": "x", "y:1": "y"}, 1)
    assert capped == [("x:1", 3.0), ("y:1", 1.0)]
    boosted = add_group_prior([("x:1", 0.02), ("y:1", 0.021)], ["x", "y"], weight=1.0, k=10)
    assert boosted[0][0] == "x:1"


@pytest.mark.parametrize(
    ("query", "expected", "within"),
    [
        ("PagedAttention KV cache paging", "2309.06180", 1),
        ("speculative decoding draft tree", "2406.16858", 3),
        ("Medusa multiple decoding heads", "2401.10774", 1),
        ("4-bit NormalFloat quantization finetuning", "2305.14314", 1),
        ("grouped-query attention uptraining from multi-head checkpoints", "2305.13245", 1),
        ("multi-head latent attention compresses the KV cache", "2405.04434", 5),
    ],
)
def test_obviously_right_paper_ranks_first(retriever, query: str, expected: str, within: int) -> None:  # noqa: ANN001
    docs = [h.doc_id for h in retriever.search(query, k=10, per_doc_cap=1)]
    assert expected in docs[:within], docs


def test_hits_carry_page_provenance(retriever, corpus_home: Path) -> None:  # noqa: ANN001
    hits = retriever.search("speculative decoding draft tree", k=10)
    assert any(h.doc_id == "2406.16858" for h in hits)
    catalog = Catalog(corpus_home / "index" / "catalog.sqlite")
    for hit in hits:
        pages = " ".join(catalog.page_text(hit.doc_id, n) or "" for n in range(hit.page_start, hit.page_end + 1))
        assert hit.text[:200] in collapse_ws(pages)
        assert hit.section and hit.title
    per_doc = {}
    for hit in hits:
        per_doc[hit.doc_id] = per_doc.get(hit.doc_id, 0) + 1
    assert max(per_doc.values()) <= 3  # default per-document cap


def test_filter_to_documents_and_modes(retriever) -> None:  # noqa: ANN001
    hits = retriever.search("speedup", k=5, doc_ids={"2401.15077"})
    assert hits and {h.doc_id for h in hits} == {"2401.15077"}
    for mode in ("dense", "lexical"):
        assert retriever.search("KV cache paging", k=3, mode=mode)
    with pytest.raises(RetrievalError, match="empty query"):
        retriever.retrieve("   ")


def test_search_documents_ranks_papers(retriever) -> None:  # noqa: ANN001
    docs = retriever.search_documents("How do serving systems manage KV-cache memory?", k=5)
    assert len({d.doc_id for d in docs}) == 5 and docs[0].best.doc_id == docs[0].doc_id
    assert "2309.06180" in [d.doc_id for d in docs]


def test_langchain_retriever(retriever) -> None:  # noqa: ANN001
    lc = SynthLangchainRetriever(retriever=retriever, k=4)
    docs = lc.invoke("Medusa decoding heads")
    assert len(docs) == 4
    assert docs[0].metadata["doc_id"] == "2401.10774" and docs[0].metadata["page_start"] >= 1


def test_search_cli_text_and_json(corpus_home: Path) -> None:
    env = {"SYNTH_HOME": str(corpus_home)}
    text = run_cli("search", "speculative decoding draft tree", "-k", "5", env=env)
    assert text.returncode == 0, text.stderr
    assert "2406.16858" in text.stdout and "p. " in text.stdout
    js = run_cli("search", "PagedAttention KV cache paging", "-k", "3", "--json", env=env)
    rows = [json.loads(line) for line in js.stdout.splitlines()]
    assert len(rows) == 3 and rows[0]["doc_id"] == "2309.06180" and rows[0]["page_start"] >= 1


def test_search_on_empty_corpus_says_what_to_do() -> None:
    proc = run_cli("search", "anything")
    assert proc.returncode == 2 and "synth corpus add" in proc.stderr


def test_search_with_another_embedding_model_is_refused(corpus_home: Path) -> None:
    proc = run_cli(
        "search", "KV cache", env={"SYNTH_HOME": str(corpus_home), "SYNTH_MODELS__EMBEDDING": "smollm2-135m-instruct"}
    )
    assert proc.returncode == 2 and "was built with embedding model all-minilm-l6-v2" in proc.stderr
