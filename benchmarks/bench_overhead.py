"""Runner overhead: `synth bench run` (child process, own decode loop) vs a bare `model.generate` loop.

Same model, precision, prompt ids, fixed length and threads. Overhead = 1 - runner
end-to-end tok/s / bare tok/s (target <= 5%). The bare loop runs in this process
while no runner child is alive, so the two never share the CPU; the two are
interleaved over several rounds and compared by their medians, because a shared
VM's speed drifts by more than the overhead being measured.

Usage: python benchmarks/bench_overhead.py [--model qwen2.5-coder-0.5b-instruct] [--precision bf16]
Prints both figures and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b-instruct")
    parser.add_argument("--precision", default="bf16")
    parser.add_argument("--prompt-tokens", type=int, default=128)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import torch
    from transformers import AutoModelForCausalLM

    from synth.bench.inputs import synthetic_jobs
    from synth.bench.launch import run_spec
    from synth.bench.loader import resolve_model, torch_dtype
    from synth.core.bench_spec import parse_specs
    from synth.settings import load_settings

    settings = load_settings()
    spec = parse_specs({
        "model": args.model, "precision": args.precision, "prompts": {"prompt_tokens": [args.prompt_tokens]},
        "generation": {"max_new_tokens": args.new_tokens}, "repetitions": args.repetitions, "warmup": 1,
    })[0]  # fmt: skip
    resolved = resolve_model(spec, settings.models_dir)
    torch.set_num_threads(os.cpu_count() or 1)
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(resolved.path))
    model = AutoModelForCausalLM.from_pretrained(str(resolved.path), dtype=torch_dtype(args.precision)).eval()
    ids = torch.tensor([synthetic_jobs(spec, tok, model.config.vocab_size, settings)[0].with_context])
    kw = dict(max_new_tokens=args.new_tokens, min_new_tokens=args.new_tokens, do_sample=False,
              pad_token_id=tok.pad_token_id or 0)  # fmt: skip
    runner_rates: list[float] = []
    bare_rates: list[float] = []
    with torch.inference_mode():
        model.generate(ids, **kw)
        for _ in range(args.rounds):
            result = run_spec(spec, settings)
            if result.status != "ok":
                print(json.dumps({"error": result.reason, "stderr": result.stderr_tail[-500:]}))
                return 1
            runner_rates += result.measurements.end_to_end_tokens_per_s.values
            for _ in range(args.repetitions):
                t0 = time.perf_counter()
                out = model.generate(ids, **kw)
                bare_rates.append((out.shape[1] - ids.shape[1]) / (time.perf_counter() - t0))
    runner_tps = statistics.median(runner_rates)
    bare_tps = statistics.median(bare_rates)
    overhead = 1 - runner_tps / bare_tps
    print(f"runner {runner_tps:.2f} tok/s, bare generate {bare_tps:.2f} tok/s, overhead {overhead:+.1%}")
    print(json.dumps({"model": args.model, "precision": args.precision, "runner_tok_s": round(runner_tps, 2),
                      "bare_generate_tok_s": round(bare_tps, 2), "overhead": round(overhead, 4),
                      "target_overhead<=0.05": overhead <= 0.05, "cpu_count": os.cpu_count()}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
