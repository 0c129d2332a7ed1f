"""Vector store: chunk vectors in one chromadb collection, embedded (the default) or on a Chroma server.

Embedded: a PersistentClient under `<home>/index/chroma/`, collection `synth-chunks`. Server
(`retrieve.chroma_url`, for a team that runs one Chroma for everyone): an HttpClient and one collection per
data dir, named in `<home>/index/chroma-server.json`. One collection per data dir, not one for the team,
because the catalog and BM25 stay local and `CorpusIndex.reconcile` drops every vector its catalog does not
know: two homes sharing a collection would delete each other's vectors. Ingest, search and reconcile see
the same class either way.

Vectors are computed by our own Embedder and passed in; collections are created with
`embedding_function=None` so chroma's default model (a hub download) is never touched, and telemetry is off
(no network beyond the configured server).
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from synth.errors import UserError

COLLECTION = "synth-chunks"
SERVER_RECORD = "chroma-server.json"  # beside the embedded store's folder, in the index dir
HEARTBEAT_TIMEOUT_S = 10.0  # chromadb's own client waits forever (httpx timeout=None) on a silent host
_CREATE: dict[str, Any] = {"embedding_function": None, "configuration": {"hnsw": {"space": "cosine"}}}
_SETTING = "retrieve.chroma_url (SYNTH_RETRIEVE__CHROMA_URL)"
DENSE_OVERFETCH = 4  # candidates asked of the approximate index per result kept (`DenseStore.query`)
EXACT_MAX = 20_000  # up to this many vectors a query reads them all (about 30 MB, read once per process)


class ChromaServerError(UserError):
    """The Chroma server in `retrieve.chroma_url` cannot be used; the message names the setting and the fix."""


class VectorStoreMismatchError(UserError):
    """The data dir's vectors live in another store than the settings name (embedded vs a server)."""


