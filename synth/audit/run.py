"""Audit a report or paper: resolve its sources, verify each claim, compare with the report's own marks."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from synth.audit.inputs import AuditInput
from synth.audit.references import reference_from_entry, resolve_references
from synth.claims.measurable import measurable_tags
from synth.core.audit import (
    SCHEMA_VERSION,
    AuditedClaim,
    AuditOutcome,
    AuditReport,
    AuditSummary,
    InputKind,
    ResolvedSource,
    SourceStatus,
)
from synth.core.claims import Provenance, Verdict, VerdictLabel, claim_id_for
from synth.core.run import ExtractionSummary
from synth.hashing import sha256_file
from synth.pipeline.context import RunContext
from synth.settings import AuditSettings
from synth.verify.service import SAME_SYSTEM_ONLY, SOURCE_NOT_AVAILABLE, VerifyContext, audit_policy, verify_claim
from synth.verify.verifier import Verifier, to_verdict

_AUDIT = AuditSettings()
DEFAULT_MAX_CLAIMS = _AUDIT.max_claims
"""Claims checked per audit unless `--max-claims` (or `audit.max_claims`) says otherwise: minutes, not hours.
Measured on the 2-core dev machine (seeds 000 and a vLLM Markdown report, corpus of the 40 shared papers):
1.6-4.6 s per claim, median ~3.3 s without the LM judge and ~4-5 s with it, plus ~10 s of model loading on
the first claim; 100 claims at the estimates below is about 7-8 minutes."""
SECONDS_PER_CLAIM = {"judge": 5.0, "no judge": 4.0}
"""The first estimate, before any claim is timed; replaced by the measured rate after a few claims."""
MEASURE_AFTER = 4  # claims timed (the first, which loads the models, not counted) before the estimate is updated


def compare(
    label: VerdictLabel, reported: bool | None, confidence: float = 1.0, floor: float = _AUDIT.min_confidence
) -> AuditOutcome:
    """Agreement when our decisive verdict matches the report's mark.

    NOT_ENOUGH_INFO, and any verdict below `floor` (`audit.min_confidence`; by default 0.5: more likely
    wrong than right), is unverifiable: it cannot confirm or overturn a report.
    """
    if label is VerdictLabel.NOT_ENOUGH_INFO or confidence < floor:
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


def capped_note(checked: int, total: int) -> str:
    return f"{checked} of {total} claims checked; the rest skipped by --max-claims (raise it to check more)"


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


class Saved(NamedTuple):
    """One claim's verification, as the checkpoint keeps it."""

    verdict: Verdict
    probabilities: dict[str, float]
    source_note: str


