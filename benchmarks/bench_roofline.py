"""Decode tokens/s of the fp32 model as a fraction of the memory-bandwidth roofline.

Memory-bound decoding reads every weight once per token, so tokens/s cannot
exceed bandwidth / bytes read per token. The bytes read per token are the model's
bytes minus the input embedding table when it is not tied to the output head (a
lookup reads one row of it). The copy bandwidth is measured here (torch tensor
copy of a 1 GiB buffer: read + write bytes per second, best of 5) and, for
reference, the read bandwidth (a sum over the same buffer); the decode rate comes
from the real runner (batch 1, fixed length), on the same machine.

Usage: python benchmarks/bench_roofline.py [--model qwen2.5-coder-0.5b-instruct]
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def copy_bandwidth_gb_s(size_bytes: int = 1 << 30, trials: int = 5) -> float:
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    src = torch.ones(size_bytes // 4, dtype=torch.float32)
    dst = torch.empty_like(src)
    dst.copy_(src)
    best = float("inf")
    for _ in range(trials):
        t0 = time.perf_counter()
        dst.copy_(src)
        best = min(best, time.perf_counter() - t0)
    return 2 * size_bytes / best / 1e9


def read_bandwidth_gb_s(size_bytes: int = 1 << 30, trials: int = 5) -> float:
    import torch

    src = torch.ones(size_bytes // 4, dtype=torch.float32)
    src.sum()
    best = float("inf")
    for _ in range(trials):
        t0 = time.perf_counter()
        src.sum()
        best = min(best, time.perf_counter() - t0)
    return size_bytes / best / 1e9


def untied_embedding_mb(model_dir: Path, bytes_per_param: int = 4) -> float:
    cfg = json.loads((model_dir / "config.json").read_text())
    if cfg.get("tie_word_embeddings", False):
        return 0.0
    return cfg["vocab_size"] * cfg["hidden_size"] * bytes_per_param / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b-instruct")
    parser.add_argument("--new-tokens", type=int, default=48)
    args = parser.parse_args()

    from synth.bench.launch import run_spec
    from synth.core.bench_spec import parse_specs
    from synth.render.bench import metric_value
    from synth.settings import load_settings

    bandwidth = copy_bandwidth_gb_s()
    read_bw = read_bandwidth_gb_s()
    spec = parse_specs(
        {
            "model": args.model,
            "precision": "fp32",
            "prompts": {"prompt_tokens": [64]},
            "generation": {"max_new_tokens": args.new_tokens},
            "repetitions": 3,
            "warmup": 1,
        }
    )[0]
    result = run_spec(spec, load_settings())
    if result.status != "ok":
        print(json.dumps({"error": result.reason, "stderr": result.stderr_tail[-500:]}))
        return 1
    decode = metric_value(result, "decode_tokens_per_s")
    model_mb = metric_value(result, "model_memory_mb")
    from synth.bench.loader import resolve_model

    per_token_mb = model_mb - untied_embedding_mb(resolve_model(spec, load_settings().models_dir).path)
    roofline = bandwidth * 1e9 / (per_token_mb * 2**20)
    read_roofline = read_bw * 1e9 / (per_token_mb * 2**20)
    print(json.dumps({"model": args.model, "precision": "fp32", "copy_bandwidth_gb_s": round(bandwidth, 2),
                      "read_bandwidth_gb_s": round(read_bw, 2), "model_mb": round(model_mb, 1),
                      "bytes_read_per_token_mb": round(per_token_mb, 1), "roofline_tok_s": round(roofline, 2),
                      "decode_tok_s": round(decode, 2), "fraction_of_roofline": round(decode / roofline, 3),
                      "fraction_of_read_roofline": round(decode / read_roofline, 3),
                      "cpu_count": os.cpu_count()}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
