from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from synth.corpus.ingest import ingest
from synth.corpus.open import open_index
from synth.settings import load_settings
from tests.conftest import PAPERS, run_cli


def _consistent(home: Path) -> tuple[int, int]:
    """Catalog chunk ids and vector ids must be the same set; returns (documents, chunks)."""
    settings = load_settings(home=home)
    index = open_index(settings)
    try:
        catalog_ids = index.catalog.chunk_ids()
        assert catalog_ids == index.dense.ids()
        lexical = index.lexical()
        assert set(lexical.chunk_ids) == catalog_ids
        return index.catalog.stats()["documents"], len(catalog_ids)
    finally:
        index.close()


def test_incremental_ingest_skips_unchanged_and_reindexes_changed(small_papers: Path, tmp_path: Path) -> None:
    settings = load_settings()
    notes = small_papers / "notes.md"
    notes.write_text("# KV cache notes\n\nPaged KV caches cut fragmentation. Block size matters for reuse.\n" * 5)
    index = open_index(settings)
    try:
        first = ingest([small_papers], index, settings.corpus)
        assert first.count("added") == 4, [o.detail for o in first.outcomes]
        again = ingest([small_papers], index, settings.corpus)
        assert again.count("unchanged") == 4 and again.count("added") == 0
        notes.write_text("# KV cache notes\n\nPrefix caching shares blocks across requests. " * 5)
        third = ingest([small_papers], index, settings.corpus)
        assert third.count("updated") == 1 and third.count("unchanged") == 3
        copy = tmp_path / "copy.pdf"
        shutil.copy(small_papers / "2305.13245.pdf", copy)
        dup = ingest([copy], index, settings.corpus)
        assert dup.outcomes[0].status == "duplicate"
        assert index.catalog.stats()["documents"] == 4
        # A moved file is followed, not re-embedded.
        moved = tmp_path / "moved.pdf"
        shutil.move(copy, moved)
        shutil.move(small_papers / "2505.01572.pdf", tmp_path / "2505.01572.pdf")
        follow = ingest([tmp_path / "2505.01572.pdf"], index, settings.corpus)
        assert follow.outcomes[0].status == "unchanged" and "moved from" in follow.outcomes[0].detail
        assert index.catalog.get_document("2505.01572").path == str(tmp_path / "2505.01572.pdf")
        # Another file claiming an arXiv id already taken keeps both documents apart.
        other = tmp_path / "v2" / "2305.13245v2.txt"
        other.parent.mkdir()
        other.write_text("Grouped-query attention, revised. GQA interpolates between MHA and MQA. " * 10)
        clash = ingest([other], index, settings.corpus)
        assert clash.outcomes[0].doc_id.startswith("2305.13245~")
        assert index.catalog.get_document("2305.13245").format == "pdf"
        assert index.catalog.stats()["documents"] == 5
        texts = " ".join(c.text for c in index.catalog.chunks())
        assert "Prefix caching" in texts and "Paged KV caches" not in texts
    finally:
        index.close()
    assert _consistent(settings.home)[0] == 5


