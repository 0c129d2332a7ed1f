"""The run directory: every stage's output as JSON, written atomically, so a run can be resumed and re-rendered.

Layout::

    RUNDIR/run.json                 the whole run so far (ReportRun); a stage is done when its field is set
    RUNDIR/stages/retrieval.json    retrieved papers and passages
    RUNDIR/stages/claims.json       extracted claims and extraction stats
    RUNDIR/stages/verdicts.jsonl    one verdict per line, appended as each claim is verified (resume point)
    RUNDIR/stages/measurement.json  empirical checks; RUNDIR/bench/<spec>.json one benchmark result each
    RUNDIR/stages/synthesis.json, review.json
    RUNDIR/report.{md,html,json,txt}

Every file is replaced by rename (synth.io), and the JSONL progress file is
appended with a flush + fsync per line; a torn last line (a kill mid-write) is
ignored on resume.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from synth.core.run import ReportRun
from synth.errors import UserError
from synth.io import atomic_write_text

M = TypeVar("M", bound=BaseModel)
MANIFEST = "run.json"


class RunDirError(UserError):
    """A run directory is missing, not a synth run, or from an incompatible version."""


class RunDir:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.stages = self.root / "stages"
        self.bench = self.root / "bench"

    @property
    def manifest(self) -> Path:
        return self.root / MANIFEST

    def exists(self) -> bool:
        return self.manifest.is_file()

    def save_run(self, run: ReportRun) -> None:
        atomic_write_text(self.manifest, run.model_dump_json(indent=1) + "\n")

    def load_run(self) -> ReportRun:
        if not self.root.is_dir():
            raise RunDirError(f"run directory {self.root} does not exist: pass the folder `synth report -o` wrote")
        if not self.exists():
            raise RunDirError(f"{self.root} has no {MANIFEST}: not a synth report run directory")
        try:
            return ReportRun.model_validate_json(self.manifest.read_text(encoding="utf-8"))
        except ValidationError as exc:
            first = str(exc).splitlines()[:2]
            raise RunDirError(
                f"{self.manifest} is not a run this synth version can read ({' '.join(first)}): start a new run"
            ) from exc

    def save_stage(self, name: str, payload: BaseModel | dict | list) -> Path:
        if isinstance(payload, BaseModel):
            text = payload.model_dump_json(indent=1)
        else:
            text = json.dumps(payload, indent=1, default=_json_default)
        return atomic_write_text(self.stages / f"{name}.json", text + "\n")

    def append_line(self, name: str, record: BaseModel) -> None:
        """One JSON line, durable before the next claim starts: the resume point of long stages."""
        self.stages.mkdir(parents=True, exist_ok=True)
        with (self.stages / f"{name}.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(record.model_dump_json() + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def read_lines(self, name: str, model: type[M]) -> list[M]:
        path = self.stages / f"{name}.jsonl"
        if not path.is_file():
            return []
        out: list[M] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(model.model_validate_json(line))
            except ValidationError:
                continue  # a line torn by a kill mid-write: that claim is simply redone
        return out

    def clear_lines(self, name: str) -> None:
        (self.stages / f"{name}.jsonl").unlink(missing_ok=True)


def _json_default(value: object) -> object:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
