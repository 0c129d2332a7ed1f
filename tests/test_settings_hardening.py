"""Issue 15, cases 6, 7 and 11 (CLI fallback): bad settings, a wrong data dir and a full disk are one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from synth.settings import SettingsError, SynthSettings, load_settings
from tests.conftest import run_cli


def _one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]


# --- case 6: unknown keys ---------------------------------------------------------------------------------------


SECTIONS = [
    name
    for name, field in SynthSettings.model_fields.items()
    if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
]


def test_the_tree_has_the_sections_this_file_checks() -> None:
    assert {"corpus", "models", "retrieve", "arxiv", "llm", "extract", "verify", "empirical"} <= set(SECTIONS)


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_model_forbids_unknown_keys(section: str) -> None:
    model = SynthSettings.model_fields[section].annotation
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        model(no_such_knob=1)


def test_corpus_max_file_mb_is_still_a_setting(tmp_path: Path) -> None:
    (tmp_path / "synth.toml").write_text("[corpus]\nmax_file_mb = 2.5\n")
    assert load_settings().corpus.max_file_mb == 2.5


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            "[verify]\njugde = false\n",
            "invalid settings (synth.toml): [verify] unknown key 'jugde' (did you mean 'judge'?)",
        ),
        ("[retrieve]\nkk = 5\n", "invalid settings (synth.toml): [retrieve] unknown key 'kk' (did you mean 'k'?)"),
        ("[verfy]\njudge = false\n", "invalid settings (synth.toml): unknown section [verfy] (did you mean [verify]?)"),
        ('homee = "x"\n', "invalid settings (synth.toml): unknown key 'homee' (did you mean 'home'?)"),
        ("[arxiv]\nzzzzzz = 1\n", "[arxiv] unknown key 'zzzzzz' (valid keys: query_url_format, delay_seconds,"),
    ],
)
def test_unknown_keys_in_the_toml_file_name_the_file_and_the_closest_key(
    tmp_path: Path, toml: str, message: str
) -> None:
    (tmp_path / "synth.toml").write_text(toml)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert message in str(info.value) and "\n" not in str(info.value)


def test_unknown_keys_in_an_explicit_config_name_that_file(tmp_path: Path) -> None:
    cfg = tmp_path / "conf" / "mine.toml"
    cfg.parent.mkdir()
    cfg.write_text("[llm]\ntemprature = 0.5\n")
    with pytest.raises(SettingsError, match=r"mine\.toml\): \[llm\] unknown key 'temprature' \(did you mean 'temp"):
        load_settings(cfg)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SYNTH_RETRIEVE__KK", "5", "(environment variable SYNTH_RETRIEVE__KK): [retrieve] unknown key 'kk' "
         "(did you mean SYNTH_RETRIEVE__K?)"),
        ("SYNTH_VERIFY__JUGDE", "false", "[verify] unknown key 'jugde' (did you mean SYNTH_VERIFY__JUDGE?)"),
        ("SYNTH_RETREIVE__K", "5", "unknown section 'retreive' (did you mean SYNTH_RETRIEVE__K?)"),
        ("SYNTH_NOPE__X", "1", "unknown section 'nope' (sections: corpus, models, retrieve,"),
        ("SYNTH_RETRIEVE__K__X", "1", "[retrieve] 'k' is a single value, not a section: set SYNTH_RETRIEVE__K"),
        ("synth_retrieve__kk", "5", "(environment variable synth_retrieve__kk): [retrieve] unknown key 'kk'"),
        ("SYNTH_VERIFY", '{"jugde": false}', "invalid settings (environment/flags): [verify] unknown key 'jugde' "
         "(did you mean 'judge'?)"),
    ],
)  # fmt: skip
def test_unknown_nested_env_vars_name_the_variable_and_the_closest_key(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert message in str(info.value) and "\n" not in str(info.value)


def test_legitimate_synth_env_vars_keep_working(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain SYNTH_X names belong to other uses too (fault injection, test model homes): only `__` names are checked."""
    for name, value in {
        "SYNTH_HOME": str(tmp_path / "elsewhere"),
        "SYNTH_OFFLINE": "1",
        "SYNTH_FAULT": "kill-after-vectors:2",
        "SYNTH_JUDGE_HOME": "/nonexistent",
        "SYNTH_TEST_KEY": "secret",
        "SYNTH_RETRIEVE__K": "4",
        "synth_verify__judge": "false",
        "SYNTH_CORPUS__MAX_FILE_MB": "3",
        "SYNTH_ARXIV__PAGE_SIZE": "50",
    }.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(**{"retrieve.per_doc_cap": 2})
    assert settings.home == tmp_path / "elsewhere" and settings.offline
    assert (settings.retrieve.k, settings.retrieve.per_doc_cap, settings.verify.judge) == (4, 2, False)
    assert (settings.corpus.max_file_mb, settings.arxiv.page_size) == (3.0, 50)


