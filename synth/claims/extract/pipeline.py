"""Claim extraction end to end: papers -> candidates (extractive or LM) -> ranked, deduplicated, capped claims.

Two entry points share everything after loading: `extract_claims` for papers
in the corpus index (passages retrieved for the question steer which
sentences are read first), and `extract_from_pages` for a paper given as
text (`synth audit`), ranked by claim-worthiness alone when there is no
question.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import BaseModel, Field

from synth.claims.extract.extractive import extractive_candidates
from synth.claims.extract.llm import PROMPT_NAME, LMCounts, llm_candidates
from synth.claims.extract.paper import Candidate, Paper, focus_of, indexed_paper, mark_focus, paper_from_pages
from synth.claims.extract.ranking import (
    JACCARD_DUPLICATE,
    Reranker,
    combined_scores,
    fill_facets,
    fill_parts,
    jaccard,
    jaccard_matrix,
    rerank_order,
    same_numbers_boost,
    select,
    word_set,
)
from synth.claims.gates import claim_defect
from synth.core.claims import Claim, ExtractionStats
from synth.core.facets import (
    distinctive,
    facet_mentioned,
    facets,
    part_terms,
    question_focus,
    question_parts,
    terms_met,
)
from synth.core.quantities import extract_numbers
from synth.errors import UserError
from synth.llm.chat import ChatModelError, chat_unavailable_reason, make_chat_model, model_label
from synth.prompts import load_prompt

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from synth.core.documents import Page, Section
    from synth.core.hits import Hit
    from synth.retrieve.embeddings import Embedder
    from synth.retrieve.hybrid import HybridRetriever
    from synth.settings import SynthSettings

Mode = Literal["llm", "extractive"]
POOL_PER_PAPER = 8  # extractive candidates per paper that get embedded and ranked...
PART_POOL = 4  # more per paper for each later part of a multi-part question
POOL_TOTAL = 100  # ...or more when there are few papers: embedding ~100 sentences costs about a second
SHORTLIST = 3  # times max_claims compared for near-duplicates
RERANK_SHORTLIST = 2  # times max_claims rescored by the rerank hook


class ExtractionResult(BaseModel):
    mode: Mode
    question: str | None
    claims: list[Claim]
    stats: ExtractionStats
    prompt: str | None = Field(None, description="`name@version:sha` of the extraction prompt (LM mode).")
    model: str | None = Field(None, description="Chat model used (LM mode).")


def resolve_mode(requested: str, settings: SynthSettings, chat_model: BaseChatModel | None) -> Mode:
    """`auto` is the LM when one is set up (given, or buildable from the settings), else extractive."""
    if requested == "extractive":
        return "extractive"
    if chat_model is not None:
        return "llm"
    reason = chat_unavailable_reason(settings)
    if requested == "llm" and reason:
        raise ChatModelError(f"extract.mode is llm but {reason}")
    return "llm" if reason is None else "extractive"


def extract_claims(
    question: str,
    sources: Sequence[str] | Sequence[Hit],
    retriever: HybridRetriever,
    settings: SynthSettings,
    *,
    mode: str | None = None,
    chat_model: BaseChatModel | None = None,
    embedder: Embedder | None = None,
    rerank: Reranker | None = None,
) -> ExtractionResult:
    """Claims answering `question` from indexed papers (`sources`: doc ids, or search hits).

    Example:
        >>> retriever = open_retriever(settings)
        >>> docs = [d.doc_id for d in retriever.search_documents(question, k=10)]
        >>> result = extract_claims(question, docs, retriever, settings, mode="extractive")
        >>> result.claims[0].text, result.claims[0].provenance.page
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}
    doc_ids = list(dict.fromkeys(s if isinstance(s, str) else s.doc_id for s in sources))
    given_hits = [s for s in sources if not isinstance(s, str)]
    papers: list[Paper] = []
    for doc_id in doc_ids:
        paper = indexed_paper(retriever.catalog, doc_id)
        if paper is None:
            raise UserError(f"document {doc_id} is not in the index at {settings.index_dir}: run `synth corpus list`")
        papers.append(paper)
    timings["load_s"] = time.perf_counter() - started

    tick = time.perf_counter()
    # One search over all the papers, capped per paper: ten filtered searches cost ten BM25 passes.
    passages = settings.extract.passages_per_doc
    hits = retriever.search(question, k=passages * len(papers), doc_ids=set(doc_ids), per_doc_cap=passages)
    for paper in papers:
        mark_focus(paper, [*hits, *given_hits])
    parts = question_parts(question)
    for part in parts[1:]:  # "…, and at what cost (…)?": the passages about the cost, read as a pool of their own
        part_hits = retriever.search(part, k=passages * len(papers), doc_ids=set(doc_ids), per_doc_cap=passages)
        for paper in papers:
            paper.part_focus.append((focus_of(paper, part_hits), part_terms(part)))
    timings["retrieve_s"] = time.perf_counter() - tick
    return _extract(
        question, papers, settings, mode=mode, chat_model=chat_model, embedder=embedder or retriever.embedder,
        rerank=rerank, timings=timings, started=started,
    )  # fmt: skip


