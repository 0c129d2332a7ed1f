"""A persistent cache of LM-judge scores.

The judge is by far the slowest checker (seconds per pair on two CPU cores), and
the same (claim, window) pair recurs: re-running an audit, refitting calibration,
re-rendering a report. Keying on the model, the prompt versions and the exact
texts makes a cached score exactly the score the judge would give again.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import numpy as np

from synth.verify.lm_judge import JudgeScore


def judge_key(model_id: str, prompt_versions: tuple[str, ...], claim: str, document: str) -> str:
    payload = "\x1f".join([model_id, *prompt_versions, claim, document])
    return hashlib.sha256(payload.encode()).hexdigest()


class JudgeCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS scores (key TEXT PRIMARY KEY, support REAL NOT NULL, contradict REAL)"
        )
        # Hidden states (float16, ~3 KB per prompt) let `synth calibrate` refit probes without the LM.
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS hidden (key TEXT, prompt TEXT, vec BLOB NOT NULL, PRIMARY KEY (key, prompt))"
        )
        self._db.commit()

    def get(self, key: str) -> tuple[float, float | None] | None:
        with self._lock:
            row = self._db.execute("SELECT support, contradict FROM scores WHERE key = ?", (key,)).fetchone()
        return (row[0], row[1]) if row else None

    def put(self, key: str, support: float, contradict: float | None) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO scores VALUES (?, ?, ?)", (key, support, contradict))
            self._db.commit()

    def get_hidden(self, key: str) -> dict[str, np.ndarray]:
        with self._lock:
            rows = self._db.execute("SELECT prompt, vec FROM hidden WHERE key = ?", (key,)).fetchall()
        return {prompt: np.frombuffer(vec, dtype=np.float16).astype(np.float32) for prompt, vec in rows}

    def put_hidden(self, key: str, hidden: dict[str, np.ndarray]) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO hidden VALUES (?, ?, ?)",
                [(key, prompt, np.asarray(v, dtype=np.float16).tobytes()) for prompt, v in hidden.items()],
            )
            self._db.commit()

    def close(self) -> None:
        self._db.close()


class CachedJudge:
    """Same interface as `LMJudge.score`; answers from the cache when it can."""

    def __init__(self, judge: object, cache: JudgeCache, model_id: str) -> None:
        self.judge = judge
        self.cache = cache
        self.model_id = model_id
        self.hits = 0
        self.misses = 0

    @property
    def prompt_versions(self) -> tuple[str, ...]:
        return self.judge.prompt_versions  # type: ignore[attr-defined]

    @property
    def capture_hidden(self) -> bool:
        return bool(getattr(self.judge, "capture_hidden", False))

    @capture_hidden.setter
    def capture_hidden(self, value: bool) -> None:
        self.judge.capture_hidden = value  # type: ignore[attr-defined]

    def score(self, claim: str, document: str) -> JudgeScore:
        key = judge_key(self.model_id, self.prompt_versions, claim, document)
        cached = self.cache.get(key)
        if cached is not None:
            hidden = self.cache.get_hidden(key) if self.capture_hidden else {}
            if not self.capture_hidden or self.prompt_versions[0] in hidden:
                self.hits += 1
                return JudgeScore(
                    support=cached[0], contradict=cached[1], prompt_versions=self.prompt_versions, hidden=hidden
                )
        self.misses += 1
        score = self.judge.score(claim, document)  # type: ignore[attr-defined]
        self.cache.put(key, score.support, score.contradict)
        if score.hidden:
            self.cache.put_hidden(key, score.hidden)
        return score
