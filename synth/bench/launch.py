"""The parent side: one subprocess per experiment, a timeout, and a result whatever happens.

Experiments run one at a time on the local executor: two benchmarks sharing
the CPU would both measure contention. A child that crashes, is OOM-killed or
hangs becomes a `failed`/`timeout` result carrying the tail of its stderr, so
a sweep always finishes and says what went wrong where.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synth.core.bench_result import BenchResult
from synth.core.bench_spec import BenchSpec
from synth.models.offline import OFFLINE_ENV

STDERR_TAIL = 4000
CHILD_ENV = {
    **OFFLINE_ENV,
    "TOKENIZERS_PARALLELISM": "false",
    # A fixed mmap threshold turns off glibc's dynamic one, under which freed tensors stay in the heap
    # and are reused without raising RSS: the peak-RSS delta would then miss the KV cache of the timed runs.
    "MALLOC_MMAP_THRESHOLD_": "131072",
}
Progress = Callable[[BenchResult], None]


def _tail(path: Path, limit: int = STDERR_TAIL) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - limit))
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _settings_json(settings: Any) -> str:
    return settings.model_dump_json(exclude={"settings_md5"})


def _die_with_parent() -> None:
    """Linux: the child gets SIGKILL if the parent dies, so an interrupted sweep leaves no orphan burning CPU."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def child_command(spec_path: Path, out_path: Path, settings_path: Path | None) -> list[str]:
    cmd = [sys.executable, "-m", "synth.bench", str(spec_path), str(out_path)]
    return cmd + [str(settings_path)] if settings_path else cmd


def run_spec(spec: BenchSpec, settings: Any | None = None, timeout_s: float | None = None) -> BenchResult:
    """Run one spec in a child process; never raises for what happens inside the child."""
    timeout = timeout_s or spec.timeout_s
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with tempfile.TemporaryDirectory(prefix="synth-bench-") as tmp:
        work = Path(tmp)
        spec_path, out_path, err_path = work / "spec.json", work / "result.json", work / "stderr.txt"
        spec_path.write_text(spec.model_dump_json(), encoding="utf-8")
        settings_path = None
        if settings is not None:
            settings_path = work / "settings.json"
            settings_path.write_text(_settings_json(settings), encoding="utf-8")
        t0 = time.perf_counter()
        with err_path.open("wb") as err:
            proc = subprocess.Popen(
                child_command(spec_path, out_path, settings_path),
                stdout=subprocess.DEVNULL,
                stderr=err,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: a timeout kills the whole tree
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
                env={**os.environ, **CHILD_ENV},
            )
            try:
                rc = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                return BenchResult(
                    spec=spec, status="timeout", started_at=started, seconds=round(time.perf_counter() - t0, 3),
                    reason=f"killed after the {timeout:.0f} s timeout (spec.timeout_s)", stderr_tail=_tail(err_path),
                )  # fmt: skip
        seconds = round(time.perf_counter() - t0, 3)
        if rc == 0 and out_path.is_file():
            result = BenchResult.model_validate_json(out_path.read_text(encoding="utf-8"))
            if result.status != "ok":
                result.stderr_tail = _tail(err_path)
            return result
        reason = _describe_exit(rc)
        return BenchResult(
            spec=spec, status="failed", started_at=started, seconds=seconds, reason=reason,
            stderr_tail=_tail(err_path),
        )  # fmt: skip


def _describe_exit(rc: int) -> str:
    if rc < 0:
        name = signal.Signals(-rc).name if -rc in signal.Signals._value2member_map_ else str(-rc)
        hint = " (out of memory?)" if -rc == signal.SIGKILL else ""
        return f"the benchmark process was killed by {name}{hint}"
    return f"the benchmark process exited with code {rc} and wrote no result"


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def run_specs(
    specs: list[BenchSpec],
    settings: Any | None = None,
    executor: str = "local",
    progress: Progress | None = None,
    address: str | None = None,
) -> list[BenchResult]:
    """Run a sweep: sequentially here (`local`), or as Ray tasks (`ray`, with `address` for a cluster)."""
    if executor == "ray":
        from synth.bench.ray_executor import run_on_ray

        return run_on_ray(specs, settings, address=address, progress=progress)
    if executor != "local":
        from synth.errors import UserError

        raise UserError(f"unknown executor {executor!r}: use local or ray")
    results = []
    for spec in specs:
        result = run_spec(spec, settings)
        results.append(result)
        if progress is not None:
            progress(result)
    return results
