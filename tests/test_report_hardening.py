"""`synth report` on bad output folders, bad corpus paths and resumed runs (issue 15, cases 8-10).

Every case runs the real CLI in a subprocess. Most never get past the checks made before any work, so they
take a second or two; the one real run answers the question from three short Markdown papers made here
(extractive, no arXiv, no judge, no measurement: 15-30 s, marked slow). Resumed runs that must not recompute anything
start from the hand-built complete run of tests/report_fixtures.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.report_fixtures import sample_run

QUESTION = "How much does speculative decoding speed up LLM inference?"
FAST = ("--no-arxiv", "--measure", "off", "--no-judge", "--mode", "extractive", "-q")


def _papers(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for i in (1, 2, 3):
        (folder / f"paper{i}.md").write_text(
            f"# Speculative decoding study {i}\n\n## Abstract\n\n"
            f"Speculative decoding speeds up LLM inference by 2.{i} times on average with a small draft model. "
            "The draft model proposes tokens that the target model verifies in parallel.\n\n## Results\n\n"
            f"We observe a {i}.5x speedup in latency on A100 GPUs. The acceptance rate reached 0.7{i} "
            f"for the draft model, and the memory overhead was 1{i} percent.\n",
            encoding="utf-8",
        )
    return folder


def _one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def _save_run(folder: Path, **options: object) -> Path:
    """A complete run (every stage done) in `folder`, with its options changed."""
    from synth.pipeline.rundir import RunDir

    run = sample_run()
    run.options = run.options.model_copy(update=options)
    RunDir(folder).save_run(run)
    return folder


def _index_untouched() -> bool:
    return not (Path(os.environ["SYNTH_HOME"]) / "index").exists()


# ---------------------------------------------------------------- case 8: -o checked before any work


def test_output_onto_a_file_fails_before_any_work(tmp_path: Path) -> None:
    docs = _papers(tmp_path / "docs")
    target = tmp_path / "notes.txt"
    target.write_text("keep me\n")
    proc = run_cli("report", QUESTION, "--corpus", str(docs), *FAST, "-o", str(target))
    _one_line_error(proc, f"-o {target}", "is a file", "pass a folder")
    assert target.read_text() == "keep me\n"
    assert _index_untouched()  # nothing was ingested


def test_output_under_a_file_fails_before_any_work(tmp_path: Path) -> None:
    docs = _papers(tmp_path / "docs")
    (tmp_path / "taken").write_text("")
    proc = run_cli("report", QUESTION, "--corpus", str(docs), *FAST, "-o", str(tmp_path / "taken" / "a" / "run"))
    _one_line_error(proc, str(tmp_path / "taken"), "is a file, not a folder")
    assert _index_untouched()


def test_render_output_onto_a_file_is_one_line(tmp_path: Path) -> None:
    run_dir = _save_run(tmp_path / "run")
    (tmp_path / "out").write_text("")
    _one_line_error(run_cli("render", str(run_dir), "-o", str(tmp_path / "out")), "-o", "is a file")


def test_check_output_dir_accepts_missing_folders_and_leaves_nothing(tmp_path: Path) -> None:
    from synth.io import check_output_dir

    check_output_dir(tmp_path / "a" / "b" / "run")
    check_output_dir(tmp_path)
    assert list(tmp_path.iterdir()) == []  # the probe is removed, and no folder is made before the run needs it


def _unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    return probe.returncode == 0


READ_ONLY = pytest.mark.skipif(
    not _unshare_works(),
    reason="needs `unshare -m` to mount a read-only tmpfs (chmod alone does not stop root, which runs the tests)",
)


def _in_read_only_folder(folder: Path, setup: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`synth ARGS` in a private mount namespace where `folder` is a read-only tmpfs (after `setup` filled it)."""
    folder.mkdir()
    command = " ".join(f"'{a}'" for a in (sys.executable, "-m", "synth", *args))
    script = f"mount -t tmpfs tmpfs '{folder}' && {setup or 'true'} && mount -o remount,ro '{folder}' && {command}"
    return subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=120)


@READ_ONLY
def test_output_in_a_read_only_folder_fails_before_any_work(tmp_path: Path) -> None:
    docs = _papers(tmp_path / "docs")
    ro = tmp_path / "ro"
    proc = _in_read_only_folder(ro, "", "report", QUESTION, "--corpus", str(docs), *FAST, "-o", str(ro / "x" / "run"))
    _one_line_error(proc, f"-o {ro / 'x' / 'run'}", f"cannot write in {ro}", "writable folder")
    assert _index_untouched()


@READ_ONLY
def test_resume_in_a_read_only_folder_fails_before_any_work(tmp_path: Path) -> None:
    source = _save_run(tmp_path / "src")
    ro = tmp_path / "ro"
    proc = _in_read_only_folder(ro, f"cp -r '{source}' '{ro / 'run'}'", "report", "--resume", str(ro / "run"))
    _one_line_error(proc, f"--resume {ro / 'run'}", "cannot write", "writable folder")


# ---------------------------------------------------------------- case 9: nothing written before the inputs pass


