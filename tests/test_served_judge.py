"""The LM judge on an OpenAI-compatible server: logprobs -> P(Yes) by hand, then a real llama.cpp server.

The slow test starts `python -m llama_cpp.server` with the 0.5B GGUF on 127.0.0.1 and verifies
through `build_judge` with `llm.backend = "openai"`, the path a vLLM or Ollama user takes.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from synth.settings import SynthSettings
from synth.verify.factory import build_judge
from synth.verify.judge_cache import CachedJudge
from synth.verify.served_judge import ServedJudge, answer_word, p_yes_from_logprobs, p_yes_from_text
from tests.servers import free_port, running_server

SMALL_MODEL = "qwen2.5-coder-0.5b-instruct"
# Read at import, before the autouse fixture points SYNTH_HOME at a fresh tmp dir.
MODEL_HOME = os.environ.get("SYNTH_JUDGE_HOME") or os.environ.get("SYNTH_HOME")
SERVER_DEPS = ["uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings", "yaml"]

EVIDENCE = (
    "Our evaluations show that vLLM improves the throughput of popular LLMs by 2-4x with the same level of "
    "latency compared to the state-of-the-art systems, such as FasterTransformer and Orca."
)
SUPPORTED = "vLLM improves the throughput of popular LLMs by 2-4x compared to FasterTransformer and Orca."
CONTRADICTED = "vLLM lowers the throughput of popular LLMs compared to FasterTransformer and Orca."


def top(*pairs: tuple[str, float]) -> list[dict[str, Any]]:
    return [{"token": t, "logprob": math.log(p), "bytes": list(t.encode())} for t, p in pairs]


def test_answer_words() -> None:
    for token in ["Yes", " Yes", "yes", " YES", "\u0120Yes", "\u2581yes", "Yes."]:
        assert answer_word(token) == "yes", token
    for token in ["No", " no", "\u0120No", "No,"]:
        assert answer_word(token) == "no", token
    for token in ["Not", "None", "Y", "", " ", "The"]:
        assert answer_word(token) is None, token


def test_p_yes_renormalises_over_yes_and_no_variants() -> None:
    chosen = top(("Yes", 0.6))[0]
    logprobs = {"content": [chosen | {"top_logprobs": top(("Yes", 0.6), (" yes", 0.1), ("No", 0.2), ("The", 0.05))}]}
    assert p_yes_from_logprobs(logprobs) == pytest.approx(0.7 / 0.9)
    # The openai client's objects (attributes, not keys) read the same.
    alternatives = [
        SimpleNamespace(token="No", logprob=math.log(0.5)),
        SimpleNamespace(token=" Yes", logprob=-math.log(4)),
    ]
    as_objects = SimpleNamespace(
        content=[SimpleNamespace(token="No", logprob=math.log(0.5), top_logprobs=alternatives)]
    )
    assert p_yes_from_logprobs(as_objects) == pytest.approx(1 / 3)
    # Only the chosen token listed: all the Yes/No mass is on it.
    assert p_yes_from_logprobs({"content": [chosen | {"top_logprobs": []}]}) == pytest.approx(1.0)
    # Only the first generated token counts.
    second = top(("No", 0.99))[0] | {"top_logprobs": top(("No", 0.99))}
    assert p_yes_from_logprobs({"content": [chosen | {"top_logprobs": top(("Yes", 0.6))}, second]}) == 1.0


def test_p_yes_is_none_without_usable_logprobs() -> None:
    assert p_yes_from_logprobs(None) is None
    assert p_yes_from_logprobs({"content": None}) is None
    assert p_yes_from_logprobs({"content": []}) is None
    no_answer = top(("The", 0.5))[0] | {"top_logprobs": top(("The", 0.5), ("I", 0.3))}
    assert p_yes_from_logprobs({"content": [no_answer]}) is None
    assert (p_yes_from_text("Yes"), p_yes_from_text(" no."), p_yes_from_text("Maybe"), p_yes_from_text("")) == (
        1.0, 0.0, 0.5, 0.5,
    )  # fmt: skip


class FakeChat:
    """Answers every question with one token, with or without logprobs."""

    def __init__(self, logprobs: dict[str, Any] | None, text: str = "Yes") -> None:
        self.logprobs, self.text, self.prompts = logprobs, text, []

    def invoke(self, messages: list[Any]) -> Any:
        from langchain_core.messages import AIMessage

        self.prompts.append(messages[0].content)
        metadata = {"logprobs": self.logprobs} if self.logprobs is not None else {}
        return AIMessage(content=self.text, response_metadata=metadata)


def test_served_judge_reads_logprobs_and_falls_back_with_a_note() -> None:
    first = top(("Yes", 0.8))[0] | {"top_logprobs": top(("Yes", 0.8), ("No", 0.2))}
    judge = ServedJudge("http://127.0.0.1:1/v1/", "m", chat=FakeChat({"content": [first]}))
    score = judge.score("a claim", "a document")
    assert score.support == pytest.approx(0.8) and score.contradict == pytest.approx(0.8) and not score.hidden
    assert (judge.calls, judge.logprob_calls, judge.fallbacks, judge.notes) == (2, 2, 0, [])
    assert score.prompt_versions == ("judge_support@1", "judge_contradict@1")
    assert judge.model_id == "openai:http://127.0.0.1:1/v1:m"
    assert "Claim: a claim" in judge.chat.prompts[0] and "contradict" in judge.chat.prompts[1]
    judge.capture_hidden = True  # the Verifier sets it for probes; a server has no hidden states to give
    assert judge.capture_hidden is False

    plain = ServedJudge("http://127.0.0.1:1/v1", "m", chat=FakeChat(None, text="No"))
    score = plain.score("a claim", "a document")
    assert (score.support, score.contradict, plain.fallbacks) == (0.0, 0.0, 2)
    assert "no usable logprobs for 2 of 2" in plain.notes[0]


def test_build_judge_for_the_openai_backend(tmp_path: Path) -> None:
    unset = SynthSettings(home=tmp_path, llm={"backend": "openai"})
    judge, reason = build_judge(unset)
    assert judge is None and "llm.base_url and llm.model unset" in (reason or "")
    settings = SynthSettings(
        home=tmp_path, llm={"backend": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "m"}
    )
    judge, reason = build_judge(settings)  # builds without contacting the server
    assert reason is None and isinstance(judge, CachedJudge) and isinstance(judge.judge, ServedJudge)
    assert judge.model_id == "openai:http://127.0.0.1:9/v1:m"
    chat = judge.judge.chat
    assert (chat.max_tokens, chat.logprobs, chat.top_logprobs, chat.temperature) == (1, True, 20, 0)


# --- a real OpenAI-compatible server -------------------------------------------------------------


def small_model_path() -> Path:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNTH_")}
    if MODEL_HOME:
        env["SYNTH_HOME"] = MODEL_HOME
    proc = subprocess.run(
        [sys.executable, "-m", "synth", "models", "path", SMALL_MODEL], env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        pytest.skip(f"{SMALL_MODEL} is not fetched: synth models fetch {SMALL_MODEL}")
    return Path(proc.stdout.strip())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base_url, model name) of a llama-cpp-python server with the 0.5B model, stopped after the module."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed: CMAKE_ARGS=\"$(synth models llama-cmake-args)\" "
                    "pip install -e '.[llama]'")  # fmt: skip
    missing = [m for m in SERVER_DEPS if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"llama_cpp.server needs {', '.join(missing)}: pip install -e '.[test]'")
    model = small_model_path()
    port, alias = free_port(), "judge-0.5b"
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    cmd = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", alias,
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", str(min(os.cpu_count() or 1, 4)),
    ]  # fmt: skip
    base_url = f"http://127.0.0.1:{port}/v1"

    def models() -> list[str]:
        with urllib.request.urlopen(f"{base_url}/models", timeout=5) as resp:
            return [m["id"] for m in json.load(resp)["data"]]

    with running_server(
        cmd, name="llama_cpp.server", answer=models, log_path=log_path, wait_s=180, poll_s=0.5
    ) as served:
        assert alias in served
        yield base_url, alias


@pytest.mark.slow
def test_served_judge_on_a_real_llama_cpp_server(server: tuple[str, str], tmp_path: Path) -> None:
    base_url, model = server
    settings = SynthSettings(home=tmp_path / "home", llm={"backend": "openai", "base_url": base_url, "model": model})
    judge, reason = build_judge(settings)
    assert reason is None and isinstance(judge, CachedJudge)
    served = judge.judge
    assert isinstance(served, ServedJudge) and judge.model_id == f"openai:{base_url}:{model}"

    supported = judge.score(SUPPORTED, EVIDENCE)
    contradicted = judge.score(CONTRADICTED, EVIDENCE)
    for s in (supported, contradicted):
        assert 0.0 <= s.support <= 1.0 and s.contradict is not None and 0.0 <= s.contradict <= 1.0
        assert not s.hidden
    # P(Yes) came from the server's top logprobs, not the generated word.
    assert (served.calls, served.logprob_calls, served.fallbacks, served.notes) == (4, 4, 0, [])
    assert supported.support > contradicted.support, (supported, contradicted)

    # The cache answers a repeat without asking the server.
    again = judge.score(SUPPORTED, EVIDENCE)
    assert again.support == pytest.approx(supported.support) and served.calls == 4 and judge.hits == 1


def test_an_explicit_judge_request_overrides_the_setting(tmp_path: Path) -> None:
    """`verify.judge = false` is the default a `--judge` flag overrides, not a veto (it was one)."""
    off = SynthSettings(
        home=tmp_path, verify={"judge": False},
        llm={"backend": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "m"},
    )  # fmt: skip
    judge, reason = build_judge(off)
    assert judge is None and "verify.judge = false" in (reason or "")
    judge, reason = build_judge(off, requested=True)
    assert reason is None and isinstance(judge, CachedJudge)
    on = off.model_copy(update={"verify": off.verify.model_copy(update={"judge": True})})
    assert build_judge(on, requested=False)[0] is None
