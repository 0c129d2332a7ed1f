"""HumanEval pass@1 (greedy) of Qwen2.5-Coder-0.5B-Instruct on the first 20 problems, two backends.

transformers (bf16, the HF folder converted from the same Q4_K_M GGUF) and
llama.cpp (the GGUF itself); reference seen here with llama.cpp: 14/20.

Usage: python benchmarks/bench_humaneval.py [--limit 20] [--backends transformers,llamacpp]
Needs `synth models fetch qwen2.5-coder-0.5b-instruct --hf` (and llama-cpp-python for that backend).
Prints one line per backend, then one JSON line.
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
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--backends", default="transformers,llamacpp")
    parser.add_argument("--precision", default="bf16", help="transformers precision")
    args = parser.parse_args()

    from synth.bench.launch import run_spec
    from synth.core.bench_spec import parse_specs
    from synth.render.bench import metric_value
    from synth.settings import load_settings

    settings = load_settings()
    figures: dict[str, object] = {"problems": args.limit}
    for backend in args.backends.split(","):
        spec = parse_specs({
            "model": "qwen2.5-coder-0.5b-instruct", "backend": backend,
            "precision": args.precision if backend == "transformers" else "gguf",
            "prompts": {"kind": "humaneval", "limit": args.limit}, "generation": {"max_new_tokens": 384},
            "sampling": {"mode": "greedy"}, "evaluation": {"pass_at": [1]}, "timeout_s": 3000,
        })[0]  # fmt: skip
        r = run_spec(spec, settings)
        if r.status != "ok":
            print(f"{backend}: {r.status}: {r.reason} {r.stderr_tail[-300:]}")
            figures[backend] = {"status": r.status, "reason": r.reason}
            continue
        m = r.measurements
        passed = m.passed_samples if m else None
        tps = metric_value(r, "end_to_end_tokens_per_s")
        print(f"{backend}: pass@1 {m.pass_at['1']:.2f} ({passed}/{m.problems}), {tps:.1f} tok/s, {r.seconds:.0f} s")
        figures[backend] = {"pass_at_1": round(m.pass_at["1"], 3), "passed": passed, "tok_s": round(tps, 2),
                            "seconds": round(r.seconds, 1), "precision": spec.precision}  # fmt: skip
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