class AuditCheckpoint:
    """The verdicts of an audit, saved as they are made, so that an interrupted audit resumes where it stopped.

    One JSON-lines file per audit under `folder` (the CLI uses `<home>/audit/checkpoints/`): a header line with
    the key, then one line per verified claim (its text, verdict, probabilities and source note), appended with a
    single write and fsynced. The key hashes what a verdict depends on: the input file's sha256, its kind and
    question, `settings_md5`, the checkers (judge on or off, and which), and the corpus (every document's id and
    content hash, taken after cited papers were fetched). A claim is looked up by its text. A run killed mid-claim
    loses only that claim; a torn last line is dropped on the next load. The CLI removes the file once the
    output is written.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path: Path | None = None
        self.saved: dict[str, Saved] = {}
        self._fd: int | None = None

    def bind(self, key: dict[str, Any], label: str = "", about: dict[str, Any] | None = None) -> dict[str, Saved]:
        """Open the checkpoint for this key; returns the verdicts already saved (claim text -> verdict).

        `label` starts the file name (the input's sha256); `about` goes in the header line, for a reader.
        """
        digest = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / f"{label[:12] or 'audit'}-{digest[:16]}.jsonl"
        header = {"synth_audit_checkpoint": 1, "key": digest, **(about or {})}
        lines: list[str] = []
        torn = False
        if self.path.exists():
            raw = self.path.read_text(encoding="utf-8", errors="replace")
            torn = bool(raw) and not raw.endswith("\n")
            for line in raw.splitlines():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    torn = True
                    continue
                if not lines:
                    if record.get("key") != digest:
                        break  # not this audit's file (a hash collision on 64 bits): start again
                    lines.append(line)
                else:
                    try:
                        self.saved[record["text"]] = Saved(
                            Verdict.model_validate(record["verdict"]), dict(record.get("probabilities") or {}),
                            str(record.get("source_note") or ""),
                        )  # fmt: skip
                        lines.append(line)
                    except (KeyError, TypeError, ValueError):
                        torn = True
        if not lines or torn:
            from synth.io import atomic_write_text

            kept = lines or [json.dumps(header, ensure_ascii=False)]
            atomic_write_text(self.path, "\n".join(kept) + "\n")
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        return dict(self.saved)

    def save(self, text: str, done: Saved) -> None:
        """Append one verdict: one write of one line, then fsync (a kill loses at most the claim in progress)."""
        if self._fd is None:
            return
        record = {"text": text, "verdict": done.verdict.model_dump(mode="json"), "probabilities": done.probabilities,
                  "source_note": done.source_note}  # fmt: skip
        os.write(self._fd, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def remove(self) -> None:
        self.close()
        if self.path is not None:
            self.path.unlink(missing_ok=True)


def run_audit(
    audit_input: AuditInput,
    ctx: RunContext,
    *,
    judge: bool,
    fetch: Callable[[list[str]], dict[str, Any]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_claims: int | None = DEFAULT_MAX_CLAIMS,
    checkpoint: AuditCheckpoint | None = None,
    say: Callable[[str], None] | None = None,
) -> AuditReport:
    """The whole audit; the context's retriever searches the local corpus, `fetch` (online only) adds cited
    arXiv papers; `judge` asks for the LM judge (used when installed).

    `max_claims` (None or 0: no cap) checks the first claims of a report, or a paper's top-ranked extracted
    claims; `checkpoint` saves each verdict as it is made and reuses the ones an interrupted run saved; `say`
    gets one-line progress messages (how many claims, the time estimate, what was resumed).
    """
    started = time.perf_counter()
    say = say or (lambda message: None)
    settings, retriever, catalog, chat_model = ctx.settings, ctx.retriever, ctx.catalog, ctx.injected_chat_model
    verifier, notes = ctx.verifier(judge)
    documents = catalog.documents()
    claims_in = list(audit_input.claims)
    references = list(audit_input.references)
    provenance: dict[int, Provenance] = {}
    exclude: set[str] = set()
    extraction: ExtractionSummary | None = None
    if audit_input.kind is InputKind.PAPER:
        claims_in, references, provenance, exclude, extraction = _paper_claims(
            audit_input, settings, retriever, documents, notes, chat_model, verifier
        )
    total = len(claims_in)
    if max_claims and total > max_claims:
        claims_in = claims_in[:max_claims]
        notes.append(capped_note(len(claims_in), total))
    offline_reason = "offline: --offline set" if settings.offline else "not in the local corpus"
    sources = resolve_references(references, documents, None if settings.offline else fetch, offline_reason)
    source_docs = {s.doc_id for s in sources if s.doc_id} - exclude
    missing = [s.reference.arxiv_id or s.reference.doi or s.reference.raw for s in sources if not s.doc_id]
    context = VerifyContext.of(verifier, retriever)  # titles again: arXiv fetches may have added some
    titles = context.titles
    policy = audit_policy(source_docs, exclude, bool(missing), settings.verify.candidate_chunks)
    digest = sha256_file(Path(audit_input.path))
    saved: dict[str, Saved] = {}
    if checkpoint is not None:
        corpus = sorted(f"{d.doc_id}:{d.content_hash}" for d in catalog.documents())  # after any arXiv fetch
        judge = None if verifier.judge is None else getattr(verifier.judge, "model_id", type(verifier.judge).__name__)
        key = {
            "schema": SCHEMA_VERSION, "input_sha256": digest, "kind": str(audit_input.kind),
            "question": audit_input.question, "settings_md5": settings.settings_md5, "checks": verifier.checker_names,
            "judge": judge, "corpus": hashlib.sha256("\n".join(corpus).encode()).hexdigest(),
        }  # fmt: skip
        about = {"input": str(Path(audit_input.path).resolve()), "input_sha256": digest,
                 "settings_md5": settings.settings_md5}  # fmt: skip
        try:
            saved = checkpoint.bind(key, label=digest, about=about)
        except OSError as exc:  # an unwritable data dir costs the resume, not the audit
            say(f"no checkpoint ({checkpoint.folder}: {exc.strerror or exc}): an interrupted audit will start over")
            checkpoint = None
    resumed = sum(1 for c in claims_in if c.text in saved)
    if resumed and checkpoint is not None:
        say(f"resumed: {resumed} verdicts from {checkpoint.path}")
    to_check = len({c.text for c in claims_in} - saved.keys())
    rate = SECONDS_PER_CLAIM["judge" if verifier.judge is not None else "no judge"]
    of = f" (of {total})" if total != len(claims_in) else ""
    done_part = f": {resumed} resumed, {to_check} to check" if resumed else ""
    say(
        f"auditing {len(claims_in)} claims{of}{done_part}, about {_minutes(to_check * rate)} at ~{rate:.0f} s per "
        f"claim ({'LM judge on' if verifier.judge is not None else 'no LM judge'}; an estimate)"
    )
    audited: list[AuditedClaim] = []
    timings: list[float] = []
    try:
        for i, claim in enumerate(claims_in):
            done = saved.get(claim.text)  # resumed, or a duplicate of a claim verified earlier in this run
            if done is None:
                t0 = time.perf_counter()
                result = verify_claim(claim.text, policy, context)
                verdict = to_verdict(claim.text, claim_id_for(claim.text), result, titles, settings.settings_md5)
                done = Saved(verdict, result.probabilities, _source_note(policy, result.checks, missing))
                saved[claim.text] = done
                if checkpoint is not None:
                    checkpoint.save(claim.text, done)
                timings.append(time.perf_counter() - t0)
                if len(timings) == MEASURE_AFTER:
                    left = len({c.text for c in claims_in[i + 1 :]} - saved.keys())
                    measured = sum(timings[1:]) / len(timings[1:])
                    if left:
                        say(
                            f"measured ~{measured:.1f} s per claim over claims 2-{MEASURE_AFTER} checked: about "
                            f"{_minutes(left * measured)} left for {left} claims (an estimate)"
                        )
            verdict = done.verdict
            note_parts = ["claim cell truncated in the report; verified as printed"] if claim.truncated else []
            if done.source_note:
                note_parts.append(done.source_note)
            audited.append(
                AuditedClaim(
                    row=claim.row, text=claim.text, truncated=claim.truncated, reported_verified=claim.verified,
                    reported_confidence=claim.confidence, verdict=verdict, probabilities=done.probabilities,
                    outcome=compare(verdict.label, claim.verified, verdict.confidence, settings.audit.min_confidence),
                    provenance=provenance.get(i),
                    needs_measurement=[t.value for t in measurable_tags(claim.text)], note="; ".join(note_parts),
                )
            )  # fmt: skip
            if progress:
                progress(i + 1, len(claims_in))
    finally:
        if checkpoint is not None:
            checkpoint.close()
    summary = summarise(audited, sources)
    summary.claims_total, summary.skipped_by_cap, summary.resumed = total, total - len(claims_in), resumed
    return AuditReport(
        input_path=audit_input.path, input_sha256=digest, kind=audit_input.kind, title=audit_input.title,
        question=audit_input.question, created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        checks=verifier.checks_for("3way"), notes=list(dict.fromkeys(notes)), extraction=extraction, sources=sources,
        claims=audited, summary=summary, seconds=round(time.perf_counter() - started, 2),
        settings_md5=settings.settings_md5, input_problems=list(audit_input.problems), max_claims=max_claims or None,
    )  # fmt: skip


def _source_note(policy: Any, checks: list[str], missing: list[str]) -> str:
    """Why a claim was checked against other papers, or could not be: its cited sources are not available."""
    if not policy.source_missing:
        return ""
    cited = "cited sources not available offline (" + ", ".join(missing[:4]) + "); "
    if SOURCE_NOT_AVAILABLE in checks:
        return cited + "no other paper in the local corpus is about the same system and setting: source not available"
    if SAME_SYSTEM_ONLY in checks:
        return cited + "checked against other papers in the local corpus about the same system"
    return ""


def _paper_claims(
    audit_input: AuditInput,
    settings: Any,
    retriever: Any,
    documents: list,
    notes: list[str],
    chat_model: Any,
    verifier: Verifier,
) -> tuple[list, list, dict[int, Provenance], set[str], ExtractionSummary]:
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
        mode=settings.extract.mode, chat_model=chat_model, embedder=retriever.embedder, rerank=rerank,
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
    stats = ExtractionSummary(mode=result.mode, model=result.model, prompt=result.prompt, **result.stats.model_dump())
    return claims, references, provenance, exclude, stats
