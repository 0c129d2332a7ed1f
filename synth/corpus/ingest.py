"""Incremental ingest: files -> parsed documents -> chunks -> vectors + catalog.

Files are parsed in worker processes while the main process embeds, and each
document is committed on its own: one bad PDF is reported and skipped, and a
process killed midway leaves every committed document intact (see
`CorpusIndex.reconcile` for the rest).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path

from pydantic import BaseModel, Field

from synth.core.documents import Chunk, Document, Page
from synth.corpus.chunking import chunk_document
from synth.corpus.index import CorpusIndex, doc_profile, indexed_text
from synth.corpus.readers import ReaderError, file_sha256, read_document, supported
from synth.corpus.sections import detect_sections, split_bibliography
from synth.corpus.tables import page_tables
from synth.errors import UserError
from synth.settings import CorpusSettings
from synth.sources.sidecar import read_sidecar


class FileOutcome(BaseModel):
    path: str
    status: str = Field(description="added, updated, unchanged, duplicate, failed")
    doc_id: str | None = None
    detail: str = ""
    pages: int = 0
    chunks: int = 0


class IngestReport(BaseModel):
    outcomes: list[FileOutcome] = Field(default_factory=list)
    seconds: float = 0.0
    repaired: dict[str, int] = Field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def pages_indexed(self) -> int:
        return sum(o.pages for o in self.outcomes if o.status in {"added", "updated"})


# Bumped when reading or chunking changes what a document's chunks hold; older documents are re-read.
# 2: table chunks (rows and column labels from pypdf's layout mode).
# 3: names broken at a line end joined ("EAGLE- 3"); 4: a title block never holds the abstract;
# 5: running headers and page numbers dropped.
PARSER_VERSION = 5


class Parsed(BaseModel):
    document: Document
    pages: list[Page]
    chunks: list[Chunk]


class IngestError(UserError):
    """A path given to ingest does not exist or holds nothing readable."""


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise IngestError(f"{path}: no such file or folder; pass a PDF/Markdown/LaTeX/text file or a folder")
        if path.is_dir():
            files.extend(p for p in sorted(path.rglob("*")) if p.is_file() and supported(p))
        elif supported(path):
            files.append(path)
        else:
            raise IngestError(f"{path}: unsupported file type; use .pdf, .md, .tex or .txt")
    seen: set[Path] = set()
    unique = []
    for f in files:
        resolved = f.resolve()
        if resolved not in seen:
            seen.add(resolved)
            unique.append(resolved)
    return unique


def printable_path(path: Path) -> str:
    """The path as text that can be stored and printed: undecodable bytes of a file name as \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _name_problem(path: Path) -> str | None:
    """Why a path cannot be indexed by name, or None.

    The catalog keys documents by path in UTF-8; a name holding other bytes (say Latin-1
    `caf\\xe9.md`) cannot be stored, so that one file is skipped with the fix, not the folder.
    """
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return "the file name is not valid UTF-8; rename it (e.g. `convmv -f latin1 -t utf8 --notest FILE`)"
    return None


SIZE_LIMIT_REASON = "larger than corpus.max_file_mb"


def _size_problem(path: Path, max_mb: float) -> str | None:
    size_mb = path.stat().st_size / (1024 * 1024)
    if size_mb <= max_mb:
        return None
    return (
        f"{SIZE_LIMIT_REASON} ({size_mb:.1f} MB > {max_mb:g} MB); raise it to index this file, e.g. "
        f"SYNTH_CORPUS__MAX_FILE_MB={int(size_mb) + 1}"
    )


def doc_id_for(arxiv_id: str | None, content_hash: str) -> str:
    return arxiv_id.replace("/", "_") if arxiv_id else f"sha-{content_hash[:16]}"


def parse_file(path: str, content_hash: str, chunking: dict[str, int]) -> Parsed:
    """Runs in a worker process: read, find sections, split off the bibliography, chunk."""
    parsed = read_document(Path(path), content_hash)
    side = read_sidecar(Path(path))
    parsed.title = side.get("title") or parsed.title
    parsed.authors = side.get("authors") or parsed.authors
    parsed.year = side.get("year") or parsed.year
    parsed.arxiv_id = side.get("arxiv_id") or parsed.arxiv_id
    doc_id = doc_id_for(parsed.arxiv_id, content_hash)
    sections = detect_sections(parsed.pages)
    chunks, bibliography = chunk_document(doc_id, parsed.pages, sections, **chunking)
    if not chunks:
        raise ReaderError("no searchable text after removing the reference list")
    chunks += page_tables(doc_id, parsed, len(chunks), chunking["chunk_words"])
    title = parsed.title or Path(path).stem
    document = Document(
        doc_id=doc_id,
        path=parsed.path,
        content_hash=content_hash,
        format=parsed.format,
        title=title,
        authors=parsed.authors,
        year=parsed.year,
        arxiv_id=parsed.arxiv_id,
        n_pages=len(parsed.pages),
        bibliography=split_bibliography(bibliography),
        sections=sections,
        source=side.get("source", "local"),
        parser=PARSER_VERSION,
    )
    return Parsed(document=document, pages=parsed.pages, chunks=chunks)


