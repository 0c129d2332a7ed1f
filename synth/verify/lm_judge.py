"""LM judge: P(Yes) of a local GGUF chat model asked whether a document supports a claim.

Reading the next-token probabilities (rather than parsing generated text) gives
a graded score that calibration can map to a probability, and needs one forward
pass per question. The document comes first in the prompt so that llama.cpp
reuses the KV cache of a shared passage across the claims checked against it
(MiniCheck's trick for halving the cost).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from synth.prompts import load_prompt


@dataclass(frozen=True)
class JudgeScore:
    support: float  # P(Yes) to "is the claim supported?", renormalised over Yes/No
    contradict: float | None  # P(Yes) to "does the document contradict it?", when asked
    prompt_versions: tuple[str, ...]
    # Last hidden state at the answer position of the first question, keyed by its versioned prompt,
    # when the judge was asked to keep it (the input of the linear probes in `synth.verify.probe`).
    hidden: dict[str, np.ndarray] = field(default_factory=dict, compare=False)


def prompt_versions(support: Any, contradict: Any, ask_contradiction: bool) -> tuple[str, ...]:
    """The versioned prompts a judge's scores depend on: the key of caches and of fitted probes."""
    versions = [f"{support.name}@{support.version}"]
    if ask_contradiction:
        versions.append(f"{contradict.name}@{contradict.version}")
    return tuple(versions)


class LMJudge:
    def __init__(
        self, model_path: Path, n_ctx: int = 2048, n_threads: int | None = None, ask_contradiction: bool = True
    ):
        self.model_path = Path(model_path)
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.ask_contradiction = ask_contradiction
        self.capture_hidden = False  # set by whoever applies or fits probes
        self.support_prompt = load_prompt("judge_support")
        self.contradict_prompt = load_prompt("judge_contradict")
        self._hidden: np.ndarray | None = None
        self.calls = 0
        self.reused_tokens = 0
        self.evaluated_tokens = 0

    @cached_property
    def llm(self) -> Any:
        try:
            from llama_cpp import Llama
        except ImportError as exc:  # pragma: no cover - depends on the install
            from synth.errors import UserError

            raise UserError("the LM judge needs llama-cpp-python: pip install -e '.[llama]'") from exc
        return Llama(
            model_path=str(self.model_path), n_ctx=self.n_ctx, n_threads=self.n_threads, logits_all=False, verbose=False
        )

    @cached_property
    def _formatter(self) -> Any:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        llm = self.llm
        template = llm.metadata.get("tokenizer.chat_template")
        if not template:
            from synth.errors import UserError

            raise UserError(f"{self.model_path.name} has no chat template; the LM judge needs an instruct model")
        detok = lambda t: llm.detokenize([t]).decode(errors="ignore") if t >= 0 else ""  # noqa: E731
        return Jinja2ChatFormatter(
            template=template, eos_token=detok(llm.token_eos()), bos_token=detok(llm.token_bos())
        )

    @cached_property
    def _answer_ids(self) -> tuple[list[int], list[int]]:
        """Token ids that start a "Yes" or a "No" answer, with and without a leading space."""
        llm = self.llm
        ids = lambda words: sorted({llm.tokenize(w.encode(), add_bos=False, special=False)[0] for w in words})  # noqa: E731
        return ids(["Yes", " Yes", "yes", " yes"]), ids(["No", " No", "no", " no"])

    def _last_logits(self, tokens: list[int], keep_hidden: bool = False) -> np.ndarray:
        """Evaluate `tokens`, reusing the KV cache of the longest prefix already evaluated."""
        llm = self.llm
        prefix = 0
        cached = llm.input_ids[: llm.n_tokens]
        for a, b in zip(cached, tokens, strict=False):
            if a != b:
                break
            prefix += 1
        prefix = min(prefix, len(tokens) - 1)  # at least one token must run to produce logits
        llm.n_tokens = prefix
        self._hidden = None
        if not keep_hidden:
            llm.eval(tokens[prefix:])
        else:
            import llama_cpp

            # With embeddings on, llama.cpp outputs every token of the batch (logits included):
            # run all but the last token without them, then the last one alone with them.
            if len(tokens) - 1 > prefix:
                llm.eval(tokens[prefix:-1])
            llama_cpp.llama_set_embeddings(llm._ctx.ctx, True)
            try:
                llm.eval(tokens[-1:])
                ptr = llama_cpp.llama_get_embeddings_ith(llm._ctx.ctx, -1)
                self._hidden = np.ctypeslib.as_array(ptr, shape=(llm.n_embd(),)).astype(np.float32)
            finally:
                llama_cpp.llama_set_embeddings(llm._ctx.ctx, False)
        self.reused_tokens += prefix
        self.evaluated_tokens += len(tokens) - prefix
        # NOTE: with logits_all=False llama-cpp-python keeps no scores; the context holds the
        # last token's logits after decode (one row), which is all the judge needs.
        row = np.ctypeslib.as_array(llama_logits_last(llm), shape=(llm.n_vocab(),))
        return row.astype(np.float64)

    def _ask(self, prompt_text: str, keep_hidden: bool = False) -> float:
        prompt = self._formatter(messages=[{"role": "user", "content": prompt_text}]).prompt
        tokens = self.llm.tokenize(prompt.encode(), add_bos=False, special=True)
        if len(tokens) >= self.n_ctx:
            tokens = tokens[-(self.n_ctx - 1) :]  # NOTE: callers should pass windows that fit
        logits = self._last_logits(tokens, keep_hidden)
        logits -= logits.max()
        probs = np.exp(logits)
        probs /= probs.sum()
        yes_ids, no_ids = self._answer_ids
        p_yes, p_no = float(probs[yes_ids].sum()), float(probs[no_ids].sum())
        self.calls += 1
        return p_yes / (p_yes + p_no) if p_yes + p_no > 0 else 0.5

    @property
    def prompt_versions(self) -> tuple[str, ...]:
        return prompt_versions(self.support_prompt, self.contradict_prompt, self.ask_contradiction)

    @property
    def model_id(self) -> str:
        """Identifies the weights for caches: file name and size (hashing 1 GB per run is too slow)."""
        return f"{self.model_path.name}:{self.model_path.stat().st_size}"

    def ask(self, prompt_name: str, **variables: str) -> float:
        """P(Yes) to any versioned Yes/No prompt in `synth/prompts/` (e.g. `judge_relevance`)."""
        return self._ask(load_prompt(prompt_name).render(**variables))

    def score(self, claim: str, document: str) -> JudgeScore:
        hidden: dict[str, np.ndarray] = {}
        # Probes read the state at the answer of the first question only (see synth/eval/calibrate.py).
        support = self._ask(self.support_prompt.render(document=document, claim=claim), self.capture_hidden)
        if self._hidden is not None:
            hidden[self.prompt_versions[0]] = self._hidden
        contradict = None
        if self.ask_contradiction:
            contradict = self._ask(self.contradict_prompt.render(document=document, claim=claim))
        return JudgeScore(support=support, contradict=contradict, prompt_versions=self.prompt_versions, hidden=hidden)


def llama_logits_last(llm: Any) -> Any:
    """Pointer to the logits of the last token the context output."""
    import llama_cpp

    return llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1)