def test_bad_files_are_reported_and_skipped(small_papers: Path) -> None:
    (small_papers / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    (small_papers / "empty.txt").write_text("   \n")
    proc = run_cli("corpus", "add", str(small_papers))
    assert proc.returncode == 1, proc.stderr  # not all done: said by the exit code, the good files indexed anyway
    assert "2 of 5 file(s) not indexed" in proc.stderr
    assert "broken.pdf" in proc.stderr and "empty.txt" in proc.stderr
    assert "3 added" in proc.stdout and "2 failed" in proc.stdout
    stats = run_cli("corpus", "stats", "--json")
    assert '"documents": 3' in stats.stdout and '"failures": 2' in stats.stdout
    missing = run_cli("corpus", "add", str(small_papers / "nope.pdf"))
    assert missing.returncode == 2 and "nope.pdf: no such file" in missing.stderr


def test_killed_midway_leaves_a_consistent_index(small_papers: Path, tmp_path: Path) -> None:
    home = Path(os.environ["SYNTH_HOME"])
    crashed = run_cli("corpus", "add", str(small_papers), "-q", env={"SYNTH_FAULT": "kill-after-vectors:2"})
    assert crashed.returncode == -signal.SIGKILL
    # One document committed, the second's vectors written but never committed.
    catalog = sqlite3.connect(home / "index" / "catalog.sqlite")
    assert catalog.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 1
    catalog.close()
    search = run_cli("search", "grouped-query attention", "--json")
    assert search.returncode == 0  # the committed document is searchable; orphan vectors are never shown
    resumed = run_cli("corpus", "add", str(small_papers))
    assert resumed.returncode == 0, resumed.stderr
    assert "repaired an interrupted ingest" in resumed.stderr
    assert _consistent(home)[0] == 3


def test_kill_at_a_random_moment_then_resume(tmp_path: Path) -> None:
    home = Path(os.environ["SYNTH_HOME"])
    folder = tmp_path / "more"
    folder.mkdir()
    for name in ["2305.13245.pdf", "2505.01572.pdf", "2502.19732.pdf", "2510.12966.pdf", "2501.14743.pdf"]:
        shutil.copy(PAPERS / name, folder / name)
    proc = subprocess.Popen([sys.executable, "-m", "synth", "corpus", "add", str(folder), "-q"], env=dict(os.environ))
    db = home / "index" / "catalog.sqlite"
    deadline = time.time() + 300
    while time.time() < deadline:
        if db.exists():
            try:
                conn = sqlite3.connect(db, timeout=1)
                n = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
                conn.close()
            except sqlite3.OperationalError:
                n = 0
            if n >= 1:
                break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    resumed = run_cli("corpus", "add", str(folder))
    assert resumed.returncode == 0, resumed.stderr
    docs, chunks = _consistent(home)
    assert docs == 5 and chunks > 0


def test_remove_document() -> None:
    proc = run_cli("corpus", "add", str(PAPERS / "2305.13245.pdf"), "-q")
    assert proc.returncode == 0, proc.stderr
    assert run_cli("corpus", "remove", "2305.13245").returncode == 0
    gone = run_cli("corpus", "remove", "2305.13245")
    assert gone.returncode == 2 and "no document" in gone.stderr
    assert _consistent(Path(os.environ["SYNTH_HOME"])) == (0, 0)


def test_missing_embedding_model_fails_before_any_work(small_papers: Path) -> None:
    proc = run_cli("corpus", "add", str(small_papers), env={"SYNTH_MODELS__EMBEDDING": "gemma-3-270m"})
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        .splitlines()[-1]
        .startswith("error: model gemma-3-270m is not installed: run `synth models fetch")
    )


def test_tables_are_indexed_and_older_documents_are_re_read(small_papers: Path) -> None:
    """Table cells become searchable chunks with their row and column labels; a document indexed by older
    reading code (no table chunks) is read again on the next ingest, not skipped as unchanged."""
    from synth.corpus.ingest import PARSER_VERSION

    settings = load_settings()
    table = small_papers / "bench.md"
    table.write_text(
        "# Decoding benchmark\n\nWe compare two decoders on two GPUs.\n\n"
        "| Decoder | A100 | H100 |\n|---|---|---|\n| EAGLE | 2.1× | 2.6× |\n| Medusa | 1.9× | 2.2× |\n"
    )
    index = open_index(settings)
    try:
        first = ingest([small_papers], index, settings.corpus)
        assert first.count("added") == 4
        doc_id = next(o.doc_id for o in first.outcomes if o.path == str(table))
        cells = [c for c in index.catalog.chunks(doc_id) if c.section == "table"]
        assert cells and "Medusa H100 2.2×." in cells[0].text
        pdf_tables = [c for c in index.catalog.chunks("2305.13245") if c.section == "table"]
        assert pdf_tables and all(c.text.startswith("Table") for c in pdf_tables)
        old = index.catalog.get_document(doc_id).model_copy(update={"parser": PARSER_VERSION - 1})
        with index.catalog.transaction() as tx:
            tx.execute("UPDATE documents SET record = ? WHERE doc_id = ?", (old.model_dump_json(), doc_id))
        again = ingest([small_papers], index, settings.corpus)
        assert again.count("updated") == 1 and again.count("unchanged") == 3
        assert index.catalog.get_document(doc_id).parser == PARSER_VERSION
    finally:
        index.close()
    assert _consistent(settings.home)[0] == 4
