"""LM rubric judges: a chat model reads the report and scores one aspect 0-10 with a rationale.

The metric reviewers count what the run's records can show; how clear the
prose is, and whether it answers every part of the question, needs a reader.
Each judge is one versioned prompt (`synth/prompts/review_<aspect>.j2`) sent to the
chat model the caller passes in; the reply is JSON, parsed and retried once by
`invoke_structured`. A judge that still gets no usable reply, or cannot call
the model at all, scores None and says why: a review never fails a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, field_validator

from synth.core.run import ReportRun, Review
from synth.llm.chat import json_mode_kwargs, model_label
from synth.llm.structured import invoke_structured
from synth.prompts import load_prompt
from synth.review.prose import report_text
from synth.settings import ReviewSettings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

REPLY_TOKENS = 256  # a rationale of at most 60 words and a score, with room to close the JSON
RATIONALE_CHARS = 420  # ~70 words: the prompts ask for at most 60
# llama.cpp samples under this grammar: the exact reply shape, so a small model cannot wander into prose.
# Reasons first, then the score, as the prompts ask: the number is chosen after the model has said why.
# NOTE: the rationale's length is bounded in the grammar, not only asked for: the 1.5B judge ran past
# REPLY_TOKENS on 3 of 5 dev reports, and each retry re-read a 1,900-token prompt (50-130 s a judge on 2 cores).
REPLY_GRAMMAR = "\n".join(
    [
        f'root ::= "{{\\"rationale\\": \\"" char{{1,{RATIONALE_CHARS}}} "\\", \\"score\\": " score "}}"',
        'score ::= "10" | [0-9]',
        'char ::= [^"\\\\\\x00-\\x1f] | "\\\\" ["\\\\/nt]',
    ]
)
_FRACTION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:/\s*10)?\s*$")


@dataclass(frozen=True)
class Rubric:
    name: str
    prompt: str
    aspect: str


RUBRICS = {
    "clarity": Rubric("clarity", "review_clarity", "clarity: the prose is easy to follow and states numbers precisely"),
    "completeness": Rubric(
        "completeness", "review_completeness", "answer completeness: every part of the question is answered"
    ),
}
_DEFAULTS = ReviewSettings()  # its `rubrics` field lists the names of RUBRICS (a test keeps them equal)


class RubricReply(BaseModel):
    """The judge's reply: `{"rationale": "...", "score": 0-10}` (any key order); "7/10" and "7" are read as 7."""

    score: float = Field(ge=0, le=10)
    rationale: str = Field(min_length=1)

    @field_validator("score", mode="before")
    @classmethod
    def _lenient_number(cls, value: Any) -> Any:
        if isinstance(value, str) and (match := _FRACTION.match(value)):
            return float(match.group(1))
        return value

    @field_validator("rationale")
    @classmethod
    def _one_paragraph(cls, value: str) -> str:
        text = " ".join(value.split())
        if not text:
            raise ValueError("the rationale is empty")
        return text


def review_rubric(
    run: ReportRun, chat_model: BaseChatModel, rubric: str | Rubric, report_words: int = _DEFAULTS.report_words
) -> Review:
    """One LM judge's score for one rubric; score None (with the reason) when no usable reply came back.

    The judge reads the first `report_words` words of the report (`review.report_words`)."""
    from langchain_core.messages import HumanMessage

    spec = RUBRICS[rubric] if isinstance(rubric, str) else rubric
    prompt = load_prompt(spec.prompt)
    text = prompt.render(question=run.question, report=report_text(run, report_words))
    label = model_label(chat_model)
    call_kwargs = {**json_mode_kwargs(chat_model, REPLY_GRAMMAR), "max_tokens": REPLY_TOKENS}
    reply = invoke_structured(chat_model, [HumanMessage(content=text)], RubricReply, retries=1, call_kwargs=call_kwargs)
    details: dict[str, float | int | str | None] = {
        "model": label, "prompt": f"{prompt.name}@{prompt.version}", "prompt_sha": prompt.sha,
        "attempts": reply.attempts, "input_tokens": reply.input_tokens, "output_tokens": reply.output_tokens,
        "seconds": round(reply.seconds, 3),
    }  # fmt: skip

    def review(score: float | None, rationale: str) -> Review:
        return Review(
            reviewer=f"lm:{label}:{spec.name}", aspect=spec.aspect, score=score, rationale=rationale, kind="lm",
            details=details,
        )  # fmt: skip

    if reply.call_error is not None:
        details["error"] = reply.call_error
        return review(None, f"Not scored: the {spec.name} judge ({label}) could not be called: {reply.call_error}.")
    if reply.value is None:
        details["error"] = reply.errors[-1] if reply.errors else "no reply"
        return review(
            None,
            f"Not scored: the {spec.name} judge ({label}) gave no usable reply in {reply.attempts} attempts "
            f"(last problem: {details['error']}); the panel aggregates without it.",
        )
    return review(reply.value.score, reply.value.rationale)


def review_rubrics(run: ReportRun, chat_model: BaseChatModel, config: ReviewSettings = _DEFAULTS) -> list[Review]:
    """One review per rubric of `review.rubrics`, in order, from the same chat model."""
    return [review_rubric(run, chat_model, name, config.report_words) for name in config.rubrics]
