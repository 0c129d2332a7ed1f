"""Sidecar metadata: `paper.meta.json` beside `paper.pdf` overrides what the reader guesses.

Sources that know a paper's metadata for certain (the arXiv API) write it
here, so ingest does not have to guess titles and authors from page one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.stem + ".meta.json")


def read_sidecar(path: Path) -> dict[str, Any]:
    side = sidecar_path(path)
    if not side.is_file():
        return {}
    try:
        data = json.loads(side.read_text())
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}
