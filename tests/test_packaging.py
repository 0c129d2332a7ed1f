"""A wheel is what users install: it must carry the prompts and templates and render a report by itself.

The prompts and report templates used to sit at the repository root, found through the source tree, so
`pip install .` or any wheel rendered nothing. The test builds the wheel from this checkout, installs it
into a fresh virtual environment (which sees this machine's torch and other dependencies, never this
checkout) and re-renders a stored run directory in every format from a folder outside the checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from synth.pipeline.rundir import RunDir
from tests.conftest import ROOT
from tests.report_fixtures import sample_run


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


def test_a_wheel_install_carries_prompts_and_templates_and_renders_a_run(tmp_path: Path) -> None:
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                 tmp_path / "dist", ROOT, cwd=tmp_path)  # fmt: skip
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("synth-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {p.name for p in (ROOT / "synth" / "templates").glob("*.j2")}
    prompts = {p.name for p in (ROOT / "synth" / "prompts").glob("*.j2")}
    assert {"report.md.j2", "report.html.j2", "audit.md.j2", "digest.md.j2"} <= templates
    assert {f"synth/templates/{n}" for n in templates} <= names
    assert {f"synth/prompts/{n}" for n in prompts} <= names and "synth/verify/params/verify_models.json" in names

    venv = tmp_path / "venv"
    assert _run(sys.executable, "-m", "venv", "--system-site-packages", venv, cwd=tmp_path).returncode == 0
    python = venv / "bin" / "python"
    installed = _run(python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", wheel, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    where = _run(python, "-c", "import synth; print(synth.__file__)", cwd=tmp_path)
    assert where.stdout.strip().startswith(str(venv)), where.stdout  # the wheel's copy, not this checkout

    run_dir = tmp_path / "run"
    RunDir(run_dir).save_run(sample_run())
    rendered = _run(python, "-m", "synth", "render", run_dir, "--format", "md,html,json,txt", "-q", cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    for ext in ("md", "html", "json", "txt"):
        assert (run_dir / f"report.{ext}").stat().st_size > 1000, ext
    assert (run_dir / "report.md").read_text().startswith("# ")
    prompt = _run(python, "-c", "from synth.prompts import load_prompt; print(load_prompt('extract_claims').version)",
                  cwd=tmp_path)  # fmt: skip
    assert prompt.returncode == 0 and prompt.stdout.strip().isdigit(), prompt.stderr


def test_every_package_synth_imports_is_declared() -> None:
    """An import that only works because something else pulled the package in breaks on a clean install:
    each third-party module synth imports maps to a declared dependency (or an extra, for optional ones)."""
    import ast
    import importlib.metadata as metadata
    import re

    imported: set[str] = set()
    for path in (ROOT / "synth").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])
    third_party = sorted(m for m in imported if m not in sys.stdlib_module_names and m != "synth")
    providers = {"llama_cpp": ["llama-cpp-python"], **metadata.packages_distributions()}  # an extra, maybe absent
    declared = {
        re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in metadata.requires("synth") or []
    }
    missing = [
        m for m in third_party
        if not {d.lower().replace("_", "-") for d in providers.get(m, [m])} & declared
    ]  # fmt: skip
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"