def _watch_parent(parent_pid: int) -> None:
    """Worker initializer: exit when the ingesting process is gone (e.g. killed with SIGKILL),
    so no orphaned parser keeps running or holds the caller's pipes open.

    A killed process stays a zombie until reaped, so `kill(pid, 0)` is not
    enough; the forkserver (our parent) exits as soon as the ingesting
    process dies, which re-parents us, and that change is what we watch.
    """
    launcher = os.getppid()
    has_proc = os.path.exists(f"/proc/{parent_pid}/stat")

    def watch() -> None:
        while True:
            time.sleep(0.3)
            if os.getppid() != launcher:
                os._exit(1)
            if not has_proc:
                continue
            try:
                with open(f"/proc/{parent_pid}/stat") as fh:
                    if fh.read().split(") ")[-1].startswith("Z"):
                        os._exit(1)
            except FileNotFoundError:
                os._exit(1)
            except OSError:
                pass

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def _fault_point(fault: str, name: str, count: int) -> None:
    """Fault injection for crash tests: `fault` (the `fault` setting, SYNTH_FAULT=kill-after-vectors:N) kills
    the process after the N-th document's vectors are stored and before its catalog commit."""
    if fault.startswith(name + ":") and count >= int(fault.split(":")[1]):
        os.kill(os.getpid(), signal.SIGKILL)


def ingest(
    paths: Iterable[Path],
    index: CorpusIndex,
    settings: CorpusSettings,
    on_progress: Callable[[FileOutcome, int, int], None] | None = None,
    source: str = "local",
    fault: str = "",
) -> IngestReport:
    started = time.perf_counter()
    files = expand_paths(paths)
    report = IngestReport()
    chunking = {
        "chunk_words": settings.chunk_words,
        "overlap_sentences": settings.overlap_sentences,
        "min_chunk_words": settings.min_chunk_words,
    }
    with index.lock(timeout=60):
        if index.dirty:
            report.repaired = index.reconcile()
        todo: list[tuple[Path, str, str]] = []  # (path, hash, status if indexed)
        for path in files:
            problem = _name_problem(path)
            if problem is not None:  # not recorded: the catalog cannot store this name
                _emit(report, FileOutcome(path=printable_path(path), status="failed", detail=problem),
                      on_progress, len(files))  # fmt: skip
                continue
            digest = file_sha256(path)
            known = index.catalog.doc_for_hash(digest)
            if known is not None and _outdated(index, known[0]):
                todo.append((path, digest, "updated"))
                continue
            if known is not None:
                doc_id, known_path = known
                status, detail = "unchanged", ""
                if known_path != str(path) and Path(known_path).exists():
                    status, detail = "duplicate", f"same content as {known_path}"
                elif known_path != str(path):  # the file was moved or renamed: follow it, no re-embedding
                    index.catalog.move_document(doc_id, str(path))
                    detail = f"moved from {known_path}"
                _emit(report, FileOutcome(path=str(path), status=status, doc_id=doc_id, detail=detail),
                      on_progress, len(files))  # fmt: skip
                continue
            too_large = _size_problem(path, settings.max_file_mb)
            if too_large is not None:
                index.catalog.record_failure(str(path), digest, too_large)
                _emit(report, FileOutcome(path=str(path), status="failed", detail=too_large), on_progress, len(files))
                continue
            previous_failure = index.catalog.failure_for(str(path), digest)
            if previous_failure is not None and not previous_failure.startswith(SIZE_LIMIT_REASON):
                _emit(report, FileOutcome(path=str(path), status="failed", detail=previous_failure),
                      on_progress, len(files))  # fmt: skip
                continue
            replaced = index.catalog.conn.execute("SELECT 1 FROM documents WHERE path = ?", (str(path),)).fetchone()
            todo.append((path, digest, "updated" if replaced else "added"))
        if todo:
            _ = index.embedder  # a missing embedding model fails here, before any parsing work
            index.check_embedding_key()
            index.mark_dirty(True)
            _ingest_files(todo, index, chunking, report, on_progress, len(files), source, settings.workers, fault)
            index.rebuild_lexical()
            index.mark_dirty(False)
    report.seconds = time.perf_counter() - started
    return report


