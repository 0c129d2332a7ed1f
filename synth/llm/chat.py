"""The configured chat model as a langchain `BaseChatModel`: local llama.cpp GGUF or an OpenAI-compatible server.

Stages take a `BaseChatModel`, so tests hand them a fake one and users point
them at vLLM or Ollama by setting `llm.backend = "openai"`, `llm.base_url`
and `llm.model`. Imports are lazy: neither llama-cpp-python nor
langchain-openai is loaded unless that backend is used.
"""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synth.errors import UserError

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from synth.settings import SynthSettings

LLAMA_INSTALL = "CMAKE_ARGS=\"$(synth models llama-cmake-args)\" pip install -e '.[llama]'"
LLAMA_BATCH = 512  # prompt tokens per forward pass; langchain's default of 8 makes prefill ~5x slower


class ChatModelError(UserError):
    """The chat model cannot be built from the settings; the message says what to set or install."""


def chat_unavailable_reason(settings: SynthSettings) -> str | None:
    """Why `make_chat_model` would fail, or None when it would succeed (without loading anything)."""
    llm = settings.llm
    if llm.backend == "openai":
        missing = [key for key in ("base_url", "model") if not getattr(llm, key)]
        if missing:
            return f"llm.backend is openai but {' and '.join('llm.' + m for m in missing)} unset"
        if importlib.util.find_spec("langchain_openai") is None:
            return "the openai backend needs langchain-openai: pip install langchain-openai"
        return None
    if importlib.util.find_spec("llama_cpp") is None:
        return f"the local chat model needs llama-cpp-python: {LLAMA_INSTALL}"
    from synth.models.registry import ModelError, require_model

    try:
        require_model(settings.models.chat, settings.models_dir, settings.models.pip_target)
    except ModelError as exc:
        return str(exc)
    return None


def make_chat_model(settings: SynthSettings) -> BaseChatModel:
    """The chat model the settings describe; ChatModelError names the fix when it cannot be built."""
    if settings.llm.backend == "openai":
        return _openai_chat(settings)
    return _llamacpp_chat(settings)


def _openai_chat(settings: SynthSettings) -> BaseChatModel:
    llm = settings.llm
    if not llm.base_url or not llm.model:
        raise ChatModelError(
            "llm.backend is openai: set llm.base_url (e.g. http://127.0.0.1:8000/v1) and llm.model "
            "(SYNTH_LLM__BASE_URL, SYNTH_LLM__MODEL or synth.toml)"
        )
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise ChatModelError("the openai backend needs langchain-openai: pip install langchain-openai") from exc
    return ChatOpenAI(
        base_url=llm.base_url,
        model=llm.model,
        api_key=llm.api_key(),
        temperature=llm.temperature,
        max_tokens=llm.max_tokens,
        timeout=llm.timeout_seconds,
        max_retries=1,
    )


def _llamacpp_chat(settings: SynthSettings) -> BaseChatModel:
    if importlib.util.find_spec("llama_cpp") is None:
        raise ChatModelError(f"the local chat model needs llama-cpp-python: {LLAMA_INSTALL}")
    from synth.models.registry import require_model

    path = require_model(settings.models.chat, settings.models_dir, settings.models.pip_target)
    llm = settings.llm
    threads = llm.n_threads or os.cpu_count() or 1
    return _cached_llamacpp(Path(path), llm.n_ctx, threads, llm.temperature, llm.max_tokens)


@lru_cache(maxsize=2)
def _cached_llamacpp(path: Path, n_ctx: int, n_threads: int, temperature: float, max_tokens: int) -> BaseChatModel:
    """One loaded model per configuration: loading maps 1 GB and costs seconds, so stages share it."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # langchain-community announces its sunset on import
        from langchain_community.chat_models import ChatLlamaCpp

    kwargs: dict[str, Any] = {"n_threads_batch": n_threads}
    return ChatLlamaCpp(
        model_path=str(path),
        n_ctx=n_ctx,
        n_threads=n_threads,
        n_batch=LLAMA_BATCH,
        temperature=temperature,
        max_tokens=max_tokens,
        repeat_penalty=1.0,  # a penalty mangles repeated JSON keys and numbers copied from the text
        streaming=False,
        verbose=False,
        model_kwargs=kwargs,
    )


def json_mode_kwargs(chat: BaseChatModel, gbnf: str | None = None) -> dict[str, Any]:
    """Per-call arguments that make the backend emit JSON, where it supports that.

    llama.cpp samples under `gbnf`, a grammar of the exact reply (compact JSON: small
    coder models otherwise wrap it in a fenced, indented block that costs a third more
    generated tokens, the slow part on CPU). NOTE: the grammar check itself costs time per
    token over Qwen's 151k-token vocabulary (measured +45% per token with the 0.5B model on a
    loaded machine, relatively less with the 1.5B), so it is about even on speed and wins on
    never returning unparseable output. OpenAI-compatible servers (vLLM, Ollama)
    get `response_format={"type": "json_object"}`. Other models get nothing and rely on
    the prompt and the parser's retry.
    """
    kind = getattr(chat, "_llm_type", "")
    if kind == "llama-cpp-python" and gbnf:
        from llama_cpp import LlamaGrammar

        return {"grammar": LlamaGrammar.from_string(gbnf, verbose=False)}
    if kind == "openai-chat":
        return {"response_format": {"type": "json_object"}}
    return {}


def model_label(chat: BaseChatModel) -> str:
    """A short name of the model for stamping outputs: the GGUF file or the server's model name."""
    path = getattr(chat, "model_path", None)
    if path:
        return Path(path).name
    for attr in ("model_name", "model"):
        value = getattr(chat, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(chat).__name__
