"""One verification path: an explicit evidence policy, the passages it admits, and the verdict.

The report, `synth audit`, the digest's re-verification and `synth eval verify`
all gather evidence with `passages_for_policy` and verify with `verify_claim`;
what differs between them is only the `EvidencePolicy` they pass:

- given passages first (a labelled pair's gold evidence, the page around the
  sentence a claim was extracted from), then
- up to k/2 passages of the claim's source document(s), then
- k passages of the rest of the corpus, never from an excluded document (an
  audited paper must not confirm itself); when the claim has a source, another
  paper's passage counts only if it is about the same system and setting.

When the claim's cited source is not in the corpus, a passage of another paper
counts only if it is about the same system and setting (`about_same_system`);
when none is, the verdict is NOT_ENOUGH_INFO with the check "source not
available", and the closest passage is kept in `best` so that it is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from synth.claims.subject import about_same_system
from synth.core.claims import Claim
from synth.corpus.sections import without_references
from synth.verify.aggregate import WindowScore, best_per_document
from synth.verify.attribution import attributed, condition_on_attribution, restated_by
from synth.verify.evidence import corpus_passages, source_passage
from synth.verify.verifier import Passage, VerificationResult, Verifier

SOURCE_NOT_AVAILABLE = "source not available"
SAME_SYSTEM_ONLY = "same-system evidence"  # the source is missing; other papers on its system were used
NO_EVIDENCE_LABELS = ("NOT_ENOUGH_INFO", "NOT_SUPPORTED")  # 3-way, 2-way


@dataclass(frozen=True)
class EvidencePolicy:
    """Which passages may bear on a claim, in which order, and how the verdict is conditioned."""

    source_doc_ids: frozenset[str] = frozenset()  # the claim's cited/source documents: searched first
    exclude: frozenset[str] = frozenset()  # documents never used as evidence (an audited paper)
    given: tuple[Passage, ...] = ()  # passages put first: gold evidence, or the claim's source sentence
    search_corpus: bool = True  # retrieve from the corpus (when a retriever is there)
    k: int = 8  # corpus passages (k/2 more from the sources)
    source_missing: bool = False  # the claim cites sources that are not in the corpus
    attributed: bool = False  # the claim restates its own source sentence: its paper cannot refute it
    attribute_if_restated: bool = False  # condition the same way when a best window restates the claim

    def __post_init__(self) -> None:
        object.__setattr__(self, "source_doc_ids", frozenset(self.source_doc_ids))
        object.__setattr__(self, "exclude", frozenset(self.exclude))
        object.__setattr__(self, "given", tuple(self.given))


@dataclass
class VerifyContext:
    """What verification runs with: the verifier, and the corpus when there is one."""

    verifier: Verifier
    retriever: Any | None = None
    catalog: Any | None = None  # defaults to the retriever's catalog
    titles: dict[str, str] = field(default_factory=dict)
    paper_texts: dict[str, str] = field(default_factory=dict)  # doc_id -> text less references, read once

    def __post_init__(self) -> None:
        if self.catalog is None and self.retriever is not None:
            self.catalog = self.retriever.catalog

    @classmethod
    def of(cls, verifier: Verifier, retriever: Any | None = None) -> VerifyContext:
        """A context whose titles are those of the retriever's catalog."""
        context = cls(verifier, retriever)
        if context.catalog is not None:
            context.titles = {d.doc_id: d.title for d in context.catalog.documents()}
        return context


@dataclass
class GatheredEvidence:
    passages: list[Passage]  # what the verifier reads
    closest: list[Passage] = field(default_factory=list)  # retrieved but not admitted, nearest first
    source_unavailable: bool = False  # the source is missing and no other paper is about the same system
    same_system_only: bool = False  # the source is missing; passages of other papers on its system were admitted
    paper_text: str = ""  # the claim's source paper(s) in the corpus, less references: what they never name


def claim_policy(claim: Claim, context: VerifyContext, k: int) -> EvidencePolicy:
    """An extracted claim: the page around its own sentence, its paper, then the rest of the corpus."""
    source = claim.provenance.doc_id if claim.provenance else None
    missing = source is not None and context.catalog is not None and context.catalog.get_document(source) is None
    given = source_passage(claim, context.catalog, context.titles) if context.catalog is not None else []
    return EvidencePolicy(
        source_doc_ids=frozenset({source} if source else ()), given=tuple(given), k=k, source_missing=missing,
        attributed=attributed(claim),
    )  # fmt: skip


def audit_policy(source_doc_ids: Iterable[str], exclude: Iterable[str], cites_missing: bool, k: int) -> EvidencePolicy:
    """A report's claim: the sources it cites that resolved locally first, never the excluded (audited) paper;
    when it cites sources and none of them is in the corpus, other papers count only on the same system."""
    sources = frozenset(source_doc_ids) - frozenset(exclude)
    return EvidencePolicy(
        source_doc_ids=sources, exclude=frozenset(exclude), k=k, source_missing=cites_missing and not sources
    )


