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
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from synth.digest.store import (
    ClaimState,
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
from synth.synthesize.records import ReportOptions, ReportRun

SCHEMA_VERSION = 1
REPORT_FORMATS = ("md", "html", "json", "txt")


# --- inputs -----------------------------------------------------------------------------------------------------------


class CorpusPaper(BaseModel):
    """A document the digest scanned: a corpus file, or (online) an arXiv paper the report retrieved."""

    doc_id: str
    content_hash: str
    title: str = ""
    path: str | None = None
    arxiv_id: str | None = None
    source: Literal["local", "arxiv"] = "local"


class ReportRunner(Protocol):
    """Runs the full report into `run_dir` (artefacts and report.md/.html/...) and returns it."""

    def __call__(
        self, question: str, settings: Any, options: ReportOptions, run_dir: Path, *, progress: Any = None
    ) -> ReportRun: ...


class CorpusScanner(Protocol):
    """Brings the corpus folders up to date and lists their documents."""

    def __call__(self, settings: Any, folders: list[Path]) -> list[CorpusPaper]: ...


class Reverifier(Protocol):
    """Verifies earlier claims again against the corpus as it is now (same checkers as the report)."""

    def __call__(self, settings: Any, options: ReportOptions, claims: list[ClaimState]) -> list[ClaimState]: ...


def pipeline_reverifier(settings: Any, options: ReportOptions, claims: list[ClaimState]) -> list[ClaimState]:
    """Each claim re-verified: its paper first, then the rest of the corpus (what the report's verify stage does).

    NOTE: a report keeps its top-N claims, so a claim whose paper changed often drops out of the
    new report; verifying it again is what lets the digest say its verdict moved.
    """
    if not claims:
        return []
    from synth.verify.factory import build_verifier
    from synth.verify.service import EvidencePolicy, VerifyContext, verify_claim

    retriever = shared_retriever(settings)
    catalog = retriever.index.catalog
    verifier, _ = build_verifier(settings, embedder=retriever.index.embedder, judge=options.judge)
    context = VerifyContext.of(verifier, retriever)
    out = []
    for c in claims:
        source = c.doc_id if c.doc_id and catalog.get_document(c.doc_id) is not None else None
        # The claim's sentence is not kept, so a best window that restates it stands in for it (as in the report).
        policy = EvidencePolicy(
            source_doc_ids=frozenset({source} if source else ()), k=settings.verify.candidate_chunks,
            source_missing=bool(c.doc_id) and source is None, attribute_if_restated=True,
        )  # fmt: skip
        result = verify_claim(c.text, policy, context)
        out.append(c.model_copy(update={"label": result.label, "confidence": round(result.confidence, 4)}))
    return out


def pipeline_runner(
    question: str, settings: Any, options: ReportOptions, run_dir: Path, *, progress: Any = None
) -> ReportRun:
    """The real `synth report` pipeline, then its renderers, into `run_dir`."""
    from synth.report.pipeline import run_report
    from synth.report.render import write_reports

    run = run_report(question, settings, options, run_dir, progress=progress, retriever=shared_retriever(settings))
    write_reports(run, run_dir, list(options.formats))
    return run


_RETRIEVERS: dict[tuple[str, int], tuple[int, Any]] = {}


def shared_retriever(settings: Any) -> Any:
    """One retriever per index (and thread) while its catalog is unchanged.

    NOTE: a digest run reports and then re-verifies earlier claims against the same index;
    opening it twice loaded MiniLM and the BM25 index twice, and the report re-ingested
    folders the scanner had just ingested. `serve` keeps it between scheduled runs; a
    changed catalog (new papers) opens a fresh one.
    """
    import threading

    from synth.retrieve import open_retriever

    key = (str(settings.index_dir), threading.get_ident())
    cached = _RETRIEVERS.get(key)
    if cached is not None:
        generation, retriever = cached
        if retriever.index.catalog.generation == generation:
            return retriever
        retriever.index.close()
    retriever = open_retriever(settings)
    _RETRIEVERS[key] = (retriever.index.catalog.generation, retriever)
    return retriever


def ingest_scanner(settings: Any, folders: list[Path]) -> list[CorpusPaper]:
    """Ingest the folders incrementally (unchanged files are skipped) and list the catalog documents in them."""
    from synth.corpus.catalog import Catalog
    from synth.corpus.ingest import ingest
    from synth.corpus.open import open_index

    if not folders:
        return []
    index = open_index(settings)
    try:
        report = ingest(folders, index, settings.corpus)
    finally:
        index.close()
    ids = {o.doc_id for o in report.outcomes if o.doc_id and o.status != "failed"}
    roots = [f.resolve() for f in folders]
    catalog = Catalog(settings.index_dir / "catalog.sqlite")
    try:
        docs = [d for d in catalog.documents() if d.doc_id in ids or _under(Path(d.path), roots)]
    finally:
        catalog.close()
    return [
        CorpusPaper(doc_id=d.doc_id, content_hash=d.content_hash, title=d.title, path=d.path, arxiv_id=d.arxiv_id)
        for d in docs
    ]


def _under(path: Path, roots: list[Path]) -> bool:
    return any(path == r or path.is_relative_to(r) for r in roots)


def fingerprint(question: str, options: ReportOptions, settings_md5: str, papers: list[CorpusPaper]) -> str:
    """What the report depends on that a digest can see before running it."""
    payload = {
        "question": question,
        "options": options.model_dump(mode="json"),
        "settings_md5": settings_md5,
        "corpus": sorted((p.doc_id, p.content_hash) for p in papers),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


# --- drift (pure) -----------------------------------------------------------------------------------------------------


class ClaimChange(BaseModel):
    before: ClaimState
    after: ClaimState

    @property
    def label_changed(self) -> bool:
        return self.before.label != self.after.label

    @property
    def delta(self) -> float:
        return round(self.after.confidence - self.before.confidence, 4)


class Drift(BaseModel):
    """How this run's claims differ from the last successful run's (matched by claim id)."""

    first_run: bool
    threshold: float
    new: list[ClaimState] = Field(default_factory=list)
    returning: list[str] = Field(default_factory=list, description="Ids of new claims an earlier run had seen.")
    changed: list[ClaimChange] = Field(default_factory=list, description="Label changed or confidence moved.")
    disappeared: list[ClaimState] = Field(default_factory=list, description="Listed, not counted as drift.")
    unchanged: int = 0
    reverified: int = Field(
        0, description="Earlier claims missing from this report, verified again against the current corpus."
    )


def compute_drift(
    previous: list[ClaimState] | None,
    current: list[ClaimState],
    threshold: float,
    seen_before: set[str] | frozenset[str] = frozenset(),
) -> Drift:
    """New claims, claims whose label changed or whose confidence moved by >= threshold, claims gone.

    `previous` is None on the first run (every claim is new). `seen_before` are
    claim ids of any earlier run: a new claim among them is marked returning.
    """
    before = {c.claim_id: c for c in previous or []}
    now = {c.claim_id: c for c in current}
    drift = Drift(first_run=previous is None, threshold=threshold)
    for cid, claim in now.items():
        old = before.get(cid)
        if old is None:
            drift.new.append(claim)
            if cid in seen_before:
                drift.returning.append(cid)
        elif old.label != claim.label or round(abs(claim.confidence - old.confidence), 6) >= threshold:
            drift.changed.append(ClaimChange(before=old, after=claim))
        else:
            drift.unchanged += 1
    drift.disappeared = [c for cid, c in before.items() if cid not in now]
    return drift


def new_papers(seen: list[SeenPaper], current: list[CorpusPaper]) -> list[tuple[CorpusPaper, str]]:
    """Papers not seen by an earlier run, each with `new` or `updated` (same id, other content)."""
    pairs = {(p.doc_id, p.content_hash) for p in seen}
    ids = {p.doc_id for p in seen}
    return [(p, "updated" if p.doc_id in ids else "new") for p in current if (p.doc_id, p.content_hash) not in pairs]


def claim_states(run: ReportRun) -> list[ClaimState]:
    out: dict[str, ClaimState] = {}
    for rc in run.claims:
        prov = rc.claim.provenance
        paper = run.paper(rc.paper)
        doc_id = prov.doc_id if prov is not None else (paper.doc_id if paper else None)
        state = ClaimState(
            claim_id=rc.claim.claim_id, text=rc.claim.text, label=rc.label, confidence=round(rc.confidence, 4),
            doc_id=doc_id, page=prov.page if prov is not None else None,
        )  # fmt: skip
        out.setdefault(state.claim_id, state)
    return list(out.values())


def arxiv_papers(run: ReportRun) -> list[CorpusPaper]:
    if run.retrieval is None:
        return []
    return [
        CorpusPaper(
            doc_id=p.doc_id,
            content_hash=f"arxiv:{p.arxiv_id or p.doc_id}",
            title=p.title,
            path=p.path,
            arxiv_id=p.arxiv_id,
            source="arxiv",
        )
        for p in run.retrieval.papers
        if p.source == "arxiv"
    ]


# --- the digest report ------------------------------------------------------------------------------------------------


class NewPaper(BaseModel):
    doc_id: str
    title: str
    path: str | None = None
    arxiv_id: str | None = None
    source: str = "local"
    status: Literal["new", "updated"] = "new"


class DigestReport(BaseModel):
    schema_version: int = SCHEMA_VERSION
    digest: str
    question: str
    cron: str
    started: str
    finished: str
    online: bool
    previous_run: str | None = Field(None, description="Start time of the run this one is compared with.")
    previous_digest: str | None = Field(None, description="Relative path to the previous run's digest.md.")
    papers_scanned: int = 0
    new_papers: list[NewPaper] = Field(default_factory=list)
    drift: Drift
    claims: int = 0
    report_files: list[str] = Field(default_factory=list, description="The full report, relative to this folder.")
    report_run_id: str = ""
    notes: list[str] = Field(default_factory=list)
    settings_md5: str = ""
    fingerprint: str = ""

    @property
    def unchanged(self) -> bool:
        d = self.drift
        return not (self.drift.first_run or self.new_papers or d.new or d.changed or d.disappeared)

    def summary(self) -> dict[str, int | bool | str]:
        d = self.drift
        return {
            "papers_scanned": self.papers_scanned, "new_papers": len(self.new_papers), "claims": self.claims,
            "new_claims": len(d.new), "drifted": len(d.changed), "disappeared": len(d.disappeared),
            "first_run": d.first_run, "report_run_id": self.report_run_id,
        }  # fmt: skip


class DigestOutcome(BaseModel):
    name: str
    status: Literal["ran", "unchanged"]
    message: str
    run_id: int | None = None
    run_dir: Path | None = None
    report: DigestReport | None = None


# --- one run ----------------------------------------------------------------------------------------------------------


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
    runner: ReportRunner = pipeline_runner,
    scanner: CorpusScanner = ingest_scanner,
    reverify: Reverifier | None = None,
    progress: Any = None,
    checkpoint: Callable[[str], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> DigestOutcome:
    """Run one digest under its lock; `checkpoint(stage)` is called between steps (tests inject crashes there).

    `reverify` defaults to the real verifier when the real pipeline runs (a fake runner gets none).
    """
    step = checkpoint or (lambda stage: None)
    if reverify is None and runner is pipeline_runner:
        reverify = pipeline_reverifier
    say = log or (lambda message: None)
    root = store.root
    with digest_lock(root, spec.name):
        base = digest_dir(root, spec.name)
        _reconcile(store, base, spec.name, say)
        started = utcnow()
        papers = scanner(settings, [Path(p) for p in spec.corpus])
        step("scanned")
        options = spec.report_options()
        fp = fingerprint(spec.question, options, settings.settings_md5, papers)
        last = store.last_run(spec.name)
        online = not settings.offline and spec.arxiv and _arxiv_reachable(settings)
        if last is not None and last.corpus_fingerprint == fp and not online:
            store.set_checked(spec.name, started)
            return DigestOutcome(
                name=spec.name, status="unchanged", message=nothing_new_message(store, spec.name, last.started)
            )
        staging = base / ".staging" / f"{started.strftime('%Y%m%dT%H%M%S%fZ')}-{os.getpid()}"
        staging.mkdir(parents=True)
        try:
            report_run = runner(spec.question, settings, options, staging, progress=progress)
            step("reported")
            seen = store.papers_seen(spec.name)
            scanned = papers + (arxiv_papers(report_run) if online else [])
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
                digest=spec.name, question=spec.question, cron=spec.cron, started=iso(started), finished="",
                online=online, previous_run=last.started if last else None,
                previous_digest=f"../{Path(last.report_dir).name}/digest.md" if last else None,
                papers_scanned=len(scanned), new_papers=fresh, drift=drift, claims=len(claims),
                report_files=[f"report.{f}" for f in REPORT_FORMATS if (staging / f"report.{f}").is_file()],
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


def _arxiv_reachable(settings: Any) -> bool:
    """A 3 s probe: with arXiv unreachable a re-run with an unchanged corpus is 'nothing new' without recomputing
    the report (it would find no arXiv result either)."""
    from synth.report.retrieval import reachable

    return reachable(settings.arxiv.query_url_format, timeout=min(3.0, settings.arxiv.timeout_seconds)) is None


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
    from synth.digest.render import render_json, render_markdown
    from synth.io import atomic_write_text

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
