"""Retrieve stage: ingest the given corpus, search arXiv when allowed and reachable, rank papers for the question."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from synth.core.figures import PaperSetup
from synth.core.run import PaperRef, ReportOptions, RetrievalResult

_STOP_WORDS = (
    "a an the and or of to in on for with by how much many does do is are was were what which who why when it its "
    "this that these those than as at from into vs versus between their there be can could should would impact "
    "effect effects change changes compare compared"
)
_STOP = frozenset(_STOP_WORDS.split())


def arxiv_query(question: str) -> str:
    """Content words of the question: arXiv's search matches terms, not sentences."""
    words = [w for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9\-\.]*", question) if w.lower() not in _STOP]
    return " ".join(words[:10])


def reachable(url_format: str, timeout: float = 3.0) -> str | None:
    """None when the arXiv host accepts a TCP connection, else why not (checked once, in seconds not minutes)."""
    url = urlparse(url_format.replace("{}", ""))
    host = url.hostname or ""
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return f"{host}:{port} unreachable ({exc.__class__.__name__}: {exc})"


def search_arxiv_into_corpus(
    question: str, settings: Any, max_results: int, ingest: Callable[[list[Path]], object]
) -> tuple[str, set[str]]:
    """(what happened, doc ids of arXiv papers now in the corpus). Never raises for network trouble."""
    from synth.sources.arxiv_source import ArxivUnavailable, fetch_papers

    if settings.offline:
        return "skipped: offline mode (--offline); local corpus only", set()
    problem = reachable(settings.arxiv.query_url_format, timeout=min(3.0, settings.arxiv.timeout_seconds))
    if problem:
        return f"skipped: arXiv {problem}; local corpus only", set()
    query = arxiv_query(question)
    try:
        papers = fetch_papers(settings.arxiv, settings.papers_dir, query, None, max_results, log=lambda _m: None)
    except ArxivUnavailable as exc:
        return f"arXiv search failed ({exc}); local corpus only", set()
    paths = [Path(p.pdf_path) for p in papers if p.pdf_path]
    if paths:
        ingest(paths)
    ids = {p.arxiv_id for p in papers}
    return f"searched arXiv for {query!r}: {len(papers)} result(s), {len(paths)} PDF(s) ingested", ids


TOPIC_POOL = 2  # candidates read per paper shown: room for on-topic papers ranked below off-topic ones


def _topic_texts(papers: list[PaperRef], bodies: dict[str, list[str]] | None = None) -> list[Any]:
    from synth.synthesize.topic import PaperText

    return [
        PaperText(
            p.title,
            " ".join(h.text for h in p.passages if h.section == "abstract"),
            [h.text for h in p.passages if h.section != "abstract"],
            (bodies or {}).get(p.doc_id, []),
        )
        for p in papers
    ]


def paper_bodies(chunks: dict[str, list[Any]]) -> dict[str, list[str]]:
    """Each paper's passages outside its references and appendix: what the topic gate counts the subject in."""
    return {d: [c.text for c in cs if c.section not in ("references", "appendix")] for d, cs in chunks.items()}


def stated_setup(chunks: list[Any], body: list[str]) -> PaperSetup | None:
    """The experimental setup the paper states (`synth.synthesize.figures.paper_setup`), from its chunks outside
    the front matter, abstract and references; `body` (its text outside references and appendix) picks its main
    benchmark."""
    from synth.synthesize.figures import paper_setup

    read = [(c.page_start, c.heading, c.text) for c in chunks if c.section not in ("front", "abstract", "references")]
    return paper_setup(read, " ".join(body))


