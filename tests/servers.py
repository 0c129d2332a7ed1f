"""A real server for a test module: started as a subprocess on 127.0.0.1, polled until it answers, stopped after.

Used by the Chroma server tests (`chroma run`) and the served-judge tests (`python -m llama_cpp.server`).
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(
    cmd: Sequence[str],
    *,
    name: str,
    answer: Callable[[], T],
    log_path: Path,
    wait_s: int,
    poll_s: float,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Iterator[T]:
    """Start `cmd` (its output goes to `log_path`), call `answer` until it stops raising OSError and yield what it
    returned; the server is stopped on exit. A server that exits, or does not answer within `wait_s`, fails the test
    with the tail of its log."""
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            if proc.poll() is not None:
                pytest.fail(f"{name} exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                answered = answer()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{name} not up after {wait_s} s:\n{log_path.read_text()[-3000:]}")
                time.sleep(poll_s)
        yield answered
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
