"""The hardware and library fingerprint stored with every benchmark result.

A tokens/s figure is only comparable with another taken on the same CPU or
GPU with the same library versions, so each result carries them (as
optimum-benchmark does). Fingerprinting runs in every benchmark child: it
reads files and package metadata, imports nothing heavy that is not already
imported, and never raises; a field it cannot read stays at its default.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import TypeVar

from synth.core.bench_result import Environment

# PyPI distribution names, which are also the keys of Environment.versions.
VERSIONED = (
    "torch",
    "transformers",
    "accelerate",
    "llama-cpp-python",
    "optimum-quanto",
    "torchao",
    "bitsandbytes",
    "synth",
)

T = TypeVar("T")


def _safe(fn: Callable[[], T], default: T) -> T:
    try:
        return fn()
    except Exception:  # noqa: BLE001 - a fingerprint field we cannot read stays empty
        return default


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith(("model name", "Model", "Hardware")) and ":" in line:
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)


def _usable_cores() -> int:
    """Cores this process may run on (a container or taskset can allow fewer than the machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 0


def _versions() -> dict[str, str]:
    found = {}
    for dist in VERSIONED:
        try:
            found[dist] = version(dist)
        except PackageNotFoundError:
            continue
    return found


def _driver_version() -> str | None:
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return None
    proc = subprocess.run(
        [exe, "--query-gpu=driver_version", "--format=csv,noheader"], capture_output=True, text=True, timeout=3
    )
    lines = proc.stdout.strip().splitlines()
    return lines[0].strip() if proc.returncode == 0 and lines else None


def _gpu(env: Environment, device: str) -> None:
    """GPU fields, only when torch is already loaded or a GPU run asked for it: importing torch costs a second."""
    if "torch" not in sys.modules and device == "cpu":
        return
    import torch

    if not torch.cuda.is_available():
        return
    index = torch.device(device).index if device.startswith("cuda") else None
    env.gpu_name = torch.cuda.get_device_name(index or 0)
    env.cuda = torch.version.cuda
    env.gpu_driver = _safe(_driver_version, None)


def _resolve(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def fingerprint(device: str, threads: int) -> Environment:
    """`threads` is the spec's setting; 0 (one per core) is recorded as the usable core count."""
    env = Environment()
    env.device = _safe(lambda: _resolve(device), device)
    env.cpu_model = _safe(_cpu_model, "")
    env.cpu_count = _safe(lambda: os.cpu_count() or 0, 0)
    env.threads = threads if threads > 0 else _safe(_usable_cores, 0)
    env.memory_gb = _safe(_memory_gb, 0.0)
    env.platform = _safe(platform.platform, "")
    env.python = _safe(lambda: f"{platform.python_implementation()} {platform.python_version()}", "")
    env.versions = _safe(_versions, {})
    _safe(lambda: _gpu(env, env.device), None)
    return env
