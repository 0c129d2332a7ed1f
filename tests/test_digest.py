"""Scheduled research digests: drift, idempotence, crash safety, the lock, the CLI and `serve`.

All but the last test use a fake report runner (hand-built ReportRuns) and a
scanner that hashes the corpus files without ingesting them, so they need no
model; the last one runs the real report pipeline on three small papers.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synth.core.claims import Claim, Provenance, Verdict, VerdictLabel
from synth.core.digest import ClaimState
from synth.core.run import PaperRef, ReportClaim, ReportOptions, ReportRun, RetrievalResult
from synth.digest import adapters
from synth.digest.drift import compute_drift, new_papers
from synth.digest.records import CorpusPaper
from synth.digest.run import run_digest
from synth.digest.schedule import cron_trigger, is_due, next_fire, on_calendar, serve, validate_cron
from synth.digest.store import DigestSpec, SeenPaper, Store
from synth.errors import UserError
from synth.hashing import sha256_file
from synth.settings import SynthSettings
from tests.conftest import PAPERS, ROOT

QUESTION = "How much faster is speculative decoding?"


# --- fakes ------------------------------------------------------------------------------------------------------------


def file_scanner(settings: object, folders: list[Path]) -> list[CorpusPaper]:
    """The corpus as files: no ingest, no model (the real scanner ingests and reads the catalog)."""
    out = []
    for folder in folders:
        for f in sorted(Path(folder).iterdir()):
            if f.is_file():
                digest = sha256_file(f)
                out.append(CorpusPaper(doc_id=f"sha-{digest[:16]}", content_hash=digest, title=f.stem, path=str(f)))
    return out


class FakeRunner:
    """One claim per corpus file; verdicts from `verdicts[stem]`, files in `drop` give no claim."""

    def __init__(self, verdicts: dict[str, tuple[str, float]] | None = None) -> None:
        self.verdicts = verdicts or {}
        self.drop: set[str] = set()
        self.calls = 0
        self.fail: Exception | None = None

    def __call__(
        self, question: str, settings: object, options: ReportOptions, run_dir: Path, *, progress: object = None
    ) -> ReportRun:
        self.calls += 1
        if self.fail is not None:
            raise self.fail
        papers, claims = [], []
        files = [p for p in file_scanner(settings, [Path(c) for c in options.corpus]) if p.title not in self.drop]
        for i, paper in enumerate(files, 1):
            papers.append(PaperRef(number=i, doc_id=paper.doc_id, title=paper.title, path=paper.path))
            label, confidence = self.verdicts.get(paper.title, ("SUPPORTED", 0.8))
            claims.append(fake_claim(i, f"{paper.title} speeds up decoding.", label, confidence, paper.doc_id))
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / "report.md").write_text(f"# {question}\n")
        return ReportRun(
            run_id=f"fake-{self.calls}", question=question, created="2025-01-01T00:00:00+00:00", options=options,
            retrieval=RetrievalResult(papers=papers, corpus_documents=len(files)), claims=claims,
        )  # fmt: skip


def fake_claim(number: int, text: str, label: str, confidence: float, doc_id: str) -> ReportClaim:
    claim = Claim(text=text, provenance=Provenance(doc_id=doc_id, page=3))
    verdict = Verdict(claim_id=claim.claim_id, label=VerdictLabel(label), confidence=confidence)
    return ReportClaim(number=number, claim=claim, paper=number, verdict=verdict)


def state(claim_id: str, label: str = "SUPPORTED", confidence: float = 0.8) -> ClaimState:
    return ClaimState(claim_id=claim_id, text=f"claim {claim_id}", label=label, confidence=confidence)


@pytest.fixture()
def setup(tmp_path: Path):  # noqa: ANN201
    """Settings (offline), an open store with digest `sd` over `tmp_path/papers` holding a.txt and b.txt."""
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "a.txt").write_text("paper a")
    (folder / "b.txt").write_text("paper b")
    settings = SynthSettings(offline=True)
    store = Store.for_settings(settings)
    options = ReportOptions(question=QUESTION, corpus=[str(folder)], arxiv=False, measure="off", formats=["md", "html"])
    spec = store.add(DigestSpec(name="sd", cron="0 7 * * 1", options=options))
    yield settings, store, spec, folder
    store.close()


def run_dirs(store: Store, name: str = "sd") -> list[str]:
    runs = store.root / name / "runs"
    return sorted(p.name for p in runs.iterdir()) if runs.is_dir() else []


# --- pure parts -------------------------------------------------------------------------------------------------------


def test_drift_compares_claims_by_id() -> None:
    previous = [state("same"), state("flip"), state("up", confidence=0.70), state("noise", confidence=0.70),
                state("gone")]  # fmt: skip
    current = [state("same"), state("flip", "REFUTED"), state("up", confidence=0.80), state("noise", confidence=0.75),
               state("fresh"), state("back")]  # fmt: skip
    drift = compute_drift(previous, current, threshold=0.10, seen_before={"back", "gone"})
    assert not drift.first_run
    assert [c.claim_id for c in drift.new] == ["fresh", "back"] and drift.returning == ["back"]
    changed = {c.after.claim_id: c for c in drift.changed}
    assert set(changed) == {"flip", "up"}  # 0.70 -> 0.80 is exactly the threshold (no float slip); 0.05 is noise
    assert changed["flip"].label_changed and not changed["up"].label_changed and changed["up"].delta == 0.1
    assert [c.claim_id for c in drift.disappeared] == ["gone"] and drift.unchanged == 2
    first = compute_drift(None, current, threshold=0.10)
    assert first.first_run and len(first.new) == len(current) and not first.changed and not first.disappeared


def test_new_papers_are_unseen_ids_or_contents() -> None:
    seen = [SeenPaper(doc_id="a", content_hash="h1"), SeenPaper(doc_id="b", content_hash="h2")]
    current = [CorpusPaper(doc_id="a", content_hash="h1"), CorpusPaper(doc_id="b", content_hash="h3"),
               CorpusPaper(doc_id="c", content_hash="h4")]  # fmt: skip
    assert [(p.doc_id, status) for p, status in new_papers(seen, current)] == [("b", "updated"), ("c", "new")]


def test_cron_expressions_use_cron_weekdays() -> None:
    wednesday = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    fire = lambda expr: cron_trigger(expr, timezone="UTC").get_next_fire_time(None, wednesday)  # noqa: E731
    assert fire("0 7 * * 1").strftime("%a %H:%M") == "Mon 07:00"  # APScheduler alone would say Tuesday
    assert fire("0 7 * * 0").strftime("%a") == fire("0 7 * * 7").strftime("%a") == "Sun"
    assert fire("0 7 * * 1-5") == dt.datetime(2025, 1, 1, 7, tzinfo=dt.UTC)
    for bad in ("0 7 * *", "61 * * * *", "0 7 * * 8", "@daily"):
        with pytest.raises(UserError, match=r"invalid cron expression .*e\.g\. '0 7 \* \* 1'") as info:
            validate_cron(bad)
        assert repr(bad) in str(info.value)
    assert on_calendar("0 7 * * 1") == "Mon *-*-* 07:00:00"
    assert on_calendar("*/15 * * * *") == "*-*-* *:0/15:00"
    assert on_calendar("30 6 1 1,6 *") == "*-01,06-01 06:30:00"
    assert on_calendar("0 7 * * 5-7") == "Fri,Sat,Sun *-*-* 07:00:00"
    assert on_calendar("0 7 1 * 1") is None  # cron ORs the day fields, systemd ANDs them
    assert on_calendar("0 8-18/2 * * *") is None
    analyze = shutil.which("systemd-analyze")
    if analyze:
        for expr in ("0 7 * * 1", "*/15 * * * *", "30 6 1 1,6 *", "0 7 * * 5-7"):
            subprocess.run([analyze, "calendar", on_calendar(expr)], check=True, capture_output=True)


def test_due_when_the_schedule_fired_since_the_last_run() -> None:
    monday_7 = dt.datetime(2025, 1, 6, 7, tzinfo=dt.UTC)
    assert is_due("0 7 * * 1", None, monday_7)  # never run
    assert not is_due("0 7 * * 1", monday_7, monday_7 + dt.timedelta(days=6))
    assert is_due("0 7 * * 1", monday_7, monday_7 + dt.timedelta(days=7))
    assert next_fire("0 7 * * 1", monday_7) > monday_7


# --- runs -------------------------------------------------------------------------------------------------------------


def test_first_run_then_nothing_new(setup) -> None:  # noqa: ANN001
    settings, store, spec, _ = setup
    runner = FakeRunner()
    first = run_digest(spec, settings, store, runner=runner, scanner=file_scanner)
    assert first.status == "ran" and first.report.drift.first_run
    # The first run is the baseline: the corpus it scanned is not listed as new, its claims are.
    assert first.report.new_papers == [] and first.report.papers_scanned == 2 and len(first.report.drift.new) == 2
    text = (first.run_dir / "digest.md").read_text()
    assert "First run of this digest: the 2 papers scanned form the baseline" in text
    assert "[report.md](report.md)" in text
    assert json.loads((first.run_dir / "digest.json").read_text())["digest"] == "sd"
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again = run_digest(spec, settings, store, runner=runner, scanner=file_scanner)
    assert again.status == "unchanged" and runner.calls == 1
    assert again.message.startswith("nothing new since ") and "(2 papers, 2 claims tracked)" in again.message
    assert store.run_count("sd") == 1 and len(run_dirs(store)) == 1


def test_second_run_reports_new_papers_claims_and_drift(setup) -> None:  # noqa: ANN001
    settings, store, spec, folder = setup
    runner = FakeRunner({"a": ("SUPPORTED", 0.8), "b": ("SUPPORTED", 0.6)})
    first = run_digest(spec, settings, store, runner=runner, scanner=file_scanner)
    (folder / "c.txt").write_text("paper c")
    runner.verdicts = {"a": ("REFUTED", 0.7), "b": ("SUPPORTED", 0.75), "c": ("NOT_ENOUGH_INFO", 0.5)}
    second = run_digest(spec, settings, store, runner=runner, scanner=file_scanner)
    report = second.report
    assert [p.title for p in report.new_papers] == ["c"] and not report.drift.first_run
    assert [c.text for c in report.drift.new] == ["c speeds up decoding."]
    assert {c.after.text: (c.before.label, c.after.label) for c in report.drift.changed} == {
        "a speeds up decoding.": ("SUPPORTED", "REFUTED"), "b speeds up decoding.": ("SUPPORTED", "SUPPORTED"),
    }  # fmt: skip
    text = (second.run_dir / "digest.md").read_text()
    assert "## New papers (1)" in text and "| c | sha-" in text
    assert "| SUPPORTED 0.80 | REFUTED 0.70 | verdict SUPPORTED → REFUTED |" in text
    assert "confidence +0.15" in text
    assert f"../{first.run_dir.name}/digest.md" in text
    # a claim that drops out of the report is listed, not counted as drift
    runner.drop = {"b"}
    (folder / "d.txt").write_text("paper d")
    third = run_digest(spec, settings, store, runner=runner, scanner=file_scanner)
    assert [c.text for c in third.report.drift.disappeared] == ["b speeds up decoding."]
    assert (
        third.report.summary()["drifted"] == 0
        and "## Claims no longer in the report (1)" in (third.run_dir / "digest.md").read_text()
    )
    assert store.run_count("sd") == 3 and len(store.papers_seen("sd")) == 4


def test_unreachable_arxiv_reruns_nothing_when_the_corpus_is_unchanged(setup, monkeypatch) -> None:  # noqa: ANN001
    """Not in --offline mode but arXiv cannot be reached: an unchanged corpus is 'nothing new', no report rerun."""
    _, store, spec, _ = setup
    monkeypatch.setattr(adapters, "arxiv_reachable", lambda settings: False)
    settings = SynthSettings(offline=False)
    spec = spec.model_copy(update={"options": spec.options.model_copy(update={"arxiv": True})})
    runner = FakeRunner()
    first = run_digest(spec, settings, store, runner=runner, scanner=file_scanner)
    assert first.status == "ran" and not first.report.online
    again = run_digest(spec, settings, store, runner=runner, scanner=file_scanner)
    assert again.status == "unchanged" and runner.calls == 1


def test_online_new_papers_are_unseen_arxiv_results(setup, monkeypatch) -> None:  # noqa: ANN001
    """Online, arXiv papers the report retrieved count as new once; a rerun with nothing new records no run."""
    _, store, spec, _ = setup
    monkeypatch.setattr(adapters, "arxiv_reachable", lambda settings: True)  # the live arXiv, stood in
    settings = SynthSettings(offline=False)
    spec = spec.model_copy(update={"options": spec.options.model_copy(update={"arxiv": True})})
    arxiv = [PaperRef(number=9, doc_id="2401.15077", title="EAGLE", arxiv_id="2401.15077", source="arxiv")]

    class OnlineRunner(FakeRunner):
        def __call__(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN204
            run = super().__call__(*args, **kwargs)
            run.retrieval.papers += arxiv
            return run

    runner = OnlineRunner()
    first = run_digest(spec, settings, store, runner=runner, scanner=file_scanner)
    assert first.report.online and first.report.new_papers == [] and first.report.papers_scanned == 3  # baseline
    again = run_digest(spec, settings, store, runner=runner, scanner=file_scanner)
    assert runner.calls == 2 and again.status == "unchanged" and store.run_count("sd") == 1  # arXiv had to be asked
    arxiv.append(PaperRef(number=10, doc_id="2406.16858", title="EAGLE-2", arxiv_id="2406.16858", source="arxiv"))
    third = run_digest(spec, settings, store, runner=runner, scanner=file_scanner)
    assert [p.arxiv_id for p in third.report.new_papers] == ["2406.16858"] and store.run_count("sd") == 2
    assert "https://arxiv.org/abs/2406.16858" in (third.run_dir / "digest.md").read_text()
    assert not list((store.root / "sd").glob(".staging/*"))


OLD_ROW = {  # `digests.options` as stored before DigestSpec held a ReportOptions: the options flat, no question
    "corpus": ["/papers"], "papers": 3, "claims": 8, "measure": "all", "arxiv": False, "judge": False,
    "mode": "llm", "formats": ["md"], "drift_threshold": 0.25,
}  # fmt: skip


def test_a_digest_stored_in_the_old_flat_shape_still_reads_and_runs(setup) -> None:  # noqa: ANN001
    settings, store, _, folder = setup
    with store.transaction() as tx:
        tx.execute(
            "INSERT INTO digests(name, question, cron, options, created) VALUES (?, ?, ?, ?, ?)",
            ("old", QUESTION, "0 7 * * 1", json.dumps(OLD_ROW | {"corpus": [str(folder)]}), "2025-01-01"),
        )
    spec = store.require("old")
    assert spec.drift_threshold == 0.25 and spec.created == "2025-01-01"
    assert spec.options == ReportOptions(
        question=QUESTION, corpus=[str(folder)], papers=3, claims=8, measure="all", arxiv=False, judge=False,
        mode="llm", formats=["md"],
    )  # fmt: skip
    # written back in the new shape (question in its own column only), it reads the same
    stored = json.loads(spec.options_json())
    assert set(stored) == {"options", "drift_threshold"} and "question" not in stored["options"]
    assert store.add(spec.model_copy(update={"name": "new"})).options == spec.options == store.require("new").options
    # flat fields left out take the digest's defaults (digest.measure, digest.formats), not the report's
    bare = DigestSpec(name="bare", question=QUESTION, cron="0 7 * * 1")
    assert bare.options.measure == "off" and bare.options.formats == ["md", "html"] and bare.drift_threshold == 0.1
    assert run_digest(spec, settings, store, runner=FakeRunner(), scanner=file_scanner).status == "ran"


@pytest.mark.parametrize("where", ["runner", "reported", "rendered", "renamed"])
def test_an_exception_mid_run_leaves_the_state_as_before(setup, where: str) -> None:  # noqa: ANN001
    settings, store, spec, folder = setup
    runner = FakeRunner()
    run_digest(spec, settings, store, runner=runner, scanner=file_scanner)
    before, dirs = store.snapshot("sd"), run_dirs(store)
    (folder / "c.txt").write_text("paper c")

    def checkpoint(stage: str) -> None:
        if stage == where:
            raise RuntimeError(f"injected at {stage}")

    if where == "runner":
        runner.fail = RuntimeError("injected in the runner")
    with pytest.raises(RuntimeError, match="injected"):
        run_digest(spec, settings, store, runner=runner, scanner=file_scanner, checkpoint=checkpoint)
    assert store.snapshot("sd") == before and run_dirs(store) == dirs
    assert not (store.root / "sd" / ".staging").exists()
    runner.fail = None
    after = run_digest(spec, settings, store, runner=runner, scanner=file_scanner)
    assert after.status == "ran" and [p.title for p in after.report.new_papers] == ["c"]


KILLED_RUN = """
import sys, time
from pathlib import Path
from synth.digest.run import run_digest
from synth.digest.store import Store
from synth.settings import SynthSettings
from tests.test_digest import FakeRunner, file_scanner