def _outdated(index: CorpusIndex, doc_id: str) -> bool:
    """Indexed by older reading code (no table chunks, say): re-read it, as if the file had changed."""
    doc = index.catalog.get_document(doc_id)
    return doc is not None and doc.parser < PARSER_VERSION


def _emit(
    report: IngestReport,
    outcome: FileOutcome,
    on_progress: Callable[[FileOutcome, int, int], None] | None,
    total: int,
) -> None:
    report.outcomes.append(outcome)
    if on_progress:
        on_progress(outcome, len(report.outcomes), total)


def _worker_count(requested: int, jobs: int) -> int:
    cores = os.cpu_count() or 1
    return max(1, min(jobs, requested or min(4, cores)))


def _ingest_files(
    todo: list[tuple[Path, str, str]],
    index: CorpusIndex,
    chunking: dict[str, int],
    report: IngestReport,
    on_progress: Callable[[FileOutcome, int, int], None] | None,
    total: int,
    source: str,
    workers: int,
    fault: str,
) -> None:
    # NOTE: forkserver, not fork: the main process loads torch for embedding, and
    # forking a process with live OpenMP threads can deadlock the child.
    ctx = multiprocessing.get_context("forkserver")
    pool = ProcessPoolExecutor(
        max_workers=_worker_count(workers, len(todo)),
        mp_context=ctx,
        initializer=_watch_parent,
        initargs=(os.getpid(),),
    )
    with pool:
        futures: dict[Future[Parsed], tuple[Path, str, str]] = {
            pool.submit(parse_file, str(path), digest, chunking): (path, digest, status)
            for path, digest, status in todo
        }
        for future in as_completed(futures):
            path, digest, status = futures[future]
            try:
                parsed = future.result()
            except ReaderError as exc:
                index.catalog.record_failure(str(path), digest, str(exc))
                _emit(report, FileOutcome(path=str(path), status="failed", detail=str(exc)), on_progress, total)
                continue
            except Exception as exc:  # a reader bug must not stop the other files
                reason = f"{type(exc).__name__}: {exc}"
                index.catalog.record_failure(str(path), digest, reason)
                _emit(report, FileOutcome(path=str(path), status="failed", detail=reason), on_progress, total)
                continue
            if source != "local":
                parsed.document.source = source
            doc_id = _store(parsed, index, fault)
            _emit(
                report,
                FileOutcome(
                    path=str(path), status=status, doc_id=doc_id,
                    pages=len(parsed.pages), chunks=len(parsed.chunks),
                ),
                on_progress, total,
            )  # fmt: skip


_committed = 0


def _unique_ids(parsed: Parsed, index: CorpusIndex) -> Parsed:
    """Two different files claiming one arXiv id (say v1 and v2 in different folders) would
    replace each other on every run; the second one gets the id plus a hash suffix instead."""
    doc = parsed.document
    existing = index.catalog.get_document(doc.doc_id)
    if existing is None or existing.path == doc.path or not Path(existing.path).exists():
        return parsed
    new_id = f"{doc.doc_id}~{doc.content_hash[:8]}"
    chunks = [
        c.model_copy(update={"doc_id": new_id, "chunk_id": new_id + c.chunk_id[len(doc.doc_id) :]})
        for c in parsed.chunks
    ]
    return Parsed(document=doc.model_copy(update={"doc_id": new_id}), pages=parsed.pages, chunks=chunks)


def _store(parsed: Parsed, index: CorpusIndex, fault: str = "") -> str:
    """Vectors first, catalog commit last: the catalog transaction is the commit point."""
    global _committed
    parsed = _unique_ids(parsed, index)
    doc = parsed.document
    profile = doc_profile(doc, parsed.chunks)
    texts = [indexed_text(c, doc.title) for c in parsed.chunks] + [profile]
    vectors = index.embedder.embed_stored(texts)
    profile_vector, vectors = vectors[-1], vectors[:-1]
    stale = {r[0] for r in index.catalog.conn.execute("SELECT doc_id FROM documents WHERE path = ?", (doc.path,))}
    for doc_id in stale | {doc.doc_id}:
        index.dense.delete_doc(doc_id)
    index.dense.add([c.chunk_id for c in parsed.chunks], vectors, [doc.doc_id] * len(parsed.chunks))
    _committed += 1
    _fault_point(fault, "kill-after-vectors", _committed)
    index.catalog.put_document(doc, parsed.pages, parsed.chunks, (profile, profile_vector.astype("float32").tobytes()))
    return doc.doc_id
