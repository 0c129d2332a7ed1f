"""LM judge on an OpenAI-compatible server (vLLM, Ollama, llama.cpp server): P(Yes) from top logprobs.

The same versioned prompts as the local `LMJudge`, asked through langchain-openai
with one generated token, `temperature=0` and the first token's `top_logprobs`;
P(Yes) is renormalised over the Yes/No variants among them (" Yes", "yes", ...).
A server that returns no logprobs still gets an answer: the generated word read as
1.0 (Yes) or 0.0 (No), counted in `fallbacks` and said in `notes`. The server keeps
its hidden states, so no probe reads this judge (`capture_hidden` stays False).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from synth.prompts import load_prompt
from synth.verify.lm_judge import JudgeScore, prompt_versions

if TYPE_CHECKING:
    from synth.settings import SynthSettings

log = logging.getLogger(__name__)

TOP_LOGPROBS = 20  # the most the OpenAI API allows; Yes and No are nearly always among them
YES, NO = "yes", "no"


def answer_word(token: str) -> str | None:
    """The answer ("yes" or "no") a token spells (any case, leading space or BPE space marker)."""
    word = token.replace("\u0120", " ").replace("\u2581", " ").strip().rstrip(".,!").lower()
    return word if word in (YES, NO) else None


def _field(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, Mapping) else getattr(item, key, None)


def p_yes_from_logprobs(logprobs: Any) -> float | None:
    """P(Yes) renormalised over the Yes/No tokens among the first generated token's top logprobs.

    `logprobs` is a chat completion choice's `logprobs` (`{"content": [{"token", "logprob",
    "top_logprobs": [{"token", "logprob"}, ...]}, ...]}`, as a dict or the openai client's
    objects). None when there are no logprobs or no Yes/No token among them.
    """
    content = _field(logprobs, "content") if logprobs is not None else None
    if not content:
        return None
    first = content[0]
    candidates: dict[str, float] = {}
    for alt in _field(first, "top_logprobs") or []:
        token, logprob = _field(alt, "token"), _field(alt, "logprob")
        if isinstance(token, str) and isinstance(logprob, int | float):
            candidates.setdefault(token, float(logprob))
    token, logprob = _field(first, "token"), _field(first, "logprob")
    if isinstance(token, str) and isinstance(logprob, int | float):
        candidates.setdefault(token, float(logprob))  # the chosen token, if the server listed no alternatives
    mass = {YES: 0.0, NO: 0.0}
    for token, logprob in candidates.items():
        word = answer_word(token)
        if word is not None and math.isfinite(logprob):
            mass[word] += math.exp(logprob)
    total = mass[YES] + mass[NO]
    return mass[YES] / total if total > 0 else None


def p_yes_from_text(text: str) -> float:
    """The fallback without logprobs: 1.0 for a Yes answer, 0.0 for No, 0.5 for anything else."""
    words = text.split()
    word = answer_word(words[0]) if words else None
    return 1.0 if word == YES else 0.0 if word == NO else 0.5


class ServedJudge:
    """Same interface as `LMJudge` (`score`, `ask`, `prompt_versions`, `model_id`, `calls`), on a server."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "not-needed",
        timeout: float = 120.0,
        ask_contradiction: bool = True,
        chat: Any | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.ask_contradiction = ask_contradiction
        self.support_prompt = load_prompt("judge_support")
        self.contradict_prompt = load_prompt("judge_contradict")
        if chat is not None:  # tests hand in a fake chat model
            self.__dict__["chat"] = chat
        self.calls = 0
        self.logprob_calls = 0  # answers read off the top logprobs
        self.fallbacks = 0  # answers read off the generated word (no usable logprobs)

    @classmethod
    def from_settings(cls, settings: SynthSettings) -> ServedJudge:
        llm = settings.llm
        if not llm.base_url or not llm.model:
            raise ValueError("the served judge needs llm.base_url and llm.model")
        return cls(llm.base_url, llm.model, api_key=llm.api_key(), timeout=llm.timeout_seconds)

    @cached_property
    def chat(self) -> Any:
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            base_url=self.base_url,
            model=self.model,
            api_key=self.api_key,
            temperature=0,
            max_tokens=1,  # sent as max_completion_tokens; extra_body repeats it for servers that read max_tokens
            extra_body={"max_tokens": 1},
            logprobs=True,
            top_logprobs=TOP_LOGPROBS,
            timeout=self.timeout,
            max_retries=1,
            use_responses_api=False,
        )

    # Probes need the model's hidden state, which a server does not return.
    @property
    def capture_hidden(self) -> bool:
        return False

    @capture_hidden.setter
    def capture_hidden(self, value: bool) -> None:
        pass

    @property
    def prompt_versions(self) -> tuple[str, ...]:
        return prompt_versions(self.support_prompt, self.contradict_prompt, self.ask_contradiction)

    @property
    def model_id(self) -> str:
        """Identifies the served model for caches: the endpoint and the model name."""
        return f"openai:{self.base_url}:{self.model}"

    @property
    def notes(self) -> list[str]:
        if not self.fallbacks:
            return []
        return [
            f"the server at {self.base_url} returned no usable logprobs for {self.fallbacks} of {self.calls} judge "
            f"questions: those scores are the generated Yes/No (1.0/0.0), not P(Yes)"
        ]

    def _ask(self, prompt_text: str) -> float:
        from langchain_core.messages import HumanMessage

        reply = self.chat.invoke([HumanMessage(content=prompt_text)])
        self.calls += 1
        p_yes = p_yes_from_logprobs((reply.response_metadata or {}).get("logprobs"))
        if p_yes is not None:
            self.logprob_calls += 1
            return p_yes
        if not self.fallbacks:
            log.warning("%s returned no Yes/No logprobs: judging by the generated word (1.0/0.0)", self.base_url)
        self.fallbacks += 1
        text = reply.content if isinstance(reply.content, str) else str(reply.content)
        return p_yes_from_text(text)

    def ask(self, prompt_name: str, **variables: str) -> float:
        """P(Yes) to any versioned Yes/No prompt in `synth/prompts/` (e.g. `judge_relevance`)."""
        return self._ask(load_prompt(prompt_name).render(**variables))

    def score(self, claim: str, document: str) -> JudgeScore:
        support = self._ask(self.support_prompt.render(document=document, claim=claim))
        contradict = None
        if self.ask_contradiction:
            contradict = self._ask(self.contradict_prompt.render(document=document, claim=claim))
        return JudgeScore(support=support, contradict=contradict, prompt_versions=self.prompt_versions)