def test_cli_reports_an_unknown_key_in_synth_toml_of_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "synth.toml").write_text("[verify]\njugde = false\n")
    line = _one_line_error(run_cli("config", "show"))
    assert line == "error: invalid settings (synth.toml): [verify] unknown key 'jugde' (did you mean 'judge'?)"


def test_cli_reports_an_unknown_nested_env_var() -> None:
    line = _one_line_error(run_cli("config", "show", env={"SYNTH_RETRIEVE__KK": "5"}))
    assert "SYNTH_RETRIEVE__KK" in line and "did you mean SYNTH_RETRIEVE__K?" in line


def test_a_bad_value_still_reads_as_before(tmp_path: Path) -> None:
    (tmp_path / "synth.toml").write_text("[retrieve]\nk = 0\n")
    line = _one_line_error(run_cli("config", "show"))
    assert line.startswith("error: invalid settings (synth.toml): ") and "retrieve.k" in line


# --- case 7: the data dir -----------------------------------------------------------------------------------------


def test_a_home_that_is_a_file_is_refused_naming_the_knob(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    afile = tmp_path / "notes.txt"
    afile.write_text("x")
    monkeypatch.setenv("SYNTH_HOME", str(afile))
    with pytest.raises(SettingsError, match=rf"^SYNTH_HOME points at {afile}, a file, not a folder: set SYNTH_HOME"):
        load_settings()
    monkeypatch.setenv("SYNTH_HOME", str(afile / "sub"))
    with pytest.raises(SettingsError, match=f"inside {afile}, which is a file"):
        load_settings()
    with pytest.raises(SettingsError, match=rf"^--home points at {afile}, a file"):
        load_settings(home=afile)
    monkeypatch.delenv("SYNTH_HOME")
    (tmp_path / "synth.toml").write_text(f'home = "{afile}"\n')
    with pytest.raises(SettingsError, match=r"^`home` in synth\.toml points at .*notes\.txt, a file"):
        load_settings()


@pytest.mark.parametrize(
    "command", [("config", "show"), ("search", "kv cache"), ("corpus", "add", "."), ("digest", "list")]
)
def test_cli_with_home_on_a_file_is_one_line(tmp_path: Path, command: tuple[str, ...]) -> None:
    afile = tmp_path / "home.txt"
    afile.write_text("x")
    line = _one_line_error(run_cli(*command, env={"SYNTH_HOME": str(afile)}))
    assert f"SYNTH_HOME points at {afile}, a file, not a folder" in line
    line = _one_line_error(run_cli("--home", str(afile), *command))
    assert f"--home points at {afile}" in line
    assert afile.read_text() == "x"


def test_search_on_a_mistyped_home_says_so_and_creates_nothing(tmp_path: Path) -> None:
    typo = tmp_path / "hoem"
    line = _one_line_error(run_cli("search", "kv cache", env={"SYNTH_HOME": str(typo)}))
    assert f"no corpus at {typo}" in line and "synth corpus add PATH" in line and "SYNTH_HOME" in line
    assert not typo.exists()


def test_search_on_an_existing_empty_index_hints_at_the_data_dir(tmp_path: Path) -> None:
    home = tmp_path / "home"
    from synth.corpus.catalog import Catalog

    Catalog(home / "index" / "catalog.sqlite").close()  # an empty catalog, as a first ingest that failed leaves
    stats = run_cli("corpus", "stats", "--json")
    assert stats.returncode == 0 and '"documents": 0' in stats.stdout
    line = _one_line_error(run_cli("search", "kv cache"))
    assert f"the corpus at {home / 'index'} is empty" in line and "SYNTH_HOME" in line


def test_corpus_list_and_stats_on_a_mistyped_home_say_so_and_create_nothing(tmp_path: Path) -> None:
    typo = tmp_path / "hoem"
    for command in (("corpus", "list"), ("corpus", "stats"), ("corpus", "remove", "x")):
        line = _one_line_error(run_cli(*command, env={"SYNTH_HOME": str(typo)}))
        assert f"no corpus at {typo}" in line
    assert not typo.exists()


def test_audit_on_a_missing_home_still_names_corpus(tmp_path: Path) -> None:
    report = tmp_path / "r.md"
    report.write_text("# Report\n\nPagedAttention cuts KV cache waste to under 4% [2309.06180].\n")
    line = _one_line_error(run_cli("--offline", "audit", str(report), "--no-judge", "--measure", "off"))
    assert "--corpus" in line and "synth corpus add" in line
    assert not (tmp_path / "home" / "index").exists()


def test_open_retriever_never_creates_an_index(tmp_path: Path) -> None:
    from synth.corpus.open import NoCorpusError
    from synth.errors import UserError
    from synth.retrieve import open_retriever

    home = tmp_path / "missing-home"
    with pytest.raises(NoCorpusError, match="no corpus at") as info:
        open_retriever(SynthSettings(home=home))
    assert isinstance(info.value, UserError) and not home.exists()


# --- case 11: a full disk that no lower layer caught ----------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_real_enospc_on_stdout_is_one_line(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "synth", "config", "show"], stdout=full, stderr=subprocess.PIPE, text=True,
            timeout=120,
        )  # fmt: skip
    line = _one_line_error(proc)
    assert "no space left on the device" in line and str(tmp_path / "home") in line


