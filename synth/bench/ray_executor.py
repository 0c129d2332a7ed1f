"""Fan a sweep out as Ray tasks, for users whose sweeps outgrow one machine.

Each task runs the same `run_spec` as the local executor (a child process per
experiment on the worker), so a result from a cluster is the same record with
the worker's environment fingerprint. A spec for CUDA asks Ray for one GPU and
the spec's CPU threads, so the scheduler never packs two timed runs onto one
device. `address=None` starts a local Ray instance (how the tests run it).
"""

from __future__ import annotations

from typing import Any

from synth.core.bench_result import BenchResult
from synth.core.bench_spec import BenchSpec
from synth.errors import UserError


def _task(spec_json: str, settings_json: str | None) -> str:
    from synth.bench.launch import run_spec
    from synth.core.bench_spec import BenchSpec
    from synth.settings import SynthSettings

    settings = None
    if settings_json:
        import json

        data = json.loads(settings_json)
        data.pop("settings_md5", None)
        settings = SynthSettings(**data)
    return run_spec(BenchSpec.model_validate_json(spec_json), settings).model_dump_json()


def resources_for(spec: BenchSpec) -> dict[str, float]:
    """Ray resource request: a GPU for CUDA specs; CPUs = the spec's threads (1 when it uses all cores)."""
    return {"num_gpus": 1.0 if spec.device == "cuda" else 0.0, "num_cpus": float(max(1, spec.threads))}


def run_on_ray(
    specs: list[BenchSpec], settings: Any | None = None, address: str | None = None, progress: Any | None = None
) -> list[BenchResult]:
    try:
        import ray
    except ImportError:
        raise UserError("the ray executor needs Ray: pip install 'synth[ray]' (or use --executor local)") from None
    started_here = not ray.is_initialized()
    if started_here:
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
        if address:
            kwargs["address"] = address
        try:
            ray.init(**kwargs)
        except Exception as exc:  # noqa: BLE001 - Ray raises many types for an unreachable cluster
            raise UserError(f"cannot connect to Ray at {address or 'a local instance'}: {exc}") from None
    try:
        remote = ray.remote(_task)
        settings_json = settings.model_dump_json(exclude={"settings_md5"}) if settings is not None else None
        refs = [remote.options(**resources_for(s)).remote(s.model_dump_json(), settings_json) for s in specs]
        results: list[BenchResult | None] = [None] * len(refs)
        index = {ref: i for i, ref in enumerate(refs)}
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            i = index[done[0]]
            result = BenchResult.model_validate_json(ray.get(done[0]))
            result.notes.append("ran as a Ray task")
            results[i] = result
            if progress is not None:
                progress(result)
        return [r for r in results if r is not None]
    finally:
        if started_here:
            ray.shutdown()
