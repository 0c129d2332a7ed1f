"""Digest state in SQLite (WAL mode): the digests, their runs, the papers seen and each run's claims.

The database is the source of truth: a run exists once its single transaction
commits (see `synth.digest.run`); a run directory that no committed run names
is the leftover of a killed run and is removed by the next run of that digest.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, model_validator

from synth.core.digest import ClaimState
from synth.core.run import ReportOptions
from synth.errors import UserError
from synth.io import sqlite_transaction
from synth.settings import DigestSettings

SCHEMA_VERSION = 1
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS digests (
    name TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    cron TEXT NOT NULL,
    options TEXT NOT NULL,
    created TEXT NOT NULL,
    checked TEXT
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    digest TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT NOT NULL,
    status TEXT NOT NULL,
    report_dir TEXT NOT NULL,
    corpus_fingerprint TEXT NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_digest ON runs(digest, id);
CREATE TABLE IF NOT EXISTS papers_seen (
    digest TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    first_run INTEGER NOT NULL,
    PRIMARY KEY (digest, doc_id, content_hash)
);
CREATE TABLE IF NOT EXISTS claims (
    digest TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    claim_id TEXT NOT NULL,
    text TEXT NOT NULL,
    label TEXT NOT NULL,
    confidence REAL NOT NULL,
    doc_id TEXT,
    page INTEGER,
    PRIMARY KEY (run_id, claim_id)
);
CREATE INDEX IF NOT EXISTS claims_digest ON claims(digest, claim_id);
"""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def parse_iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def check_name(name: str) -> str:
    if not NAME_PATTERN.match(name):
        raise UserError(
            f"invalid digest name {name!r}: use letters, digits, '.', '_' or '-' (at most 64), e.g. spec-decoding"
        )
    return name


class DigestSpec(BaseModel):
    """One digest: how often it runs, the report each run computes, and what counts as drift."""

    name: str
    cron: str
    options: ReportOptions = Field(
        description="The report of every run; `options.corpus` are absolute folders ingested before each run."
    )
    drift_threshold: float = Field(DigestSettings().drift_threshold, gt=0, le=1)
    created: str = ""

    @model_validator(mode="before")
    @classmethod
    def _options_from_flat_fields(cls, data: Any) -> Any:
        """Report options given beside the name go into `options`.

        Digests stored before the spec held a `ReportOptions` kept them flat in the `digests.options` column
        (`{"corpus": [...], "papers": 10, "measure": "off", ...}`); this reads those rows unchanged. The
        question has its own column, so a stored row's `options` comes without it and gets it here too.
        """
        if not isinstance(data, dict):
            return data
        flat = {k: data[k] for k in ReportOptions.model_fields if k in data}
        if not flat:
            return data
        rest = {k: v for k, v in data.items() if k not in flat}
        given = rest.get("options")
        if given is None:  # the old shape: a digest's own defaults for what it leaves out
            defaults = DigestSettings()
            rest["options"] = {"measure": defaults.measure, "formats": list(defaults.formats), **flat}
        else:
            rest["options"] = {**(given.model_dump() if isinstance(given, ReportOptions) else given), **flat}
        return rest

    def options_json(self) -> str:
        """The `digests.options` column: everything but the columns of their own (name, question, cron, created)."""
        return self.model_dump_json(exclude={"name": True, "cron": True, "created": True, "options": {"question"}})


class RunRow(BaseModel):
    id: int
    digest: str
    started: str
    finished: str
    status: str
    report_dir: str
    corpus_fingerprint: str
    summary: dict = Field(default_factory=dict)


class SeenPaper(BaseModel):
    doc_id: str
    content_hash: str
    title: str = ""
    first_run: int | None = None


