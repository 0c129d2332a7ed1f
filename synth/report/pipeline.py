"""`synth report` end to end: retrieve → extract → verify → measure → synthesize → review, in a run directory.

Each stage reads the run so far and adds its part; after each stage the run
is saved (synth.report.rundir), so an interrupted run resumes at the first
stage not done (and the verify and measure stages at the first claim / spec not
done). Models and the benchmark runner are injected for tests; by default
they come from the settings.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synth import __version__
from synth.core.run import ExtractionSummary, ReportClaim, ReportOptions, ReportRun, VerificationSummary
from synth.report.progress import NoProgress, StageProgress
from synth.report.rundir import RunDir, RunDirError

STAGES = ("retrieve", "extract", "verify", "measure", "synthesize", "review")


def slug(question: str, words: int = 6) -> str:
    tokens = re.findall(r"[a-z0-9]+", question.lower())
    return "-".join(tokens[:words]) or "report"


def new_run_id(question: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%d-%H%M%S}-{slug(question)}"


def environment() -> dict[str, str]:
    return {
        "synth": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": str(os.cpu_count() or 0),
    }


def start_run(question: str, settings: Any, options: ReportOptions, rundir: RunDir) -> ReportRun:
    """The run saved in `rundir`, or a new one; a different question in the same folder is an error.

    A new run is saved only when its first stage is done: a run that fails or is killed before that (a bad
    corpus, an empty index, a missing model) had nothing worth resuming, and a `run.json` left behind would
    only make the retry with corrected arguments fail with "already holds a run".
    """
    if rundir.exists():
        run = rundir.load_run()
        if " ".join(run.question.split()) != " ".join(question.split()):
            raise RunDirError(
                f"{rundir.root} holds a run for another question ({run.question!r}): pick a new -o folder"
            )
        if run.settings_md5 and run.settings_md5 != settings.settings_md5:
            run.notes.append("settings changed between the start of this run and its resumption")
        return run
    now = dt.datetime.now(dt.UTC)
    run = ReportRun(
        run_id=new_run_id(question, now), question=question, created=now.isoformat(timespec="seconds"),
        options=options, settings_md5=settings.settings_md5, environment=environment(),
    )  # fmt: skip
    return run


def unstarted(run: ReportRun) -> bool:
    """No stage of `run` is done, so replacing it loses nothing (only a synth older than
    `start_run`'s deferred save left such a `run.json` behind)."""
    return run.retrieval is None and not run.timings


def missing_corpus(paths: list[str]) -> str | None:
    """The first corpus path that does not exist, checked before the run folder is touched."""
    return next((p for p in paths if not Path(p).exists()), None)


def run_report(
    question: str,
    settings: Any,
    options: ReportOptions,
    run_dir: Path,
    *,
    progress: StageProgress | None = None,
    chat_model: Any | None = None,
    retriever: Any | None = None,
    bench_runner: Callable[..., Any] | None = None,
    stop_after: str | None = None,
) -> ReportRun:
    """The whole pipeline; returns the finished run (also saved in `run_dir/run.json`).

    `stop_after` ends the run after that stage (a resumable partial run, used by tests and digests).
    """
    progress = progress or NoProgress()
    rundir = RunDir(run_dir)
    run = start_run(question, settings, options, rundir)
    options = run.options
    clock: dict[str, float] = {}

    def done(stage: str, started: float, summary: str) -> None:
        clock[stage] = round(time.perf_counter() - started, 3)
        run.timings[stage] = clock[stage]
        rundir.save_run(run)
        progress.finish(stage, summary)

    if run.retrieval is None:
        t = time.perf_counter()
        progress.start("retrieve")
        retriever = retriever or _retriever_after_ingest(settings, options)
        if retriever.catalog.stats()["documents"] == 0:
            from synth.errors import UserError

            raise UserError(f"the corpus at {settings.index_dir} is empty: pass --corpus DIR or run `synth corpus add`")
        from synth.report.retrieval import retrieve, search_arxiv_into_corpus

        arxiv_note, arxiv_ids = "skipped: --no-arxiv", set()
        if options.arxiv:

            def ingest(paths: list[Path]) -> None:
                _ingest(settings, paths, source="arxiv")

            arxiv_note, arxiv_ids = search_arxiv_into_corpus(question, settings, options.papers, ingest)
            if arxiv_ids:
                retriever = _open_retriever(settings)  # the index grew
        run.retrieval = retrieve(question, options, settings, retriever, arxiv_ids, arxiv_note)
        rundir.save_stage("retrieval", run.retrieval)
        done("retrieve", t, f"{len(run.retrieval.papers)} papers of {run.retrieval.corpus_documents}")
    if stop_after == "retrieve":
        return run
    if retriever is None and (run.extraction is None or run.verification is None or run.review is None):
        retriever = _open_retriever(settings)  # NOTE: a finished run is re-rendered without loading the index

    if run.extraction is None:
        t = time.perf_counter()
        progress.start("extract")
        _extract(run, settings, retriever, chat_model)
        rundir.save_stage("claims", {"extraction": run.extraction, "claims": [c.claim for c in run.claims]})
        done("extract", t, f"{len(run.claims)} claims ({run.extraction.mode if run.extraction else '?'})")
    if stop_after == "extract":
        return run

    if run.verification is None:
        t = time.perf_counter()
        progress.start("verify", len(run.claims))
        from synth.report.verification import verify_claims
        from synth.retrieve.embeddings import MemoEmbedder
        from synth.verify.factory import build_verifier

        memo = MemoEmbedder(retriever.embedder)
        verifier, notes = build_verifier(settings, embedder=memo, judge=options.judge)
        _, info = verify_claims(
            run.claims, verifier, retriever, settings, rundir,
            progress=lambda i, n: progress.advance("verify", i, n),
        )  # fmt: skip
        run.verification = VerificationSummary(
            **info, notes=notes, embedding_cache_hits=memo.hits, embedded=memo.misses
        )
        rundir.save_stage("verdicts", {"verification": run.verification, "claims": run.claims})
        supported = sum(1 for c in run.claims if c.supported)
        done("verify", t, f"{supported}/{len(run.claims)} supported")
    if stop_after == "verify":
        return run

    if run.measurement is None:
        t = time.perf_counter()
        measurable = sum(1 for c in run.claims if c.measurable)
        progress.start("measure", None)
        from synth.report.measurement import measure_claims

        run.measurement = measure_claims(
            run.claims, settings, options.measure, options.measure_budget_s, rundir, run=bench_runner,
            progress=lambda i, n, what: progress.advance("measure", i, n),
        )  # fmt: skip
        rundir.save_stage("measurement", {"stage": run.measurement, "claims": run.claims})
        done("measure", t, f"{measurable} measurable, {run.measurement.run} run(s) ({options.measure})")
    if stop_after == "measure":
        return run

    if run.synthesis is None:
        t = time.perf_counter()
        progress.start("synthesize")
        run.synthesis = _synthesize(run, settings, chat_model)
        rundir.save_stage("synthesis", run.synthesis)
        done("synthesize", t, run.synthesis.method)
    if stop_after == "synthesize":
        return run

    if run.review is None:
        t = time.perf_counter()
        progress.start("review")
        from synth.review.panel import review_report

        lm = chat_model if _uses_lm(run) else None
        if lm is None and _uses_lm(run):
            lm = _chat(settings)
        run.review = review_report(run, embedder=retriever.embedder, chat_model=lm, config=settings.review)
        rundir.save_stage("review", run.review)
        done("review", t, f"{run.review.score:.1f}/10 ± {run.review.std:.1f}")
    return run


def _uses_lm(run: ReportRun) -> bool:
    return bool(run.extraction and run.extraction.mode == "llm")


def _chat(settings: Any) -> Any:
    from synth.llm.chat import make_chat_model

    return make_chat_model(settings)


def _ingest(settings: Any, paths: list[Path], source: str = "local") -> Any:
    from synth.corpus.ingest import ingest
    from synth.corpus.open import open_index

    index = open_index(settings)
    try:
        return ingest(paths, index, settings.corpus, source=source, fault=settings.fault)
    finally:
        index.close()


def _open_retriever(settings: Any) -> Any:
    from synth.retrieve import open_retriever

    return open_retriever(settings)


def _retriever_after_ingest(settings: Any, options: ReportOptions) -> Any:
    from synth.errors import UserError

    if options.corpus:
        missing = missing_corpus(options.corpus)
        if missing:
            raise UserError(f"--corpus {missing} does not exist: pass a folder of PDFs, Markdown or text files")
        _ingest(settings, [Path(p) for p in options.corpus])
    return _open_retriever(settings)


def _extract(run: ReportRun, settings: Any, retriever: Any, chat_model: Any | None) -> None:
    from synth.claims.extract import extract_claims

    assert run.retrieval is not None
    local = settings.model_copy(deep=True)
    local.extract.max_claims = run.options.claims
    papers = [p for p in run.retrieval.papers if p.on_topic]
    hits = [h for p in papers for h in p.passages]
    chat = chat_model
    if run.options.mode != "extractive" and chat is None:
        from synth.claims.extract import resolve_mode

        if resolve_mode(run.options.mode, local, None) == "llm":
            chat = _chat(local)
    result = extract_claims(
        run.question, hits or [p.doc_id for p in papers], retriever.index, local,
        mode=run.options.mode, chat_model=chat,
    )  # fmt: skip
    paper_of = {p.doc_id: p.number for p in run.retrieval.papers}
    run.claims = [
        ReportClaim(number=i, claim=c, paper=paper_of.get(c.provenance.doc_id) if c.provenance else None)
        for i, c in enumerate(result.claims, start=1)
    ]
    run.extraction = ExtractionSummary(
        mode=result.mode, model=result.model, prompt=result.prompt, **result.stats.model_dump()
    )


def _synthesize(run: ReportRun, settings: Any, chat_model: Any | None) -> Any:
    from synth.synthesize.answer import off_topic
    from synth.synthesize.synthesis import template_synthesis

    floor = settings.report.min_confidence
    synthesis = template_synthesis(run, floor)
    if not _uses_lm(run) or off_topic(run):
        return synthesis  # off topic: no prose from claims about something else
    from synth.synthesize.llm_synthesis import llm_synthesis

    return llm_synthesis(run, synthesis, chat_model or _chat(settings), floor)
