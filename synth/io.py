"""Crash-safe file output: write a temp file beside the target, fsync, then rename over it.

A reader (or the next run) sees the old file or the new one, never half of one. The
SQLite stores (catalog, digest state) share one transaction helper here, and every
write failure a user can fix (full disk, read-only place, a database another process
holds) becomes a `StorageError`: one line naming the file and the fix, not a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from synth.errors import UserError

_FULL = {errno.ENOSPC, errno.EDQUOT}
_NOT_WRITABLE = {errno.EROFS, errno.EACCES, errno.EPERM}
_NOT_A_FOLDER = {errno.ENOTDIR, errno.EEXIST}  # EEXIST: mkdir of a folder where a file is


class StorageError(UserError):
    """A file or database could not be written for a reason outside synth (disk full, read-only, locked)."""


def disk_full(exc: BaseException) -> bool:
    """ENOSPC / EDQUOT, or an engine's own words for it (SQLite, chromadb's Rust core: "database or disk is full")."""
    if isinstance(exc, OSError) and exc.errno in _FULL:
        return True
    text = str(exc).lower()
    return "disk is full" in text or "no space left" in text


def storage_error(exc: BaseException, path: Path | str) -> BaseException:
    """The one-line error for a failed write of `path`, or `exc` itself when it is not one a user can fix."""
    if isinstance(exc, OSError) and exc.errno in _FULL:
        return StorageError(
            f"no space left on the device to write {path}: free some space (or point SYNTH_HOME / -o at a disk "
            "with room) and run again; nothing was half-written"
        )
    if isinstance(exc, OSError) and exc.errno in _NOT_A_FOLDER:
        return StorageError(
            f"cannot write {path}: a folder on its path is a file ({exc.filename}); choose another path"
        )
    if isinstance(exc, OSError) and exc.errno in _NOT_WRITABLE:
        return StorageError(f"cannot write {path} ({os.strerror(exc.errno or 0).lower()}): choose a writable place")
    text = str(exc).lower()
    if not isinstance(exc, (OSError, sqlite3.Error)) and disk_full(exc):
        # Engines with their own SQLite or files (chromadb's Rust core) report a full disk in their own types.
        return StorageError(f"no space left to write {path} ({exc}): free some space and run again")
    if isinstance(exc, sqlite3.OperationalError):
        if "disk is full" in text or "disk i/o error" in text:
            return StorageError(
                f"no space left for the database {path} ({exc}): free some space and run again; "
                "the last transaction was rolled back"
            )
        if "locked" in text or "busy" in text:
            return StorageError(f"the database {path} is held by another synth process: wait for it and run again")
        if "readonly" in text or "read-only" in text:
            return StorageError(f"the database {path} is read-only: make it writable or set SYNTH_HOME elsewhere")
    return exc


@contextlib.contextmanager
def sqlite_transaction(conn: sqlite3.Connection, path: Path | str) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, rolling back on any failure.

    SQLite already rolls back by itself after some errors (SQLITE_FULL among them); a second
    ROLLBACK then fails with "no transaction is active" and hides the real cause, so the
    rollback runs only while a transaction is open and its own failure is never raised.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise storage_error(exc, path) from exc
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        mapped = storage_error(exc, path)
        if mapped is exc:
            raise
        raise mapped from exc


def check_output_path(output: Path, flag: str = "-o") -> None:
    """Fail before any work when `-o` cannot be written: a folder, a missing or unwritable parent folder.

    Writability is tested by creating and removing a temp file there (permission bits alone say nothing for
    root, and nothing about read-only file systems).
    """
    if output.is_dir():
        raise UserError(f"{flag} {output} is a folder: pass a file path, e.g. {flag} {output / 'out.md'}")
    parent = output.parent
    if not parent.exists():
        raise UserError(f"{flag} {output}: folder {parent} does not exist: create it first or write somewhere else")
    if not parent.is_dir():
        raise UserError(f"{flag} {output}: {parent} is a file, not a folder: pass a path in an existing folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".probe", dir=parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise UserError(
            f"{flag} {output}: cannot write in {parent} ({exc.strerror or exc}): pass {flag} in a writable folder"
        ) from exc


def check_output_dir(output: Path, flag: str = "-o") -> None:
    """Fail before any work when a run folder cannot be made or written: a file in its place or above it, or
    a read-only or unwritable place.

    A folder that does not exist yet is fine (its writes create it, parents included), so the probe is a temp
    folder made and removed in the nearest folder that exists: creating a folder there needs the same rights as
    creating the run's files, and unlike permission bits it also tells root about read-only file systems.
    """
    if os.path.lexists(output) and not output.is_dir():
        raise UserError(
            f"{flag} {output} is a file, not a folder: pass a folder for the run (a missing one is created)"
        )
    existing = output
    while not os.path.lexists(existing):
        existing = existing.parent
    if not existing.is_dir():
        raise UserError(f"{flag} {output}: {existing} is a file, not a folder: pass a path under a folder")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".synth-probe-", dir=existing))
    except OSError as exc:
        raise UserError(
            f"{flag} {output}: cannot write in {existing} ({exc.strerror or exc}): pass {flag} in a writable folder"
        ) from exc


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    except OSError as exc:
        mapped = storage_error(exc, path)
        if mapped is exc:
            raise
        raise mapped from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        mapped = storage_error(exc, path)
        if mapped is exc:
            raise
        raise mapped from exc
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))
