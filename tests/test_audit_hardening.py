"""`synth audit` hardening: a cap on the claims checked, verdicts saved as they are made and resumed, output
paths checked before any work, and malformed claims tables reported line by line (issue 15, cases 3, 8, 12)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from synth.audit.inputs import read_audit_input
from synth.claims.seed_report import MAX_CLAIM_CHARS, parse_claim_row, parse_seed_report
from synth.errors import UserError
from tests.conftest import PAPERS, SHARED, SMALL_PAPERS, run_cli

SEED = SHARED / "seeds" / "000_0f5b2272e848e45d.txt"  # 12 claims, 4 of them cut at ~120 characters


def _seed_with_rows(tmp_path: Path, rows: list[str]) -> tuple[Path, int]:
    """A copy of a real seed report with `rows` appended to its claims table; returns it and the first row's line."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    end = lines.index("References") - 1  # the blank line after the table
    out = lines[:end] + rows + lines[end:]
    path = tmp_path / "report.txt"
    path.write_text("\n".join(out), encoding="utf-8")
    return path, end + 1


# Case 12: malformed claims tables ------------------------------------------------------------------------


def test_malformed_seed_rows_warn_with_their_line_and_bad_values_are_not_kept(tmp_path: Path) -> None:
    long_cell = "w" * 10_000
    path, first = _seed_with_rows(
        tmp_path,
        [
            "A row written with no tabs at all and nothing else",
            "Spaced columns still hold a claim ✓ 0.40",
            "Confidence seven.\t✓\t7.0",
            "Confidence minus three.\t×\t-3",
            "Confidence abc.\t×\tabc",
            "Confidence nan.\t×\tnan",
            "Confidence inf.\t×\tinf",
            "A percentage is a confidence.\t✓\t87%",
            f"{long_cell}\t✓\t0.30",
            "\t✓\t0.10",
            "An unreadable mark.\tmaybe\t0.20",
        ],
    )
    audit_input = read_audit_input(path)
    assert audit_input.kind.value == "seed-report"
    problems = audit_input.problems
    by_line = {int(p.split(":")[0].removeprefix("line ")): p for p in problems}
    assert "no tabs" in by_line[first] and "not read as a claim" in by_line[first]
    assert "separated by spaces" in by_line[first + 1]
    for offset, value in [(2, "'7.0'"), (3, "'-3'")]:
        assert value in by_line[first + offset] and "outside 0-1" in by_line[first + offset]
    assert "'abc' is not a number" in by_line[first + 4]
    assert "'nan' is not a finite number" in by_line[first + 5] and "'inf'" in by_line[first + 6]
    assert "10,000 characters" in by_line[first + 8] and "skipped" in by_line[first + 8]
    assert "Claim cell is empty" in by_line[first + 9]
    assert "'maybe'" in by_line[first + 10]
    assert first + 7 not in by_line  # 87% is a well-formed confidence
    claims = {c.text: c for c in audit_input.claims}
    assert len(audit_input.claims) == 12 + 8  # the no-tab row, the 10,000-character cell and the empty cell are out
    assert claims["Spaced columns still hold a claim"].confidence == pytest.approx(0.4)
    for text in (
        "Confidence seven.",
        "Confidence minus three.",
        "Confidence abc.",
        "Confidence nan.",
        "Confidence inf.",
    ):
        assert claims[text].confidence is None and claims[text].verified is not None
    assert claims["A percentage is a confidence."].confidence == pytest.approx(0.87)
    assert claims["An unreadable mark."].verified is None and claims["An unreadable mark."].confidence == 0.2
    assert not any(len(c.text) > MAX_CLAIM_CHARS for c in audit_input.claims)
    assert [c.row for c in audit_input.claims] == list(range(1, 21))


def test_the_real_seeds_have_no_problems_and_keep_their_cut_cells_marked() -> None:
    for path in sorted((SHARED / "seeds").glob("00[0-3]_*.txt")):
        report = parse_seed_report(path.read_text(encoding="utf-8"))
        assert report.problems == [], path.name
    first = parse_seed_report(SEED.read_text(encoding="utf-8"))
    assert sum(c.truncated for c in first.claims) == 4  # cells cut at 118-130 characters


