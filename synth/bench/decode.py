"""One timed decode loop for every technique: vanilla, CAD (naive or batched), self-consistency.

Why our own loop rather than `model.generate`: CAD needs the logits of two
streams combined before a token is chosen and the *same* token fed to both,
and the paper's naive CAD runs the streams as two separate forward passes.
Expressing every technique as "rows" (sequences with a KV cache), "passes"
(which rows share one forward call) and a `combine` (row logits → answer
logits) keeps naive and batched variants the same code, so "batched CAD
equals naive CAD token for token" is a property of the loop, not a hope. The
loop is a plain KV-cached greedy/sampling loop; `benchmarks/bench_overhead.py`
measures it against a bare `model.generate`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch

Combine = Callable[[torch.Tensor], torch.Tensor]


@dataclass
class Sampler:
    """Greedy, or temperature + top-p sampling from a seeded generator (reproducible per spec)."""

    greedy: bool = True
    temperature: float = 1.0
    top_p: float = 1.0
    seed: int = 0
    _gen: torch.Generator | None = field(default=None, repr=False)

    def pick(self, logits: torch.Tensor) -> torch.Tensor:
        if self.greedy:
            return logits.argmax(dim=-1)
        if self._gen is None:
            self._gen = torch.Generator(device=logits.device)
            self._gen.manual_seed(self.seed)
        probs = torch.softmax(logits.float() / self.temperature, dim=-1)
        if self.top_p < 1.0:
            sorted_p, idx = probs.sort(dim=-1, descending=True)
            keep = sorted_p.cumsum(-1) - sorted_p < self.top_p
            sorted_p = sorted_p * keep
            probs = torch.zeros_like(probs).scatter(-1, idx, sorted_p)
        return torch.multinomial(probs, 1, generator=self._gen).squeeze(-1)


@dataclass
class Trace:
    """What one generation did and when; the runner turns traces into measurements."""

    answers: list[list[int]]
    prompt_tokens: int  # real (unpadded) prompt tokens over all rows
    ttft_s: float
    total_s: float
    step_s: list[float]  # wall time of each decode step after the first token
    forward_calls: int
    rows: int


def _left_pad(rows: Sequence[Sequence[int]], pad_id: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, width - len(r) :] = torch.tensor(list(r), dtype=torch.long)
        mask[i, width - len(r) :] = 1
    return ids.to(device), mask.to(device)


def _accepts(model: torch.nn.Module, name: str) -> bool:
    import inspect

    return name in inspect.signature(model.forward).parameters


class _Pass:
    """A group of rows run in one forward call, with its own KV cache."""

    def __init__(self, model: torch.nn.Module, rows: Sequence[Sequence[int]], pad_id: int, device: torch.device):
        self.model = model
        # Only the last position's logits are used: computing the head over the whole prompt (as a plain
        # forward does) costs prompt_len x hidden x vocab FLOPs, which `generate` avoids the same way.
        self.extra = {"logits_to_keep": 1} if _accepts(model, "logits_to_keep") else {}
        self.ids, self.mask = _left_pad(rows, pad_id, device)
        self.cache = None
        self.positions = (self.mask.cumsum(-1) - 1).clamp(min=0)

    def prefill(self) -> torch.Tensor:
        out = self.model(
            input_ids=self.ids, attention_mask=self.mask, position_ids=self.positions, use_cache=True, **self.extra
        )
        self.cache = out.past_key_values
        self.next_pos = self.positions[:, -1:] + 1
        return out.logits[:, -1, :]

    def step(self, tokens: torch.Tensor) -> torch.Tensor:
        self.mask = torch.cat([self.mask, torch.ones_like(tokens[:, None])], dim=-1)
        out = self.model(
            input_ids=tokens[:, None],
            attention_mask=self.mask,
            position_ids=self.next_pos,
            past_key_values=self.cache,
            use_cache=True,
            **self.extra,
        )
        self.cache = out.past_key_values
        self.next_pos = self.next_pos + 1
        return out.logits[:, -1, :]


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


@torch.inference_mode()
def run_streams(
    model: torch.nn.Module,
    rows: Sequence[Sequence[int]],
    passes: Sequence[Sequence[int]],
    row_to_answer: Sequence[int],
    combine: Combine,
    *,
    max_new_tokens: int,
    sampler: Sampler,
    eos_ids: Sequence[int] = (),
    fixed_length: bool = True,
    pad_id: int = 0,
) -> Trace:
    """Decode `rows` whose last-position logits `combine` maps to one distribution per answer.

    `passes` partitions the row indices: rows in one pass share a forward call
    (batched); separate passes are separate calls (naive). With fixed_length
    the EOS tokens are masked so every answer has exactly max_new_tokens.
    """
    device = next(model.parameters()).device
    order = [i for p in passes for i in p]
    if sorted(order) != list(range(len(rows))):
        raise ValueError("passes must partition the rows")
    inverse = torch.tensor([order.index(i) for i in range(len(rows))], device=device)
    groups = [_Pass(model, [rows[i] for i in p], pad_id, device) for p in passes]
    n_answers = max(row_to_answer) + 1
    answer_of_row = torch.tensor(list(row_to_answer), device=device)
    eos = torch.tensor(list(eos_ids), dtype=torch.long, device=device) if eos_ids else None
    answers: list[list[int]] = [[] for _ in range(n_answers)]
    done = torch.zeros(n_answers, dtype=torch.bool, device=device)
    step_s: list[float] = []
    calls = 0

    _sync(device)
    t0 = time.perf_counter()
    identity_order = order == list(range(len(rows)))
    pass_index = [torch.tensor(list(p), device=device) for p in passes]

    def gather(parts: list[torch.Tensor]) -> torch.Tensor:
        joined = parts[0] if len(parts) == 1 else torch.cat(parts, dim=0)
        return joined if identity_order else joined[inverse]

    logits = gather([g.prefill() for g in groups])
    calls += len(groups)
    ttft = 0.0
    last = t0
    for step in range(max_new_tokens):
        scores = combine(logits.float())
        if eos is not None and fixed_length:
            scores[:, eos] = float("-inf")
        tokens = sampler.pick(scores)
        if eos is not None and not fixed_length:
            tokens = torch.where(done, torch.full_like(tokens, pad_id), tokens)
        picked = tokens.tolist()  # syncs the device
        now = time.perf_counter()
        if step == 0:
            ttft = now - t0
        else:
            step_s.append(now - last)
        last = now
        for a, tok in enumerate(picked):
            if not bool(done[a]):
                answers[a].append(tok)
        if eos is not None and not fixed_length:
            done |= torch.isin(tokens, eos)
            if bool(done.all()):
                break
        if step == max_new_tokens - 1:
            break
        row_tokens = tokens[answer_of_row]
        if len(groups) == 1 and identity_order:
            logits = groups[0].step(row_tokens)
        else:
            logits = gather([g.step(row_tokens[idx]) for g, idx in zip(groups, pass_index, strict=True)])
        calls += len(groups)
    _sync(device)
    total = time.perf_counter() - t0
    if eos is not None and not fixed_length:
        eos_set = set(eos_ids)
        answers = [a[: next((i for i, t in enumerate(a) if t in eos_set), len(a))] for a in answers]
    return Trace(
        answers=answers,
        prompt_tokens=sum(len(r) for r in rows),
        ttft_s=ttft,
        total_s=total,
        step_s=step_s,
        forward_calls=calls,
        rows=len(rows),
    )


def identity(logits: torch.Tensor) -> torch.Tensor:
    return logits


def cad_combine(alpha: float, n_answers: int) -> Combine:
    """CAD (Shi et al. 2023): (1+α)·logits(with context) − α·logits(without); rows [ctx..., no-ctx...]."""

    def combine(logits: torch.Tensor) -> torch.Tensor:
        return (1 + alpha) * logits[:n_answers] - alpha * logits[n_answers:]

    return combine


def vanilla(model: torch.nn.Module, prompts: Sequence[Sequence[int]], **kw) -> Trace:
    n = len(prompts)
    return run_streams(model, prompts, [list(range(n))], list(range(n)), identity, **kw)


def cad(
    model: torch.nn.Module,
    with_context: Sequence[Sequence[int]],
    without_context: Sequence[Sequence[int]],
    alpha: float,
    batched: bool,
    **kw,
) -> Trace:
    """Batched: both streams in one forward call (one weight read per token); naive: two calls, as in the paper."""
    n = len(with_context)
    rows = list(with_context) + list(without_context)
    passes = [list(range(2 * n))] if batched else [list(range(n)), list(range(n, 2 * n))]
    return run_streams(model, rows, passes, list(range(n)) * 2, cad_combine(alpha, n), **kw)


def self_consistency(
    model: torch.nn.Module, prompts: Sequence[Sequence[int]], n_samples: int, batched: bool, **kw
) -> list[Trace]:
    """n samples per prompt: one batch of n·b rows (batched) or n sequential generations (naive)."""
    if batched:
        rows = [p for p in prompts for _ in range(n_samples)]
        return [vanilla(model, rows, **kw)]
    return [vanilla(model, prompts, **kw) for _ in range(n_samples)]


class _TokenClock:
    """A transformers streamer that timestamps every group of tokens `generate` emits.

    The first `put` is the prompt; later ones carry one token (plain decoding) or
    several accepted at once (speculation), whose wall time is split evenly.
    """

    def __init__(self) -> None:
        self.times: list[float] = []
        self.counts: list[int] = []

    def put(self, value: torch.Tensor) -> None:
        self.times.append(time.perf_counter())
        self.counts.append(int(value.numel()))

    def end(self) -> None:
        return None


def speculative(
    model: torch.nn.Module,
    prompts: Sequence[Sequence[int]],
    speculation: str,
    draft_tokens: int,
    *,
    max_new_tokens: int,
    sampler: Sampler,
    eos_ids: Sequence[int] = (),
    fixed_length: bool = True,
    pad_id: int = 0,
    assistant: torch.nn.Module | None = None,
) -> Trace:
    """Prompt-lookup or draft-model speculative decoding (or the same `generate` path without it), one prompt at
    a time. `assistant`: the draft model of `speculation="draft_model"` (transformers assisted generation).

    NOTE: speculation verifies several proposed tokens in one forward pass; it runs
    through transformers' `generate` (assisted decoding), which takes one sequence at a
    time, so the baseline arm (`speculation="none"`) goes through the same `generate`
    call and the ratio compares like with like. Greedy speculation is lossless: both
    arms produce the same tokens, which the runner's tests check.
    """
    answers: list[list[int]] = []
    ttft = total = 0.0
    steps: list[float] = []
    calls = 0
    for prompt in prompts:
        ids = torch.tensor([list(prompt)], dtype=torch.long, device=model.device)
        clock = _TokenClock()
        kw: dict = {
            "max_new_tokens": max_new_tokens, "do_sample": not sampler.greedy, "streamer": clock,
            "pad_token_id": pad_id, "attention_mask": torch.ones_like(ids),
        }  # fmt: skip
        if eos_ids and not fixed_length:
            kw["eos_token_id"] = list(eos_ids)
        if fixed_length:
            kw["min_new_tokens"] = max_new_tokens
        if not sampler.greedy:
            torch.manual_seed(sampler.seed)
            kw.update(temperature=sampler.temperature, top_p=sampler.top_p)
        if speculation == "prompt_lookup":
            kw["prompt_lookup_num_tokens"] = draft_tokens
        elif speculation == "draft_model":
            if assistant is None:
                raise ValueError("speculation='draft_model' needs the draft model (assistant)")
            kw["assistant_model"] = assistant
            assistant.generation_config.num_assistant_tokens = draft_tokens
            assistant.generation_config.num_assistant_tokens_schedule = "constant"
        start = time.perf_counter()
        with torch.no_grad():
            out = model.generate(ids, **kw)
        end = time.perf_counter()
        answer = out[0, ids.shape[1] :].tolist()
        answers.append(answer)
        total += end - start
        emitted = list(zip(clock.times[1:], clock.counts[1:], strict=True))
        if emitted:
            ttft += emitted[0][0] - start
            previous = emitted[0][0]
            for when, count in emitted[1:]:
                steps.extend([(when - previous) / max(1, count)] * count)
                previous = when
        calls += len(emitted)
    return Trace(
        answers=answers, prompt_tokens=sum(len(p) for p in prompts), ttft_s=ttft, total_s=total, step_s=steps,
        forward_calls=calls, rows=len(prompts),
    )  # fmt: skip