where, ready = sys.argv[1], Path(sys.argv[2])

def stall(stage):
    if stage == where:
        ready.write_text(stage)
        time.sleep(120)

class StallingRunner(FakeRunner):
    def __call__(self, *args, **kwargs):
        run = super().__call__(*args, **kwargs)
        stall("runner")
        return run

settings = SynthSettings(offline=True)
store = Store.for_settings(settings)
run_digest(store.require("sd"), settings, store, runner=StallingRunner(), scanner=file_scanner, checkpoint=stall)
"""


def _python_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def _wait_for(path: Path, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"exited {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


@pytest.mark.parametrize("where", ["runner", "renamed"])
def test_sigkill_mid_run_leaves_the_state_as_before(setup, tmp_path: Path, where: str) -> None:  # noqa: ANN001
    """A real process killed in the runner, or after the run folder is renamed but before COMMIT."""
    settings, store, spec, folder = setup
    run_digest(spec, settings, store, runner=FakeRunner(), scanner=file_scanner)
    before, dirs = store.snapshot("sd"), run_dirs(store)
    (folder / "c.txt").write_text("paper c")
    ready = tmp_path / "ready"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_RUN, where, str(ready)], env=_python_env(), stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_for(ready, proc)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
    assert store.snapshot("sd") == before
    leftovers = set(run_dirs(store)) - set(dirs)
    assert len(leftovers) == (1 if where == "renamed" else 0)  # a folder no committed run names
    after = run_digest(spec, settings, store, runner=FakeRunner(), scanner=file_scanner)
    assert after.status == "ran" and [p.title for p in after.report.new_papers] == ["c"]
    assert run_dirs(store) == sorted([*dirs, after.run_dir.name]) and store.run_count("sd") == 2
    assert not (store.root / "sd" / ".staging").exists()


HOLD_LOCK = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1])
lock.acquire()
print("locked", flush=True)
time.sleep(120)
"""


