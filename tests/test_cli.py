from __future__ import annotations

import subprocess
import sys

from tests.conftest import run_cli


def test_help_imports_no_heavy_libraries() -> None:
    """`synth --help` must stay fast: torch, transformers, chromadb and llama.cpp load lazily."""
    code = (
        "import sys; from typer.testing import CliRunner; from synth.cli import app;"
        "r = CliRunner().invoke(app, ['--help']); assert r.exit_code == 0, r.output;"
        "print(sorted(m for m in ('torch', 'transformers', 'chromadb', 'llama_cpp', 'sentence_transformers')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_command_has_help() -> None:
    for args in (["--help"], ["corpus", "--help"], ["models", "--help"], ["config", "--help"], ["search", "--help"],
                 ["corpus", "fetch-arxiv", "--help"], ["models", "fetch", "--help"]):  # fmt: skip
        proc = run_cli(*args)
        assert proc.returncode == 0, (args, proc.stderr)
    assert run_cli("--version").stdout.startswith("synth ")


def test_unknown_command_exits_non_zero() -> None:
    assert run_cli("frobnicate").returncode != 0
