"""The real `arxiv` client against a local replay of recorded API responses."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest

from synth.settings import ArxivSettings
from synth.sources.arxiv_source import ArxivQueryError, ArxivUnavailable, search_arxiv
from tests.arxiv_server import ArxivReplay
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def replay():  # noqa: ANN201
    with ArxivReplay() as server:
        yield server


def _settings(base: str, **kw: object) -> ArxivSettings:
    return ArxivSettings(query_url_format=base + "/api/query?{}", delay_seconds=0, num_retries=0, **kw)


def test_search_pages_through_results(replay: ArxivReplay) -> None:
    papers = search_arxiv(_settings(replay.base, page_size=10), query="testing", max_results=10)
    assert len(papers) == 10
    assert all(p.title and p.authors and p.arxiv_id and p.year for p in papers)


def test_id_lookup(replay: ArxivReplay) -> None:
    [paper] = search_arxiv(_settings(replay.base), ids=["1605.08386"])
    assert paper.arxiv_id == "1605.08386" and paper.version_id.startswith("1605.08386v")
    # The recorded answer lists only 1707.08567: arXiv has no entry for 0808.05394.
    two = search_arxiv(_settings(replay.base), ids=["0808.05394", "1707.08567"])
    assert [p.arxiv_id for p in two] == ["1707.08567"]
    old_style = search_arxiv(_settings(replay.base), ids=["quant-ph/0201082v1"])
    assert old_style[0].arxiv_id == "quant-ph/0201082"


def test_error_feed_and_empty_feed(replay: ArxivReplay) -> None:
    with pytest.raises(ArxivQueryError, match="HTTP 400"):
        search_arxiv(_settings(replay.base), ids=["abc"])
    assert search_arxiv(_settings(replay.base), ids=["0000.0000"]) == []


def test_network_down_is_fast_and_one_line() -> None:
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ArxivUnavailable):
        search_arxiv(_settings(f"http://127.0.0.1:{port}"), query="testing", max_results=5)


def test_silent_server_times_out() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    started = time.monotonic()
    try:
        with pytest.raises(ArxivUnavailable):
            search_arxiv(
                ArxivSettings(
                    query_url_format=f"http://127.0.0.1:{listener.getsockname()[1]}/api/query?{{}}",
                    delay_seconds=0,
                    num_retries=0,
                    timeout_seconds=1,
                ),  # fmt: skip
                query="testing",
                max_results=5,
            )
        assert time.monotonic() - started < 30  # bounded by the timeout, not hung
    finally:
        for conn in accepted:
            conn.close()
        listener.close()


def test_fetch_arxiv_cli_downloads_and_ingests(replay: ArxivReplay, tmp_path: Path) -> None:
    env = {
        "SYNTH_ARXIV__QUERY_URL_FORMAT": replay.base + "/api/query?{}",
        "SYNTH_ARXIV__PDF_URL_FORMAT": replay.base + "/pdf/{id}",
        "SYNTH_ARXIV__DELAY_SECONDS": "0",
    }
    proc = run_cli("corpus", "fetch-arxiv", "--id", "1605.08386", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "downloaded 1605.08386" in proc.stdout and "1 added" in proc.stdout
    listing = [json.loads(x) for x in run_cli("corpus", "list", "--json", env=env).stdout.splitlines()]
    assert listing[0]["doc_id"] == "1605.08386" and listing[0]["source"] == "arxiv"
    assert listing[0]["year"] == 2016  # from the API metadata, not guessed from the PDF
    bad = run_cli("corpus", "fetch-arxiv", "--id", "abc", env=env)
    assert bad.returncode == 2 and "HTTP 400" in bad.stderr
    down = run_cli(
        "corpus", "fetch-arxiv", "testing", "--max", "3",
        env=env | {"SYNTH_ARXIV__QUERY_URL_FORMAT": "http://127.0.0.1:9/api/query?{}", "SYNTH_ARXIV__NUM_RETRIES": "0"},
    )  # fmt: skip
    assert down.returncode == 0 and "arXiv unreachable" in down.stderr and "local corpus" in down.stderr
    offline = run_cli("--offline", "corpus", "fetch-arxiv", "testing", env=env)
    assert offline.returncode == 0 and "offline mode" in offline.stderr
