"""The report's stages as objects with one contract: is it done on this run, and do it.

A stage reads the run so far and the `RunContext` (settings, corpus, models), adds its part to the run, saves
its own record in the run directory and returns the one-line summary the progress display prints. The
orchestrator (`synth.report.pipeline.run_report`) is a loop over `REPORT_STAGES`: it times each stage, saves
the run after it, and skips the stages an interrupted run already finished. Adding a stage is a class here and
a field on the run record (synth.core.run).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from synth.core.run import ExtractionSummary, ReportClaim, ReportRun, Synthesis, VerificationSummary
from synth.pipeline.context import RunContext
from synth.pipeline.rundir import RunDir


class Stage(ABC):
    name: ClassVar[str]

    @abstractmethod
    def done(self, run: ReportRun) -> bool:
        """Whether `run` already holds this stage's result (a resumed run skips it)."""

    def total(self, run: ReportRun) -> int | None:
        """Units of work for the progress bar (None: indeterminate)."""
        return None

    @abstractmethod
    def run(self, run: ReportRun, ctx: RunContext, rundir: RunDir) -> str:
        """Add this stage's result to `run`, save its record in `rundir`; the one-line summary."""


class RetrieveStage(Stage):
    name = "retrieve"

    def done(self, run: ReportRun) -> bool:
        return run.retrieval is not None

    def run(self, run: ReportRun, ctx: RunContext, rundir: RunDir) -> str:
        from pathlib import Path

        from synth.errors import UserError
        from synth.pipeline.retrieval import missing_corpus, retrieve, search_arxiv_into_corpus

        options = run.options
        if options.corpus and not ctx.retriever_open:
            missing = missing_corpus(options.corpus)
            if missing:
                raise UserError(f"--corpus {missing} does not exist: pass a folder of PDFs, Markdown or text files")
            ctx.ingest([Path(p) for p in options.corpus])
        ctx.require_documents()
        arxiv_note, arxiv_ids = "skipped: --no-arxiv", set[str]()
        if options.arxiv:
            arxiv_note, arxiv_ids = search_arxiv_into_corpus(
                run.question, ctx.settings, options.papers, lambda paths: ctx.ingest(paths, source="arxiv")
            )
        run.retrieval = retrieve(run.question, options, ctx.settings, ctx.retriever, arxiv_ids, arxiv_note)
        rundir.save_stage("retrieval", run.retrieval)
        return f"{len(run.retrieval.papers)} papers of {run.retrieval.corpus_documents}"


class ExtractStage(Stage):
    name = "extract"

    def done(self, run: ReportRun) -> bool:
        return run.extraction is not None

    def run(self, run: ReportRun, ctx: RunContext, rundir: RunDir) -> str:
        from synth.claims.extract import extract_claims, resolve_mode

        assert run.retrieval is not None
        local = ctx.settings.model_copy(deep=True)
        local.extract.max_claims = run.options.claims
        papers = [p for p in run.retrieval.papers if p.on_topic]
        hits = [h for p in papers for h in p.passages]
        chat = ctx.injected_chat_model
        if chat is None and run.options.mode != "extractive" and resolve_mode(run.options.mode, local, None) == "llm":
            chat = ctx.chat_model
        result = extract_claims(
            run.question, hits or [p.doc_id for p in papers], ctx.retriever, local, mode=run.options.mode,
            chat_model=chat,
        )  # fmt: skip
        paper_of = {p.doc_id: p.number for p in run.retrieval.papers}
        run.claims = [
            ReportClaim(number=i, claim=c, paper=paper_of.get(c.provenance.doc_id) if c.provenance else None)
            for i, c in enumerate(result.claims, start=1)
        ]
        run.extraction = ExtractionSummary(
            mode=result.mode, model=result.model, prompt=result.prompt, **result.stats.model_dump()
        )
        rundir.save_stage("claims", {"extraction": run.extraction, "claims": [c.claim for c in run.claims]})
        return f"{len(run.claims)} claims ({run.extraction.mode})"


