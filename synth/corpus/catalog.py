"""The catalog: SQLite source of truth for documents, pages and chunks.

A document counts as indexed only once its catalog transaction commits; the
vector store and BM25 index are derived from the catalog and reconciled
against it, which is what keeps the index consistent when a process is
killed midway through an ingest.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import AbstractContextManager
from pathlib import Path

from synth.core.documents import Chunk, Document, Page
from synth.io import sqlite_transaction

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    record TEXT NOT NULL,
    added_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE INDEX IF NOT EXISTS documents_path ON documents(path);
CREATE INDEX IF NOT EXISTS documents_hash ON documents(content_hash);
CREATE TABLE IF NOT EXISTS pages (
    doc_id TEXT NOT NULL, number INTEGER NOT NULL, text TEXT NOT NULL,
    PRIMARY KEY (doc_id, number)
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, ordinal);
CREATE TABLE IF NOT EXISTS doc_vectors (
    doc_id TEXT PRIMARY KEY, profile TEXT NOT NULL, vector BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS failures (
    path TEXT PRIMARY KEY, content_hash TEXT NOT NULL, reason TEXT NOT NULL
);
"""


class Catalog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.conn = sqlite3.connect(str(path), timeout=30)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(_SCHEMA)
        self.conn.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?), ('generation', '0')",
            (str(SCHEMA_VERSION),),
        )
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite_transaction(self.conn, self.path)

    # --- meta -----------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as tx:
            tx.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    @property
    def generation(self) -> int:
        """Bumped by every change to the set of chunks; derived indexes record the one they match."""
        return int(self.get_meta("generation", "0") or 0)

    # --- documents ------------------------------------------------------------
    def put_document(
        self,
        doc: Document,
        pages: list[Page],
        chunks: list[Chunk],
        profile: tuple[str, bytes] | None = None,
    ) -> None:
        """Replace a document (and any other document at the same path) in one transaction.

        `profile` is the document-level text (title + abstract) and its float32
        vector; it lives in the catalog so it commits atomically with the chunks.
        """
        with self.transaction() as tx:
            olds = {r[0] for r in tx.execute("SELECT doc_id FROM documents WHERE path = ?", (doc.path,))}
            for old in olds | {doc.doc_id}:
                _delete_doc(tx, old)
            tx.execute(
                "INSERT INTO documents(doc_id, path, content_hash, record) VALUES (?, ?, ?, ?)",
                (doc.doc_id, doc.path, doc.content_hash, doc.model_dump_json()),
            )
            tx.executemany(
                "INSERT INTO pages(doc_id, number, text) VALUES (?, ?, ?)",
                [(doc.doc_id, p.number, p.text) for p in pages],
            )
            tx.executemany(
                "INSERT INTO chunks(chunk_id, doc_id, ordinal, record) VALUES (?, ?, ?, ?)",
                [(c.chunk_id, c.doc_id, c.ordinal, c.model_dump_json()) for c in chunks],
            )
            if profile is not None:
                tx.execute(
                    "INSERT INTO doc_vectors(doc_id, profile, vector) VALUES (?, ?, ?)",
                    (doc.doc_id, profile[0], profile[1]),
                )
            tx.execute("DELETE FROM failures WHERE path = ?", (doc.path,))
            _bump(tx)

    def move_document(self, doc_id: str, new_path: str) -> None:
        doc = self.get_document(doc_id)
        if doc is None:
            return
        doc.path = new_path
        with self.transaction() as tx:
            tx.execute(
                "UPDATE documents SET path = ?, record = ? WHERE doc_id = ?", (new_path, doc.model_dump_json(), doc_id)
            )

    def remove_document(self, doc_id: str) -> bool:
        with self.transaction() as tx:
            found = tx.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone() is not None
            if found:
                _delete_doc(tx, doc_id)
                _bump(tx)
        return found

    def record_failure(self, path: str, content_hash: str, reason: str) -> None:
        with self.transaction() as tx:
            tx.execute(
                "INSERT OR REPLACE INTO failures(path, content_hash, reason) VALUES (?, ?, ?)",
                (path, content_hash, reason),
            )

    def failure_for(self, path: str, content_hash: str) -> str | None:
        row = self.conn.execute(
            "SELECT reason FROM failures WHERE path = ? AND content_hash = ?", (path, content_hash)
        ).fetchone()
        return row[0] if row else None

    def doc_for_hash(self, content_hash: str) -> tuple[str, str] | None:
        row = self.conn.execute("SELECT doc_id, path FROM documents WHERE content_hash = ?", (content_hash,)).fetchone()
        return (row[0], row[1]) if row else None

    def get_document(self, doc_id: str) -> Document | None:
        row = self.conn.execute("SELECT record FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return Document.model_validate_json(row[0]) if row else None

    def documents(self) -> list[Document]:
        rows = self.conn.execute("SELECT record FROM documents ORDER BY doc_id")
        return [Document.model_validate_json(r[0]) for r in rows]

    def pages(self, doc_id: str) -> list[Page]:
        rows = self.conn.execute("SELECT number, text FROM pages WHERE doc_id = ? ORDER BY number", (doc_id,))
        return [Page(number=n, text=t) for n, t in rows]

    def page_text(self, doc_id: str, number: int) -> str | None:
        row = self.conn.execute("SELECT text FROM pages WHERE doc_id = ? AND number = ?", (doc_id, number)).fetchone()
        return row[0] if row else None

    # --- chunks ---------------------------------------------------------------
    def chunk_ids(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT chunk_id FROM chunks")}

    def chunks(self, doc_id: str | None = None) -> list[Chunk]:
        if doc_id is None:
            rows = self.conn.execute("SELECT record FROM chunks ORDER BY doc_id, ordinal")
        else:
            rows = self.conn.execute("SELECT record FROM chunks WHERE doc_id = ? ORDER BY ordinal", (doc_id,))
        return [Chunk.model_validate_json(r[0]) for r in rows]

    def get_chunks(self, chunk_ids: Iterable[str]) -> dict[str, Chunk]:
        ids = list(chunk_ids)
        out: dict[str, Chunk] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            for (record,) in self.conn.execute(f"SELECT record FROM chunks WHERE chunk_id IN ({marks})", part):
                chunk = Chunk.model_validate_json(record)
                out[chunk.chunk_id] = chunk
        return out

    def stats(self) -> dict[str, int]:
        one = lambda sql: int(self.conn.execute(sql).fetchone()[0])  # noqa: E731
        return {
            "documents": one("SELECT COUNT(*) FROM documents"),
            "pages": one("SELECT COUNT(*) FROM pages"),
            "chunks": one("SELECT COUNT(*) FROM chunks"),
            "failures": one("SELECT COUNT(*) FROM failures"),
            "generation": self.generation,
        }

    def doc_profiles(self) -> list[tuple[str, str, bytes]]:
        """(doc id, profile text, float32 vector bytes) for document-level ranking."""
        return list(self.conn.execute("SELECT doc_id, profile, vector FROM doc_vectors ORDER BY doc_id"))

    def failures(self) -> list[tuple[str, str]]:
        return [(p, r) for p, r in self.conn.execute("SELECT path, reason FROM failures ORDER BY path")]


def _delete_doc(tx: sqlite3.Connection, doc_id: str) -> None:
    tx.execute("DELETE FROM doc_vectors WHERE doc_id = ?", (doc_id,))
    tx.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
    tx.execute("DELETE FROM pages WHERE doc_id = ?", (doc_id,))
    tx.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))


def _bump(tx: sqlite3.Connection) -> None:
    tx.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
