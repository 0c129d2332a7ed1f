"""LM synthesis: the chat model writes the abstract and an answer paragraph from the SUPPORTED claims.

The model sees only usable claims, numbered as in the report. Its sentences
are kept only when they cite usable claims and every figure they state is a
figure of a cited claim (synth.verify.numeric reads both), so the prose can
be fluent without saying more than the evidence. If nothing survives, the
template synthesis stands and the run says why.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from synth.core.run import CitedSentence, Paragraph, ReportRun, StageUsage, Synthesis
from synth.synthesize.limitations import CONFIDENCE_FLOOR
from synth.synthesize.synthesis import as_sentence, partition

PROMPT_NAME = "synthesize_report"
MAX_CLAIMS_SHOWN = 20


class LMSentence(BaseModel):
    text: str
    claims: list[int] = Field(default_factory=list)


class LMReport(BaseModel):
    abstract: list[LMSentence] = Field(default_factory=list)
    answer: list[LMSentence] = Field(default_factory=list)


def grounded(sentence: LMSentence, usable: dict[int, str]) -> CitedSentence | None:
    """The sentence, if it cites usable claims only and states no figure that they do not."""
    from synth.verify.numeric import extract_numbers

    cited = [n for n in dict.fromkeys(sentence.claims) if n in usable]
    if not cited or len(cited) != len(set(sentence.claims)) or not sentence.text.strip():
        return None
    allowed = {round(x, 6) for n in cited for num in extract_numbers(usable[n]) for x in _values(num)}
    for num in extract_numbers(sentence.text):
        if not any(round(x, 6) in allowed for x in _values(num)):
            return None
    return CitedSentence(text=as_sentence(sentence.text), claims=cited)


def _values(num: Any) -> list[float]:
    return [v for v in (num.value, num.low, num.high) if v is not None]


def llm_synthesis(
    run: ReportRun, template: Synthesis, chat: Any, min_confidence: float = CONFIDENCE_FLOOR
) -> Synthesis:
    from langchain_core.messages import HumanMessage

    from synth.llm.chat import json_mode_kwargs, model_label
    from synth.llm.structured import invoke_structured
    from synth.prompts import load_prompt

    usable_claims, *_ = partition(run.claims, min_confidence)
    usable = {c.number: c.claim.text for c in usable_claims[:MAX_CLAIMS_SHOWN]}
    if not usable:
        template.notes.append("LM synthesis skipped: no usable claim to write from")
        return template
    prompt = load_prompt(PROMPT_NAME)
    text = prompt.render(question=run.question, claims="\n".join(f"[{n}] {t}" for n, t in usable.items()))
    reply = invoke_structured(
        chat, [HumanMessage(content=text)], LMReport, retries=1,
        call_kwargs={**json_mode_kwargs(chat), "max_tokens": 700},
    )  # fmt: skip
    template.lm_usage = StageUsage(
        seconds=reply.seconds, lm_calls=reply.attempts, input_tokens=reply.input_tokens,
        output_tokens=reply.output_tokens,
    )  # fmt: skip
    if reply.value is None:
        why = reply.call_error or (reply.errors[-1] if reply.errors else "no reply")
        template.notes.append(f"LM synthesis failed ({why[:160]}); the template answer is shown")
        return template
    abstract = [s for s in (grounded(x, usable) for x in reply.value.abstract) if s is not None]
    answer = [s for s in (grounded(x, usable) for x in reply.value.answer) if s is not None]
    dropped = len(reply.value.abstract) + len(reply.value.answer) - len(abstract) - len(answer)
    if not abstract and not answer:
        template.notes.append("LM synthesis produced no sentence grounded in the claims; the template answer is shown")
        return template
    out = template.model_copy(deep=True)
    out.method = f"llm:{model_label(chat)}:{prompt.name}@{prompt.version}"
    meta = [s for s in template.abstract if s.kind == "meta"]
    out.abstract = meta[:1] + (abstract or [s for s in template.abstract if s.kind == "finding"]) + meta[1:]
    if answer:
        out.results = [Paragraph(heading="Answer", sentences=answer), *template.results]
    if dropped:
        out.notes.append(
            f"{dropped} LM sentence(s) dropped: they cited unusable claims or figures no cited claim states"
        )
    return out
