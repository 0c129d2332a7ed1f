"""What one experiment measured: the versioned result schema.

Every result embeds its spec and an environment fingerprint, following
optimum-benchmark: a number without the hardware and library versions that
produced it cannot be compared with anything. A measurement that was not
taken is absent (None), never zero; a run that could not happen carries a
status and the reason.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from synth.core.bench_spec import BenchSpec
from synth.errors import UserError
from synth.io import atomic_write_text

RESULT_SCHEMA_VERSION = 1

Status = Literal["ok", "failed", "timeout", "unsupported"]
RANDOM_WEIGHTS_LABEL = "random weights — speed and memory only"


class Stat(BaseModel):
    """A measurement over repetitions; `values` are kept so results can be re-aggregated."""

    mean: float
    std: float
    min: float
    max: float
    n: int
    values: list[float] = Field(default_factory=list)

    @classmethod
    def of(cls, values: list[float]) -> Stat | None:
        vals = [float(v) for v in values]
        if not vals:
            return None
        return cls(
            mean=statistics.fmean(vals),
            std=statistics.stdev(vals) if len(vals) > 1 else 0.0,
            min=min(vals),
            max=max(vals),
            n=len(vals),
            values=vals,
        )

    def short(self, digits: int = 2) -> str:
        return f"{self.mean:.{digits}f} ± {self.std:.{digits}f}" if self.n > 1 else f"{self.mean:.{digits}f}"


class Environment(BaseModel):
    cpu_model: str = ""
    cpu_count: int = 0
    threads: int = 0
    memory_gb: float = 0.0
    platform: str = ""
    python: str = ""
    gpu_name: str | None = None
    gpu_driver: str | None = None
    cuda: str | None = None
    versions: dict[str, str] = Field(default_factory=dict)
    device: str = "cpu"

    def describe(self) -> str:
        """The hardware in a few words, for tables and verdicts."""
        if self.device == "cuda" and self.gpu_name:
            return f"{self.gpu_name} (CUDA {self.cuda or '?'})"
        threads = self.threads or self.cpu_count
        return f"{self.cpu_model or 'CPU'} ({threads} threads)" if threads else (self.cpu_model or "CPU")


class Measurements(BaseModel):
    decode_tokens_per_s: Stat | None = Field(None, description="Generated tokens per second after the first token.")
    prefill_tokens_per_s: Stat | None = Field(None, description="Prompt tokens per second (first forward pass).")
    ttft_s: Stat | None = Field(None, description="Time to first token.")
    end_to_end_tokens_per_s: Stat | None = Field(
        None, description="Generated tokens (all streams) / total generate time: what papers usually call throughput."
    )
    per_sample_tokens_per_s: Stat | None = Field(
        None, description="Final answers' tokens / total time: SC(n) and CAD count one answer per prompt."
    )
    token_latency_p50_s: float | None = None
    token_latency_p95_s: float | None = None
    peak_memory_mb: float | None = Field(None, description="CUDA max allocated, else peak RSS increase during runs.")
    peak_memory_kind: Literal["cuda_max_allocated", "rss_delta"] | None = None
    model_memory_mb: float | None = Field(None, description="Parameters + buffers in memory.")
    prompt_tokens: int | None = None
    generated_tokens: int | None = None
    pass_at: dict[str, float] | None = Field(None, description="pass@k by k (unbiased estimator).")
    problems: int | None = None
    samples_per_problem: int | None = None
    passed_samples: int | None = None
    tokens_per_step: float | None = Field(
        None,
        description="Generated tokens per target decode step: 1 plus the mean accepted draft tokens of a "
        "speculative arm (1.0 without speculation).",
    )


class BenchResult(BaseModel):
    schema_version: int = RESULT_SCHEMA_VERSION
    spec: BenchSpec
    status: Status
    reason: str = ""
    stderr_tail: str = ""
    labels: list[str] = Field(default_factory=list, description="e.g. 'random weights — speed and memory only', 'CPU'.")
    notes: list[str] = Field(default_factory=list)
    environment: Environment | None = None
    measurements: Measurements | None = None
    started_at: str = ""
    seconds: float = 0.0
    synth_version: str = ""
    samples: list[dict[str, Any]] = Field(
        default_factory=list, description="Per-problem outcomes (task id, passed count), for pass@k re-checks."
    )

    def save(self, path: Path) -> Path:
        return atomic_write_text(Path(path), self.model_dump_json(indent=2) + "\n")


class ResultError(UserError):
    pass


def _read_json(path: Path) -> object:
    path = Path(path)
    if not path.is_file():
        raise ResultError(f"result file {path} does not exist: run `synth bench run SPEC -o {path}` first")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ResultError(f"{path}: not JSON ({exc.msg}, line {exc.lineno}); pass a `synth bench run` result") from None


def load_results(path: Path) -> list[BenchResult]:
    """One result or a list (a sweep's output); every error is one line naming the file."""
    doc = _read_json(path)
    items = doc if isinstance(doc, list) else [doc]
    try:
        return [BenchResult.model_validate(d) for d in items]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ResultError(f"{path}: not a synth bench result ({where}: {first['msg']})") from None


def load_result(path: Path) -> BenchResult:
    results = load_results(path)
    if len(results) != 1:
        raise ResultError(f"{path}: holds {len(results)} results; pass one (see `synth bench show`)")
    return results[0]
