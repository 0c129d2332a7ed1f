"""Decoding techniques vs vanilla on Qwen2.5-Coder-0.5B bf16 (this CPU), through the real runner.

Targets (issue 4): batched CAD throughput >= 0.9x vanilla; batched SC(5) per-answer
throughput >= 0.5x vanilla. Naive CAD and naive SC are measured too: they are what
the paper under test implemented (0.53x and 0.2x there).

Usage: python benchmarks/bench_techniques.py [--spec benchmarks/specs/techniques_qwen05.yaml] [-o out.json]
Needs `synth models fetch qwen2.5-coder-0.5b-instruct --hf`. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=ROOT / "benchmarks" / "specs" / "techniques_qwen05.yaml")
    parser.add_argument("-o", "--output", type=Path, default=None)
    args = parser.parse_args()

    from synth.bench.launch import run_specs
    from synth.core.bench_spec import load_specs
    from synth.render.bench import metric_value
    from synth.settings import load_settings

    specs = load_specs(args.spec)
    results = run_specs(specs, load_settings(), progress=lambda r: print(f"{r.spec.label()}: {r.status} {r.reason}"))
    if args.output:
        args.output.write_text(json.dumps([r.model_dump(mode="json") for r in results], indent=2))
    by_name = {}
    for r in results:
        t = r.spec.technique
        key = t.name if t.name == "vanilla" else f"{t.name}_{t.implementation}"
        by_name[key] = r
    base = metric_value(by_name["vanilla"], "per_sample_tokens_per_s") if "vanilla" in by_name else None
    figures: dict[str, object] = {}
    for key, r in by_name.items():
        per_answer = metric_value(r, "per_sample_tokens_per_s")
        figures[f"{key}_per_answer_tok_s"] = round(per_answer, 2) if per_answer else None
        if base and per_answer:
            figures[f"{key}_ratio"] = round(per_answer / base, 3)
        print(f"{key:28s} per-answer tok/s {per_answer or 0:8.2f}  status {r.status}")
    env = results[0].environment
    figures["hardware"] = f"{env.cpu_model} ({env.threads} threads)" if env else "unknown"
    cad_ratio = figures.get("cad_batched_ratio") or 0
    sc_ratio = figures.get("self_consistency_batched_ratio") or 0
    figures["targets"] = {"cad_batched_ratio>=0.9": cad_ratio >= 0.9, "sc_batched_ratio>=0.5": sc_ratio >= 0.5}
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
