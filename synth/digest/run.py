"""One digest run: scan the corpus, run the report, compare with the last run, commit everything at once.

Crash safety: the report and the digest are built in a staging folder
(`digests/NAME/.staging/`); all database writes of the run go into one
transaction; the staging folder is renamed to `digests/NAME/runs/<UTC time>/`
inside that transaction, just before COMMIT, and removed again if the commit
fails. A process killed at any point therefore leaves the database as it was;
whatever folder it leaves behind (a staging folder, or a renamed run folder
that no committed run names) is removed by the next run of the digest, under
its lock.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from synth.core.digest import DigestReport, NewPaper
from synth.core.run import FORMATS
from synth.digest import adapters
from synth.digest.drift import claim_states, compute_drift, fingerprint, new_papers
from synth.digest.records import CorpusScanner, DigestOutcome, ReportRunner, Reverifier
from synth.digest.store import (
    DigestSpec,
    SeenPaper,
    Store,
    digest_dir,
    iso,
    lock_path,
    parse_iso,
    utcnow,
)
from synth.errors import UserError


@contextmanager
def digest_lock(root: Path, name: str) -> Iterator[Path]:
    """Held for the whole run: a second run of the same digest (any process) fails at once."""
    from filelock import FileLock, Timeout

    path = lock_path(root, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except Timeout as exc:
        raise UserError(f"digest {name} is already running (lock {path}); wait for it or remove a stale lock") from exc
    try:
        yield path
    finally:
        lock.release()


def nothing_new_message(store: Store, name: str, since: str) -> str:
    last = store.last_run(name)
    papers = len({p.doc_id for p in store.papers_seen(name)})
    claims = len(store.claims_of(last.id)) if last else 0
    return f"nothing new since {_show_time(since)} ({papers} papers, {claims} claims tracked)"


def run_digest(
    spec: DigestSpec,
    settings: Any,
    store: Store,
    *,
    runner: ReportRunner | None = None,
    scanner: CorpusScanner | None = None,
    reverify: Reverifier | None = None,
    progress: Any = None,
    checkpoint: Callable[[str], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> DigestOutcome:
    """Run one digest under its lock; `checkpoint(stage)` is called between steps (tests inject crashes there).

    `runner` and `scanner` default to the real report pipeline and ingest, looked up in `adapters` at call
    time so that tests can stand in for them there. `reverify` defaults to the real verifier when the real
    pipeline runs (a fake runner gets none).
    """
    step = checkpoint or (lambda stage: None)
    runner = runner or adapters.pipeline_runner
    scanner = scanner or adapters.ingest_scanner
    if reverify is None and runner is adapters.pipeline_runner:
        reverify = adapters.pipeline_reverifier
    say = log or (lambda message: None)
    root = store.root
    with digest_lock(root, spec.name):
        base = digest_dir(root, spec.name)
        _reconcile(store, base, spec.name, say)
        started = utcnow()
        options = spec.options
        papers = scanner(settings, [Path(p) for p in options.corpus])
        step("scanned")
        fp = fingerprint(options.question, options, settings.settings_md5, papers)
        last = store.last_run(spec.name)
        online = not settings.offline and options.arxiv and adapters.arxiv_reachable(settings)
        if last is not None and last.corpus_fingerprint == fp and not online:
            store.set_checked(spec.name, started)
            return DigestOutcome(
                name=spec.name, status="unchanged", message=nothing_new_message(store, spec.name, last.started)
            )
        staging = base / ".staging" / f"{started.strftime('%Y%m%dT%H%M%S%fZ')}-{os.getpid()}"
        staging.mkdir(parents=True)
        try:
            report_run = runner(options.question, settings, options, staging, progress=progress)
            step("reported")
            seen = store.papers_seen(spec.name)
            scanned = papers + (adapters.arxiv_papers(report_run) if online else [])
            claims = claim_states(report_run)
            drift = compute_drift(
                store.claims_of(last.id) if last else None, claims, spec.drift_threshold,
                store.claim_ids_seen(spec.name),
            )  # fmt: skip
            if reverify is not None and drift.disappeared:
                again = reverify(settings, options, drift.disappeared)
                moved = compute_drift(drift.disappeared, again, spec.drift_threshold)
                drift.changed.extend(moved.changed)
                drift.reverified = len(again)
                claims = claims + again  # still tracked: the next run compares them again
            step("reverified")
            # The first run sets the baseline: the whole corpus is not "new" (later runs list what arrived).
            fresh = [
                NewPaper(doc_id=p.doc_id, title=p.title, path=p.path, arxiv_id=p.arxiv_id, source=p.source, status=s)
                for p, s in new_papers(seen, scanned)
            ] if last is not None else []  # fmt: skip
            runs_dir = base / "runs"
            final = _free_name(runs_dir, started.strftime("%Y%m%dT%H%M%SZ"))
            report = DigestReport(
                digest=spec.name, question=options.question, cron=spec.cron, started=iso(started), finished="",
                online=online, previous_run=last.started if last else None,
                previous_digest=f"../{Path(last.report_dir).name}/digest.md" if last else None,
                papers_scanned=len(scanned), new_papers=fresh, drift=drift, claims=len(claims),
                report_files=[f"report.{f}" for f in FORMATS if (staging / f"report.{f}").is_file()],
                report_run_id=report_run.run_id, notes=list(report_run.notes), settings_md5=settings.settings_md5,
                fingerprint=fp,
            )  # fmt: skip
            if online and last is not None and last.corpus_fingerprint == fp and report.unchanged:
                store.set_checked(spec.name, started)
                return DigestOutcome(
                    name=spec.name, status="unchanged", message=nothing_new_message(store, spec.name, last.started)
                )
            finished = utcnow()
            report.finished = iso(finished)
            _write_digest(report, staging)
            step("rendered")
            seen_now = [SeenPaper(doc_id=p.doc_id, content_hash=p.content_hash, title=p.title) for p in scanned]
            run_id = _commit(
                store, spec, staging, final, step, started=started, finished=finished, fingerprint=fp,
                summary=report.summary(), papers=seen_now, claims=claims,
            )  # fmt: skip
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            _remove_if_empty(staging.parent)
    return DigestOutcome(
        name=spec.name, status="ran", message=describe(report, final), run_id=run_id, run_dir=final, report=report
    )


def _commit(
    store: Store,
    spec: DigestSpec,
    staging: Path,
    final: Path,
    step: Callable[[str], None],
    **row: Any,
) -> int:
    """One transaction: rows in, folder renamed into place, COMMIT; on any failure, folder out and ROLLBACK."""
    moved = False
    try:
        with store.transaction() as tx:
            run_id = store.insert_run(tx, spec.name, report_dir=final, **row)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.rename(staging, final)
            moved = True
            step("renamed")
    except BaseException:
        if moved:
            shutil.rmtree(final, ignore_errors=True)
        raise
    return run_id


def _write_digest(report: DigestReport, folder: Path) -> None:
    from synth.io import atomic_write_text
    from synth.render.digest import render_json, render_markdown

    atomic_write_text(folder / "digest.md", render_markdown(report))
    atomic_write_text(folder / "digest.json", render_json(report))


def _reconcile(store: Store, base: Path, name: str, say: Callable[[str], None]) -> None:
    """Remove what a killed run left: staging folders and run folders no committed run names."""
    staging = base / ".staging"
    if staging.is_dir() and any(staging.iterdir()):
        say(f"removed the leftovers of an interrupted run of {name}")
    shutil.rmtree(staging, ignore_errors=True)
    runs_dir = base / "runs"
    if not runs_dir.is_dir():
        return
    known = {Path(r.report_dir).name for r in store.runs(name)}
    for child in runs_dir.iterdir():
        if child.name not in known:
            say(f"removed {child}: a run killed before it committed")
            shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)


def _free_name(folder: Path, stem: str) -> Path:
    candidate, n = folder / stem, 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{stem}-{n}"
    return candidate


def _remove_if_empty(folder: Path) -> None:
    with suppress(OSError):
        folder.rmdir()


def _show_time(stamp: str) -> str:
    return parse_iso(stamp).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def describe(report: DigestReport, run_dir: Path) -> str:
    d = report.drift
    if d.first_run:
        where = run_dir / "digest.md"
        return f"first run: {report.papers_scanned} papers as the baseline, {len(d.new)} claims -> {where}"
    return (
        f"{len(report.new_papers)} new papers, {len(d.new)} new claims, {len(d.changed)} drifted, "
        f"{len(d.disappeared)} disappeared -> {run_dir / 'digest.md'}"
    )
