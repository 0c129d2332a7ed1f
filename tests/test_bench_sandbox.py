"""Containment of untrusted programs: each hazard a generated solution can pose, a few seconds each.

Tests that switch the in-program guard off (guard=False) check the OS layers on
their own; they skip where this machine does not give those layers.
"""

from __future__ import annotations

import os
import resource
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from synth.bench import sandbox
from synth.bench.sandbox import ExecResult, isolation_notes, run_many, run_program

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox runs on Linux only")


def _has(note_prefix: str, text: str) -> bool:
    return any(n.startswith(note_prefix) and text in n for n in isolation_notes())


def _live_group_members(pgid: int) -> list[int]:
    """Processes (not zombies) still in the child's process group."""
    alive = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == pgid and state != "Z":
            alive.append(int(entry))
    return alive


def _assert_no_leftovers(result: ExecResult) -> None:
    assert result.pid is not None
    deadline = time.monotonic() + 3
    while _live_group_members(result.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _live_group_members(result.pid) == []
    for parent in sandbox._pids_cgroup_parents():
        assert not list(parent.glob(f"synth-sandbox-{os.getpid()}-*"))


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    """A directory outside the sandbox that no program may delete."""
    directory = tmp_path / "canary"
    directory.mkdir()
    (directory / "keep.txt").write_text("still here")
    return directory


def _canary_intact(directory: Path) -> bool:
    return (directory / "keep.txt").read_text() == "still here"


def test_passing_program_output_and_temp_dir_removed() -> None:
    result = run_program("import os\nprint(os.getcwd())\nprint(os.environ['HOME'] == os.getcwd())")
    assert result.status == "passed" and result.returncode == 0 and result.passed
    work, same_home = result.stdout_tail.split()
    assert same_home == "True" and "synth-sandbox-" in work
    assert not Path(work).exists() and not Path(work).parent.exists()
    assert result.stderr_tail == "" and not result.truncated
    _assert_no_leftovers(result)


def test_environment_is_scrubbed_and_hashing_deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", "/nowhere")
    monkeypatch.setenv("SECRET_TOKEN", "x")
    code = "import os, sys\nprint(sorted(os.environ))\nprint(hash('synth'))\nprint('/nowhere' in sys.path)"
    first, second = run_program(code), run_program(code)
    keys, digest, on_path = first.stdout_tail.splitlines()
    assert "SECRET_TOKEN" not in keys and "PYTHONPATH" not in keys and "'PYTHONHASHSEED'" in keys
    assert on_path == "False" and digest == second.stdout_tail.splitlines()[1]


def test_failing_assert_and_syntax_error() -> None:
    failed, broken = run_many(["assert 1 + 1 == 3", "def f(:\n  pass"], workers=2)
    assert failed.status == "failed" and failed.returncode == 1 and "AssertionError" in failed.stderr_tail
    assert broken.status == "failed" and "SyntaxError" in broken.stderr_tail


def test_infinite_loop_times_out() -> None:
    start = time.monotonic()
    result = run_program("while True:\n    pass", timeout_s=1.0)
    assert result.status == "timeout" and time.monotonic() - start < 3.0
    assert "wall-clock" in result.stderr_tail
    _assert_no_leftovers(result)


def test_cpu_limit_stops_a_busy_loop_before_the_wall_clock() -> None:
    result = run_program("while True:\n    pass", timeout_s=20.0, cpu_s=1)
    assert result.status == "timeout" and result.seconds < 5.0


def test_fork_bomb_is_refused_by_the_guard() -> None:
    start = time.monotonic()
    result = run_program("import os\nwhile True:\n    os.fork()", timeout_s=3.0)
    assert result.status == "failed" and "os.fork is disabled" in result.stderr_tail
    assert time.monotonic() - start < 5.0
    _assert_no_leftovers(result)


@pytest.mark.skipif(
    not (_has("processes:", "pids cgroup") or os.geteuid() != 0),
    reason="root without a writable pids cgroup: nothing but the guard bounds a fork bomb here",
)
def test_fork_bomb_is_contained_without_the_guard() -> None:
    start = time.monotonic()
    code = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass"
    result = run_program(code, timeout_s=2.0, guard=False, max_processes=16)
    assert result.status == "timeout" and time.monotonic() - start < 5.0
    _assert_no_leftovers(result)
    assert run_program("print('still responsive')").stdout_tail == "still responsive\n"


def test_huge_allocation_hits_the_memory_limit() -> None:
    result = run_program("x = bytearray(8 * 1024**3)\nprint(len(x))", memory_mb=512)
    assert result.status in ("failed", "error") and "MemoryError" in result.stderr_tail


def test_rm_rf_home_is_refused(canary: Path) -> None:
    result = run_program(f"import os\nos.system('rm -rf ~ {canary}')\nprint('ran')")
    assert result.status == "failed" and "os.system is disabled" in result.stderr_tail
    assert _canary_intact(canary)


def test_rmtree_and_remove_outside_the_sandbox_are_refused(canary: Path) -> None:
    programs = [
        f"import shutil\nshutil.rmtree({str(canary)!r})",
        f"import os\nos.remove({str(canary / 'keep.txt')!r})",
        f"import os\nos.rename({str(canary / 'keep.txt')!r}, 'stolen.txt')",
    ]
    for result in run_many(programs, workers=2):
        assert result.status == "failed" and "PermissionError" in result.stderr_tail, result.stderr_tail
    assert _canary_intact(canary)


def test_scratch_files_inside_the_sandbox_still_work() -> None:
    code = (
        "import os, shutil, tempfile\n"
        "with tempfile.TemporaryDirectory() as d:\n    open(os.path.join(d, 'a'), 'w').write('x')\n"
        "os.mkdir('d'); open('d/x', 'w').write('1'); os.rename('d/x', 'd/y'); shutil.rmtree('d')\n"
        "print(sorted(os.listdir('.')))"
    )
    result = run_program(code)
    assert result.status == "passed", result.stderr_tail
    assert result.stdout_tail.strip() == "['program.py']"


@pytest.mark.skipif(not _has("filesystem:", "read-only"), reason="no mount namespace: the filesystem is writable")
def test_filesystem_is_read_only_without_the_guard(canary: Path) -> None:
    programs = [
        f"import shutil\nshutil.rmtree({str(canary)!r})",
        f"import os\nos.remove({str(canary / 'keep.txt')!r})",
        f"open({str(canary / 'new.txt')!r}, 'w').write('x')",
    ]
    for result in run_many(programs, workers=2, guard=False):
        assert result.status == "failed" and "Read-only file system" in result.stderr_tail, result.stderr_tail
    assert _canary_intact(canary) and sorted(p.name for p in canary.iterdir()) == ["keep.txt"]


def test_output_flood_keeps_only_the_tail() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = run_program('while True:\n    print("x" * 1000)', timeout_s=5.0, max_output_bytes=10_000)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert result.status in ("timeout", "failed", "error") and result.truncated
    assert len(result.stdout_tail.encode()) <= 10_000 and set(result.stdout_tail) == {"x", "\n"}
    assert grown_kb < 50_000  # the parent never read the whole flood


@pytest.fixture
def listening_port() -> Iterator[int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    yield server.getsockname()[1]
    with pytest.raises(TimeoutError):
        server.accept()  # nothing ever connected
    server.close()


def test_network_is_refused(listening_port: int) -> None:
    code = f"import socket\nsocket.create_connection(('127.0.0.1', {listening_port}), timeout=2)\nprint('connected')"
    result = run_program(code)
    assert result.status == "failed" and "connected" not in result.stdout_tail
    assert "sockets are disabled" in result.stderr_tail or "socket.create_connection is disabled" in result.stderr_tail


@pytest.mark.skipif(not _has("network:", "own network namespace"), reason="no network namespace on this machine")
def test_network_namespace_holds_without_the_guard(listening_port: int) -> None:
    code = f"import socket\nsocket.create_connection(('127.0.0.1', {listening_port}), timeout=2)\nprint('connected')"
    result = run_program(code, guard=False)
    assert result.status == "failed" and "connected" not in result.stdout_tail
    assert "unreachable" in result.stderr_tail or "refused" in result.stderr_tail


def test_guard_blocks_the_escape_hatches() -> None:
    programs = [
        "import ctypes",
        "import subprocess\nsubprocess.run(['true'])",
        "import os, signal\nos.kill(os.getppid(), signal.SIGTERM)",
        "import posix\nposix.unlink('/etc/hostname')",
    ]
    for result in run_many(programs, workers=2):
        assert result.status == "failed", result.stderr_tail
        assert "disabled" in result.stderr_tail or "import of ctypes halted" in result.stderr_tail


def test_run_many_keeps_order_and_isolate_off_still_guards(canary: Path) -> None:
    programs = [f"import time\ntime.sleep({0.3 - i * 0.1})\nprint({i})" for i in range(3)]
    results = run_many(programs, workers=2)
    assert [r.stdout_tail.strip() for r in results] == ["0", "1", "2"]
    bare = run_program(f"import shutil\nshutil.rmtree({str(canary)!r})", isolate=False)
    assert bare.status == "failed" and _canary_intact(canary)


def test_setup_failure_is_an_error_not_a_failed_solution() -> None:
    result = run_program("print(1)", memory_mb=1)  # too little memory for the interpreter to set itself up
    assert result.status == "error" and "set-up failed" in result.stderr_tail


def test_isolation_notes_describe_every_layer() -> None:
    notes = isolation_notes()
    for layer in ("processes:", "network:", "filesystem:", "limits:", "guard:"):
        assert any(n.startswith(layer) for n in notes), (layer, notes)
