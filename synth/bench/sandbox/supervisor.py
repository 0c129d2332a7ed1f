"""The sandbox's parent side: a temp directory, a scrubbed environment, a deadline, a pids cgroup, and the
child (`child.py`) started as a script in its own session; the result is read from a report pipe and the
tails of stdout and stderr.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from synth.bench.sandbox.child import FILE_SIZE_LIMIT, PROGRAM_NAME

ExecStatus = Literal["passed", "failed", "timeout", "error"]


@dataclass(frozen=True)
class ExecResult:
    """How one program ended.

    status: `passed` (exit 0), `failed` (non-zero exit: an assertion, an exception,
    MemoryError under the address-space limit, a syntax error), `timeout` (wall-clock
    deadline or CPU limit) or `error` (killed by another signal, e.g. the file-size
    limit or a crash, or the sandbox could not start the program at all).
    """

    status: ExecStatus
    returncode: int | None
    seconds: float
    stdout_tail: str = ""
    stderr_tail: str = ""
    truncated: bool = False
    pid: int | None = field(default=None, compare=False)
    isolation: tuple[str, ...] = field(default=(), compare=False)

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def run_program(
    code: str,
    timeout_s: float = 10.0,
    cpu_s: int | None = None,
    memory_mb: int = 1024,
    max_output_bytes: int = 64_000,
    *,
    max_processes: int = 32,
    guard: bool = True,
    isolate: bool = True,
) -> ExecResult:
    """Execute `code` in a fresh subprocess; never raises for anything the program does.

    `guard=False` / `isolate=False` switch off the in-program guard / the namespaces and
    cgroup, so tests can check that each remaining layer holds on its own.
    """
    import shutil
    import tempfile

    if not sys.platform.startswith("linux"):
        from synth.errors import UserError

        raise UserError(f"the code sandbox needs Linux (this is {sys.platform}): run pass@k benchmarks on Linux")
    cpu_limit = int(cpu_s) if cpu_s is not None else max(1, math.ceil(timeout_s))
    root = Path(tempfile.mkdtemp(prefix="synth-sandbox-"))
    try:
        work = root / "work"
        work.mkdir()
        (root / "fsroot").mkdir()  # the mount point of the child's minimal root
        (work / PROGRAM_NAME).write_text(code, encoding="utf-8")
        config = {
            "work": str(work),
            "new_root": str(root / "fsroot"),
            "hide": _hidden_host_paths(),
            "memory_mb": int(memory_mb),
            "cpu_s": cpu_limit,
            "max_processes": int(max_processes),
            "file_size": max(FILE_SIZE_LIMIT, 2 * max_output_bytes),
            "guard": guard,
            "isolate": isolate,
        }
        return _supervise(root, work, config, timeout_s, max_output_bytes)
    finally:
        if sys.version_info >= (3, 12):
            shutil.rmtree(root, onexc=_force_remove)
        else:
            shutil.rmtree(root, onerror=_force_remove)


def run_many(programs: list[str], workers: int = 0, **limits: Any) -> list[ExecResult]:
    """Run programs in parallel, results in input order; threads only wait on subprocesses."""
    from concurrent.futures import ThreadPoolExecutor

    if not programs:
        return []
    n = workers if workers > 0 else (os.cpu_count() or 1)
    if n == 1 or len(programs) == 1:
        return [run_program(p, **limits) for p in programs]
    with ThreadPoolExecutor(max_workers=min(n, len(programs)), thread_name_prefix="sandbox") as pool:
        return list(pool.map(lambda p: run_program(p, **limits), programs))


@cache
def isolation_notes() -> tuple[str, ...]:
    """What containment this machine gives a sandboxed program (probed once with an empty program)."""
    probe = run_program("pass", timeout_s=30.0)
    if probe.status != "passed":
        return (f"sandbox probe did not pass ({probe.status}): {probe.stderr_tail.strip()[-300:]}",)
    return probe.isolation


def _hidden_host_paths() -> list[str]:
    """Host directories the minimal root must never show, even where they lie inside the Python installation.

    The child works out the package and the checkout itself; only the parent knows $SYNTH_HOME
    (the child's environment is scrubbed).
    """
    from synth.settings import default_home

    return [str(default_home())]


def _child_env(work: Path) -> dict[str, str]:
    """Only what a solution can need: no PYTHONPATH, no credentials, no proxies of the caller.

    HOME and TMPDIR point into the sandbox (the only writable place once the filesystem is
    read-only); one BLAS/OpenMP thread keeps numpy under the address-space and process limits.
    """
    return {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": str(work),
        "TMPDIR": str(work),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def _interpreter_command(config: dict[str, Any]) -> list[str]:
    """`-s -P -B` rather than `-I`: -I also implies -E, which would ignore PYTHONHASHSEED.

    The environment is built from scratch (_child_env), so -E would add nothing; -s drops the
    user site, -P keeps the script's directory (this package) off sys.path, -B writes no .pyc
    (the program must not leave bytecode in the interpreter's install, e.g. as root).
    """
    child = Path(__file__).resolve().with_name("child.py")
    return [sys.executable, "-s", "-P", "-B", str(child), json.dumps(config)]


def _supervise(root: Path, work: Path, config: dict[str, Any], timeout_s: float, max_output_bytes: int) -> ExecResult:
    notes: list[str] = []
    cgroup = _PidsCgroup.create(config["max_processes"] + 2, notes) if config["isolate"] else None
    if cgroup is None:
        notes.append(_nproc_note(config["max_processes"]))
    config["cgroup_procs"] = str(cgroup.procs) if cgroup else ""
    out_path, err_path = root / "stdout", root / "stderr"
    report_r, report_w = os.pipe()
    config["report_fd"] = report_w
    start = time.monotonic()
    try:
        try:
            proc = _spawn(config, work, out_path, err_path, report_w)
        except OSError as exc:
            message = f"[synth sandbox] could not start the interpreter: {exc}"
            return ExecResult("error", None, time.monotonic() - start, stderr_tail=message, isolation=tuple(notes))
        finally:
            os.close(report_w)
        killed, cpu_used = _wait_and_reap(proc, start + timeout_s, cgroup)
        report = _read_report(report_r)
    finally:
        with contextlib.suppress(OSError):
            os.close(report_r)
        if cgroup:
            cgroup.remove()
    seconds = time.monotonic() - start
    stdout, cut_out = _tail(out_path, max_output_bytes)
    stderr, cut_err = _tail(err_path, max_output_bytes)
    if killed:
        stderr += f"\n[synth sandbox] killed after the {timeout_s:g} s wall-clock limit"
    return ExecResult(
        status=_classify(proc.returncode, killed, cpu_used, config["cpu_s"], bool(report.get("ready"))),
        returncode=proc.returncode,
        seconds=seconds,
        stdout_tail=stdout,
        stderr_tail=stderr,
        truncated=cut_out or cut_err,
        pid=proc.pid,
        isolation=tuple(notes + list(report.get("notes", []))),
    )


def _spawn(config: dict[str, Any], work: Path, out_path: Path, err_path: Path, report_w: int) -> Any:
    """The child in its own session (so its process group can be killed), with nothing inherited but the report pipe."""
    import subprocess

    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        return subprocess.Popen(
            _interpreter_command(config),
            cwd=work,
            env=_child_env(work),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
            close_fds=True,
            pass_fds=(report_w,),
        )


def _wait_and_reap(proc: Any, deadline: float, cgroup: _PidsCgroup | None) -> tuple[bool, float]:
    """Wait until exit or the deadline, kill everything the program left, reap; (killed by us, CPU seconds).

    The kill and the reap also run when the wait is interrupted (KeyboardInterrupt), so no
    program outlives the call.
    """
    killed = True
    try:
        killed = not _wait_exited(proc.pid, deadline)
    finally:
        # Until reaped below the leader is a zombie, so its pid -- the group id -- cannot be reused
        # by an unrelated process before the group is killed.
        _kill_group(proc.pid)
        if cgroup:
            cgroup.kill_all()
        _, wait_status, usage = os.wait4(proc.pid, 0)
        # Popen must know: otherwise its cleanup could later waitpid() a recycled pid of another run.
        proc.returncode = os.waitstatus_to_exitcode(wait_status)
    return killed, usage.ru_utime + usage.ru_stime


def _classify(returncode: int, killed: bool, cpu_used: float, cpu_s: int, ready: bool) -> ExecStatus:
    if killed:
        return "timeout"
    if returncode == 0:
        return "passed"
    if returncode < 0 and (-returncode == signal.SIGXCPU or (-returncode == signal.SIGKILL and cpu_used >= cpu_s)):
        return "timeout"  # RLIMIT_CPU: SIGXCPU at the soft limit, SIGKILL at the hard one (pid 1 ignores SIGXCPU)
    if not ready:
        return "error"  # the sandbox set-up failed; the program never ran
    return "failed" if returncode > 0 else "error"


def _wait_exited(pid: int, deadline: float) -> bool:
    """Poll without reaping (WNOWAIT) until the child exits; False when the deadline passed first."""
    delay = 0.0005
    while True:
        if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(delay, remaining))
        delay = min(delay * 2, 0.02)


def _kill_group(pgid: int) -> None:
    """SIGKILL the child's whole process group: forks, background daemons, a bomb's offspring."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _read_report(fd: int) -> dict[str, Any]:
    """The child's set-up report (what isolation it got); empty if it died before sending it."""
    chunks = []
    os.set_blocking(fd, False)
    with contextlib.suppress(BlockingIOError):
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
    try:
        report = json.loads(b"".join(chunks) or b"{}")
    except ValueError:
        return {}
    return report if isinstance(report, dict) else {}


def _tail(path: Path, limit: int) -> tuple[str, bool]:
    """The last `limit` bytes of an output file: a flood never reaches the parent's memory."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            fh.seek(max(0, size - limit))
            data = fh.read(limit)
    except OSError:
        return "", False
    return data.decode("utf-8", errors="replace"), size > limit


def _force_remove(func: Any, path: str, _error: Any) -> None:
    """rmtree's error hook: the program may have chmod-ed its files; make them removable and retry."""
    with contextlib.suppress(OSError):
        os.chmod(os.path.dirname(path), 0o700)
        os.chmod(path, 0o700)
        func(path)


def _nproc_note(max_processes: int) -> str:
    if os.geteuid() == 0:
        return (
            f"processes: RLIMIT_NPROC={max_processes} is ignored for root and no pids cgroup is writable; "
            "only the guard's fork block and the process-group kill stop a fork bomb"
        )
    return f"processes: RLIMIT_NPROC={max_processes}, counted over all processes of this user"


class _PidsCgroup:
    """A throw-away pids cgroup (v1 or v2) capping how many tasks one program can have.

    Fork bombs are the one hazard rlimits cannot stop for root, and process groups
    can be escaped with setsid(); a cgroup holds every descendant and can be swept.
    """

    _counter = itertools.count()

    def __init__(self, path: Path) -> None:
        self.path = path
        self.procs = path / "cgroup.procs"

    @classmethod
    def create(cls, limit: int, notes: list[str]) -> _PidsCgroup | None:
        for parent in _pids_cgroup_parents():
            path = parent / f"synth-sandbox-{os.getpid()}-{next(cls._counter)}"
            try:
                path.mkdir()
            except OSError:
                continue
            try:
                (path / "pids.max").write_text(f"{limit}\n")
            except OSError:
                with contextlib.suppress(OSError):
                    path.rmdir()
                continue
            notes.append(f"processes: at most {limit} tasks (pids cgroup {path.parent})")
            return cls(path)
        return None

    def pids(self) -> list[int]:
        try:
            return [int(line) for line in self.procs.read_text().split()]
        except (OSError, ValueError):
            return []

    def kill_all(self, wait_s: float = 2.0) -> None:
        kill_file = self.path / "cgroup.kill"  # cgroup v2, kernel >= 5.14: atomic
        if kill_file.exists():
            with contextlib.suppress(OSError):
                kill_file.write_text("1")
        deadline = time.monotonic() + wait_s
        while (pids := self.pids()) and time.monotonic() < deadline:
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.005)

    def remove(self, wait_s: float = 2.0) -> None:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                if time.monotonic() >= deadline:
                    return  # an empty directory is left behind; harmless
                self.kill_all(wait_s=0.1)
                time.sleep(0.01)


@cache
def _pids_cgroup_parents() -> tuple[Path, ...]:
    """Where this process may create a child pids cgroup: its own cgroup in a v1 pids or a v2 hierarchy."""
    try:
        own = [line.split(":", 2) for line in Path("/proc/self/cgroup").read_text().splitlines()]
        mounts = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return ()
    v1_path = next((p for _, ctrl, p in own if "pids" in ctrl.split(",")), None)
    v2_path = next((p for hid, ctrl, p in own if hid == "0" and ctrl == ""), None)
    found: list[Path] = []
    for line in mounts:
        left, _, right = line.partition(" - ")
        fields, rfields = left.split(), right.split()
        if len(fields) < 5 or len(rfields) < 3:
            continue
        mount_point, fstype, super_opts = Path(fields[4]), rfields[0], rfields[2].split(",")
        if fstype == "cgroup" and "pids" in super_opts and v1_path is not None:
            found.append(mount_point / v1_path.lstrip("/"))
        elif fstype == "cgroup2" and v2_path is not None:
            parent = mount_point / v2_path.lstrip("/")
            with contextlib.suppress(OSError):
                if "pids" in (parent / "cgroup.subtree_control").read_text().split():
                    found.append(parent)
    return tuple(p for p in found if os.access(p, os.W_OK))
