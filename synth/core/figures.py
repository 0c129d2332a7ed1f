"""A figure a paper reports, typed: the record the synthesize stage's figures table is made of.

It lives in the core because the run record carries it (`report.json`'s `figures`) and review and render
read it; reading figures out of sentences is the synthesize stage's job (`synth.synthesize.figures`).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

Role = Literal["gain", "cost", "quality", "other"]
Check = Literal["quoted", "corroborated", "contradicted", "mixed"]
_RELATIVE_UNITS = ("x", "%", "pp", "")
# Words that make an absolute figure a change: "reduces latency by 20 ms", "35 ms slower", "saves 16 GB".
_CHANGE_BEFORE = re.compile(
    r"\b(?:by|reduc\w*|sav\w*|cuts?|lowers?|increas\w*|improv\w*|adds?|extra|additional|fewer|less|more)\s+"
    r"(?:\w+\s+){0,2}$",
    re.I,
)
_CHANGE_AFTER = re.compile(
    r"^\s*(?:\w+\s+){0,2}(?:faster|slower|less|more|fewer|lower|higher|reduction|increase|improvement|saving|"
    r"savings|overhead|longer|shorter|smaller|larger)\b",
    re.I,
)


_CHANGE_IN_TEXT = re.compile(r"\b(?:gains?|savings?|reductions?|improvements?|speed-?ups?|overheads?)\b", re.I)


_CHANGE_LIST = re.compile(r"\b(?:gains?|savings?|reductions?|improvements?)\s+of\b(?:[^.;]|\.\d)*$", re.I)


class PaperSetup(BaseModel):
    """The setup a paper states once for its experiments ("All experiments are conducted on RTX 4090 GPUs"),
    read from its setup or implementation-details passages. A figure's sentence rarely repeats it, and a
    reader comparing 1.8x on an RTX 3090 with 3.5x on an A100 needs it."""

    hardware: list[str] = Field(default_factory=list, description="Accelerators named with a GPU/TPU word.")
    dataset: list[str] = Field(default_factory=list, description="Benchmarks named in the setup.")
    setting: list[str] = Field(default_factory=list, description="Batch size, greedy or sampled decoding.")
    pages: list[int] = Field(default_factory=list, description="Pages of the passages it was read from.")

    def terms(self) -> list[str]:
        return [*self.hardware, *self.dataset, *self.setting]


def shown_value(low: float, high: float, unit: str, bound: str | None) -> str:
    """'up to 6.5x', '3.05–4.26x', 'over 780 GB': a value with its bound, as a reader expects it."""
    unit = "x" if unit == "x" else (f" {unit}" if unit not in ("", "%") else unit)
    value = f"{low:g}–{high:g}{unit}" if low != high else f"{low:g}{unit}"
    return {"le": "up to ", "ge": "over ", "approx": "about "}.get(bound or "", "") + value


class ReportedFigure(BaseModel):
    """One figure a paper reports, with everything a reader needs to compare it with another."""

    method: str = Field(description="The system or method the figure is about, as the source names it.")
    metric: str = Field(description="What is measured: speedup, throughput, latency, memory, accuracy, cost, size.")
    role: Role = Field(description="gain (faster, smaller), cost (slower, overhead, memory), quality, or other.")
    value: float
    low: float | None = None
    high: float | None = None
    unit: str = ""
    text: str = Field(description="The figure as written, with its bound words ('up to 6.5x').")
    multiplies: str | None = Field(
        None,
        description="What a multiplier multiplies when the paper names it and it is not speed ('FLOP/s'); for a "
        "latency figure, which latency ('TTFT', 'kernel latency'), so only the same one is compared.",
    )
    bound: str | None = Field(None, description="le: 'up to'; ge: 'over', 'at least'; approx.")
    start: str | None = Field(
        None, description="The value it changed from, as shown: 'over 780 GB' of 'from >780GB of GPU memory to <48GB'."
    )
    baseline: str | None = Field(None, description="What it is compared with ('vanilla autoregressive decoding').")
    models: list[str] = Field(default_factory=list, description="Models named with the figure (Vicuna-7B, ...).")
    hardware: list[str] = Field(default_factory=list, description="GPUs/CPUs named (A100, RTX 3090, ...).")
    setting: list[str] = Field(default_factory=list, description="Batch size, decoding (greedy, T=1), precision.")
    dataset: list[str] = Field(default_factory=list, description="Benchmarks or tasks named (MT-bench, GSM8K).")
    setup: list[str] = Field(
        default_factory=list,
        description="The paper's stated setup (`PaperSetup`) of the kinds the figure's own sentence does not name: "
        "the paper's, not necessarily this figure's, and shown as such.",
    )
    setup_page: int | None = Field(None, description="The first page of the passages the setup was read from.")
    doc_id: str
    arxiv_id: str | None = None
    paper: int | None = Field(None, description="The source paper's number in the References list.")
    source: str = Field("", description="Short name of the source paper.")
    page: int | None = None
    quote: str = Field(description="The sentence the figure was read from.")
    claim: int | None = Field(None, description="The report claim the sentence is, when it is one.")
    primary: bool = Field(True, description="Reported by the method's own paper (else re-measured by another).")
    check: Check = Field(
        "quoted",
        description="quoted: read from its paper, no independent check; corroborated / contradicted: another paper "
        "reports the same method and metric in an overlapping setting with an agreeing / disagreeing figure.",
    )
    check_note: str = ""

    @property
    def span(self) -> tuple[float, float]:
        low = self.low if self.low is not None else self.value
        high = self.high if self.high is not None else self.value
        return (low, high)

    @property
    def absolute(self) -> bool:
        """A level, not a change: "124 tokens/s", "4,039 tokens per second", "21 GB" with no baseline and no
        change word beside it. The figures table says so rather than calling a measured rate a gain."""
        if self.unit in _RELATIVE_UNITS or self.baseline or self.start or self.role not in ("gain", "cost"):
            return False  # "from >780GB … to <48GB": the end of a change is no level
        if _CHANGE_IN_TEXT.search(self.text):  # "prefill gains of 1.5 seconds": a saving, not a level
            return False
        at = self.quote.find(self.text)
        if at < 0:
            return False
        before, after = self.quote[max(0, at - 40) : at], self.quote[at + len(self.text) : at + len(self.text) + 30]
        # "gains of 1.5 seconds, 7.4 seconds and 16.9 seconds": the list's head says what all of them are
        return not (_CHANGE_BEFORE.search(before) or _CHANGE_AFTER.search(after) or _CHANGE_LIST.search(before))

    @property
    def kind(self) -> str:
        """The table's metric cell: 'speedup (gain)', 'latency (cost)', 'throughput (absolute)'."""
        return f"{self.metric} ({'absolute' if self.absolute else self.role})"

    def conditions(self) -> str:
        """The figure's own conditions, then the paper's stated setup, marked: "Vicuna-7B, greedy; paper's setup
        (p. 14): RTX 3090, Spec-Bench"."""
        own = ", ".join([*self.models, *self.hardware, *self.setting, *self.dataset])
        if not self.setup:
            return own
        where = f" (p. {self.setup_page})" if self.setup_page else ""
        paper = f"paper's setup{where}: {', '.join(self.setup)}"
        return f"{own}; {paper}" if own else paper

    def shown(self) -> str:
        """'up to 6.5x', '3.05–4.26x': the value with its bound, as a reader expects it."""
        return shown_value(*self.span, self.unit, self.bound) + (f" {self.multiplies}" if self.multiplies else "")

    def shown_change(self) -> str:
        """The figure with where it started, when it ends a change: 'over 780 GB → up to 48 GB' (the table and the
        plot; '48 GB' alone reads as a level)."""
        return f"{self.start} → {self.shown()}" if self.start else self.shown()