class Store:
    """`$SYNTH_HOME/digests/state.sqlite`; one connection per thread (open one per job)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.path = self.root / "state.sqlite"
        self.conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.executescript(_SCHEMA)
        self.conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    @classmethod
    def for_settings(cls, settings) -> Store:  # noqa: ANN001
        return cls(digests_root(settings))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite_transaction(self.conn, self.path)

    # --- digests --------------------------------------------------------------
    def add(self, spec: DigestSpec) -> DigestSpec:
        check_name(spec.name)
        spec = spec.model_copy(update={"created": spec.created or iso(utcnow())})
        with self.transaction() as tx:
            if tx.execute("SELECT 1 FROM digests WHERE name = ?", (spec.name,)).fetchone():
                raise UserError(
                    f"digest {spec.name!r} already exists: pick another name or `synth digest remove {spec.name}` first"
                )
            tx.execute(
                "INSERT INTO digests(name, question, cron, options, created) VALUES (?, ?, ?, ?, ?)",
                (spec.name, spec.options.question, spec.cron, spec.options_json(), spec.created),
            )
        return spec

    def get(self, name: str) -> DigestSpec | None:
        row = self.conn.execute(
            "SELECT name, question, cron, options, created FROM digests WHERE name = ?", (name,)
        ).fetchone()
        return _spec(row) if row else None

    def require(self, name: str) -> DigestSpec:
        spec = self.get(name)
        if spec is None:
            known = ", ".join(s.name for s in self.digests()) or "none yet; add one with `synth digest add`"
            raise UserError(f"no digest named {name!r} (digests: {known})")
        return spec

    def digests(self) -> list[DigestSpec]:
        rows = self.conn.execute("SELECT name, question, cron, options, created FROM digests ORDER BY name")
        return [_spec(r) for r in rows]

    def remove(self, name: str) -> None:
        with self.transaction() as tx:
            for table, column in (("claims", "digest"), ("papers_seen", "digest"), ("runs", "digest"),
                                  ("digests", "name")):  # fmt: skip
                tx.execute(f"DELETE FROM {table} WHERE {column} = ?", (name,))

    def checked(self, name: str) -> dt.datetime | None:
        """When the digest was last run or found unchanged: what `--due` counts from."""
        row = self.conn.execute("SELECT checked FROM digests WHERE name = ?", (name,)).fetchone()
        return parse_iso(row[0]) if row and row[0] else None

    def set_checked(self, name: str, moment: dt.datetime, tx: sqlite3.Connection | None = None) -> None:
        sql, args = "UPDATE digests SET checked = ? WHERE name = ?", (iso(moment), name)
        if tx is not None:
            tx.execute(sql, args)
            return
        with self.transaction() as own:
            own.execute(sql, args)

    # --- runs -----------------------------------------------------------------
    def runs(self, name: str) -> list[RunRow]:
        rows = self.conn.execute(
            "SELECT id, digest, started, finished, status, report_dir, corpus_fingerprint, summary FROM runs "
            "WHERE digest = ? ORDER BY id",
            (name,),
        )
        return [_run(r) for r in rows]

    def last_run(self, name: str) -> RunRow | None:
        row = self.conn.execute(
            "SELECT id, digest, started, finished, status, report_dir, corpus_fingerprint, summary FROM runs "
            "WHERE digest = ? AND status = 'ok' ORDER BY id DESC LIMIT 1",
            (name,),
        ).fetchone()
        return _run(row) if row else None

    def run_count(self, name: str) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM runs WHERE digest = ?", (name,)).fetchone()[0])

    def papers_seen(self, name: str) -> list[SeenPaper]:
        rows = self.conn.execute(
            "SELECT doc_id, content_hash, title, first_run FROM papers_seen WHERE digest = ? "
            "ORDER BY first_run, doc_id",
            (name,),
        )
        return [SeenPaper(doc_id=d, content_hash=h, title=t, first_run=f) for d, h, t, f in rows]

    def claims_of(self, run_id: int) -> list[ClaimState]:
        rows = self.conn.execute(
            "SELECT claim_id, text, label, confidence, doc_id, page FROM claims WHERE run_id = ? ORDER BY rowid",
            (run_id,),
        )
        return [
            ClaimState(claim_id=c, text=t, label=lab, confidence=conf, doc_id=d, page=p)
            for c, t, lab, conf, d, p in rows
        ]

    def claim_ids_seen(self, name: str) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT DISTINCT claim_id FROM claims WHERE digest = ?", (name,))}

    def insert_run(
        self,
        tx: sqlite3.Connection,
        name: str,
        *,
        started: dt.datetime,
        finished: dt.datetime,
        report_dir: Path,
        fingerprint: str,
        summary: dict,
        papers: list[SeenPaper],
        claims: list[ClaimState],
    ) -> int:
        """Every write of one run, inside the caller's transaction (committed at the very end of the run)."""
        cursor = tx.execute(
            "INSERT INTO runs(digest, started, finished, status, report_dir, corpus_fingerprint, summary) "
            "VALUES (?, ?, ?, 'ok', ?, ?, ?)",
            (name, iso(started), iso(finished), str(report_dir), fingerprint, json.dumps(summary, sort_keys=True)),
        )
        run_id = int(cursor.lastrowid or 0)
        tx.executemany(
            "INSERT OR IGNORE INTO papers_seen(digest, doc_id, content_hash, title, first_run) VALUES (?, ?, ?, ?, ?)",
            [(name, p.doc_id, p.content_hash, p.title, run_id) for p in papers],
        )
        tx.executemany(
            "INSERT OR IGNORE INTO claims(digest, run_id, claim_id, text, label, confidence, doc_id, page) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(name, run_id, c.claim_id, c.text, c.label, c.confidence, c.doc_id, c.page) for c in claims],
        )
        self.set_checked(name, started, tx=tx)
        return run_id

    def snapshot(self, name: str) -> dict:
        """Everything stored about one digest (tests compare it before and after a crash)."""
        tables = {
            "digests": "SELECT * FROM digests WHERE name = ? ORDER BY name",
            "runs": "SELECT * FROM runs WHERE digest = ? ORDER BY id",
            "papers_seen": "SELECT * FROM papers_seen WHERE digest = ? ORDER BY doc_id, content_hash",
            "claims": "SELECT * FROM claims WHERE digest = ? ORDER BY run_id, claim_id",
        }
        return {t: [tuple(r) for r in self.conn.execute(sql, (name,))] for t, sql in tables.items()}


def digests_root(settings) -> Path:  # noqa: ANN001
    return Path(settings.home) / "digests"


def digest_dir(root: Path, name: str) -> Path:
    return root / check_name(name)


def lock_path(root: Path, name: str) -> Path:
    return root / f"{check_name(name)}.lock"


def _spec(row: tuple) -> DigestSpec:
    name, question, cron, options, created = row
    return DigestSpec(name=name, question=question, cron=cron, created=created, **json.loads(options))


def _run(row: tuple) -> RunRow:
    keys = ("id", "digest", "started", "finished", "status", "report_dir", "corpus_fingerprint", "summary")
    data = dict(zip(keys, row, strict=True))
    data["summary"] = json.loads(data["summary"] or "{}")
    return RunRow(**data)
