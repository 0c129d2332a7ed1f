"""The vector store behind a real Chroma server (`retrieve.chroma_url`) through the same interface as the embedded one.

The integration tests start `chroma run` from the installed chromadb on 127.0.0.1; the unit tests need no
server that answers (a closed port, a silent socket and a plain HTTP server stand in for broken ones).
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import socket
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from synth.retrieve.dense import (
    SERVER_RECORD,
    ChromaServerError,
    VectorStoreMismatchError,
    check_server,
    open_dense_store,
    server_address,
)
from synth.settings import SettingsError, load_settings
from tests.conftest import PAPERS, run_cli
from tests.servers import free_port, running_server

GQA, PIPESPEC, SURVEY = "2305.13245", "2505.01572", "2502.19732"


# --- unit: the setting, and every way a server can be unusable --------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize(
    ("given", "normalized"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
        ("HTTP://Chroma.LAN:9000", "http://chroma.lan:9000"),
        ("https://chroma.example.org", "https://chroma.example.org:443"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("", None),
    ],
)
def test_chroma_url_is_normalized(given: str, normalized: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_RETRIEVE__CHROMA_URL", given)
    assert load_settings().retrieve.chroma_url == normalized


@pytest.mark.unit
@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("127.0.0.1:8000", "should look like http://HOST:PORT"),
        ("ftp://host:21", "should look like http://HOST:PORT"),
        ("http://:8000", "should look like http://HOST:PORT"),
        ("http://host:0", "port is not a number"),
        ("http://host:99999", "port is not a number"),
        ("http://host:eight", "port is not a number"),
        ("http://user:secret@host:8000", "no user, path or query"),
        ("http://host:8000/chroma", "no user, path or query"),
        ("http://host:8000?tenant=x", "no user, path or query"),
    ],
)
def test_bad_chroma_url_is_a_settings_error(given: str, why: str) -> None:
    with pytest.raises(SettingsError, match="retrieve.chroma_url") as err:
        load_settings(**{"retrieve.chroma_url": given})
    assert why in str(err.value) and "\n" not in str(err.value)


@pytest.mark.unit
def test_server_address_feeds_chromadbs_client() -> None:
    assert server_address("http://127.0.0.1:8000") == ("127.0.0.1", 8000, False)
    assert server_address("https://chroma.example.org:443") == ("chroma.example.org", 443, True)
    assert server_address("http://[::1]:8000") == ("[::1]", 8000, False)  # chromadb pastes the host into a URL


@pytest.mark.unit
def test_unreachable_server_is_one_line_naming_the_setting(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    with pytest.raises(ChromaServerError) as err:
        open_dense_store(tmp_path / "index" / "chroma", url)
    message = str(err.value)
    assert time.monotonic() - started < 10
    assert "\n" not in message and url in message and "retrieve.chroma_url" in message and "chroma run" in message
    assert not (tmp_path / "index" / "chroma").exists() and not (tmp_path / "index" / SERVER_RECORD).exists()


@pytest.mark.unit
def test_silent_server_times_out_instead_of_hanging() -> None:
    """chromadb's own client has no timeout: a host that accepts and never answers must not hang synth."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    try:
        started = time.monotonic()
        with pytest.raises(ChromaServerError, match="cannot reach the Chroma server.*retrieve.chroma_url"):
            check_server(f"http://127.0.0.1:{listener.getsockname()[1]}", timeout=0.5)
        assert time.monotonic() - started < 5
    finally:
        listener.close()