def source_text(policy: EvidencePolicy, context: VerifyContext) -> str:
    """The text of the policy's source papers that are in the corpus ("" when none is), without their reference
    lists: a claim's model or dataset that its own paper never names, or names only among the works it cites, is
    one the paper has no result for. Each paper is read once per context: a report's or a labelled set's claims
    mostly share a few papers."""
    if context.catalog is None:
        return ""
    texts = []
    for doc_id in sorted(policy.source_doc_ids - policy.exclude):
        if doc_id not in context.paper_texts:
            document = context.catalog.get_document(doc_id)
            sections = document.sections if document is not None else []
            context.paper_texts[doc_id] = without_references(context.catalog.pages(doc_id), sections)
        texts.append(context.paper_texts[doc_id])
    return "\n".join(texts)


def gather_evidence(claim: str, policy: EvidencePolicy, context: VerifyContext) -> GatheredEvidence:
    """The passages `policy` admits for `claim`, given ones first."""
    passages = list(policy.given)
    if not policy.search_corpus or context.retriever is None or context.catalog is None:
        return GatheredEvidence(passages, paper_text=source_text(policy, context))
    sources = set(policy.source_doc_ids - policy.exclude)
    paper = source_text(policy, context)
    found = corpus_passages(
        claim, context.retriever, context.catalog, k=policy.k, source_doc_ids=sources, exclude=set(policy.exclude)
    )
    if not sources and not policy.source_missing:
        return GatheredEvidence(passages + found)  # no source to read first: the corpus is the evidence
    # Another paper bears on the claim only when it is about the claim's system and setting: a Step-3 claim is
    # neither confirmed nor refuted by DeepSeek-R1's 79.8% on AIME, a figure of a paper about something else.
    admitted: list[Passage] = []
    rejected: list[Passage] = []
    for p in found:
        title = context.titles.get(p.doc_id, p.title)
        ok = p.doc_id in sources or about_same_system(claim, f"{title}\n{p.text}")
        (admitted if ok else rejected).append(p)
    passages += admitted
    if not policy.source_missing:
        return GatheredEvidence(passages, rejected, paper_text=paper)
    return GatheredEvidence(passages, rejected, source_unavailable=not passages, same_system_only=bool(admitted))


def passages_for_policy(claim: str, policy: EvidencePolicy, context: VerifyContext) -> list[Passage]:
    """The evidence `verify_claim` reads for `claim` under `policy` (eval computes its features from these)."""
    return gather_evidence(claim, policy, context).passages


def verify_claim(
    claim_text: str, policy: EvidencePolicy, context: VerifyContext, task: str = "3way"
) -> VerificationResult:
    """The verdict on `claim_text`: evidence gathered per `policy`, the verifier, then the policy's conditioning."""
    evidence = gather_evidence(claim_text, policy, context)
    result = context.verifier.verify(claim_text, evidence.passages, task, paper_text=evidence.paper_text)
    if evidence.source_unavailable:
        _source_not_available(result, claim_text, evidence.closest, context.verifier)
        return result
    if evidence.same_system_only:
        result.checks = [*result.checks, SAME_SYSTEM_ONLY]
    if policy.attributed or (
        policy.attribute_if_restated and any(restated_by(claim_text, w.text) for w in result.best)
    ):
        condition_on_attribution(result)
    return result


def _source_not_available(
    result: VerificationResult, claim: str, closest: Sequence[Passage], verifier: Verifier
) -> None:
    """No admissible evidence: the verdict is the no-evidence label; the closest passage is kept to be shown.

    The probabilities are the label model's on no evidence (what `synth eval verify` computes for the same
    policy); only if that model would still pick a decisive label is the label set to the no-evidence one.
    """
    label = next((n for n in NO_EVIDENCE_LABELS if n in result.probabilities), NO_EVIDENCE_LABELS[0])
    if result.label != label:
        result.label, result.confidence = label, result.probabilities.get(label, 0.0)
    result.best = closest_windows(claim, closest, verifier)[:1]
    result.numeric_details = []
    result.checks = [*result.checks, SOURCE_NOT_AVAILABLE]
    shown = result.best[0] if result.best else None
    where = f"; closest passage: {shown.doc_id}" + (f" p. {shown.page}" if shown.page else "") if shown else ""
    result.reason = (
        "source not available: the cited source is not in the corpus and no other paper is about the same "
        f"system and setting{where} (shown, not used)"
    )


def closest_windows(claim: str, passages: Iterable[Passage], verifier: Verifier) -> list[WindowScore]:
    """Best window per document by similarity and word overlap only (no judge): for display, not for the label."""
    scores = verifier.windows(claim, passages)
    return best_per_document(scores) if scores else []