def extract_from_pages(
    question: str | None,
    title: str | None,
    pages: list[Page],
    doc_id: str,
    settings: SynthSettings,
    *,
    sections: list[Section] | None = None,
    mode: str | None = None,
    chat_model: BaseChatModel | None = None,
    embedder: Embedder | None = None,
    rerank: Reranker | None = None,
) -> ExtractionResult:
    """Claims from one paper outside the index (e.g. a text given to `synth audit`).

    With a question, claims are ranked by similarity to it; without one, by
    claim-worthiness alone. `embedder` defaults to the settings' embedding
    model (used for relevance and near-duplicate removal).
    """
    started = time.perf_counter()
    paper = paper_from_pages(doc_id, title, pages, sections)
    timings = {"load_s": time.perf_counter() - started}
    if embedder is None:
        from synth.retrieve.embeddings import embedder_for

        embedder = embedder_for(settings)
    return _extract(
        question, [paper], settings, mode=mode, chat_model=chat_model, embedder=embedder, rerank=rerank,
        timings=timings, started=started,
    )  # fmt: skip


def _extract(
    question: str | None,
    papers: list[Paper],
    settings: SynthSettings,
    *,
    mode: str | None,
    chat_model: BaseChatModel | None,
    embedder: Embedder | None,
    rerank: Reranker | None,
    timings: dict[str, float],
    started: float,
) -> ExtractionResult:
    chosen = resolve_mode(mode or settings.extract.mode, settings, chat_model)
    stats = ExtractionStats(papers=len(papers), sentences=sum(len(p.sentences) for p in papers))
    tick = time.perf_counter()
    prompt_label = model = None
    if chosen == "llm":
        chat = chat_model or make_chat_model(settings)
        candidates = _llm_all(chat, papers, question, settings, stats)
        prompt = load_prompt(PROMPT_NAME)
        prompt_label = f"{prompt.name}@{prompt.version}:{prompt.sha}"
        model = model_label(chat)
        timings["llm_s"] = time.perf_counter() - tick
        tick = time.perf_counter()
        # The LM is asked for a few claims per paper (its tokens are the slow part on CPU) and a small model's
        # reply is often thinner still: the papers' own sentences compete beside its claims, so a thin reply
        # does not leave a paper's findings out (dev questions: 1 to 9 LM claims for a 20-claim budget).
        extra = _extractive_all(papers, stats)
        stats.extractive_candidates = len(extra)
        candidates += extra
        timings["candidates_s"] = time.perf_counter() - tick
    else:
        candidates = _extractive_all(papers, stats)
        timings["candidates_s"] = time.perf_counter() - tick
    kept = [c for c in candidates if claim_defect(c.text) is None]
    stats.defective_dropped = len(candidates) - len(kept)
    candidates = kept
    stats.candidates = len(candidates)

    tick = time.perf_counter()
    claims = rank_candidates(question, candidates, settings, embedder, rerank, stats)
    timings["rank_s"] = time.perf_counter() - tick
    timings["total_s"] = time.perf_counter() - started
    stats.timings = {k: round(v, 3) for k, v in timings.items()}
    return ExtractionResult(mode=chosen, question=question, claims=claims, stats=stats, prompt=prompt_label,
                            model=model)  # fmt: skip


