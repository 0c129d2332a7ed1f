"""Audit a report or paper: resolve its sources, verify each claim, compare with the report's own marks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from synth.audit.inputs import AuditInput, InputKind
from synth.audit.references import ResolvedSource, SourceStatus, reference_from_entry, resolve_references
from synth.claims.measurable import measurable_tags
from synth.claims.records import Provenance, Verdict, VerdictLabel, claim_id_for
from synth.empirical.records import EmpiricalCheck, MeasurementStage
from synth.hashing import sha256_file
from synth.verify.service import SAME_SYSTEM_ONLY, SOURCE_NOT_AVAILABLE, VerifyContext, audit_policy, verify_claim
from synth.verify.verifier import Verifier, to_verdict

SCHEMA_VERSION = 1


class AuditOutcome(StrEnum):
    AGREEMENT = "agreement"
    DISAGREEMENT = "disagreement"
    UNVERIFIABLE = "unverifiable"
    NO_MARK = "no mark"  # the input gave no verified mark (a paper): our verdict stands alone


class AuditedClaim(BaseModel):
    row: int | None = None
    text: str
    truncated: bool = False
    reported_verified: bool | None = None
    reported_confidence: float | None = None
    verdict: Verdict
    probabilities: dict[str, float] = Field(default_factory=dict)
    outcome: AuditOutcome
    needs_measurement: list[str] = Field(default_factory=list, description="Benchmark tags (throughput, ...).")
    provenance: Provenance | None = Field(None, description="Where an extracted claim sits in the audited paper.")
    note: str = ""


class AuditSummary(BaseModel):
    claims: int = 0
    agreements: int = 0
    disagreements: int = 0
    unverifiable: int = 0
    no_mark: int = 0
    needs_measurement: int = 0
    reported_verified: int = 0
    supported: int = 0
    refuted: int = 0
    sources_local: int = 0
    sources_missing: int = 0


class AuditReport(BaseModel):
    schema_version: int = SCHEMA_VERSION
    input_path: str
    input_sha256: str
    kind: InputKind
    title: str
    question: str | None
    created: str
    checks: list[str]
    notes: list[str] = Field(default_factory=list)
    extraction: dict[str, Any] | None = Field(None, description="Extraction stats when claims were extracted.")
    sources: list[ResolvedSource]
    claims: list[AuditedClaim]
    summary: AuditSummary
    seconds: float = 0.0
    settings_md5: str | None = None
    empirical: list[EmpiricalCheck] = Field(
        default_factory=list, description="Benchmark checks of the measurable claims (`--measure auto|all`)."
    )
    measurement: MeasurementStage | None = Field(
        None, description="What the measurement did: specs planned and run, the budget, what was skipped and why."
    )


DECISIVE_CONFIDENCE = 0.5


def compare(label: VerdictLabel, reported: bool | None, confidence: float = 1.0) -> AuditOutcome:
    """Agreement when our decisive verdict matches the report's mark.

    NOT_ENOUGH_INFO, and any verdict more likely wrong than right (calibrated
    confidence below 0.5), is unverifiable: it cannot confirm or overturn a report.
    """
    if label is VerdictLabel.NOT_ENOUGH_INFO or confidence < DECISIVE_CONFIDENCE:
        return AuditOutcome.UNVERIFIABLE
    if reported is None:
        return AuditOutcome.NO_MARK
    return AuditOutcome.AGREEMENT if (label is VerdictLabel.SUPPORTED) == reported else AuditOutcome.DISAGREEMENT


def summarise(claims: list[AuditedClaim], sources: list[ResolvedSource]) -> AuditSummary:
    count = lambda f: sum(1 for c in claims if f(c))  # noqa: E731
    return AuditSummary(
        claims=len(claims),
        agreements=count(lambda c: c.outcome is AuditOutcome.AGREEMENT),
        disagreements=count(lambda c: c.outcome is AuditOutcome.DISAGREEMENT),
        unverifiable=count(lambda c: c.outcome is AuditOutcome.UNVERIFIABLE),
        no_mark=count(lambda c: c.outcome is AuditOutcome.NO_MARK),
        needs_measurement=count(lambda c: bool(c.needs_measurement)),
        reported_verified=count(lambda c: c.reported_verified is True),
        supported=count(lambda c: c.verdict.label is VerdictLabel.SUPPORTED),
        refuted=count(lambda c: c.verdict.label is VerdictLabel.REFUTED),
        sources_local=sum(1 for s in sources if s.status in {SourceStatus.LOCAL, SourceStatus.FETCHED}),
        sources_missing=sum(1 for s in sources if s.status in {SourceStatus.OFFLINE, SourceStatus.UNRESOLVED}),
    )


def run_audit(
    audit_input: AuditInput,
    settings: Any,
    retriever: Any,
    verifier: Verifier,
    notes: list[str],
    fetch: Callable[[list[str]], dict[str, Any]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    chat_model: Any | None = None,
) -> AuditReport:
    """The whole audit; `retriever` searches the local corpus, `fetch` (online only) adds cited arXiv papers."""
    import time

    started = time.perf_counter()
    catalog = retriever.index.catalog
    documents = catalog.documents()
    claims_in = list(audit_input.claims)
    references = list(audit_input.references)
    provenance: dict[int, Provenance] = {}
    exclude: set[str] = set()
    extraction: dict[str, Any] | None = None
    if audit_input.kind is InputKind.PAPER:
        claims_in, references, provenance, exclude, extraction = _paper_claims(
            audit_input, settings, retriever, documents, notes, chat_model, verifier
        )
    offline_reason = "offline: --offline set" if settings.offline else "not in the local corpus"
    sources = resolve_references(references, documents, None if settings.offline else fetch, offline_reason)
    source_docs = {s.doc_id for s in sources if s.doc_id} - exclude
    missing = [s.reference.arxiv_id or s.reference.doi or s.reference.raw for s in sources if not s.doc_id]
    context = VerifyContext.of(verifier, retriever)  # titles again: arXiv fetches may have added some
    titles = context.titles
    policy = audit_policy(source_docs, exclude, bool(missing), settings.verify.candidate_chunks)
    audited: list[AuditedClaim] = []
    for i, claim in enumerate(claims_in):
        result = verify_claim(claim.text, policy, context)
        verdict = to_verdict(claim.text, claim_id_for(claim.text), result, titles, settings.settings_md5)
        note_parts = []
        if claim.truncated:
            note_parts.append("claim cell truncated in the report; verified as printed")
        if policy.source_missing:
            cited = "cited sources not available offline (" + ", ".join(missing[:4]) + "); "
            if SOURCE_NOT_AVAILABLE in result.checks:
                note_parts.append(cited + "no other paper in the local corpus is about the same system and setting: "
                                  "source not available")  # fmt: skip
            elif SAME_SYSTEM_ONLY in result.checks:
                note_parts.append(cited + "checked against other papers in the local corpus about the same system")
        audited.append(
            AuditedClaim(
                row=claim.row, text=claim.text, truncated=claim.truncated, reported_verified=claim.verified,
                reported_confidence=claim.confidence, verdict=verdict, probabilities=result.probabilities,
                outcome=compare(verdict.label, claim.verified, verdict.confidence), provenance=provenance.get(i),
                needs_measurement=[t.value for t in measurable_tags(claim.text)], note="; ".join(note_parts),
            )
        )  # fmt: skip
        if progress:
            progress(i + 1, len(claims_in))
    digest = sha256_file(Path(audit_input.path))
    return AuditReport(
        input_path=audit_input.path, input_sha256=digest, kind=audit_input.kind, title=audit_input.title,
        question=audit_input.question, created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        checks=verifier.checks_for("3way"), notes=list(dict.fromkeys(notes)), extraction=extraction, sources=sources,
        claims=audited, summary=summarise(audited, sources), seconds=round(time.perf_counter() - started, 2),
        settings_md5=settings.settings_md5,
    )  # fmt: skip


def _paper_claims(
    audit_input: AuditInput,
    settings: Any,
    retriever: Any,
    documents: list,
    notes: list[str],
    chat_model: Any,
    verifier: Verifier,
) -> tuple[list, list, dict[int, Provenance], set[str], dict[str, Any]]:
    """Claims extracted from the paper, its bibliography as references, and itself kept out of the evidence."""
    from synth.audit.inputs import AuditInputError
    from synth.claims.extract import extract_from_pages, resolve_mode
    from synth.claims.seed_report import SeedClaim
    from synth.corpus.ingest import parse_file
    from synth.corpus.readers import ReaderError

    path = Path(audit_input.path)
    chunking = {
        "chunk_words": settings.corpus.chunk_words, "overlap_sentences": settings.corpus.overlap_sentences,
        "min_chunk_words": settings.corpus.min_chunk_words,
    }  # fmt: skip
    digest = sha256_file(path)
    try:
        parsed = parse_file(str(path), digest, chunking)
    except ReaderError as exc:
        raise AuditInputError(f"{path}: {exc}") from exc
    doc = parsed.document
    audit_input.title = doc.title or audit_input.title
    settings = settings.model_copy(deep=True)
    settings.extract.per_doc_cap = settings.extract.max_claims  # one paper: the total cap is the only cap
    rerank = None
    if (
        audit_input.question
        and verifier.judge is not None
        and resolve_mode(settings.extract.mode, settings, chat_model) == "llm"
    ):
        from synth.verify.relevance import JudgeReranker

        rerank = JudgeReranker(verifier.judge)
    result = extract_from_pages(
        audit_input.question, doc.title, parsed.pages, doc.doc_id, settings, sections=doc.sections,
        mode=settings.extract.mode, chat_model=chat_model, embedder=retriever.index.embedder, rerank=rerank,
    )  # fmt: skip
    claims = [SeedClaim(text=c.text, verified=None, confidence=None, truncated=False, row=i + 1)
              for i, c in enumerate(result.claims)]  # fmt: skip
    provenance = {i: c.provenance for i, c in enumerate(result.claims) if c.provenance is not None}
    references = [reference_from_entry(entry) for entry in doc.bibliography]
    exclude = {d.doc_id for d in documents if d.content_hash == digest or (doc.arxiv_id and d.arxiv_id == doc.arxiv_id)}
    if exclude:
        notes.append(f"the audited paper is in the corpus ({', '.join(sorted(exclude))}); kept out of its own evidence")
    if not claims:
        notes.append("no claims could be extracted from the paper")
    stats = {"mode": result.mode, "model": result.model, "prompt": result.prompt, **result.stats.model_dump()}
    return claims, references, provenance, exclude, stats