def test_a_second_run_of_the_same_digest_is_refused(setup) -> None:  # noqa: ANN001
    settings, store, spec, _ = setup
    lock = store.root / "sd.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(lock)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        runner = FakeRunner()
        with pytest.raises(UserError, match=r"digest sd is already running \(lock .*sd\.lock\); wait for it"):
            run_digest(spec, settings, store, runner=runner, scanner=file_scanner)
        assert runner.calls == 0 and store.run_count("sd") == 0
        proc = subprocess.run(
            [sys.executable, "-m", "synth", "digest", "run", "sd"], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 2 and "is already running" in proc.stderr and len(proc.stderr.splitlines()) == 1
    finally:
        holder.kill()
        holder.wait()
    assert run_digest(spec, settings, store, runner=FakeRunner(), scanner=file_scanner).status == "ran"


# --- CLI --------------------------------------------------------------------------------------------------------------


@pytest.fixture()
def cli(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """Invoke `synth ...` in-process with the fake runner and scanner behind `synth digest run`."""
    from synth.cli import app

    runner = FakeRunner()
    monkeypatch.setattr(adapters, "pipeline_runner", runner)
    monkeypatch.setattr(adapters, "ingest_scanner", file_scanner)

    def invoke(*args: str):  # noqa: ANN202
        return CliRunner().invoke(app, ["--offline", *args])

    invoke.runner = runner  # type: ignore[attr-defined]
    return invoke


def test_cli_add_list_run_cron_remove(cli, tmp_path: Path) -> None:  # noqa: ANN001
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "a.txt").write_text("paper a")
    added = cli("digest", "add", "sd", QUESTION, "--every", "0 7 * * 1", "--corpus", str(folder), "--no-arxiv")
    assert added.exit_code == 0, added.output
    assert "0 7 * * 1 cd " in added.output and "digest run sd --quiet" in added.output
    assert "OnCalendar=Mon *-*-* 07:00:00" in added.output and "--home" in added.output
    bad = cli("digest", "add", "x", QUESTION, "--every", "0 7 * *")
    assert isinstance(bad.exception, UserError) and "'0 7 * *'" in str(bad.exception)
    dup = cli("digest", "add", "sd", QUESTION, "--every", "0 7 * * 1", "--corpus", str(folder))
    assert isinstance(dup.exception, UserError) and "already exists" in str(dup.exception)

    listed = json.loads(cli("digest", "list", "--json").output)
    assert listed["name"] == "sd" and listed["runs"] == 0 and listed["next_due"] == "now (never run)"
    assert listed["corpus"] == [str(folder.resolve())] and listed["measure"] == "off"

    due = cli("digest", "run", "--due")
    assert due.exit_code == 0, due.output
    assert "digest sd: first run: 1 papers as the baseline, 1 claims" in due.output
    assert "no digest is due" in cli("digest", "run", "--due").output
    again = cli("digest", "run", "sd")
    assert again.exit_code == 0 and "nothing new since" in again.output and cli.runner.calls == 1
    assert cli("digest", "run", "sd", "--quiet").output == ""
    table = cli("digest", "list").output
    assert "sd" in table and "0 7 * * 1" in table and "1 digests" in table

    assert "OnCalendar=Mon *-*-* 07:00:00" in cli("digest", "cron", "sd").output
    neither = cli("digest", "run")
    assert isinstance(neither.exception, UserError)
    unknown = cli("digest", "remove", "nope")
    assert isinstance(unknown.exception, UserError) and "no digest named 'nope'" in str(unknown.exception)
    removed = cli("digest", "remove", "sd")
    assert removed.exit_code == 0 and "removed digest sd and its 1 run(s)" in removed.output
    home = Path(os.environ["SYNTH_HOME"])
    assert not (home / "digests" / "sd").exists() and "0 digests" in cli("digest", "list").output
    with Store(home / "digests") as store:
        assert store.snapshot("sd") == {"digests": [], "runs": [], "papers_seen": [], "claims": []}


def test_cli_add_takes_its_defaults_from_the_digest_settings(cli, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("SYNTH_DIGEST__DRIFT_THRESHOLD", "0.2")
    monkeypatch.setenv("SYNTH_DIGEST__MEASURE", "auto")
    monkeypatch.setenv("SYNTH_DIGEST__FORMATS", '["md", "json"]')
    folder = tmp_path / "papers"
    folder.mkdir()
    every = ("--every", "0 7 * * 1", "--corpus", str(folder), "--no-arxiv")
    assert cli("digest", "add", "env", QUESTION, *every).exit_code == 0
    flags = cli("digest", "add", "flags", QUESTION, *every, "--drift-threshold", "0.3", "--measure", "off")
    assert flags.exit_code == 0, flags.output
    listed = {d["name"]: d for d in map(json.loads, cli("digest", "list", "--json").output.splitlines())}
    assert (listed["env"]["drift_threshold"], listed["env"]["measure"], listed["env"]["formats"]) == (
        0.2, "auto", ["md", "json"],
    )  # fmt: skip
    assert (listed["flags"]["drift_threshold"], listed["flags"]["measure"]) == (0.3, "off")


def test_cli_bad_cron_is_one_line_and_exit_2() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "synth", "digest", "add", "x", QUESTION, "--every", "61 * * * *"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1
    assert "invalid cron expression '61 * * * *'" in proc.stderr and "'0 7 * * 1'" in proc.stderr


# --- serve ------------------------------------------------------------------------------------------------------------


def test_serve_runs_due_digests_and_stops(setup) -> None:  # noqa: ANN001
    """In-process: a never-run digest is caught up at start by the scheduler; `stop` shuts it down."""
    settings, store, _, _ = setup
    runner, lines, stop = FakeRunner(), [], threading.Event()
    kwargs = {"runner": runner, "scanner": file_scanner, "out": lines.append, "stop": stop, "catch_up": True}
    thread = threading.Thread(target=serve, args=(settings,), kwargs=kwargs)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while store.run_count("sd") == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(20)
    assert not thread.is_alive() and store.run_count("sd") == 1
    assert lines[0].startswith("serving 1 digest(s)") and lines[-1] == "stopped: scheduler shut down after 1 run(s)"


def test_serve_shuts_down_on_sigterm(setup) -> None:  # noqa: ANN001
    proc = subprocess.Popen(
        [sys.executable, "-m", "synth", "digest", "serve", "--no-catch-up"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        ready = proc.stdout.readline()
        assert ready.startswith("serving 1 digest(s)") and "next: sd at" in ready, proc.stderr.read()
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, errors = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, errors
    assert out.strip() == "stopped on SIGTERM: scheduler shut down after 0 run(s)"
    assert time.monotonic() - started < 5


# --- the real pipeline ------------------------------------------------------------------------------------------------


FASTSPEC = """# FastSpec: Speculative Decoding with a Tiny Draft Model

## Abstract

Speculative decoding speeds up LLM inference by letting a small draft model propose tokens that the
large model verifies in one forward pass. FastSpec achieves a {figure} speedup over autoregressive
decoding on Vicuna-7B while keeping the output distribution unchanged. The draft model adds
about 5% to the memory footprint of the served model.

## Results

FastSpec achieves a {figure} speedup over autoregressive decoding on Vicuna-7B with a draft model of
68M parameters. Acceptance rates stay above 70% on chat prompts, and verification of eight
drafted tokens costs the same time as decoding one token on an A100 GPU.
"""


@pytest.mark.slow
def test_digest_over_the_real_report_pipeline(tmp_path: Path) -> None:
    """Run, rerun (nothing new), then add a paper and change a figure in another: the digest reports the new
    paper and the verdict of the claim whose figure changed (re-verified against the updated paper)."""
    folder = tmp_path / "papers"
    folder.mkdir()
    shutil.copy(PAPERS / "2510.12966.pdf", folder)  # a small speculative-decoding paper (3-model SD)
    note = folder / "fastspec.md"
    note.write_text(FASTSPEC.format(figure="2.8x"))
    settings = SynthSettings(offline=True)
    with Store.for_settings(settings) as store:
        options = ReportOptions(
            question=QUESTION, corpus=[str(folder)], papers=3, claims=8, measure="off", judge=False,
            mode="extractive", arxiv=False, formats=["md"],
        )  # fmt: skip
        spec = store.add(DigestSpec(name="spec", cron="0 7 * * 1", options=options))
        first = run_digest(spec, settings, store)
        assert first.status == "ran" and first.report.drift.first_run
        assert first.report.new_papers == [] and first.report.papers_scanned == 2
        assert (first.run_dir / "report.md").is_file() and (first.run_dir / "run.json").is_file()
        assert "[report.md](report.md)" in (first.run_dir / "digest.md").read_text()
        tracked = {c.text: c for c in store.claims_of(store.last_run("spec").id)}
        fastspec = next(t for t in tracked if "FastSpec achieves a 2.8x speedup" in t)
        assert tracked[fastspec].label == "SUPPORTED"
        again = run_digest(spec, settings, store)
        assert again.status == "unchanged" and "nothing new since" in again.message

        shutil.copy(PAPERS / "2406.16858.pdf", folder)  # EAGLE-2: a new paper
        note.write_text(FASTSPEC.format(figure="1.3x"))  # the FastSpec paper revised: its figure changed
        third = run_digest(spec, settings, store)
        assert third.status == "ran"
        assert {(p.arxiv_id or p.doc_id, p.status) for p in third.report.new_papers} >= {("2406.16858", "new")}
        assert any((p.path or "").endswith("fastspec.md") for p in third.report.new_papers)  # new content
        changed = {c.before.text: c for c in third.report.drift.changed}
        assert fastspec in changed, [c.before.text for c in third.report.drift.changed]
        assert changed[fastspec].after.label != "SUPPORTED"
        assert "FastSpec achieves a 2.8x" in (third.run_dir / "digest.md").read_text()
        assert store.run_count("spec") == 2