class VerifyStage(Stage):
    name = "verify"

    def done(self, run: ReportRun) -> bool:
        return run.verification is not None

    def total(self, run: ReportRun) -> int | None:
        return len(run.claims)

    def run(self, run: ReportRun, ctx: RunContext, rundir: RunDir) -> str:
        from synth.pipeline.verification import verify_claims

        verifier, notes = ctx.verifier(run.options.judge)
        memo = ctx.embedder
        hits, misses = memo.hits, memo.misses
        _, info = verify_claims(
            run.claims, verifier, ctx.retriever, ctx.settings, rundir,
            progress=lambda i, n: ctx.progress.advance(self.name, i, n),
        )  # fmt: skip
        run.verification = VerificationSummary(
            **info, notes=notes, embedding_cache_hits=memo.hits - hits, embedded=memo.misses - misses
        )
        rundir.save_stage("verdicts", {"verification": run.verification, "claims": run.claims})
        supported = sum(1 for c in run.claims if c.supported)
        return f"{supported}/{len(run.claims)} supported"


class MeasureStage(Stage):
    name = "measure"

    def done(self, run: ReportRun) -> bool:
        return run.measurement is not None

    def run(self, run: ReportRun, ctx: RunContext, rundir: RunDir) -> str:
        from synth.pipeline.measurement import measure_claims

        options = run.options
        measurable = sum(1 for c in run.claims if c.measurable)
        run.measurement = measure_claims(
            run.claims, ctx.settings, options.measure, options.measure_budget_s, rundir, run=ctx.bench_runner,
            progress=lambda i, n, what: ctx.progress.advance(self.name, i, n),
        )  # fmt: skip
        rundir.save_stage("measurement", {"stage": run.measurement, "claims": run.claims})
        return f"{measurable} measurable, {run.measurement.run} run(s) ({options.measure})"


def uses_lm(run: ReportRun) -> bool:
    """An LM extracted the claims, so the LM also writes the prose and sits on the review panel."""
    return bool(run.extraction and run.extraction.mode == "llm")


class SynthesizeStage(Stage):
    name = "synthesize"

    def done(self, run: ReportRun) -> bool:
        return run.synthesis is not None

    def run(self, run: ReportRun, ctx: RunContext, rundir: RunDir) -> str:
        run.synthesis = self._synthesis(run, ctx)
        rundir.save_stage("synthesis", run.synthesis)
        return run.synthesis.method

    @staticmethod
    def _synthesis(run: ReportRun, ctx: RunContext) -> Synthesis:
        from synth.synthesize.answer import off_topic
        from synth.synthesize.synthesis import template_synthesis

        floor = ctx.settings.report.min_confidence
        synthesis = template_synthesis(run, floor)
        if not uses_lm(run) or off_topic(run):
            return synthesis  # off topic: no prose from claims about something else
        from synth.synthesize.llm_synthesis import llm_synthesis

        return llm_synthesis(run, synthesis, ctx.chat_model, floor)


class ReviewStage(Stage):
    name = "review"

    def done(self, run: ReportRun) -> bool:
        return run.review is not None

    def run(self, run: ReportRun, ctx: RunContext, rundir: RunDir) -> str:
        from synth.review.panel import review_report

        lm = ctx.chat_model if uses_lm(run) else None
        run.review = review_report(run, embedder=ctx.retriever.embedder, chat_model=lm, config=ctx.settings.review)
        rundir.save_stage("review", run.review)
        return f"{run.review.score:.1f}/10 ± {run.review.std:.1f}"


REPORT_STAGES: tuple[Stage, ...] = (
    RetrieveStage(), ExtractStage(), VerifyStage(), MeasureStage(), SynthesizeStage(), ReviewStage(),
)  # fmt: skip
STAGE_NAMES = tuple(stage.name for stage in REPORT_STAGES)
