"""Containment of untrusted programs: each hazard a generated solution can pose, a few seconds each.

Tests that switch the in-program guard off (guard=False) check the OS layers on
their own; they skip where this machine does not give those layers.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import synth
from synth.bench.sandbox import ExecResult, child, isolation_notes, run_many, run_program, supervisor

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox runs on Linux only")


def _has(note_prefix: str, text: str) -> bool:
    return any(n.startswith(note_prefix) and text in n for n in isolation_notes())


needs_minimal_root = pytest.mark.skipif(
    not _has("filesystem:", "minimal read-only root"),
    reason="no minimal root here (no mount namespace, or the kernel refused it): programs see the host read-only",
)


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
    for parent in supervisor._pids_cgroup_parents():
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
    # In a minimal root the canary is not even there; what is there (the root, /tmp, the stdlib) is read-only.
    hidden = "No such file or directory" if _has("filesystem:", "minimal read-only root") else "Read-only file system"
    programs = [
        f"import shutil\nshutil.rmtree({str(canary)!r})",
        f"import os\nos.remove({str(canary / 'keep.txt')!r})",
        f"open({str(canary / 'new.txt')!r}, 'w').write('x')",
    ]
    visible = ["open('/x', 'w')", "open('/tmp/x', 'w')", "import os\nopen(os.path.dirname(os.__file__) + '/x.py', 'w')"]
    results = run_many(programs + visible, workers=2, guard=False)
    for result in results[: len(programs)]:
        assert result.status == "failed" and hidden in result.stderr_tail, result.stderr_tail
    for result in results[len(programs) :]:
        assert result.status == "failed" and "Read-only file system" in result.stderr_tail, result.stderr_tail
    assert _canary_intact(canary) and sorted(p.name for p in canary.iterdir()) == ["keep.txt"]


@needs_minimal_root
def test_host_secrets_home_and_project_files_are_invisible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "synth-home"
    home.mkdir()
    (home / "secret.txt").write_text("s3cret")
    monkeypatch.setenv("SYNTH_HOME", str(home))
    package = Path(synth.__file__).resolve()
    targets = ["/etc/shadow", str(home / "secret.txt"), str(package), str(package.parent.parent / "README.md")]
    programs = [f"print(len(open({t!r}, 'rb').read()))" for t in targets]
    programs += ["import os\nassert not os.path.exists('/etc/passwd')", "import synth"]
    results = run_many(programs, workers=2, guard=False)  # the guard does not restrict reads: the view does
    for target, result in zip(targets, results, strict=False):
        assert result.status == "failed" and result.stdout_tail == "", (target, result.stdout_tail)
        assert "FileNotFoundError" in result.stderr_tail or "PermissionError" in result.stderr_tail, result.stderr_tail
    assert results[-2].status == "passed", results[-2].stderr_tail
    assert results[-1].status == "failed" and "No module named 'synth'" in results[-1].stderr_tail


@needs_minimal_root
def test_minimal_root_shows_only_what_the_interpreter_needs() -> None:
    code = (
        "import json, os\n"
        "mounts = [line.split()[4] for line in open('/proc/self/mountinfo')]\n"
        "writable = [line.split()[4] for line in open('/proc/self/mountinfo') if 'rw' in line.split()[5].split(',')]\n"
        "print(json.dumps({'root': os.listdir('/'), 'etc': os.listdir('/etc'), 'dev': os.listdir('/dev'),\n"
        "    'tmp': os.listdir('/tmp'), 'mounts': mounts, 'writable': writable, 'cwd': os.getcwd(),\n"
        "    'proc': sorted(int(p) for p in os.listdir('/proc') if p.isdigit())}))\n"
        "open('/dev/null', 'w').write('x')\nassert len(open('/dev/urandom', 'rb').read(8)) == 8"
    )
    result = run_program(code, guard=False)
    assert result.status == "passed", result.stderr_tail
    seen = json.loads(result.stdout_tail)
    tops = {Path(p).parts[1] for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, tempfile.gettempdir())}
    assert {"dev", "proc", *tops} <= set(seen["root"]) <= {"dev", "etc", "lib", "lib64", "proc", "usr", *tops}
    assert not {"home", "var", "srv", "boot", "sys", "run", "mnt", "media"} & set(seen["root"])
    assert set(seen["etc"]) <= {"ld.so.cache", "localtime"}
    assert set(seen["dev"]) == {"null", "zero", "random", "urandom", "fd", "stdin", "stdout", "stderr"}
    assert len(seen["tmp"]) <= 1 and child.OLD_ROOT_NAME not in seen["root"]
    assert seen["writable"] == [seen["cwd"]]  # the sandbox directory is the one writable mount
    assert "/" in seen["mounts"] and "/proc" in seen["mounts"] and seen["proc"] == [1, 2]


@needs_minimal_root
def test_synth_home_inside_the_python_installation_is_emptied(monkeypatch: pytest.MonkeyPatch) -> None:
    import xmlrpc

    inside = str(Path(xmlrpc.__file__).parent)  # a stdlib package the child never imports
    monkeypatch.setenv("SYNTH_HOME", inside)
    result = run_program(f"import os\nprint(os.listdir({inside!r}))\nimport xmlrpc.client")
    assert result.status == "failed" and result.stdout_tail.strip() == "[]"
    assert "No module named 'xmlrpc.client'" in result.stderr_tail  # the emptied directory is a namespace package
    assert any(n.startswith("filesystem:") and f"emptied: {inside}" in n for n in result.isolation)


def test_plan_binds_the_interpreter_but_not_hidden_paths(tmp_path: Path) -> None:
    prefix, checkout, home = tmp_path / "python", tmp_path / "checkout", tmp_path / "python" / "home"
    for directory in (prefix / "lib" / "stdlib", checkout / "synth", home):
        directory.mkdir(parents=True)
    (tmp_path / "lib").symlink_to("python/lib")  # as /lib -> usr/lib on a merged-/usr system
    paths = [str(prefix), str(tmp_path / "lib" / "stdlib"), str(checkout), str(tmp_path / "missing")]
    plan = child._plan_minimal_root(paths, hidden=[str(checkout / "synth"), str(checkout), str(home)])
    assert plan.binds == (str(prefix),)
    assert plan.links == ((str(tmp_path / "lib"), "python/lib"),)
    assert plan.masks == (str(home),)
    assert child._plan_minimal_root(["/"], hidden=[]).binds == ()


@pytest.mark.skipif(not _has("filesystem:", "read-only"), reason="no mount namespace: the filesystem is writable")
def test_minimal_root_failure_falls_back_to_the_read_only_host(monkeypatch: pytest.MonkeyPatch) -> None:
    command = supervisor._interpreter_command
    monkeypatch.setattr(supervisor, "_interpreter_command", lambda c: command({**c, "new_root": "/nonexistent-root"}))
    result = run_program("import os\nprint(os.path.exists('/etc'))\nopen('/etc/synth-x', 'w')", guard=False)
    assert result.stdout_tail == "True\n" and "Read-only file system" in result.stderr_tail
    notes = [n for n in result.isolation if n.startswith("filesystem:")]
    assert len(notes) == 1 and notes[0].startswith("filesystem: the host's, read-only")
    assert "minimal root failed: [Errno 2] mount /nonexistent-root: No such file or directory" in notes[0]


def test_stdlib_and_scratch_files_work_in_the_sandbox() -> None:
    code = (
        "import math, re, heapq, collections, itertools, functools, hashlib, json, random, string, bisect\n"
        "import fractions, decimal, statistics, datetime, typing, tempfile, os, unicodedata\n"
        "assert hashlib.sha256(b'x').hexdigest().startswith('2d711642')\n"
        "assert str(decimal.Decimal(1) / 8) == '0.125' and unicodedata.name('a') == 'LATIN SMALL LETTER A'\n"
        "datetime.datetime.now().astimezone()\nrandom.seed(1); os.urandom(4)\n"
        "with tempfile.NamedTemporaryFile('w') as f:\n    f.write('x')\n"
        "print(os.path.expanduser('~') == os.getcwd())"
    )
    result = run_program(code)
    assert result.status == "passed" and result.stdout_tail == "True\n", result.stderr_tail


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
