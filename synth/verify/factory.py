"""Settings -> a ready Verifier, with a note for every checker that is unavailable.

The verifier degrades rather than fails: without llama-cpp-python or the chat
model it verifies with the numeric and similarity checkers, and every output
says so (`checks` on each verdict, plus the notes returned here).
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

from synth.retrieve.embeddings import embedder_for
from synth.settings import SynthSettings
from synth.verify.label_model import load_label_models
from synth.verify.verifier import Verifier


def build_judge(settings: SynthSettings, requested: bool | None = None) -> tuple[Any | None, str | None]:
    """The cached LM judge, or None and the reason it is off. `requested` is a caller's explicit choice (a
    `--judge` flag): it overrides `verify.judge`, which is only the default."""
    if not (settings.verify.judge if requested is None else requested):
        return None, "LM judge off (verify.judge = false)"
    if settings.llm.backend == "openai":
        return _build_served_judge(settings)
    if importlib.util.find_spec("llama_cpp") is None:
        return None, (
            "LM judge unavailable: llama-cpp-python is not installed "
            "(CMAKE_ARGS=\"$(synth models llama-cmake-args)\" pip install -e '.[llama]'); "
            "verified with numeric + similarity checks"
        )
    from synth.models.registry import ModelError, require_model
    from synth.verify.judge_cache import CachedJudge, JudgeCache
    from synth.verify.lm_judge import LMJudge

    try:
        path = require_model(settings.models.chat, settings.models_dir, settings.models.pip_target)
    except ModelError as exc:
        return None, f"LM judge unavailable: {exc}"
    threads = settings.llm.n_threads or os.cpu_count() or 1
    judge = LMJudge(path, n_ctx=settings.llm.n_ctx, n_threads=threads)
    return CachedJudge(judge, JudgeCache(settings.home / "cache" / "judge.sqlite"), judge.model_id), None


def _build_served_judge(settings: SynthSettings) -> tuple[Any | None, str | None]:
    """The judge on the OpenAI-compatible server at `llm.base_url` (`llm.backend = "openai"`)."""
    from synth.llm.chat import chat_unavailable_reason

    reason = chat_unavailable_reason(settings)
    if reason:
        return None, f"LM judge unavailable: {reason}; verified with numeric + similarity checks"
    from synth.verify.judge_cache import CachedJudge, JudgeCache
    from synth.verify.served_judge import ServedJudge

    judge = ServedJudge.from_settings(settings)
    return CachedJudge(judge, JudgeCache(settings.home / "cache" / "judge.sqlite"), judge.model_id), None


def build_verifier(
    settings: SynthSettings, embedder: Any | None = None, judge: bool = True, keep_hidden: bool = False
) -> tuple[Verifier, list[str]]:
    """`keep_hidden`: keep the judge's hidden states on the window scores, for fitting probes."""
    notes: list[str] = []
    lm = None
    if judge:
        lm, note = build_judge(settings, requested=True)
        if note:
            notes.append(note)
    nli = None
    if settings.verify.nli_model is not None:
        from synth.verify.nli import NLIChecker

        nli = NLIChecker(settings.verify.nli_model)
    models = load_label_models(settings.verify.calibration)
    probes = []
    if lm is not None and settings.verify.probes and not keep_hidden:  # fitting probes: read none
        probes = models.probes_for(lm.model_id, lm.prompt_versions)
        if models.probes and not probes:
            notes.append(f"no hidden-state probe fitted for {lm.model_id}: judged with its Yes/No answers only")
    verifier = Verifier(
        models=models,
        probes=probes,
        keep_hidden=keep_hidden,
        judge=lm,
        embedder=embedder if embedder is not None else embedder_for(settings),
        nli=nli,
        judge_windows=settings.verify.judge_windows,
        judge_stop_at=settings.verify.judge_stop_at,
        window_words=settings.verify.window_words,
    )
    return verifier, notes
