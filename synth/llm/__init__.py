"""Chat models for the LM-backed stages: one factory over llama.cpp and OpenAI-compatible servers,
and structured (JSON) output that is validated and retried instead of trusted.

>>> from synth.llm import make_chat_model, invoke_structured
>>> chat = make_chat_model(load_settings())  # llm.backend: llamacpp (default) or openai
"""

from synth.llm.chat import ChatModelError, chat_unavailable_reason, json_mode_kwargs, make_chat_model, model_label
from synth.llm.structured import OutputError, StructuredReply, invoke_structured, parse_json_output

__all__ = [
    "ChatModelError",
    "OutputError",
    "StructuredReply",
    "chat_unavailable_reason",
    "invoke_structured",
    "json_mode_kwargs",
    "make_chat_model",
    "model_label",
    "parse_json_output",
]
