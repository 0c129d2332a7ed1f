"""The llama.cpp backend: GGUF models in their own quant type, timed token by token.

llama-cpp-python's high-level API decodes one sequence at a time, so the
techniques that need two streams per step (CAD) or a batch of samples
(batched self-consistency) are `unsupported` here with that reason; naive
self-consistency (n sequential samples), CoT and RAG run.
"""

from __future__ import annotations

import time
from typing import Any

from synth.bench.decode import Trace
from synth.bench.runner import Unsupported
from synth.bench.timing import Generated, measure
from synth.core.bench_result import BenchResult, Measurements
from synth.core.bench_spec import BenchSpec


def _open(path: Any, spec: BenchSpec, device: str, threads: int, n_ctx: int) -> Any:
    try:
        from llama_cpp import Llama
    except ImportError:
        raise Unsupported("the llamacpp backend needs llama-cpp-python: pip install 'synth[llama]'") from None
    return Llama(
        model_path=str(path),
        n_ctx=n_ctx,
        n_threads=threads,
        n_threads_batch=threads,
        n_gpu_layers=-1 if device == "cuda" else 0,
        seed=spec.sampling.seed,
        verbose=False,
    )


def _chat_prompt(llm: Any, text: str) -> list[int]:
    template = (llm.metadata or {}).get("tokenizer.chat_template")
    if not template:
        return llm.tokenize(text.encode(), add_bos=True, special=False)
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    eos = llm.detokenize([llm.token_eos()]).decode(errors="ignore")
    bos = llm.detokenize([llm.token_bos()]).decode(errors="ignore") if llm.token_bos() >= 0 else ""
    formatted = Jinja2ChatFormatter(template, eos_token=eos, bos_token=bos)(
        messages=[{"role": "user", "content": text}]
    )
    return llm.tokenize(formatted.prompt.encode(), add_bos=False, special=True)


def _generate(llm: Any, prompt: list[int], spec: BenchSpec, sample_offset: int) -> Trace:
    """One sequence, timed token by token; fixed length keeps going past EOS."""
    s = spec.sampling
    greedy = s.mode == "greedy"
    if not greedy:
        llm.set_seed(s.seed + sample_offset)
    eos = llm.token_eos()
    tokens: list[int] = []
    steps: list[float] = []
    llm.reset()
    t0 = last = time.perf_counter()
    ttft = 0.0
    for tok in llm.generate(
        prompt, temp=0.0 if greedy else s.temperature, top_p=1.0 if greedy else s.top_p, top_k=0 if not greedy else 40,
        reset=True,
    ):  # fmt: skip
        now = time.perf_counter()
        if not tokens:
            ttft = now - t0
        else:
            steps.append(now - last)
        last = now
        if tok == eos and not spec.generation.fixed_length:
            break
        tokens.append(int(tok))
        if len(tokens) >= spec.generation.max_new_tokens:
            break
    return Trace(
        answers=[tokens], prompt_tokens=len(prompt), ttft_s=ttft, total_s=time.perf_counter() - t0, step_s=steps,
        forward_calls=len(tokens), rows=1,
    )  # fmt: skip


def run_llamacpp(spec: BenchSpec, resolved: Any, device: str, threads: int, settings: Any, result: BenchResult) -> None:
    from synth.bench import inputs

    t = spec.technique
    if t.name == "cad":
        raise Unsupported("CAD needs two decoding streams per step: use the transformers backend")
    if t.name == "speculative":
        raise Unsupported(
            "speculative decoding is measured with the transformers backend (prompt lookup or a draft model): "
            "llama-cpp-python's Python API drafts only by prompt lookup, not with a draft model"
        )
    if t.name == "self_consistency" and t.implementation == "batched":
        raise Unsupported("batched self-consistency needs batched decoding: use the transformers backend or naive")
    if spec.precision not in ("gguf", "fp32") and spec.precision != resolved.path.suffix:
        result.notes.append(f"precision {spec.precision!r}: llama.cpp runs the GGUF's own quant type")
    if spec.batch_size > 1:
        result.notes.append("llama.cpp backend decodes one sequence at a time: batch_size ignored")
    code = spec.prompts.kind != "synthetic"
    n_ctx = max(2048, max(spec.prompts.prompt_tokens) + spec.generation.max_new_tokens + 1024)
    llm = _open(resolved.path, spec, device, threads, n_ctx)
    result.notes.append(f"llama.cpp, {resolved.path.name}; n_gpu_layers={'all' if device == 'cuda' else 0}")
    if device == "cuda":
        result.notes.append("peak memory is the RSS delta: llama.cpp's CUDA allocations are not visible to torch")
    result.measurements = Measurements(model_memory_mb=resolved.path.stat().st_size / 2**20)
    prompts: list[list[int]] = []
    problems: list[Any] = []
    if code:
        from synth.bench.problems import load_humaneval, load_mbpp, render_prompt

        p = spec.prompts
        items = load_humaneval(p.limit) if p.kind == "humaneval" else load_mbpp(p.path, p.limit)
        for problem in items:
            style = "cot" if t.name == "cot" else "rag" if t.name == "rag" else "plain"
            passages = inputs.rag_passages(problem.prompt[:500], t.rag_k, settings) if style == "rag" else None
            ids = _chat_prompt(llm, render_prompt(problem, style, passages))
            for _ in range(spec.sampling.samples_per_problem):
                prompts.append(ids)
                problems.append(problem)
    else:
        extra = ""
        if t.name == "cot":
            extra = inputs.cot_prefix()
        elif t.name == "rag":
            passages = inputs.rag_passages("efficient code generation with small language models", t.rag_k, settings)
            extra = "\n\n".join(passages) + "\n\n"
        filler = llm.tokenize((inputs.FILLER_TEXT * 50).encode(), add_bos=False, special=False)
        head = llm.tokenize(extra.encode(), add_bos=True, special=False) if extra else [llm.token_bos()]
        for length in spec.prompts.prompt_tokens:
            prompts += [head + filler[:length]] * spec.prompts.num_prompts
    n_samples = t.n if t.name == "self_consistency" else 1

    def generate(ids: list[int], offset: int) -> Generated:
        return [_generate(llm, ids, spec, offset + k) for k in range(n_samples)], n_samples

    def decode(tokens: list[int]) -> str:
        return llm.detokenize(tokens).decode("utf-8", errors="replace")

    # llama.cpp's allocations are invisible to torch.cuda even on a GPU, so its peak is the RSS delta ("cpu");
    # each prompt's n samples draw seeds offset + 0..n-1, hence 31 seeds between prompts.
    measure(
        spec, settings, result, prompts, generate,
        decode=decode, problems=problems, memory_device="cpu", seeds_per_unit=31, unit_name="samples",
    )  # fmt: skip