_BOOM = textwrap.dedent(
    """
    import errno, sqlite3, sys
    from synth.cli import app, main

    @app.command("boom")
    def boom(kind: str) -> None:
        if kind == "oserror":
            raise OSError(errno.ENOSPC, "No space left on device", "/data/out.json")
        if kind == "quota":
            raise OSError(errno.EDQUOT, "Disk quota exceeded")
        if kind == "sqlite":
            try:
                raise sqlite3.OperationalError("database or disk is full")
            except sqlite3.OperationalError:
                raise sqlite3.OperationalError("cannot rollback - no transaction is active")
        raise RuntimeError("a real bug")

    sys.argv = ["synth", "boom", sys.argv[1]]
    main()
    """
)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("oserror", "error: no space left on the device to write /data/out.json: free some space"),
        ("quota", "error: no space left on the device to write its output (the data directory"),
        ("sqlite", "error: no space left for the database in the data directory (database or disk is full)"),
    ],
)
def test_full_disk_errors_that_escape_become_one_line(kind: str, expected: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _BOOM, kind], capture_output=True, text=True, timeout=120, env=dict(os.environ)
    )
    assert _one_line_error(proc).startswith(expected)


def test_other_errors_are_not_swallowed() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _BOOM, "bug"], capture_output=True, text=True, timeout=120, env=dict(os.environ)
    )
    assert proc.returncode == 1 and "RuntimeError: a real bug" in proc.stderr


def test_a_bad_value_names_the_key_the_value_and_what_is_allowed(tmp_path: Path) -> None:
    """Not pydantic's dump ("1 validation error for SynthSettings … [type=literal_error, …]")."""
    line = _one_line_error(run_cli("search", "kv cache", "--mode", "fuzzy"))
    assert "retrieve.mode = 'fuzzy': input should be 'hybrid', 'dense' or 'lexical'" in line
    assert "type=" not in line and "validation error" not in line and "pydantic" not in line
    (tmp_path / "synth.toml").write_text('[retrieve]\nk = "many"\n')
    line = _one_line_error(run_cli("config", "show"))
    assert "invalid settings (synth.toml): retrieve.k = 'many': input should be a valid integer" in line


def test_models_list_fits_80_columns_with_whole_names() -> None:
    out = run_cli("models", "list", env={"COLUMNS": "80"}).stdout
    table = [line for line in out.splitlines() if not line.startswith(("to install", "where "))]
    assert max(len(line) for line in table) <= 80  # the hints below are whole commands, on one line each
    for name in ("qwen2.5-coder-0.5b-instruct", "qwen2.5-coder-1.5b-instruct", "all-minilm-l6-v2"):
        assert name in out
