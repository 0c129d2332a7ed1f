"""Named presets (issue 13, requirement 4): each shipped one loads, and it sits between the defaults and the file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel

from synth.settings import ReviewSettings, SettingsError, SynthSettings, load_settings, preset_names, read_preset
from tests.conftest import ROOT, run_cli

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`


def _leaves(table: dict[str, Any], trail: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_leaves(value, f"{trail}{key}."))
        else:
            out[trail + key] = value
    return out


def _get(settings: BaseModel, dotted: str) -> Any:
    value: Any = settings
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def test_the_shipped_presets_are_the_documented_ones() -> None:
    assert preset_names() == ["fast", "gpu", "thorough"]
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["synth"]
    assert "presets/settings/*.toml" in globs  # shipped in the wheel, not only in the source tree


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_loads_and_is_applied(name: str) -> None:
    settings = load_settings(preset=name)
    assert isinstance(settings, SynthSettings) and settings.preset == name
    values = _leaves(read_preset(name))
    assert values, f"preset {name} sets nothing"
    for key, value in values.items():
        assert _get(settings, key) == value, key


def test_presets_change_what_they_promise() -> None:
    fast, thorough, gpu = (load_settings(preset=n) for n in ("fast", "thorough", "gpu"))
    default = load_settings()
    assert fast.extract.mode == "extractive" and not fast.verify.judge and fast.bench.measure == "off"
    assert fast.extract.max_claims < default.extract.max_claims < thorough.extract.max_claims
    assert thorough.extract.mode == "llm" and thorough.verify.judge and thorough.verify.probes
    assert gpu.models.device == "cuda" and gpu.models.embed_batch_size > default.models.embed_batch_size


def test_precedence_defaults_preset_file_env_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(preset="fast").extract.max_claims == 10  # preset over the default (20)
    (tmp_path / "synth.toml").write_text('preset = "fast"\n[extract]\nmax_claims = 12\n')
    settings = load_settings()
    assert settings.preset == "fast" and settings.extract.max_claims == 12  # the file over its preset
    assert settings.bench.measure == "off" and not settings.verify.judge  # the rest of the preset still applies
    monkeypatch.setenv("SYNTH_EXTRACT__MAX_CLAIMS", "14")
    assert load_settings().extract.max_claims == 14  # the environment over the file
    assert load_settings(**{"extract.max_claims": 16}).extract.max_claims == 16  # flags over everything
    monkeypatch.setenv("SYNTH_PRESET", "thorough")
    settings = load_settings()
    assert settings.preset == "thorough" and settings.extract.mode == "llm" and settings.extract.max_claims == 14
    assert load_settings(preset="gpu").models.device == "cuda"  # --preset over SYNTH_PRESET
    monkeypatch.setenv("SYNTH_PRESET", "")
    settings = load_settings()
    assert settings.preset is None and settings.bench.measure == "auto"  # an empty variable unsets the file's


def test_a_preset_does_not_change_the_md5_of_the_values_it_sets(tmp_path: Path) -> None:
    """settings_md5 traces the values that made an output, not the name they were chosen by."""
    spelled_out = tmp_path / "same.toml"
    spelled_out.write_text((Path(__file__).parents[1] / "synth/presets/settings/gpu.toml").read_text())
    assert load_settings(preset="gpu").settings_md5 == load_settings(spelled_out).settings_md5


@pytest.mark.parametrize("where", ["flag", "env", "file"])
def test_an_unknown_preset_is_a_one_line_error_listing_the_names(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overrides = {"preset": "fats"} if where == "flag" else {}
    if where == "env":
        monkeypatch.setenv("SYNTH_PRESET", "fats")
    if where == "file":
        (tmp_path / "synth.toml").write_text('preset = "fats"\n')
    with pytest.raises(SettingsError) as info:
        load_settings(**overrides)
    message = str(info.value)
    assert message == "unknown preset 'fats' (did you mean 'fast'? presets: fast, gpu, thorough)"


def test_the_cli_selects_and_shows_the_preset() -> None:
    shown = run_cli("--preset", "fast", "config", "show")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("# effective settings; preset fast;") and 'measure = "off"' in shown.stdout
    from_env = run_cli("config", "show", env={"SYNTH_PRESET": "thorough"})
    assert from_env.stdout.startswith("# effective settings; preset thorough;")
    assert run_cli("config", "show").stdout.startswith("# effective settings; no preset;")
    bad = run_cli("--preset", "nope", "config", "show")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().splitlines() == ["error: unknown preset 'nope' (presets: fast, gpu, thorough)"]


def test_the_rubric_setting_names_the_rubrics_that_exist() -> None:
    from synth.review.rubric import RUBRICS

    rubrics = ReviewSettings.model_fields["rubrics"].annotation
    assert set(get_args(get_args(rubrics)[0])) == set(RUBRICS)
    assert set(ReviewSettings().rubrics) == set(RUBRICS)


def test_the_fault_hook_is_a_checked_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_FAULT", "kill-after-vectors:2")
    assert load_settings().fault == "kill-after-vectors:2"
    monkeypatch.setenv("SYNTH_FAULT", "kill-after-vector:2")  # a typo would silently never fire
    with pytest.raises(SettingsError, match="fault"):
        load_settings()