@pytest.mark.parametrize(
    ("cell", "value", "problem"),
    [("0.23", 0.23, None), ("0", 0.0, None), ("1", 1.0, None), ("87%", 0.87, None), ("100 %", 1.0, None),
     ("7.0", None, "outside 0-1"), ("-3", None, "outside 0-1"), ("87", None, "87%"), ("187%", None, "0-100%"),
     ("abc", None, "not a number"), ("nan", None, "finite"), ("inf", None, "finite"), ("-inf", None, "finite"),
     ("", None, "empty")],
)  # fmt: skip
def test_confidence_cells(cell: str, value: float | None, problem: str | None) -> None:
    claim, problems = parse_claim_row(["A claim.", "✓", cell], 1, 42)
    assert claim is not None
    assert claim.confidence == (pytest.approx(value) if value is not None else None)
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problems[0].startswith("line 42: ") and problem in problems[0]


def test_truncated_means_cut_like_the_seeds_not_merely_long() -> None:
    cut = "HumanEval and MBPP serve as fundamental benchmarks, focusing on Python function completion tasks with test"
    cut += "-driven evaluation"
    assert parse_claim_row([cut, "×", "0.1"], 1, 1)[0].truncated  # 124 characters, no closing punctuation
    long_claim = ("speculative decoding with a small draft model " * 8).strip()  # 374 characters, no full stop
    claim, problems = parse_claim_row([long_claim, "×", "0.1"], 1, 1)
    assert claim is not None and not claim.truncated and problems == []
    huge, problems = parse_claim_row(["x" * 10_000, "×", "0.1"], 1, 7)
    assert huge is None and "line 7" in problems[0] and "10,000 characters" in problems[0]


def test_markdown_claims_table_problems_name_their_lines(tmp_path: Path) -> None:
    f = tmp_path / "r.md"
    f.write_text(
        "# Report\n\n| Claim | Verified | Confidence |\n|---|---|---|\n"
        "| vLLM improves throughput by 2-4x over Orca. | ✓ | 0.9 |\n"  # line 5
        "| Confidence out of range. | ✓ | 7.0 |\n"  # line 6
        "| | ✓ | 0.5 |\n"  # line 7: empty claim
        "| Only a claim |\n"  # line 8: missing cells
        "| Not a number. | × | nan |\n",  # line 9
        encoding="utf-8",
    )
    audit_input = read_audit_input(f)
    assert [c.text for c in audit_input.claims] == [
        "vLLM improves throughput by 2-4x over Orca.", "Confidence out of range.", "Only a claim", "Not a number."
    ]  # fmt: skip
    assert [c.confidence for c in audit_input.claims] == [0.9, None, None, None]
    lines = [p.split(":")[0] for p in audit_input.problems]
    assert lines == ["line 6", "line 7", "line 8", "line 8", "line 8", "line 9"]
    # A table without a Confidence column is not malformed: its rows raise no problem.
    g = tmp_path / "g.md"
    g.write_text("# R\n\n| Claim | Verified |\n|---|---|\n| A claim. | ✓ |\n", encoding="utf-8")
    assert read_audit_input(g).problems == []


# Case 8: output paths checked before the work ------------------------------------------------------------


def test_output_paths_that_cannot_be_written_are_refused(tmp_path: Path) -> None:
    from synth.io import check_output_path

    folder = tmp_path / "out"
    folder.mkdir()
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    cases = [
        (folder, "is a folder"),
        (a_file / "out.md", "is a file, not a folder"),
        (tmp_path / "missing" / "out.md", "does not exist"),
    ]
    if Path("/sys").is_dir():  # read-only even for root, unlike a chmod 0o555 folder (the tests run as root)
        cases.append((Path("/sys/synth-audit.md"), "cannot write in /sys"))
    for path, message in cases:
        with pytest.raises(UserError, match=message) as info:
            check_output_path(path)
        assert str(path) in str(info.value) and "\n" not in str(info.value)
    check_output_path(tmp_path / "fine.md")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt", "out"]  # the probe file is gone


def test_audit_refuses_a_bad_output_path_before_any_work(tmp_path: Path) -> None:
    """Fails on -o before it even looks at the corpus (here empty, which would be the next error)."""
    folder = tmp_path / "out"
    folder.mkdir()
    for output, message in [(folder, "is a folder"), (tmp_path / "file.txt" / "a.md", "does not exist")]:
        proc = run_cli("--offline", "audit", str(SEED), "--no-judge", "--measure", "off", "-o", str(output))
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith("error: -o ") and message in proc.stderr and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "home" / "index").exists()