def _extractive_all(papers: list[Paper], stats: ExtractionStats) -> list[Candidate]:
    """The extractive candidates of every paper, the pool shared out between them."""
    candidates: list[Candidate] = []
    pool = max(POOL_PER_PAPER, POOL_TOTAL // max(1, len(papers)))
    for paper in papers:
        found, counts = extractive_candidates(paper, pool)
        stats.first_person_dropped += counts.first_person_dropped
        stats.not_self_contained += counts.not_self_contained
        # A later part of the question ("at what cost") has passages of its own: their sentences that use the
        # part's distinctive words ("cost", "memory"; not "draft") join the pool, which claim-worthiness alone
        # fills with the paper's headline figures. (Their counts are not added: these sentences were read above.)
        for focus, terms in paper.part_focus:
            boost = partial(terms_met, distinctive(terms, [s.text for s in paper.sentences]))
            more, _ = extractive_candidates(replace(paper, focus=focus), PART_POOL, boost)
            texts = {c.text for c in found}
            found += [c for c in more if c.text not in texts]
        candidates.extend(found)
    return candidates


def claims_per_call(settings: SynthSettings, papers: int) -> int:
    """Claims asked of the LM per paper: the total cap's share, within the per-paper cap.

    NOTE: asking for more than the total cap allows on average only adds generated tokens
    (the slow part on CPU); ranking picks across papers afterwards.
    """
    share = math.ceil(settings.extract.max_claims / max(1, papers))
    return max(1, min(settings.extract.per_doc_cap, share))


def _llm_all(
    chat: BaseChatModel, papers: list[Paper], question: str | None, settings: SynthSettings, stats: ExtractionStats
) -> list[Candidate]:
    """One call per paper, best ranked first, until `extract.llm_seconds` is spent. Bad replies cost that paper's
    claims; a server that never answers is an error."""
    per_call = claims_per_call(settings, len(papers))
    counts = LMCounts()
    candidates: list[Candidate] = []
    budget = settings.extract.llm_seconds
    started = time.perf_counter()
    called = 0
    for paper in papers:
        if budget and time.perf_counter() - started >= budget:
            stats.llm_skipped = len(papers) - called
            break
        candidates.extend(llm_candidates(chat, paper, question, per_call, counts))
        called += 1
    stats.llm_calls, stats.llm_retries = counts.calls, counts.retries
    stats.malformed_dropped, stats.llm_errors = counts.malformed_dropped, counts.errors
    stats.ungrounded_dropped = counts.ungrounded_dropped
    stats.first_person_dropped += counts.first_person_dropped
    stats.not_self_contained += counts.not_self_contained
    stats.input_tokens, stats.output_tokens = counts.input_tokens, counts.output_tokens
    if called and counts.errors == called:
        raise UserError(f"the chat model failed on every paper; last error: {counts.last_error}")
    return candidates


def _relevance(question: str | None, candidates: list[Candidate], embedder: Embedder | None) -> np.ndarray | None:
    """Cosine of each claim, read after its paper's title, to the question; None without a question or model.

    NOTE: the title goes in front as the index does for chunks: a claim names its system
    ("Medusa-1 achieves 2.2x"), rarely the topic the question asks about.
    """
    if embedder is None or not question:
        return None
    titled = embedder.embed([f"{c.title}: {c.text}" if c.title else c.text for c in candidates])
    relevance = titled @ embedder.embed_query(question)
    focus = question_focus(question)
    if focus == question:
        return relevance
    # "Can large language models be finetuned or run on a single GPU": the generic subject matches PipeSpec's
    # speed-ups as well as FlexGen's single-GPU runs; half the weight goes to what the question asks of it.
    return 0.5 * (relevance + titled @ embedder.embed_query(focus))


def _similarity(
    texts: list[str], figures: list[frozenset[float]], embedder: Embedder | None, vectors: np.ndarray | None
) -> tuple[np.ndarray, ...]:
    """Claim-to-claim similarity for duplicates, and the bare-claim vectors behind it.

    Cosine of the bare claims (a shared title would make every claim of a paper alike),
    raised for claims stating the same figures (`figures_of`), lowered for claims stating other ones; word
    overlap when there is no model.
    `vectors` holds those of a prefix of `texts` already embedded: only the rest is embedded.
    """
    if embedder is None:
        similarity = jaccard_matrix(texts)
    else:
        done = 0 if vectors is None else len(vectors)
        fresh = embedder.embed(texts[done:])
        vectors = fresh if vectors is None else np.vstack([vectors, fresh])
        similarity = vectors @ vectors.T
    return same_numbers_boost(similarity, figures), vectors


def figures_of(text: str) -> frozenset[float]:
    """The figures a claim states (numbers with a unit: "2.3x", "48GB", "71.0%")."""
    return frozenset(n.value for n in extract_numbers(text) if n.unit)


def rank_candidates(
    question: str | None,
    candidates: list[Candidate],
    settings: SynthSettings,
    embedder: Embedder | None,
    rerank: Reranker | None,
    stats: ExtractionStats,
) -> list[Claim]:
    """Score, drop off-topic and near-duplicate candidates, apply the caps; claims best first.

    Only the best-scored few times `max_claims` on-topic candidates are compared for duplicates
    (embedding them is the costly step), more only when those do not fill the total cap.
    """
    if not candidates:
        return []
    cfg = settings.extract
    relevance = _relevance(question, candidates, embedder)
    scores = combined_scores(relevance, [c.worthiness for c in candidates])
    ranked = [int(i) for i in np.argsort(-scores, kind="stable")]
    if relevance is not None:
        on_topic = [i for i in ranked if relevance[i] >= cfg.min_relevance]
        stats.below_relevance = len(ranked) - len(on_topic)
        ranked = on_topic
    # LM mode: the LM's claims are picked first (a sentence it restated stays its version, not the raw one),
    # the papers' own sentences fill what is left of the budget.
    lm_first = any(c.extractor != "extractive" for c in candidates)
    if lm_first:
        ranked = [i for i in ranked if candidates[i].extractor != "extractive"] + [
            i for i in ranked if candidates[i].extractor == "extractive"
        ]
    threshold = cfg.dedupe_threshold if embedder is not None else min(cfg.dedupe_threshold, JACCARD_DUPLICATE)
    # Two papers on the subject fill the total cap between them rather than stopping at 4 claims each; the cap
    # of one paper read alone (extract_from_pages) is the caller's.
    contributing = len({candidates[i].source.doc_id for i in ranked})
    shared = math.ceil(cfg.max_claims / contributing) if contributing > 1 else 0
    per_paper = max(cfg.per_doc_cap, shared)
    common = {"duplicate_threshold": threshold, "per_group_cap": per_paper}
    size, vectors = SHORTLIST * cfg.max_claims, None
    while True:  # widen the shortlist while duplicates and caps leave the total cap unfilled
        short = ranked[:size]
        pool = [candidates[i] for i in short]
        figures = [figures_of(c.text) for c in pool]
        similarity, vectors = _similarity([c.text for c in pool], figures, embedder, vectors)
        groups = [c.source.doc_id for c in pool]
        in_order = list(range(len(short))) if lm_first else None
        chosen = select(
            scores[short], similarity, groups, total_cap=cfg.max_claims, priority=in_order, figures=figures, **common
        )
        if len(chosen.order) >= cfg.max_claims or size >= len(ranked):
            break
        size *= 2
    if rerank is not None and question:
        cap = RERANK_SHORTLIST * cfg.max_claims
        first = select(scores[short], similarity, groups, total_cap=cap, priority=in_order, figures=figures, **common)
        claims = [_claim(pool[i], relevance, short[i]) for i in first.order]
        order, _ = rerank_order(question, claims, scores[short][first.order], rerank, shortlist=len(claims))
        priority = [first.order[i] for i in order]
        chosen = select(
            scores[short], similarity, groups, total_cap=cfg.max_claims, priority=priority, figures=figures, **common
        )
    stats.duplicates_dropped = chosen.duplicates
    stats.capped = len(ranked) - len(chosen.order) - chosen.duplicates
    final = [short[i] for i in chosen.order]
    texts = [c.text for c in candidates]
    groups_all = [c.source.doc_id for c in candidates]
    words: dict[int, set[str]] = {}

    def duplicate(a: int, b: int) -> bool:  # word sets made for the few candidates compared, not all
        sets = [words.setdefault(i, word_set(texts[i])) for i in (a, b)]
        return jaccard(*sets) >= JACCARD_DUPLICATE

    later = [part_terms(p) for p in question_parts(question)[1:]] if question else []
    if later:  # "…, and at what cost (…)?": claims that answer the later parts, best first
        on = [texts[j] for j in ranked]
        answers = []
        for terms in later:
            rare = distinctive(terms, on)
            met = {j: n for j in ranked if (n := terms_met(rare, texts[j]))}
            answers.append(sorted(met, key=lambda j: -met[j]))  # most of the part's words first, then by rank
        quota = math.ceil(cfg.max_claims / (2 * (len(later) + 1)))
        final = fill_parts(final, answers, groups_all, quota, duplicate, per_paper)
    wanted = facets(question) if question else []
    if wanted:
        final = fill_facets(final, ranked, texts, groups_all, wanted, facet_mentioned, duplicate, per_paper)
    return [_claim(candidates[g], relevance, g) for g in final]


def _claim(candidate: Candidate, relevance: np.ndarray | None, index: int) -> Claim:
    return candidate.to_claim(None if relevance is None else relevance[index])