def cited_primaries(chosen: list[PaperRef], rest: list[PaperRef], limit: int) -> list[PaperRef]:
    """Papers beyond the budget whose method the chosen papers name ("1.4x improvement over EAGLE-2" in
    EAGLE-3's abstract brings EAGLE-2's own paper): a method's headline figures come from its own paper, not
    from another's mention of it. 'EAGLE' is not named by 'EAGLE-2'."""
    from synth.claims.extract.subject import system_name

    text = "\n".join(h.text for p in chosen for h in p.passages)
    picked = []
    for paper in rest:
        abstract = " ".join(h.text for h in paper.passages if h.section == "abstract")
        name = system_name(paper.title, abstract)  # the name the paper gives its own system
        if name and re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-]|\.\d)", text, re.I):
            picked.append(paper)
    return picked[:limit]


def question_closeness(embedder: Any, question: str, papers: list[PaperRef]) -> list[float]:
    """Cosine similarity of each paper's title and abstract to the question without its generic opening words
    (`question_focus`): what the topic gate reads when the subject is generic."""
    import numpy as np

    from synth.core.facets import question_focus

    if not papers:
        return []
    texts = [". ".join([p.title, " ".join(h.text for h in p.passages if h.section == "abstract")]) for p in papers]
    docs = np.asarray(embedder.embed(texts), dtype=float)
    query = np.asarray(embedder.embed_query(question_focus(question)), dtype=float)
    norms = np.linalg.norm(docs, axis=1) * max(float(np.linalg.norm(query)), 1e-12)
    return [float(x) for x in (docs @ query) / np.maximum(norms, 1e-12)]


Closeness = Callable[[list[PaperRef]], list[float]]


def _generic_choice(
    subject: str, candidates: list[PaperRef], n: int, closeness: Closeness | None
) -> tuple[list[PaperRef], list[str]]:
    """The first `n` as ranked, with those whose abstract is far from the question (`far_from_question`) marked
    off topic: listed, no claim taken. None is pulled from below `n` in their place: the ranking already put
    those further from the question, and the gate could not say they are about its subject."""
    from synth.synthesize.topic import MIN_CLOSENESS, far_from_question

    chosen = candidates[:n]
    if closeness is None or not chosen:
        return chosen, []
    far = far_from_question(closeness(chosen))
    if all(far):  # nothing to measure the rest against
        return chosen, []
    for p, off in zip(chosen, far, strict=True):
        p.on_topic = not off
    off_papers = [p for p in chosen if not p.on_topic]
    if not off_papers:
        return chosen, []
    listed = "; ".join(p.title[:60] for p in off_papers)
    return chosen, [
        f"{len(off_papers)} retrieved paper(s) are far from the question (its subject, '{subject}', is too general "
        f"to tell papers by): their title and abstract are less like it than {MIN_CLOSENESS:.0%} of the closest "
        f"paper's; listed, no claim taken ({listed})"
    ]


