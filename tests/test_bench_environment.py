"""Environment fingerprint: filled on this machine, cheap, and never raising."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from synth.bench import environment
from synth.bench.environment import fingerprint
from synth.core.bench_result import Environment

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`


def test_fingerprint_fills_the_cpu_fields_quickly() -> None:
    start = time.perf_counter()
    env = fingerprint("cpu", 0)
    assert time.perf_counter() - start < 1.0
    assert isinstance(env, Environment)
    assert env.device == "cpu"
    assert env.cpu_model and env.platform and env.python.split()[-1].count(".") == 2
    assert env.cpu_count >= 1 and 1 <= env.threads <= env.cpu_count
    assert env.memory_gb > 0.5
    assert {"torch", "transformers", "synth"} <= set(env.versions)
    assert env.versions["synth"]


def test_explicit_threads_are_recorded_as_given() -> None:
    assert fingerprint("cpu", 3).threads == 3


def test_optional_libraries_are_listed_only_when_installed() -> None:
    from importlib.util import find_spec

    versions = fingerprint("cpu", 1).versions
    assert ("bitsandbytes" in versions) == (find_spec("bitsandbytes") is not None)
    quanto = find_spec("optimum") is not None and find_spec("optimum.quanto") is not None
    assert ("optimum-quanto" in versions) == quanto


def test_a_cpu_fingerprint_does_not_import_torch() -> None:
    code = (
        "import sys; from synth.bench.environment import fingerprint; "
        "fingerprint('cpu', 0); print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_gpu_fields_stay_empty_without_cuda() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    env = fingerprint("auto", 0)
    assert env.device == "cpu"
    assert env.gpu_name is None and env.gpu_driver is None and env.cuda is None


def test_unreadable_fields_fall_back_instead_of_raising(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("boom")

    for name in ("_cpu_model", "_memory_gb", "_versions", "_usable_cores", "_gpu"):
        monkeypatch.setattr(environment, name, broken)
    monkeypatch.setattr(environment.platform, "platform", broken)
    env = fingerprint("cpu", 0)
    assert env.cpu_model == "" and env.memory_gb == 0.0 and env.versions == {} and env.platform == ""
    assert env.threads == 0 and env.device == "cpu"


def _fake_nvidia_smi(tmp_path: Path, script: str) -> Path:
    exe = tmp_path / "nvidia-smi"
    exe.write_text(f"#!/bin/sh\n{script}\n")
    exe.chmod(0o755)
    return exe


def test_driver_version_comes_from_nvidia_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = _fake_nvidia_smi(tmp_path, 'echo "550.54.15"')
    monkeypatch.setattr(environment.shutil, "which", lambda name: str(exe))
    assert environment._driver_version() == "550.54.15"


def test_failing_nvidia_smi_gives_no_driver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = _fake_nvidia_smi(tmp_path, "echo 'NVIDIA-SMI has failed' >&2; exit 9")
    monkeypatch.setattr(environment.shutil, "which", lambda name: str(exe))
    assert environment._driver_version() is None
    monkeypatch.setattr(environment.shutil, "which", lambda name: None)
    assert environment._driver_version() is None