def test_missing_corpus_is_caught_before_the_run_folder_exists(tmp_path: Path) -> None:
    out = tmp_path / "reports" / "run"
    proc = run_cli("report", QUESTION, "--corpus", "/nonexistent/papers", *FAST, "-o", str(out))
    _one_line_error(proc, "--corpus /nonexistent/papers does not exist")
    assert not (tmp_path / "reports").exists()
    assert _index_untouched()


def test_missing_corpus_path_from_the_settings_is_named(tmp_path: Path) -> None:
    (tmp_path / "synth.toml").write_text('[corpus]\npaths = ["/nonexistent/settings-papers"]\n')
    proc = run_cli("report", QUESTION, *FAST, "-o", str(tmp_path / "run"))
    _one_line_error(proc, "/nonexistent/settings-papers does not exist", "corpus.paths")
    assert not (tmp_path / "run").exists()


def test_a_failure_in_the_first_stage_leaves_no_run_that_blocks_the_retry(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "run"
    for _ in range(2):  # the retry must meet the same problem, not "already holds a run"
        _one_line_error(run_cli("report", QUESTION, "--corpus", str(empty), *FAST, "-o", str(out)), "is empty")
        assert not (out / "run.json").exists()


def _unstarted_run(folder: Path, corpus: list[str]) -> Path:
    """The `run.json` an older synth saved before its first stage, then failed."""
    from synth.core.run import ReportOptions, ReportRun
    from synth.pipeline.rundir import RunDir

    options = ReportOptions(question=QUESTION, corpus=corpus, formats=["md"], arxiv=False, measure="off")
    run = ReportRun(run_id="20250101-000000-old", question=QUESTION, created="2025-01-01T00:00:00+00:00",
                    options=options)  # fmt: skip
    RunDir(folder).save_run(run)
    return folder


def test_resume_of_a_run_whose_corpus_is_gone_names_the_path(tmp_path: Path) -> None:
    out = _unstarted_run(tmp_path / "run", ["/nonexistent/papers"])
    before = (out / "run.json").read_text()
    line = _one_line_error(run_cli("report", "--resume", str(out)), f"--resume {out}", "/nonexistent/papers")
    assert f"--corpus DIR -o {out}" in line  # the way out: start it again in the same folder
    assert (out / "run.json").read_text() == before


def test_a_run_that_never_finished_a_stage_is_taken_over(tmp_path: Path) -> None:
    out = _unstarted_run(tmp_path / "run", ["/nonexistent/papers"])
    empty = tmp_path / "empty"
    empty.mkdir()
    _one_line_error(run_cli("report", QUESTION, "--corpus", str(empty), *FAST, "-o", str(out)), "is empty")
    assert not (out / "run.json").exists()


def test_a_started_run_still_needs_resume(tmp_path: Path) -> None:
    out = _save_run(tmp_path / "run")
    docs = _papers(tmp_path / "docs")
    _one_line_error(
        run_cli("report", QUESTION, "--corpus", str(docs), *FAST, "-o", str(out)), "already holds a run", "--resume"
    )


# ---------------------------------------------------------------- case 10: --resume keeps the run's formats


def test_resume_writes_the_formats_the_run_asked_for(tmp_path: Path) -> None:
    out = _save_run(tmp_path / "run", formats=["md", "txt"])
    proc = run_cli("report", "--resume", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [str(out / "report.md"), str(out / "report.txt")]
    assert sorted(p.name for p in out.glob("report.*")) == ["report.md", "report.txt"]
    assert _index_untouched()  # a finished run is only re-rendered

    proc = run_cli("report", "--resume", str(out), "--format", "json", "-q")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [str(out / "report.json")]
    assert json.loads((out / "run.json").read_text())["options"]["formats"] == ["md", "txt"]  # kept for `render`

    _one_line_error(run_cli("report", "--resume", str(out), "--format", "pdf"), "--format")


@pytest.mark.slow
def test_failed_start_retry_and_interrupted_resume_end_to_end(tmp_path: Path) -> None:
    """The issue's sequence on a real run: a bad --corpus, the corrected retry in the same folder (whose
    parents do not exist yet), then a resume after the last stage was lost."""
    from synth.pipeline.rundir import RunDir

    docs = _papers(tmp_path / "docs")
    out = tmp_path / "reports" / "nested" / "run"
    _one_line_error(run_cli("report", QUESTION, "--corpus", str(tmp_path / "nope"), *FAST, "-o", str(out)), "nope")
    assert not out.exists()

    proc = run_cli("report", QUESTION, "--corpus", str(docs), *FAST[:-1], "--format", "md,txt", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"\d+ supported \(\d+ checked beyond their own page, \d+ quoted\)", proc.stderr), proc.stderr
    for stage in ("retrieve", "extract", "verify", "review"):  # stderr is a pipe: a timed line per stage, not a bar
        assert re.search(rf"^{stage} +done in \d+\.\d s: ", proc.stderr, re.M), (stage, proc.stderr)
    assert sorted(p.name for p in out.glob("report.*")) == ["report.md", "report.txt"]

    run = RunDir(out).load_run()
    assert run.review is not None
    run.review = None  # as if killed during the review stage
    del run.timings["review"]
    RunDir(out).save_run(run)
    for p in out.glob("report.*"):
        p.unlink()
    proc = run_cli("report", "--resume", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.glob("report.*")) == ["report.md", "report.txt"]
    assert RunDir(out).load_run().review is not None