@pytest.mark.unit
def test_an_http_server_that_is_not_chroma_is_named(tmp_path: Path) -> None:
    handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(ChromaServerError, match="HTTP 404.*not a Chroma 1.x server.*retrieve.chroma_url"):
            check_server(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.unit
def test_a_home_never_mixes_embedded_and_server_vectors(tmp_path: Path) -> None:
    """Its catalog describes the vectors of one store; reading the other would look like an empty index."""
    on_server = tmp_path / "a" / "index"
    on_server.mkdir(parents=True)
    (on_server / SERVER_RECORD).write_text(json.dumps({"url": "http://10.0.0.5:8000", "collection": "synth-chunks-x"}))
    with pytest.raises(VectorStoreMismatchError, match="set it to 'http://10.0.0.5:8000'"):
        open_dense_store(on_server / "chroma")
    assert not (on_server / "chroma").exists()

    local = tmp_path / "b" / "index" / "chroma"
    local.mkdir(parents=True)  # as the embedded store leaves it; refused before any connection is tried
    with pytest.raises(VectorStoreMismatchError, match="already holds a local vector store.*fresh --home"):
        open_dense_store(local, f"http://127.0.0.1:{free_port()}")


# --- integration: `synth corpus add` and `synth search` against `chroma run` ------------------------------


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a `chroma run` server (the installed chromadb's CLI) on a free port, stopped after the module."""
    folder = tmp_path_factory.mktemp("chroma-server")
    url = f"http://127.0.0.1:{free_port()}"
    port = url.rsplit(":", 1)[1]
    cmd = [sys.executable, "-c", "import sys; from chromadb.cli.cli import app; sys.exit(app())",
           "run", "--host", "127.0.0.1", "--port", port, "--path", str(folder / "db")]  # fmt: skip
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}

    def heartbeat() -> None:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as resp:
            assert "heartbeat" in resp.read().decode()

    log_path = folder / "server.log"
    with running_server(
        cmd, name="chroma run", answer=heartbeat, log_path=log_path, wait_s=60, poll_s=0.2, env=env, cwd=folder
    ):
        yield url


def _server_env(home: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNTH_")}
    return {**env, "SYNTH_HOME": str(home), "SYNTH_RETRIEVE__CHROMA_URL": url}


def _papers(folder: Path, *ids: str) -> Path:
    folder.mkdir(parents=True)
    for doc_id in ids:
        shutil.copy(PAPERS / f"{doc_id}.pdf", folder / f"{doc_id}.pdf")
    return folder


def _dense_hits(query: str, env: dict[str, str]) -> list[dict]:
    """`synth search --mode dense`: vectors only, so every hit was ranked by the store under test."""
    proc = run_cli("search", query, "--json", "--mode", "dense", "-k", "5", env=env)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def _server_counts(url: str) -> dict[str, int]:
    import chromadb
    from chromadb.config import Settings

    host, port, ssl = server_address(url)
    client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=Settings(anonymized_telemetry=False))
    return {c.name: c.count() for c in client.list_collections()}


@pytest.mark.slow  # ~40 s on 2 cores: seven CLI runs, each loading torch and the embedding model
def test_corpus_add_and_search_through_a_chroma_server(chroma_server: str, tmp_path: Path) -> None:
    home = tmp_path / "team-a"
    env = _server_env(home, chroma_server)
    added = run_cli("corpus", "add", str(_papers(tmp_path / "papers-a", GQA, PIPESPEC)), env=env)
    assert added.returncode == 0, added.stderr
    assert "2 added" in added.stdout

    hits = _dense_hits("grouped-query attention shares key and value heads across groups of query heads", env)
    assert hits and hits[0]["doc_id"] == GQA
    assert {h["doc_id"] for h in hits} <= {GQA, PIPESPEC}
    assert all(h["page_start"] >= 1 and h["page_end"] >= h["page_start"] for h in hits)
    pipespec = _dense_hits("pipelined hierarchical speculative decoding across draft model stages", env)
    assert pipespec[0]["doc_id"] == PIPESPEC

    # The vectors are on the server, in this home's own collection; nothing of them is under the home.
    record = json.loads((home / "index" / SERVER_RECORD).read_text())
    assert record["url"] == chroma_server
    counts = _server_counts(chroma_server)
    chunks = int(json.loads(run_cli("corpus", "stats", "--json", env=env).stdout)["chunks"])
    assert counts[record["collection"]] == chunks > 0
    assert not (home / "index" / "chroma").exists()

    # A second home on the same server gets its own collection: ingesting (and reconciling) there leaves the
    # first home's vectors alone, and its dense search never returns the first home's papers.
    other = _server_env(tmp_path / "team-b", chroma_server)
    assert run_cli("corpus", "add", str(_papers(tmp_path / "papers-b", SURVEY)), env=other).returncode == 0
    other_record = json.loads((tmp_path / "team-b" / "index" / SERVER_RECORD).read_text())
    assert other_record["collection"] != record["collection"]
    assert _server_counts(chroma_server)[record["collection"]] == chunks
    assert {h["doc_id"] for h in _dense_hits("grouped-query attention key value heads", other)} == {SURVEY}

    # The same home with the server gone: one line naming the setting, exit 2, no traceback.
    gone = run_cli(
        "search",
        "grouped-query attention",
        env={**env, "SYNTH_RETRIEVE__CHROMA_URL": f"http://127.0.0.1:{free_port()}"},
    )
    assert gone.returncode == 2
    assert gone.stderr.startswith("error: cannot reach the Chroma server") and "retrieve.chroma_url" in gone.stderr
    assert "Traceback" not in gone.stderr and len(gone.stderr.strip().splitlines()) == 1