def test_the_library_default_cap_is_the_settings_default() -> None:
    """The CLI's `--max-claims` reads `audit.max_claims` (tests/test_cli_defaults.py); a library caller that
    passes no cap gets the same default."""
    from synth.audit.run import DEFAULT_MAX_CLAIMS
    from synth.settings import AuditSettings

    assert DEFAULT_MAX_CLAIMS == AuditSettings().max_claims == 100


# Case 3: the cap, the estimate and the checkpoint, on a fake verifier -------------------------------------


def _fake_audit(monkeypatch: pytest.MonkeyPatch, calls: list[str]) -> SimpleNamespace:
    """run_audit's collaborators, minus the corpus and the models: every claim is SUPPORTED at 0.9."""
    import synth.audit.run as run
    from synth.verify.verifier import VerificationResult

    def fake_verify(text: str, policy: object, context: object) -> VerificationResult:
        calls.append(text)
        return VerificationResult(
            label="SUPPORTED", confidence=0.9, raw_confidence=0.9, probabilities={"SUPPORTED": 0.9}, features={},
            best=[], checks=["numeric"], model_key="fake", reason="fake",
        )  # fmt: skip

    monkeypatch.setattr(run, "verify_claim", fake_verify)
    catalog = SimpleNamespace(documents=lambda: [])
    retriever = SimpleNamespace(catalog=catalog)
    verifier = SimpleNamespace(judge=None, checker_names=["numeric"], checks_for=lambda task: ["numeric"])
    return SimpleNamespace(retriever=retriever, verifier=verifier)


def _ctx(settings: Any, fake: SimpleNamespace) -> Any:
    from synth.pipeline.context import RunContext

    return RunContext.build(settings, retriever=fake.retriever, verifier=fake.verifier)


def test_the_cap_is_said_before_the_work_and_in_both_outputs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from synth.audit.run import run_audit
    from synth.render.audit import render
    from synth.settings import SynthSettings

    calls: list[str] = []
    fake = _fake_audit(monkeypatch, calls)
    path, _ = _seed_with_rows(tmp_path, ["Confidence seven.\t✓\t7.0"])
    said: list[str] = []
    report = run_audit(
        read_audit_input(path), _ctx(SynthSettings(home=tmp_path / "home", offline=True), fake), judge=False,
        max_claims=5, say=said.append,
    )  # fmt: skip
    assert len(calls) == 5 and [c.row for c in report.claims] == [1, 2, 3, 4, 5]  # a report's claims in order
    assert report.summary.claims == 5 and report.summary.claims_total == 13 and report.summary.skipped_by_cap == 8
    assert said[0].startswith("auditing 5 claims (of 13), about 20 s at ~4 s per claim") and "estimate" in said[0]
    sentence = "5 of 13 claims checked; the rest skipped by --max-claims (raise it to check more)"
    data = json.loads(render(report, "json"))
    assert sentence in data["notes"] and data["max_claims"] == 5 and data["summary"]["skipped_by_cap"] == 8
    assert any("'7.0'" in p for p in data["input_problems"])
    md = render(report, "md")
    assert sentence in md and "Input problems" in md and "7.0" in md
    calls.clear()
    everything = run_audit(
        read_audit_input(path), _ctx(SynthSettings(home=tmp_path / "home", offline=True), fake), judge=False,
        max_claims=None,
    )  # fmt: skip
    assert len(calls) == 13 and everything.summary.skipped_by_cap == 0
    assert not any("--max-claims" in n for n in everything.notes)


