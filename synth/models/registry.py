"""The offline model registry: typed records loaded from `registry.toml`.

Models come only from PyPI packages that carry them; this module knows
where each model ends up and how to tell whether it is there and intact.
"""

from __future__ import annotations

import difflib
import importlib.util
import tomllib
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from synth.errors import UserError
from synth.hashing import sha256_file


class ModelError(UserError):
    """A model is missing, corrupt or unknown; the message says which command fixes it."""


class ModelSpec(BaseModel):
    name: str
    role: str = Field(description="embedding, chat, base, nli ...")
    format: str = Field(description="sentence-transformers, gguf, hf")
    description: str = ""
    packages: list[str] = Field(description="Exact `name==version` pins on PyPI.")
    assembly: Literal["package-dir", "package-file", "concat-parts"]
    module: str | None = None
    subpath: str | None = None
    check_file: str | None = None
    parts_glob: str | None = None
    file_name: str | None = None
    size: int
    sha256: str
    install_into_env: bool = Field(False, description="A runtime dependency: installed into the environment.")

    @property
    def fetch_command(self) -> str:
        return f"synth models fetch {self.name}"

    @property
    def pip_command(self) -> str:
        flags = "" if self.install_into_env else " --no-deps"
        return f"pip install{flags} {' '.join(self.packages)}"


def load_registry(path: Path | None = None) -> dict[str, ModelSpec]:
    text = path.read_text() if path else resources.files("synth.models").joinpath("registry.toml").read_text()
    data = tomllib.loads(text)
    return {name: ModelSpec(name=name, **entry) for name, entry in data.get("models", {}).items()}


def get_spec(name: str, registry: dict[str, ModelSpec] | None = None) -> ModelSpec:
    registry = registry if registry is not None else load_registry()
    if name not in registry:
        close = difflib.get_close_matches(name, registry, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else f" Known: {', '.join(sorted(registry))}."
        raise ModelError(f"unknown model {name!r}.{hint}")
    return registry[name]


def package_dir(module: str, search_path: Path | None = None) -> Path | None:
    """Folder of an installed package, without importing it (imports can be slow or have side effects)."""
    if search_path is not None:
        candidate = search_path / module
        return candidate if candidate.is_dir() else None
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def model_location(spec: ModelSpec, models_dir: Path, pip_target: Path | None = None) -> Path | None:
    """Where the model's usable path is (file or folder), or None when it has not been fetched."""
    if spec.assembly == "package-dir":
        assert spec.module is not None
        for search in ([pip_target] if pip_target else []) + [models_dir / "pkgs" / spec.name, None]:
            folder = package_dir(spec.module, search)
            if folder is not None:
                path = folder / spec.subpath if spec.subpath else folder
                if path.exists():
                    return path
        return None
    assert spec.file_name is not None
    path = models_dir / spec.file_name
    return path if path.exists() else None


def checked_file(spec: ModelSpec, location: Path) -> Path:
    return location / spec.check_file if spec.assembly == "package-dir" and spec.check_file else location


class ModelStatus(BaseModel):
    name: str
    state: Literal["ok", "missing", "corrupt"]
    path: str | None = None
    detail: str = ""


def verify_model(spec: ModelSpec, models_dir: Path, pip_target: Path | None = None) -> ModelStatus:
    location = model_location(spec, models_dir, pip_target)
    if location is None:
        return ModelStatus(name=spec.name, state="missing", detail=f"run `{spec.fetch_command}`")
    target = checked_file(spec, location)
    if not target.is_file():
        return ModelStatus(name=spec.name, state="corrupt", path=str(location), detail=f"{target.name} missing")
    size = target.stat().st_size
    if size != spec.size:
        return ModelStatus(
            name=spec.name, state="corrupt", path=str(location),
            detail=f"size {size} != expected {spec.size}; run `{spec.fetch_command} --force`",
        )  # fmt: skip
    digest = sha256_file(target)
    if digest != spec.sha256:
        return ModelStatus(
            name=spec.name, state="corrupt", path=str(location),
            detail=f"sha256 {digest[:12]}… != expected {spec.sha256[:12]}…; run `{spec.fetch_command} --force`",
        )  # fmt: skip
    return ModelStatus(name=spec.name, state="ok", path=str(location))


def require_model(name: str, models_dir: Path, pip_target: Path | None = None, check_size: bool = True) -> Path:
    """Path of a fetched model, or a ModelError naming the command that installs it (fail closed).

    Only the size is checked here (cheap, every load); `synth models verify`
    does the full sha256.
    """
    spec = get_spec(name)
    location = model_location(spec, models_dir, pip_target)
    if location is None:
        raise ModelError(f"model {name} is not installed: run `{spec.fetch_command}` (it runs `{spec.pip_command}`)")
    target = checked_file(spec, location)
    if check_size and (not target.is_file() or target.stat().st_size != spec.size):
        raise ModelError(f"model {name} at {location} is incomplete or corrupt: run `{spec.fetch_command} --force`")
    return location