class DenseStore:
    """One chroma collection of chunk vectors; `url` is the server's, or None for the embedded store."""

    def __init__(self, collection: Any, url: str | None = None) -> None:
        self.collection = collection
        self.url = url
        self._all: tuple[int, list[str], np.ndarray, np.ndarray] | None = None  # (count, ids, doc ids, unit vectors)

    @classmethod
    def embedded(cls, path: Path) -> DenseStore:
        import chromadb
        from chromadb.config import Settings

        record = path.parent / SERVER_RECORD
        if record.is_file():
            url = _read_record(record).get("url", "?")
            raise VectorStoreMismatchError(
                f"the vectors of {path.parent} are on the Chroma server {url} ({record}), but "
                f"retrieve.chroma_url is not set: set it to {url!r} (SYNTH_RETRIEVE__CHROMA_URL), or use another "
                "--home for a local index"
            )
        path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(
            path=str(path), settings=Settings(anonymized_telemetry=False, allow_reset=False)
        )
        return cls(client.get_or_create_collection(COLLECTION, **_CREATE))

    @classmethod
    def server(cls, url: str, local_path: Path) -> DenseStore:
        """The collection of the data dir whose embedded store would be `local_path`, on the server at `url`.

        The data dir's first use creates a collection with a fresh name and records it; later uses only look
        it up, so a server that lost it (or another server at the same URL) is an error, not a silent empty
        index that makes search BM25-only while ingest reports every file unchanged.
        """
        from chromadb.errors import NotFoundError
        from filelock import FileLock

        index_dir = local_path.parent
        if local_path.exists():
            raise VectorStoreMismatchError(
                f"{index_dir} already holds a local vector store ({local_path}), so its catalog does not match "
                f"the Chroma server {url}: use a fresh --home (SYNTH_HOME) with {_SETTING} and run "
                "`synth corpus add` there, or unset retrieve.chroma_url"
            )
        client = _connect(url)
        record = index_dir / SERVER_RECORD
        index_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(str(index_dir / f".{SERVER_RECORD}.lock")), _reaching(url):
            if record.is_file():
                known = _read_record(record)
                name = str(known["collection"])
                try:
                    return cls(client.get_collection(name, embedding_function=None), url)
                except NotFoundError as exc:
                    raise VectorStoreMismatchError(
                        f"the Chroma server {url} has no collection {name!r}, where the vectors of {index_dir} "
                        f"were stored (on {known.get('url', '?')}, {record}): point {_SETTING} at that "
                        "server, or use a fresh --home and run `synth corpus add` again"
                    ) from exc
            name = f"{COLLECTION}-{uuid.uuid4().hex}"
            owner = {"synth_index": str(index_dir), "synth_host": socket.gethostname()}  # for the server's admin
            collection = client.create_collection(name, metadata=owner, **_CREATE)
            from synth.io import atomic_write_text

            atomic_write_text(record, json.dumps({"url": url, "collection": name}, indent=1) + "\n")
            return cls(collection, url)

    def _vectors(self, n: int) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Every (id, doc id, vector), read once and again whenever the count changed (this process's `add` and
        deletes clear it too)."""
        if self._all is None or self._all[0] != n:
            with _reaching(self.url):
                got = self.collection.get(include=["embeddings", "metadatas"])
            metas = got["metadatas"] or [None] * len(got["ids"])
            docs = [str((m or {}).get("doc_id", i.split(":")[0])) for i, m in zip(got["ids"], metas, strict=True)]
            matrix = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(got["ids"]), -1)
            matrix = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)  # cosine = dot
            self._all = (len(got["ids"]), list(got["ids"]), np.asarray(docs), matrix)
        return self._all[1], self._all[2], self._all[3]

    def count(self) -> int:
        with _reaching(self.url):
            return int(self.collection.count())

    def ids(self) -> set[str]:
        with _reaching(self.url):
            return set(self.collection.get(include=[])["ids"])

    def add(self, ids: list[str], vectors: np.ndarray, doc_ids: list[str]) -> None:
        self._all = None
        with _reaching(self.url):
            for start in range(0, len(ids), 1000):
                end = start + 1000
                self.collection.upsert(
                    ids=ids[start:end],
                    embeddings=vectors[start:end].tolist(),
                    metadatas=[{"doc_id": d} for d in doc_ids[start:end]],
                )

    def delete_doc(self, doc_id: str) -> None:
        self._all = None
        with _reaching(self.url):
            self.collection.delete(where={"doc_id": doc_id})

    def delete_ids(self, ids: list[str]) -> None:
        self._all = None
        with _reaching(self.url):
            for start in range(0, len(ids), 1000):
                self.collection.delete(ids=ids[start : start + 1000])

    def query(self, vector: np.ndarray, k: int, doc_ids: set[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) best first, optionally only from some documents.

        The HNSW graph is approximate, and the embedded store rebuilds the part of it not yet persisted
        (up to `sync_threshold` vectors) in each process, in no fixed order: the same query could return a
        different top k from one run to the next (and the claims-dev verifier figures moved between identical
        runs). An embedded store of up to `EXACT_MAX` vectors is read once and scored exactly: the same top k in
        every process. Otherwise (or on a Chroma server, which would send every vector) `DENSE_OVERFETCH` times k
        candidates are asked for and rescored exactly. The best k are kept, ties by chunk id."""
        n = self.count()
        if n == 0:
            return []
        if n <= EXACT_MAX and self.url is None:  # exact, embedded store only (a server would send every vector)
            ids, docs, matrix = self._vectors(n)
            sims = matrix @ np.asarray(vector, dtype=np.float32)
            if doc_ids:
                sims = np.where(np.isin(docs, sorted(doc_ids)), sims, -np.inf)
            top = np.argsort(-sims, kind="stable")[: k * DENSE_OVERFETCH]  # ties settled below, by chunk id
            top = top[np.isfinite(sims[top])]
            return exact_top_k(vector, [ids[i] for i in top], matrix[top], k)
        where = {"doc_id": {"$in": sorted(doc_ids)}} if doc_ids else None
        with _reaching(self.url):
            res = self.collection.query(
                query_embeddings=[vector.tolist()], n_results=min(k * DENSE_OVERFETCH, n), include=["embeddings"],
                where=where,
            )  # fmt: skip
        return exact_top_k(vector, res["ids"][0], res["embeddings"][0], k)


