"""A local stand-in for the arXiv API: replays the recorded Atom feeds in ../shared/arxiv-api.

Requests are matched to recordings by their query parameters (urls.tsv maps
each file to the URL and HTTP status it was recorded from); `/pdf/<id>`
serves a PDF from the shared corpus. Bound to 127.0.0.1 only.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from tests.conftest import PAPERS, SHARED

FEEDS = SHARED / "arxiv-api"


def _key(query: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(sorted((k, tuple(v)) for k, v in parse_qs(query, keep_blank_values=True).items()))


def load_recordings() -> dict[tuple, tuple[int, Path]]:
    table = {}
    for line in (FEEDS / "urls.tsv").read_text().splitlines():
        name, status, url = line.split()
        table[_key(urlparse(url).query)] = (int(status), FEEDS / f"{name}.xml")
    return table


class ArxivReplay:
    def __init__(self, pdf: Path = PAPERS / "2305.13245.pdf") -> None:
        recordings = load_recordings()
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                outer.requests.append(self.path)
                parsed = urlparse(self.path)
                if parsed.path.startswith("/pdf/"):
                    body, status, ctype = pdf.read_bytes(), 200, "application/pdf"
                elif parsed.path == "/api/query" and _key(parsed.query) in recordings:
                    status, file = recordings[_key(parsed.query)]
                    body, ctype = file.read_bytes(), "application/atom+xml"
                else:
                    body, status, ctype = b"not recorded", 404, "text/plain"
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ArxivReplay:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
