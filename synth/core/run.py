"""Typed records of one `synth report` run: what every stage hands to the next and to the renderers.

The run directory stores these as JSON (one file per stage), so a run can be
inspected, resumed and re-rendered; `ReportRun` is the whole run, schema-versioned,
and is what the JSON format writes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, computed_field

from synth.core.claims import Claim, Evidence, ExtractionStats, Verdict, VerdictLabel
from synth.core.figures import PaperSetup, ReportedFigure
from synth.core.hits import Hit
from synth.core.measurement import EmpiricalCheck, MeasurementStage, MeasureMode
from synth.settings import BenchSettings, ExtractSettings, ReportSettings, VerifySettings

SCHEMA_VERSION = 1
FORMATS = ("md", "html", "json", "txt")


_REPORT, _BENCH, _EXTRACT, _VERIFY = ReportSettings(), BenchSettings(), ExtractSettings(), VerifySettings()


class ReportOptions(BaseModel):
    """What the user asked for; stored first so `--resume` continues the same run.

    `synth report` fills every field from its flags or the settings; these defaults are the settings' own
    defaults, so a test or an older run.json that leaves a field out reads the same as a fresh default run.
    """

    question: str
    papers: int = Field(_REPORT.papers, ge=1, description="Papers retrieved for the question.")
    claims: int = Field(_EXTRACT.max_claims, ge=1, description="Claims kept after ranking.")
    measure: MeasureMode = _BENCH.measure
    measure_budget_s: float = Field(_BENCH.budget_s, ge=0, description="Wall-clock budget of the measurement stage.")
    formats: list[str] = Field(default_factory=lambda: list[str](_REPORT.formats))
    arxiv: bool = Field(_REPORT.arxiv, description="Also search arXiv when the network is allowed.")
    corpus: list[str] = Field(default_factory=list, description="Folders/files ingested before retrieval.")
    mode: Literal["extractive", "llm", "auto"] = _EXTRACT.mode
    judge: bool = Field(_VERIFY.judge, description="Verify with the LM judge when it is installed.")


class PaperRef(BaseModel):
    """A retrieved paper; `number` is its place in the References list."""

    number: int
    doc_id: str
    title: str
    arxiv_id: str | None = None
    year: int | None = None
    authors: list[str] = Field(default_factory=list)
    url: str | None = Field(None, description="arXiv abstract page when the id is known.")
    path: str | None = Field(None, description="The local file.")
    score: float = Field(0.0, description="Document-level retrieval score for the question.")
    source: Literal["local", "arxiv"] = "local"
    passages: list[Hit] = Field(default_factory=list, description="Passages retrieved for the question.")
    setup: PaperSetup | None = Field(None, description="The experimental setup the paper states, when it does.")
    on_topic: bool = Field(
        True,
        description="Names the question's subject (synth.synthesize.topic); a paper that does not is listed, and no "
        "claim is extracted from it.",
    )


class RetrievalResult(BaseModel):
    papers: list[PaperRef]
    corpus_documents: int = 0
    arxiv: str = Field("", description="What happened with arXiv: skipped offline, searched, unreachable.")
    notes: list[str] = Field(default_factory=list)
    seconds: float = 0.0


class ReportClaim(BaseModel):
    """A claim of the report: cited as [number] in the prose."""

    number: int
    claim: Claim
    paper: int | None = Field(None, description="Number of the source paper in the References list.")
    verdict: Verdict | None = None
    probabilities: dict[str, float] = Field(default_factory=dict)
    measurable: list[str] = Field(default_factory=list, description="Benchmark tags (throughput, memory, ...).")
    empirical: list[EmpiricalCheck] = Field(default_factory=list, description="Measurements of this claim.")
    counter_evidence: list[Evidence] = Field(
        default_factory=list, description="Windows of other papers stating a different figure for the same quantity."
    )

    @property
    def supported(self) -> bool:
        return self.verdict is not None and self.verdict.label is VerdictLabel.SUPPORTED

    @property
    def label(self) -> str:
        return self.verdict.label.value if self.verdict is not None else "UNVERIFIED"

    @property
    def confidence(self) -> float:
        return self.verdict.confidence if self.verdict is not None else 0.0

    @property
    def independent(self) -> bool:
        """Whether anything beyond the claim's own source sentence checked it: another paper's passage, a
        measurement here, or (for an LM's paraphrase) its source read again. A sentence cut from a paper and
        matched against itself is only quoted; its confidence says nothing and is not shown."""
        if any(ch.verdict is not None and ch.verdict.verdict.value != "INCONCLUSIVE" for ch in self.empirical):
            return True
        if self.verdict is None:
            return False
        if self._other_paper() is not None:
            return True
        return self.claim.extractor not in (None, "extractive")

    def _other_paper(self) -> Evidence | None:
        own = self.claim.provenance.doc_id if self.claim.provenance else None
        if self.verdict is None or self.verdict.label.value == "NOT_ENOUGH_INFO":
            return None
        return next((e for e in self.verdict.evidence if own is not None and e.doc_id != own), None)

    @property
    def checked(self) -> str:
        """What was checked, in words: 'quoted (p. 9)', 'corroborated by 2401.07851 (p. 8)', 'measured: ...'."""
        measured = [ch.verdict for ch in self.empirical if ch.verdict is not None]
        decided = [v for v in measured if v.verdict.value != "INCONCLUSIVE"]
        if decided:
            return f"measured here: {decided[0].verdict.value.lower()}"
        other = self._other_paper()
        if other is not None and self.verdict is not None:
            page = f" (p. {other.page})" if other.page else ""
            verb = "corroborated" if self.supported else "contradicted"
            return f"{verb} by {other.doc_id}{page}"
        own_page = self.claim.provenance.page if self.claim.provenance else None
        where = f" (p. {own_page})" if own_page else ""
        if self.verdict is None:
            return "not checked"
        if self.claim.extractor in (None, "extractive"):
            return f"quoted{where}"
        return f"checked against its source{where}"


class CitedSentence(BaseModel):
    text: str
    claims: list[int] = Field(default_factory=list, description="Numbers of the claims this sentence rests on.")
    kind: Literal["finding", "meta"] = Field(
        "finding",
        description="`meta`: a statement about this run (counts, scope) read off the run's own data, not a finding "
        "from the literature; reviewers of faithfulness skip it.",
    )


class Paragraph(BaseModel):
    heading: str | None = None
    sentences: list[CitedSentence] = Field(default_factory=list)


class Conflict(BaseModel):
    topic: str
    claims: list[int]
    kind: Literal["numeric_spread", "contradiction", "measurement"]
    description: str


class StageUsage(BaseModel):
    """One stage's spend: wall time, LM calls and tokens (STYLE.md §11); the run record sums them."""

    seconds: float = 0.0
    lm_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0

    def __add__(self, other: StageUsage) -> StageUsage:
        return StageUsage(
            seconds=self.seconds + other.seconds, lm_calls=self.lm_calls + other.lm_calls,
            input_tokens=self.input_tokens + other.input_tokens, output_tokens=self.output_tokens + other.output_tokens,
        )  # fmt: skip


class Synthesis(BaseModel):
    method: str = Field(description="`template` (extractive) or `llm:<model>:<prompt>@<version>`.")
    title: str
    answer: list[CitedSentence] = Field(
        default_factory=list, description="3-6 sentences answering the question first, each cited."
    )
    figures: list[ReportedFigure] = Field(
        default_factory=list, description="Figures the papers report, per method, with conditions and source."
    )
    abstract: list[CitedSentence] = Field(default_factory=list)
    introduction: str = ""
    methodology: str = ""
    results: list[Paragraph] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    not_enough_info: list[int] = Field(default_factory=list, description="Claims never used as support.")
    refuted: list[int] = Field(default_factory=list)
    low_confidence: list[int] = Field(
        default_factory=list, description="SUPPORTED below the confidence floor: listed, never used as support."
    )
    limitations: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    lm_usage: StageUsage = Field(
        default_factory=StageUsage, description="The LM calls and tokens of the LM synthesis (none: template)."
    )


class Review(BaseModel):
    reviewer: str
    aspect: str
    score: float | None = Field(description="0-10; None when the aspect does not apply to this run.")
    rationale: str = Field(description="One paragraph: what was counted and why it scores so.")
    kind: Literal["metric", "lm"] = "metric"
    details: dict[str, float | int | str | None] = Field(default_factory=dict)


class ReviewPanel(BaseModel):
    reviews: list[Review]
    score: float = Field(description="Aggregate 0-10 over the reviewers that scored.")
    std: float = Field(description="Standard deviation of the reviewers' scores (their disagreement).")
    agreement: float | None = Field(None, description="Agreement among LM judges, when there are several.")
    method: str = ""


class ExtractionSummary(ExtractionStats):
    """What the extract stage did: its mode and model, and what happened to every sentence (flat, as stored)."""

    mode: str = "extractive"
    model: str | None = Field(None, description="Chat model used (LM mode).")
    prompt: str | None = Field(None, description="`name@version:sha` of the extraction prompt (LM mode).")


class VerificationSummary(BaseModel):
    """What the verify stage did: the checkers that decided, the LM calls, and what was reused."""

    checks: list[str] = Field(default_factory=list, description="Checkers the label model read.")
    judge_calls: int = Field(0, description="LM judge calls (0 without the judge).")
    reused_from_resume: int = Field(0, description="Verdicts kept from an interrupted run.")
    seconds: float = 0.0
    notes: list[str] = Field(default_factory=list)
    embedding_cache_hits: int = 0
    embedded: int = Field(0, description="Texts embedded for this stage.")


class ReportRun(BaseModel):
    schema_version: int = SCHEMA_VERSION
    run_id: str
    question: str
    created: str
    options: ReportOptions
    settings_md5: str = ""
    environment: dict[str, str] = Field(default_factory=dict)
    retrieval: RetrievalResult | None = None
    extraction: ExtractionSummary | None = Field(None, description="Extraction mode, model, prompt and stats.")
    claims: list[ReportClaim] = Field(default_factory=list)
    verification: VerificationSummary | None = Field(None, description="Checkers used, notes, timings.")
    measurement: MeasurementStage | None = None
    synthesis: Synthesis | None = None
    review: ReviewPanel | None = None
    notes: list[str] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per stage (this process's work).")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def usage(self) -> dict[str, StageUsage]:
        """Each stage's spend, from its own summary: the LM calls and tokens of extraction, LM synthesis and the
        rubric judges, the verify stage's judge calls (their tokens are not counted by the judge), every stage's
        seconds."""
        out = {stage: StageUsage(seconds=seconds) for stage, seconds in self.timings.items()}
        if self.extraction is not None:
            ext = StageUsage(lm_calls=self.extraction.llm_calls, input_tokens=self.extraction.input_tokens,
                             output_tokens=self.extraction.output_tokens)  # fmt: skip
            out["extract"] = out.get("extract", StageUsage()) + ext
        if self.verification is not None:
            out["verify"] = out.get("verify", StageUsage()) + StageUsage(lm_calls=self.verification.judge_calls)
        if self.synthesis is not None and self.synthesis.lm_usage.lm_calls:
            lm = self.synthesis.lm_usage
            out["synthesize"] = out.get("synthesize", StageUsage()) + lm.model_copy(update={"seconds": 0.0})
        if self.review is not None:
            for r in self.review.reviews:
                if r.kind == "lm":
                    d = r.details
                    calls = StageUsage(
                        lm_calls=int(d.get("attempts") or 0), input_tokens=int(d.get("input_tokens") or 0),
                        output_tokens=int(d.get("output_tokens") or 0),
                    )  # fmt: skip
                    out["review"] = out.get("review", StageUsage()) + calls
        return out

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_usage(self) -> StageUsage:
        """The run's spend, summed over its stages (what a digest reports per scheduled run)."""
        return sum(self.usage.values(), StageUsage())

    def claim(self, number: int) -> ReportClaim:
        return self.claims[number - 1]

    def paper(self, number: int | None) -> PaperRef | None:
        if number is None or self.retrieval is None:
            return None
        return next((p for p in self.retrieval.papers if p.number == number), None)