def exact_top_k(vector: np.ndarray, ids: list[str], vectors: Any, k: int) -> list[tuple[str, float]]:
    """The k candidates of highest cosine with `vector`, best first; equal scores in chunk-id order, so the
    result depends only on the set of candidates, not on the order the index returned them in."""
    if not ids:
        return []
    matrix = np.asarray(vectors, dtype=np.float32).reshape(len(ids), -1)
    query = np.asarray(vector, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1) * float(np.linalg.norm(query))
    sims = (matrix @ query) / np.maximum(norms, 1e-12)
    order = sorted(range(len(ids)), key=lambda i: (-float(sims[i]), ids[i]))
    return [(ids[i], float(sims[i])) for i in order[:k]]


def open_dense_store(path: Path, url: str | None = None) -> DenseStore:
    """The embedded store at `path`, or this data dir's collection on the Chroma server at `url`."""
    return DenseStore.embedded(path) if url is None else DenseStore.server(url, path)


def server_address(url: str) -> tuple[str, int, bool]:
    """(host, port, ssl) for chromadb's HttpClient from a URL the settings validated (`scheme://host:port`)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ChromaServerError(f"{_SETTING} = {url!r} is not http(s)://HOST:PORT: {_FIX}")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname  # chromadb pastes it into a URL
    return host, parts.port or (443 if parts.scheme == "https" else 80), parts.scheme == "https"


_FIX = "start the server (`chroma run --host HOST --port PORT --path DIR`) or correct the URL"


def check_server(url: str, timeout: float = HEARTBEAT_TIMEOUT_S) -> None:
    """Fail in seconds, with the setting named, when nothing (or no Chroma) answers at `url`.

    chromadb's client would raise a bare ValueError ("Could not connect...") on a refused connection and
    hang on a host that drops packets; its heartbeat endpoint answers any Chroma 1.x server without auth.
    """
    server_address(url)
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=timeout) as response:  # noqa: S310
            body = response.read(4096)
    except urllib.error.HTTPError as exc:
        raise ChromaServerError(
            f"{url} answered HTTP {exc.code} to a Chroma heartbeat, so it is not a Chroma 1.x server: "
            f"set {_SETTING} to the address `chroma run` listens on"
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ChromaServerError(f"cannot reach the Chroma server at {url} ({reason}): {_FIX} in {_SETTING}") from exc
    if b"heartbeat" not in body:
        raise ChromaServerError(
            f"{url} answered a Chroma heartbeat with something else ({body[:60]!r}): "
            f"set {_SETTING} to the address `chroma run` listens on"
        )


def _connect(url: str) -> Any:
    import chromadb
    from chromadb.config import Settings

    check_server(url)
    host, port, ssl = server_address(url)
    with _reaching(url):
        try:
            return chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=Settings(anonymized_telemetry=False))
        except ValueError as exc:  # chromadb's words for a refused connection or an unexpected answer
            first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
            raise ChromaServerError(f"the Chroma server at {url} failed ({first}): {_FIX} in {_SETTING}") from exc


@contextmanager
def _reaching(url: str | None) -> Iterator[None]:
    """A server that goes away mid-run is one line naming the setting, not an httpx traceback."""
    if url is None:
        yield
        return
    import httpx

    try:
        yield
    except httpx.TransportError as exc:
        raise ChromaServerError(f"lost the Chroma server at {url} ({exc or type(exc).__name__}): {_FIX}") from exc


def _read_record(record: Path) -> dict[str, Any]:
    try:
        data = json.loads(record.read_text())
        if not isinstance(data, dict) or not isinstance(data.get("collection"), str):
            raise ValueError("no collection name")
    except (OSError, ValueError) as exc:
        raise VectorStoreMismatchError(
            f"{record} is unreadable ({exc}): it names this data dir's collection on the Chroma server; "
            "restore it, or use a fresh --home and run `synth corpus add` again"
        ) from exc
    return data
