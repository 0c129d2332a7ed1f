"""The verifier: evidence windows -> checkers -> MiniCheck aggregation -> label and calibrated confidence.

Checkers are injected (an LM judge, an embedder, an NLI model, each optional), so
the same code runs with the 1.5B judge on a laptop, without any LM in CI, and
with a large model behind a server. The numeric checker always runs: it is
cheap, and a contradicted number is the commonest error in quantitative claims.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from synth.core.claims import Evidence, Verdict, VerdictLabel
from synth.corpus.chunking import split_sentences
from synth.corpus.tables import CELLS_MARKER
from synth.verify.aggregate import (
    JUDGE_FEATURES,
    NO_JUDGE_FEATURES,
    ClaimFeatures,
    WindowScore,
    aggregate,
    word_overlap,
)
from synth.verify.align import AlignResult
from synth.verify.label_model import LabelModels, Prediction
from synth.verify.lm_judge import JudgeScore
from synth.verify.numeric import check_numbers
from synth.verify.probe import LinearProbe, is_probe_feature
from synth.verify.windows import evidence_query, evidence_windows

WHOLE_PASSAGE_WORDS = 260
# Cosines are kept to 4 decimals: fp32 sums in another order differ in the 7th, and a feature must not move a
# verdict between two identical runs.
SIMILARITY_DIGITS = 4


class Judge(Protocol):
    prompt_versions: tuple[str, ...]

    def score(self, claim: str, document: str) -> JudgeScore: ...


class Embeds(Protocol):
    def embed(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Passage:
    """A piece of evidence from one page of one document."""

    doc_id: str
    text: str
    page: int | None = None
    title: str = ""
    whole: bool = False  # judge it whole when short enough (a labelled set's evidence unit)


@dataclass
class VerificationResult:
    label: str
    confidence: float
    raw_confidence: float
    probabilities: dict[str, float]
    features: dict[str, float]
    best: list[WindowScore]
    checks: list[str]
    model_key: str
    seconds: float = 0.0
    judge_calls: int = 0
    numeric_details: list[str] = field(default_factory=list)
    reason: str = ""
    alignment: AlignResult | None = None
    aligned: list[WindowScore] = field(default_factory=list)


def quote_sentences(claim: str, window: str, most: int = 2) -> str:
    """The sentence of the window that bears most on the claim, with its better neighbour: one verbatim span."""
    sentences = split_sentences(window)
    if len(sentences) <= most:
        return window.strip()
    scores = [word_overlap(claim, s.text) for s in sentences]
    first = last = max(range(len(sentences)), key=scores.__getitem__)
    while last - first + 1 < most:
        before = scores[first - 1] if first > 0 else -1.0
        after = scores[last + 1] if last + 1 < len(sentences) else -1.0
        if before < 0 and after < 0:
            break
        if after >= before:
            last += 1
        else:
            first -= 1
    return window[sentences[first].start : sentences[last].end]


class Verifier:
    def __init__(
        self,
        models: LabelModels,
        judge: Judge | None = None,
        embedder: Embeds | None = None,
        nli: Any | None = None,
        judge_windows: int = 2,
        window_words: int = 100,
        probes: Sequence[LinearProbe] = (),
        keep_hidden: bool = False,
        judge_stop_at: float = 1.0,
    ) -> None:
        self.models = models
        self.judge = judge
        self.probes = list(probes) if judge is not None else []
        # Hidden states are read when a probe needs them or a caller fits probes (`synth calibrate`).
        self.keep_hidden = keep_hidden
        if judge is not None and (self.probes or keep_hidden):
            judge.capture_hidden = True  # type: ignore[attr-defined]
        self.embedder = embedder
        self.nli = nli
        self.judge_windows = judge_windows
        self.window_words = window_words
        # Stop judging a claim's windows once one supports it this strongly: aggregation keeps the
        # best window, so later windows could only nudge a score that is already near its ceiling.
        self.judge_stop_at = judge_stop_at

    @property
    def checker_names(self) -> list[str]:
        names = ["numeric", "align", "similarity" if self.embedder is not None else "overlap"]
        if self.judge is not None:
            names.append("lm_judge")
        if self.probes:
            names.append("probe")
        if self.nli is not None:
            names.append("nli")
        return names

    def checks_for(self, task: str) -> list[str]:
        """The checkers whose output the task's verdicts read: a judge the label model ignores is not listed
        (a header that says "lm_judge" over verdicts that never read it would claim a check that was not made)."""
        if self.judge_used(task):
            return self.checker_names
        return [c for c in self.checker_names if c not in ("lm_judge", "probe")]

    def judge_used(self, task: str) -> bool:
        """Whether the label model this task would pick reads the judge: when it does not (the 3-way model
        fitted on claims-dev, where the judge added no accuracy), judge calls would cost time for nothing."""
        if self.judge is None:
            return False
        available = [*NO_JUDGE_FEATURES, *JUDGE_FEATURES, *(p.feature for p in self.probes)]
        model = self.models.pick(task, available)
        return model is None or any(f in JUDGE_FEATURES or is_probe_feature(f) for f in model.features)

    def windows(self, claim: str, passages: Iterable[Passage]) -> list[WindowScore]:
        """The passages cut into evidence windows, each with its word overlap and its similarity to the claim
        (the embedder's cosine, else the overlap): what every check and the shown closest passage start from."""
        claim = evidence_query(claim)
        scores: list[WindowScore] = []
        for p in passages:
            whole = WHOLE_PASSAGE_WORDS if p.whole else self.window_words
            for w in evidence_windows(p.text, max_words=self.window_words, whole_max_words=whole, page=p.page):
                scores.append(
                    WindowScore(
                        doc_id=p.doc_id, text=w.text, page=p.page, table=CELLS_MARKER in p.text,
                        overlap=word_overlap(claim, w.text),
                    )
                )  # fmt: skip
        if scores and self.embedder is not None:
            vectors = self.embedder.embed([claim] + [s.text for s in scores])
            for s, v in zip(scores, vectors[1:], strict=True):
                s.similarity = round(float(np.dot(vectors[0], v)), SIMILARITY_DIGITS)
        else:
            for s in scores:
                s.similarity = s.overlap
        return scores

    def score_windows(
        self, claim: str, passages: Sequence[Passage], judge: bool = True
    ) -> tuple[list[WindowScore], int]:
        scores = self.windows(claim, passages)
        if not scores:
            return scores, 0
        for s in scores:
            s.numeric = check_numbers(claim, s.text)
        order = sorted(range(len(scores)), key=lambda i: -(scores[i].similarity + 0.5 * scores[i].overlap))
        calls = 0
        if self.judge is not None and judge:
            for i in order[: self.judge_windows]:
                if calls and max(s.support or 0.0 for s in scores) >= self.judge_stop_at:
                    break
                result = self.judge.score(claim, scores[i].text)
                scores[i].support, scores[i].contradict = result.support, result.contradict
                for probe in self.probes:
                    if probe.prompt in result.hidden:
                        scores[i].probes[probe.feature] = probe.logit(result.hidden[probe.prompt])
                if self.keep_hidden:
                    scores[i].hidden = result.hidden
                calls += 1
        if self.nli is not None:
            chosen = order[: max(4, self.judge_windows)]
            for i, (ent, con) in zip(chosen, self.nli.score(claim, [scores[i].text for i in chosen]), strict=True):
                scores[i].nli_entail, scores[i].nli_contradict = ent, con
        return scores, calls

    def predict(self, features: ClaimFeatures, task: str = "3way") -> tuple[Prediction, str]:
        model = self.models.pick(task, features.names)
        if model is None:
            from synth.errors import UserError

            raise UserError(
                f"no fitted {task} label model for checkers {', '.join(features.names)}: run `synth calibrate`"
            )
        key = next(k for k, m in self.models.models.items() if m is model)
        return model.predict(features.values), key

    def verify(
        self, claim: str, passages: Sequence[Passage], task: str = "3way", paper_text: str = ""
    ) -> VerificationResult:
        """`paper_text`: the whole text of the claim's source paper(s), when known (what it never names)."""
        start = time.perf_counter()
        judged = self.judge_used(task)
        scores, calls = self.score_windows(claim, passages, judge=judged)
        features = aggregate(scores, claim=claim, paper_text=paper_text)
        prediction, key = self.predict(features, task)
        details = []
        for s in features.best[:1]:
            if s.numeric:
                details = [f"{c.claim.text}: {c.outcome.value} ({c.detail})" for c in s.numeric.checks]
        return VerificationResult(
            alignment=features.alignment,
            aligned=features.aligned,
            label=prediction.label,
            confidence=prediction.confidence,
            raw_confidence=prediction.raw_confidence,
            probabilities=prediction.probabilities,
            features=features.values,
            best=features.best,
            checks=[
                c
                for c in self.checker_names
                if (c != "probe" or any(is_probe_feature(f) for f in self.models.models[key].features))
                and (c != "lm_judge" or judged)
            ],  # fmt: skip
            model_key=key,
            seconds=time.perf_counter() - start,
            judge_calls=calls,
            numeric_details=details,
        )


def _where(window: WindowScore, titles: dict[str, str]) -> str:
    title = titles.get(window.doc_id, "")
    name = window.doc_id if not title else f"{window.doc_id} ({title[:40]}{'…' if len(title) > 40 else ''})"
    return f"{name} p. {window.page}" if window.page else name


def explain(
    label: str, alignment: AlignResult | None, windows: Sequence[WindowScore], titles: dict[str, str] | None = None
) -> str:
    """The verdict's reason in one line: for REFUTED the mismatches (claim vs quote and page), for SUPPORTED
    the figures found as stated, for NOT_ENOUGH_INFO what no passage states and the closest passage."""
    titles = titles or {}

    def where(i: int) -> str:
        return _where(windows[i], titles) if 0 <= i < len(windows) else ""

    if alignment is None:
        return ""
    closest = where(0) if windows else ""
    if label == "REFUTED":
        lines = alignment.mismatches(where)
        return "; ".join(lines) if lines else "the checkers' scores lean to contradiction; no single mismatch found"
    if label == "SUPPORTED":
        found = alignment.support(where)
        return "; ".join(found) if found else f"the passage states the claim ({closest})" if closest else ""
    absent = [c.claim.text for c in alignment.checks if c.outcome == "absent"]
    tail = f"closest passage: {closest}" if closest else "no passage retrieved"
    if absent:
        return f"no passage states {', '.join(absent)} under the claim's conditions; {tail}"
    return f"no passage states the claim; {tail}"


def to_verdict(
    claim_text: str,
    claim_id: str,
    result: VerificationResult,
    titles: dict[str, str] | None = None,
    settings_md5: str | None = None,
    evidence_docs: int = 2,
) -> Verdict:
    """The typed verdict: label, calibrated confidence, and the best window of the top documents, quoted."""
    label = result.label if result.label in VerdictLabel.__members__ else VerdictLabel.NOT_ENOUGH_INFO
    evidence = [
        Evidence(
            doc_id=w.doc_id, page=w.page, quote=quote_sentences(claim_text, w.text), score=round(w.strength(), 4),
            title=(titles or {}).get(w.doc_id, ""), table=w.table,
        )
        for w in result.best[:evidence_docs]
    ]  # fmt: skip
    return Verdict(
        claim_id=claim_id, label=VerdictLabel(label), confidence=round(min(1.0, max(0.0, result.confidence)), 4),
        evidence=evidence, checks=[*result.checks, f"model:{result.model_key}"],
        reason=result.reason or explain(label, result.alignment, result.aligned, titles),
        settings_md5=settings_md5,
    )  # fmt: skip
