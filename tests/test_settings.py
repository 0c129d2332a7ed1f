from __future__ import annotations

import json
from pathlib import Path

import pytest

from synth.settings import SettingsError, load_settings
from tests.conftest import run_cli

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`


def test_defaults_are_offline_safe(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.home == tmp_path / "home"
    assert settings.models.embedding == "all-minilm-l6-v2"
    assert settings.retrieve.k == 10


def test_precedence_flags_over_env_over_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "synth.toml").write_text("[retrieve]\nk = 3\nrrf_k = 7\n[arxiv]\ndelay_seconds = 1.5\n")
    settings = load_settings()
    assert (settings.retrieve.k, settings.retrieve.rrf_k, settings.arxiv.delay_seconds) == (3, 7, 1.5)
    monkeypatch.setenv("SYNTH_RETRIEVE__K", "4")
    settings = load_settings()
    assert settings.retrieve.k == 4 and settings.retrieve.rrf_k == 7  # env wins, file still fills the rest
    settings = load_settings(**{"retrieve.k": 5})
    assert settings.retrieve.k == 5 and settings.retrieve.rrf_k == 7


def test_explicit_config_and_md5(tmp_path: Path) -> None:
    cfg = tmp_path / "other.toml"
    cfg.write_text("offline = true\n[retrieve]\nper_doc_cap = 1\n")
    a = load_settings(cfg)
    assert a.offline and a.retrieve.per_doc_cap == 1
    assert a.settings_md5 != load_settings().settings_md5


def test_bad_settings_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="not found"):
        load_settings(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[retrieve]\nk = 0\n")
    with pytest.raises(SettingsError, match="bad.toml"):
        load_settings(bad)
    proc = run_cli("--config", str(bad), "config", "show")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: invalid settings") and proc.stderr.count("\n") == 1


def test_config_show_prints_effective_settings(tmp_path: Path) -> None:
    (tmp_path / "synth.toml").write_text("[retrieve]\nk = 7\n")
    proc = run_cli("config", "show", "--json", env={"SYNTH_ARXIV__PAGE_SIZE": "50"})
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["retrieve"]["k"] == 7 and data["arxiv"]["page_size"] == 50
    toml_out = run_cli("--offline", "config", "show").stdout
    assert "offline = true" in toml_out and "[retrieve]" in toml_out


def test_user_paths_are_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SYNTH_HOME")  # the environment would win over the file
    cfg = tmp_path / "home.toml"
    cfg.write_text('home = "~/synth-data"\n[corpus]\npaths = ["~/papers"]\n')
    settings = load_settings(cfg)
    assert settings.home == Path("~/synth-data").expanduser()
    assert settings.corpus.paths == [Path("~/papers").expanduser()]
