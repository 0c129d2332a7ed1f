"""The flags of `synth report` and `synth audit` take their defaults from the settings (issue 13, requirement 4)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from synth.cli import app
from synth.settings import SynthSettings

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`

_NAMED = re.compile(r"\(default: from \[(\w+)\] (\w+), ([^)]+)\)")


def _shown(value: Any) -> str:
    """A default as the help writes it: true, 600, md,html,json."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join(map(str, value))
    return str(value)


@pytest.mark.parametrize("command", ["report", "audit"])
def test_the_help_names_each_setting_and_its_default(command: str) -> None:
    """The help text is written by hand (reading the settings would slow `synth --help`): it must not drift."""
    click_command = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    defaults = SynthSettings()
    named = []
    for param in click_command.params:
        match = _NAMED.search(" ".join((getattr(param, "help", None) or "").split()))
        if match is None:
            continue
        section, key, shown = match.groups()
        assert param.default is None, f"{param.name} has a default of its own, so the setting never applies"
        assert _shown(getattr(getattr(defaults, section), key)) == shown, (param.name, section, key)
        named.append(param.name)
    expected = {
        "report": {"arxiv", "papers", "claims", "measure", "measure_budget", "fmt", "mode", "judge"},
        "audit": {"judge", "measure", "measure_budget", "max_claims"},
    }[command]
    assert set(named) == expected


def test_a_report_flag_left_out_takes_the_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A real `synth report` invocation up to the pipeline: SYNTH_REPORT__PAPERS and a config file set the defaults
    the flags would have, and a flag still wins."""
    import synth.render.reports as render
    import synth.report.pipeline as pipeline

    seen: list[Any] = []

    def fake_run(question: str, options: Any, out: Path, ctx: Any) -> Any:
        seen.append(options)
        return SimpleNamespace(claims=[], review=None)

    monkeypatch.setattr(pipeline, "run_report", fake_run)
    monkeypatch.setattr(render, "write_reports", lambda run, out, formats: [])
    (tmp_path / "synth.toml").write_text('[bench]\nmeasure = "off"\n[report]\nformats = ["md"]\n')
    monkeypatch.setenv("SYNTH_REPORT__PAPERS", "4")
    runner = CliRunner()
    result = runner.invoke(app, ["report", "How fast is it?", "-o", str(tmp_path / "a"), "-q"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["report", "How fast is it?", "-o", str(tmp_path / "b"), "-q", "--papers", "7"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["--preset", "fast", "report", "How fast?", "-o", str(tmp_path / "c"), "-q"])
    assert result.exit_code == 0, result.output
    defaulted, flagged, preset = seen
    assert (defaulted.papers, defaulted.measure, defaulted.formats) == (4, "off", ["md"])
    assert (defaulted.claims, defaulted.measure_budget_s, defaulted.judge) == (20, 600.0, True)  # built-in defaults
    assert flagged.papers == 7 and flagged.measure == "off"
    assert preset.claims == 10 and preset.judge is False and preset.papers == 4  # the env still beats the preset