def choose_papers(
    question: str,
    candidates: list[PaperRef],
    n: int,
    bodies: dict[str, list[str]] | None = None,
    closeness: Closeness | None = None,
) -> tuple[list[PaperRef], list[str]]:
    """The `n` best-ranked candidates about the question's subject (`topic_gate`: its title or abstract names
    it), so EAGLE-2 ranked 12th for a speculative-decoding question replaces "LLM in a flash" ranked 9th. Off-topic
    papers ranked among the first `n` stay listed, marked, with no claim taken; when the gate cannot judge (a
    generic subject, or no paper about it, which the Answer then says) the first `n` are kept as ranked. Papers
    about the subject that the chosen ones cite by name come too (`cited_primaries`), up to half the budget.
    A generic subject ("large language models") is judged by `closeness` instead (`_generic_choice`), computed
    only then."""
    from synth.synthesize.topic import topic_gate

    gate = topic_gate(question, _topic_texts(candidates, bodies))
    if gate.generic:
        return _generic_choice(" or ".join(gate.subject), candidates, n, closeness)
    if not gate.judged:
        return candidates[:n], []
    for p, ok in zip(candidates, gate.on_topic, strict=True):
        p.on_topic = ok
    on = [p for p in candidates if p.on_topic][:n]
    on += cited_primaries(on, [p for p in candidates if p.on_topic][n:], limit=max(1, n // 2))
    shown = {p.doc_id for p in on} | {p.doc_id for p in candidates[:n] if not p.on_topic}
    chosen = [p for p in candidates if p.doc_id in shown]
    off = [p for p in chosen if not p.on_topic]
    subject = " or ".join(gate.subject)
    notes = []
    if off:
        listed = "; ".join(p.title[:60] for p in off)
        notes.append(f"{len(off)} retrieved paper(s) are not about {subject}: listed, no claim taken ({listed})")
    passed = sum(1 for p in candidates[n:] if p.doc_id in shown)
    if passed:
        notes.append(
            f"{passed} paper(s) about {subject} ranked below {n} were read too: in place of off-topic ones, or "
            "named by the papers read (a method's own paper)"
        )
    for number, p in enumerate(chosen, start=1):
        p.number = number
    return chosen, notes


def mark_off_topic(question: str, papers: list[PaperRef]) -> list[str]:
    """Mark the papers that are not about the question's subject ("LLM in a flash" for speculative decoding)."""
    return choose_papers(question, papers, len(papers))[1]


def retrieve(
    question: str, options: ReportOptions, settings: Any, retriever: Any, arxiv_ids: set[str], arxiv_note: str
) -> RetrievalResult:
    """The question's papers, best first, each with the passages that matched it; twice as many candidates are
    read so that papers not about the question's subject can give way to ones that are (`choose_papers`)."""
    started = time.perf_counter()
    catalog = retriever.catalog
    docs = retriever.search_documents(question, k=options.papers * TOPIC_POOL)
    by_id = {d.doc_id: d for d in catalog.documents()}
    doc_ids = [d.doc_id for d in docs]
    per_paper = settings.extract.passages_per_doc  # the same search claim extraction makes on its own
    hits = retriever.search(question, k=per_paper * len(doc_ids), doc_ids=set(doc_ids), per_doc_cap=per_paper)
    candidates: list[PaperRef] = []
    for number, found in enumerate(docs, start=1):
        doc = by_id.get(found.doc_id)
        arxiv_id = getattr(doc, "arxiv_id", None)
        passages = [h for h in hits if h.doc_id == found.doc_id] or [found.best]
        seen = {h.chunk_id for h in passages}
        passages += [h for h in retriever.abstract_passages(found.doc_id) if h.chunk_id not in seen]
        from_arxiv = arxiv_id in arxiv_ids or getattr(doc, "source", "") == "arxiv"
        candidates.append(
            PaperRef(
                number=number, doc_id=found.doc_id, title=found.title, arxiv_id=arxiv_id,
                year=getattr(doc, "year", None), authors=list(getattr(doc, "authors", None) or [])[:8],
                url=f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else None, path=getattr(doc, "path", None),
                score=round(float(found.score), 5), source="arxiv" if from_arxiv else "local",
                passages=passages,
            )
        )  # fmt: skip
    chunks = {p.doc_id: catalog.chunks(p.doc_id) for p in candidates}  # each paper read once: topic gate, setup
    bodies = paper_bodies(chunks)
    embedder = getattr(retriever, "embedder", None)
    closeness = None if embedder is None else (lambda papers: question_closeness(embedder, question, papers))
    papers, notes = choose_papers(question, candidates, options.papers, bodies, closeness)
    for paper in papers:
        paper.setup = stated_setup(chunks.get(paper.doc_id, []), bodies.get(paper.doc_id, []))
    if not papers:
        notes.append("the corpus returned no papers for the question")
    return RetrievalResult(
        papers=papers, corpus_documents=len(by_id), arxiv=arxiv_note, notes=notes,
        seconds=round(time.perf_counter() - started, 3),
    )  # fmt: skip


def missing_corpus(paths: list[str]) -> str | None:
    """The first corpus path that does not exist, checked before the run folder is touched."""
    return next((p for p in paths if not Path(p).exists()), None)
