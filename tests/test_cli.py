from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`


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


def test_off_a_terminal_progress_is_one_timed_line_per_stage() -> None:
    """Under cron or in CI a live bar draws nothing: each stage says when it ends, and a long one how far it is
    at most every 30 s."""
    import io

    from rich.console import Console

    from synth.cli.progress import LineStages, stage_progress

    now = [0.0]
    console = Console(file=io.StringIO(), width=40)
    stages = LineStages(console, clock=lambda: now[0])
    stages.start("verify", 20)
    for done in range(1, 21):
        now[0] += 4
        stages.advance("verify", done, 20)
    stages.finish("verify", "20 claims: 12 supported, 3 refuted, 5 not enough information")
    assert console.file.getvalue().splitlines() == [
        "verify     8/20 after 32 s",
        "verify     16/20 after 64 s",
        "verify     done in 80.0 s: 20 claims: 12 supported, 3 refuted, 5 not enough information",
    ]  # one line each, never wrapped at the console's width
    with stage_progress(console, quiet=False) as chosen:
        assert isinstance(chosen, LineStages)  # a StringIO is not a terminal
    with stage_progress(console, quiet=True) as chosen:
        assert chosen is None


def test_help_keeps_literal_brackets_and_shows_no_bool_metavar() -> None:
    out = run_cli("bench", "run", "--help", env={"COLUMNS": "200"}).stdout
    assert "{dotted.key: [values]}" in out  # Rich markup used to eat "[values]"
    report = run_cli("report", "--help", env={"COLUMNS": "200"}).stdout
    assert "--arxiv / --no-arxiv" in report and "<bool>" not in report