def test_verdicts_are_saved_as_they_are_made_and_resumed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from synth.audit.run import AuditCheckpoint, run_audit
    from synth.settings import SynthSettings

    calls: list[str] = []
    fake = _fake_audit(monkeypatch, calls)
    settings = SynthSettings(home=tmp_path / "home", offline=True)
    folder = tmp_path / "home" / "audit" / "checkpoints"
    audit_input = read_audit_input(SEED)

    stop_after = 5

    def interrupt(done: int, total: int) -> None:
        if done == stop_after:
            raise KeyboardInterrupt

    first = AuditCheckpoint(folder)
    with pytest.raises(KeyboardInterrupt):
        run_audit(audit_input, _ctx(settings, fake), judge=False, checkpoint=first, progress=interrupt)
    assert first.path is not None and first.path.parent == folder
    lines = first.path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["synth_audit_checkpoint"] == 1 and header["input"] == str(SEED.resolve()) and header["key"]
    assert len(lines) == 1 + stop_after  # a header, then one line per verdict
    # A kill in the middle of a write leaves a torn last line: it is dropped, the others are kept.
    with first.path.open("a", encoding="utf-8") as fh:
        fh.write('{"text": "half a rec')
    calls.clear()
    said: list[str] = []
    second = AuditCheckpoint(folder)
    report = run_audit(audit_input, _ctx(settings, fake), judge=False, checkpoint=second, say=said.append)
    assert second.path == first.path
    assert f"resumed: {stop_after} verdicts from {first.path}" in said
    assert any(f"{stop_after} resumed, {12 - stop_after} to check" in s for s in said)
    assert calls == [c.text for c in audit_input.claims[stop_after:]]
    assert len(report.claims) == 12 and report.summary.resumed == stop_after
    assert all(json.loads(line) for line in second.path.read_text(encoding="utf-8").splitlines())
    second.remove()
    assert not second.path.exists()
    # Other settings (or another judge, or another corpus) make other verdicts: nothing is reused.
    calls.clear()
    other = SynthSettings(home=tmp_path / "home", offline=True, verify={"candidate_chunks": 4})
    third = AuditCheckpoint(folder)
    run_audit(audit_input, _ctx(settings, fake), judge=False, checkpoint=third, max_claims=2)
    fourth = AuditCheckpoint(folder)
    run_audit(audit_input, _ctx(other, fake), judge=False, checkpoint=fourth, max_claims=2)
    assert fourth.path != third.path and len(calls) == 4


# Case 3 end to end: a real audit killed mid-way, then resumed ----------------------------------------------


def _wait_for_verdicts(home: Path, proc: subprocess.Popen, at_least: int, timeout: float = 300) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1]
        for path in (home / "audit" / "checkpoints").glob("*.jsonl"):
            if len(path.read_text(encoding="utf-8").splitlines()) >= 1 + at_least:
                return path
        time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"fewer than {at_least} verdicts saved in {timeout} s")


@pytest.mark.slow
def test_an_interrupted_audit_resumes_where_it_stopped(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SYNTH_")}, "SYNTH_HOME": str(home)}
    papers = tmp_path / "papers"
    papers.mkdir()
    for name in SMALL_PAPERS:
        (papers / name).symlink_to(PAPERS / name)
    added = run_cli("corpus", "add", str(papers), "-q", env=env)
    assert added.returncode == 0, added.stderr
    out = tmp_path / "audit.json"
    args = [sys.executable, "-m", "synth", "--offline", "audit", str(SEED), "--no-judge", "--measure", "off",
            "--format", "json", "-o", str(out)]  # fmt: skip

    def start() -> subprocess.Popen:
        return subprocess.Popen(
            args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # a background shell may ignore it
        )  # fmt: skip

    # Ctrl-C after two verdicts: exit 130, and it says where the verdicts are.
    proc = start()
    checkpoint = _wait_for_verdicts(home, proc, 2)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "auditing 12 claims, about" in stderr and "s per claim" in stderr and "estimate" in stderr
    assert f"saved in {checkpoint}" in stderr
    saved = len(checkpoint.read_text(encoding="utf-8").splitlines()) - 1
    assert saved >= 2 and not out.exists()
    # SIGKILL (no handler runs) after more verdicts: every verdict written before the kill is still there.
    proc = start()
    _wait_for_verdicts(home, proc, saved + 2)
    proc.kill()
    _, stderr = proc.communicate(timeout=60)
    assert f"resumed: {saved} verdicts from {checkpoint}" in stderr
    records = [json.loads(line) for line in checkpoint.read_text(encoding="utf-8").splitlines() if line.endswith("}")]
    saved_texts = {r["text"]: r["verdict"] for r in records[1:]}
    assert len(saved_texts) >= saved + 2
    # The rerun finishes: the saved verdicts are reused as they were, and the checkpoint is removed.
    proc = start()
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr
    assert f"resumed: {len(saved_texts)} verdicts from {checkpoint}" in stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert len(report["claims"]) == 12 and report["summary"]["resumed"] == len(saved_texts)
    for claim in report["claims"]:
        if claim["text"] in saved_texts:
            assert claim["verdict"] == saved_texts[claim["text"]]
    assert not checkpoint.exists()
