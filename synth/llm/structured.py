"""Structured output from a chat model: parse JSON, validate it, retry once, never raise.

Small local models wrap JSON in prose or code fences, stop mid-object at the
token cap, or invent fields. `parse_json_output` accepts the first JSON value
in the reply and validates it against a pydantic schema; `invoke_structured`
asks once more with the validation error when that fails, then gives up and
says so in its result. A run over ten papers loses one paper's claims to a
bad reply, never the run.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult
from pydantic import BaseModel, ValidationError

from synth.prompts import load_prompt

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

T = TypeVar("T", bound=BaseModel)

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


class OutputError(ValueError):
    """The reply is not JSON of the expected shape; the message is fed back to the model."""


def parse_json_output(text: str, schema: type[T]) -> T:
    """The first JSON object or array in `text`, validated as `schema`.

    Code fences and prose around the JSON are ignored; a truncated or invalid
    value raises OutputError with a one-line reason.
    """
    fenced = _FENCE.search(text)
    body = fenced.group(1) if fenced else text
    starts = [i for i in (body.find("{"), body.find("[")) if i >= 0]
    if not starts:
        raise OutputError("the reply contains no JSON object")
    try:
        value, _ = json.JSONDecoder().raw_decode(body[min(starts) :])
    except json.JSONDecodeError as exc:
        raise OutputError(f"invalid JSON ({exc.msg} at character {exc.pos})") from exc
    try:
        return schema.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the top level"
        raise OutputError(f"JSON does not match the format: {where}: {first['msg']}") from exc


@dataclass
class StructuredReply(Generic[T]):
    value: T | None = None
    attempts: int = 0
    errors: list[str] = field(default_factory=list)  # one per failed attempt
    call_error: str | None = None  # the model could not be called at all (server down, timeout)
    raw: list[str] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0

    @property
    def malformed(self) -> bool:
        """True when every attempt returned unusable output (not when the call itself failed)."""
        return self.value is None and self.call_error is None


def _text_of(message: Any) -> str:
    content = getattr(message, "content", message)
    if isinstance(content, list):  # content blocks
        return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return str(content)


class UsageCounter(BaseCallbackHandler):
    """Token counts of one call, from the message's usage metadata or the run's `token_usage`.

    NOTE: a callback because ChatLlamaCpp reports usage only in the run's `llm_output`, which
    `invoke` and `generate` both drop (it keeps the empty default `_combine_llm_outputs`).
    """

    def __init__(self) -> None:
        self.input_tokens = 0
        self.output_tokens = 0

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        for generations in response.generations:
            for generation in generations:
                meta = getattr(getattr(generation, "message", None), "usage_metadata", None)
                if meta:
                    self.input_tokens += int(meta.get("input_tokens", 0))
                    self.output_tokens += int(meta.get("output_tokens", 0))
                    return
        usage = (response.llm_output or {}).get("token_usage") or {}
        self.input_tokens += int(usage.get("prompt_tokens", 0))
        self.output_tokens += int(usage.get("completion_tokens", 0))


def invoke_structured(
    chat: BaseChatModel,
    messages: list[BaseMessage],
    schema: type[T],
    *,
    retries: int = 1,
    call_kwargs: dict[str, Any] | None = None,
) -> StructuredReply[T]:
    """Call `chat`, parse its reply as `schema`; on bad output ask again (`retries` times) with the error.

    The retry shows the model its own reply and the reason it was rejected
    (synth/prompts/repair_json.j2). Exceptions from the call are caught and reported in
    `call_error`: the caller decides whether a dead server is fatal.
    """
    from langchain_core.messages import AIMessage, HumanMessage

    reply: StructuredReply[T] = StructuredReply()
    conversation = list(messages)
    repair = load_prompt("repair_json")
    start = time.perf_counter()
    for _ in range(retries + 1):
        reply.attempts += 1
        usage = UsageCounter()
        try:
            message = chat.invoke(conversation, config={"callbacks": [usage]}, **(call_kwargs or {}))
        except Exception as exc:  # noqa: BLE001 - any backend failure is reported, not raised
            reply.call_error = f"{type(exc).__name__}: {exc}"
            break
        reply.input_tokens += usage.input_tokens
        reply.output_tokens += usage.output_tokens
        text = _text_of(message)
        reply.raw.append(text)
        try:
            reply.value = parse_json_output(text, schema)
            break
        except OutputError as exc:
            reply.errors.append(str(exc))
            conversation = [*conversation, AIMessage(content=text), HumanMessage(content=repair.render(error=str(exc)))]
    reply.seconds = time.perf_counter() - start
    return reply
