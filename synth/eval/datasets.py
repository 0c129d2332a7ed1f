"""Readers for labelled claim-verification sets, normalised to one typed record.

Each public set spells its labels and evidence differently (SciFact-RTE's
entailment/not_entailment, HealthVer's Supports/Refutes/Neutral, Check-COVID's
sentence indices into a corpus of abstracts, ...). Reading them all into
`LabelledPair` lets one evaluation loop and one calibration fit serve every set.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from pydantic import BaseModel, Field

from synth.errors import UserError

SUPPORTED, REFUTED, NEI, NOT_SUPPORTED = "SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO", "NOT_SUPPORTED"
THREE_WAY = (SUPPORTED, REFUTED, NEI)
TWO_WAY = (SUPPORTED, NOT_SUPPORTED)

# Citation-integrity marks citations as <|cit|>, <|multi_cit|>, <|other_cit|>, usually in brackets.
_CITATION_MARKS = re.compile(r"\s*[\[(][^\[\]()]*<\|\w+\|>[^\[\]()]*[\])]")
_CITATION_TOKEN = re.compile(r"<\|\w+\|>")

_LABELS = {
    "supported": SUPPORTED, "support": SUPPORTED, "supports": SUPPORTED, "entailment": SUPPORTED,
    "refuted": REFUTED, "refute": REFUTED, "refutes": REFUTED, "contradict": REFUTED, "contradiction": REFUTED,
    "not_enough_info": NEI, "notenoughinfo": NEI, "nei": NEI, "neutral": NEI,
    "not_entailment": NOT_SUPPORTED, "not_supported": NOT_SUPPORTED,
}  # fmt: skip


class LabelledPair(BaseModel):
    pair_id: str
    claim: str
    label: str = Field(description="SUPPORTED / REFUTED / NOT_ENOUGH_INFO, or NOT_SUPPORTED in 2-way sets.")
    evidence: list[str] = Field(default_factory=list, description="Evidence passages, one per source document.")
    arxiv_id: str | None = Field(None, description="Retrieve the evidence from the corpus paper with this id.")
    error_type: str | None = Field(None, description="REFUTED only: the kind of error (claims-dev notes).")
    group: str | None = Field(None, description="Cross-validation group (the paper): never fit and score within one.")


class LabelledSet(BaseModel):
    name: str
    labels: tuple[str, ...]
    pairs: list[LabelledPair]


class DatasetError(UserError):
    """A data file cannot be read in the format asked for; the message names the file and the fix."""


def normalise_label(raw: str, where: str) -> str:
    label = _LABELS.get(raw.strip().lower().replace(" ", "_"))
    if label is None:
        raise DatasetError(f"{where}: unknown label {raw!r}; use SUPPORTED, REFUTED or NOT_ENOUGH_INFO")
    return label


def _jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{path}:{n}: not a JSON object ({exc.msg}); write one object per line") from exc
            if not isinstance(obj, dict):
                raise DatasetError(f"{path}:{n}: expected a JSON object per line")
            yield n, obj


def read_jsonl(path: Path) -> LabelledSet:
    pairs = []
    for n, obj in _jsonl(path):
        where = f"{path}:{n}"
        if not isinstance(obj.get("claim"), str) or "label" not in obj:
            raise DatasetError(f"{where}: each line needs 'claim' and 'label', and 'evidence' or 'arxiv_id'")
        evidence = obj.get("evidence")
        if isinstance(evidence, str):
            evidence = [evidence]
        if not evidence and not obj.get("arxiv_id"):
            raise DatasetError(f"{where}: give 'evidence' (text) or 'arxiv_id' (evidence retrieved from --corpus)")
        pairs.append(
            LabelledPair(
                pair_id=str(obj.get("id", n)), claim=obj["claim"], label=normalise_label(str(obj["label"]), where),
                evidence=list(evidence or []), arxiv_id=obj.get("arxiv_id"),
            )
        )  # fmt: skip
    labels = TWO_WAY if any(p.label == NOT_SUPPORTED for p in pairs) else THREE_WAY
    return LabelledSet(name=path.stem, labels=labels, pairs=pairs)


# claims_dev notes begin with the error type, spelled a dozen ways ("attribution swap", "condition swapped
# (model)", "hardware condition swapped"); scoring per type needs the seven canonical names.
ERROR_TYPES = (
    ("attribution", "attribution swapped"),
    ("comparator", "comparator swapped"),
    ("condition", "condition swapped"),
    ("direction", "direction reversed"),
    ("overgeneral", "overgeneralisation"),
    ("unit", "unit/scale error"),
    ("number", "number changed"),
)


def error_type_of(note: str | None) -> str | None:
    """The canonical error type of a REFUTED note: the first type named before the colon."""
    if not note:
        return None
    head = note.split(":", 1)[0].lower()
    found = [(head.find(key), name) for key, name in ERROR_TYPES if key in head]
    return min(found)[1] if found else "other"


def _claims_dev(path: Path, gold: bool) -> LabelledSet:
    """claims_dev.jsonl: evidence retrieved from the corpus paper (realistic), or the gold sentence (`gold`).

    NOT_ENOUGH_INFO claims have no gold sentence; they are always checked against the retrieved passages.
    """
    pairs = []
    for n, obj in _jsonl(path):
        where = f"{path}:{n}"
        if not isinstance(obj.get("claim"), str) or not obj.get("arxiv_id") or "label" not in obj:
            raise DatasetError(f"{where}: each line needs 'claim', 'label' and 'arxiv_id' (claims-dev format)")
        label = normalise_label(str(obj["label"]), where)
        evidence = obj.get("evidence") or ""
        pairs.append(
            LabelledPair(
                pair_id=str(obj.get("id", n)), claim=obj["claim"], label=label,
                evidence=[evidence] if gold and evidence.strip() else [], arxiv_id=str(obj["arxiv_id"]),
                error_type=error_type_of(obj.get("note")) if label == REFUTED else None, group=str(obj["arxiv_id"]),
            )
        )  # fmt: skip
    return LabelledSet(name=path.stem + ("-gold" if gold else ""), labels=THREE_WAY, pairs=pairs)


def read_claims_dev(path: Path) -> LabelledSet:
    return _claims_dev(path, gold=False)


def read_claims_dev_gold(path: Path) -> LabelledSet:
    return _claims_dev(path, gold=True)


def read_scifact_rte(path: Path) -> LabelledSet:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    if not rows or not {"sentence1", "sentence2", "entailment"} <= set(rows[0]):
        raise DatasetError(f"{path}: expected a TSV with columns index, sentence1, sentence2, entailment")
    pairs = [
        LabelledPair(
            pair_id=r.get("index") or str(i), claim=r["sentence2"], evidence=[r["sentence1"]],
            label=normalise_label(r["entailment"], f"{path}:{i + 2}"),
        )
        for i, r in enumerate(rows)
    ]  # fmt: skip
    return LabelledSet(name=f"scifact-rte/{path.stem}", labels=TWO_WAY, pairs=pairs)


def read_healthver(path: Path) -> LabelledSet:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or not {"evidence", "claim", "label"} <= set(rows[0]):
        raise DatasetError(f"{path}: expected a CSV with columns id, evidence, claim, label")
    pairs = [
        LabelledPair(
            pair_id=r.get("id") or str(i), claim=r["claim"], evidence=[r["evidence"]],
            label=normalise_label(r["label"], f"{path}:{i + 2}"),
        )
        for i, r in enumerate(rows)
    ]  # fmt: skip
    return LabelledSet(name=f"healthver/{path.stem}", labels=THREE_WAY, pairs=pairs)


def _abstract_sentences(corpus: Path, key: str) -> dict[str, list[str]]:
    if not corpus.is_file():
        raise DatasetError(f"{corpus} not found: the claims file needs its corpus.jsonl next to it")
    out = {}
    for _, obj in _jsonl(corpus):
        abstract = obj.get("abstract") or []
        out[str(obj[key])] = [str(s) for s in abstract] if isinstance(abstract, list) else [str(abstract)]
    return out


def _abstracts(corpus: Path, key: str) -> dict[str, str]:
    return {k: " ".join(v) for k, v in _abstract_sentences(corpus, key).items()}


def _check_covid(path: Path, rationale: bool) -> LabelledSet:
    abstracts = _abstract_sentences(path.parent / "corpus.jsonl", "cord_id")
    pairs = []
    for n, obj in _jsonl(path):
        sentences = abstracts.get(str(obj.get("cord_id")))
        if sentences is None:
            raise DatasetError(f"{path}:{n}: cord_id {obj.get('cord_id')!r} is not in corpus.jsonl")
        label = normalise_label(obj["label"], f"{path}:{n}")
        text = " ".join(sentences)
        if rationale:
            picked = sorted({int(e["sent_index"]) for e in obj.get("evidence_set") or []})
            text = " ".join(sentences[i] for i in picked if 0 <= i < len(sentences)) or text
        pairs.append(LabelledPair(pair_id=str(obj["id"]), claim=obj["claim"], label=label, evidence=[text]))
    suffix = "-rationale" if rationale else ""
    return LabelledSet(name=f"check-covid{suffix}/{path.stem}", labels=THREE_WAY, pairs=pairs)


def read_check_covid(path: Path) -> LabelledSet:
    """Each claim against the whole abstract it points to (retrieval-then-verify conditions)."""
    return _check_covid(path, rationale=False)


def read_check_covid_rationale(path: Path) -> LabelledSet:
    """Each claim against the abstract sentences its annotators marked (HealthVer-like short evidence).

    Not-enough-info claims carry marked sentences too: the nearby text that does
    not settle the claim, which is exactly what a verifier must learn to refuse.
    """
    return _check_covid(path, rationale=True)


def read_citation_integrity(path: Path) -> LabelledSet:
    abstracts = _abstracts(path.parent / "corpus.jsonl", "doc_id")
    pairs = []
    for n, obj in _jsonl(path):
        labels = {e["label"] for sets in obj.get("evidence", {}).values() for e in sets}
        if len(labels) > 1:
            continue  # mixed-label claims have no single gold label
        label = normalise_label(labels.pop(), f"{path}:{n}") if labels else NEI
        docs = [abstracts[str(d)] for d in obj.get("cited_doc_ids", []) if str(d) in abstracts]
        if not docs:
            raise DatasetError(f"{path}:{n}: none of its cited_doc_ids is in corpus.jsonl")
        claim = _CITATION_MARKS.sub("", obj["claim"])
        claim = " ".join(_CITATION_TOKEN.sub("", claim).split()).replace(" .", ".").replace(" ,", ",")
        pairs.append(LabelledPair(pair_id=str(obj["id"]), claim=claim, label=label, evidence=docs))
    return LabelledSet(name=f"citation-integrity/{path.stem}", labels=THREE_WAY, pairs=pairs)


READERS: dict[str, Callable[[Path], LabelledSet]] = {
    "jsonl": read_jsonl,
    "scifact-rte": read_scifact_rte,
    "healthver": read_healthver,
    "check-covid": read_check_covid,
    "check-covid-rationale": read_check_covid_rationale,
    "citation-integrity": read_citation_integrity,
    "claims-dev": read_claims_dev,
    "claims-dev-gold": read_claims_dev_gold,
}


def guess_format(path: Path) -> str:
    name = str(path).lower()
    for fmt in ("scifact-rte", "healthver", "check-covid", "citation-integrity"):
        if fmt in name or (fmt == "check-covid" and "covidcheck" in name):
            return fmt
    if path.name.startswith(("claims_dev", "claims-dev")):
        return "claims-dev"
    return "jsonl"


def load_dataset(path: Path, fmt: str | None = None) -> LabelledSet:
    if not path.is_file():
        raise DatasetError(f"{path} not found: pass a labelled claims file to --data")
    fmt = fmt or guess_format(path)
    if fmt not in READERS:
        raise DatasetError(f"unknown --format {fmt!r}; use one of {', '.join(READERS)}")
    try:
        return READERS[fmt](path)
    except (KeyError, UnicodeDecodeError, csv.Error) as exc:
        raise DatasetError(f"{path}: cannot read as {fmt} ({exc!r}); check --format") from exc


def stratified_sample(data: LabelledSet, limit: int | None, seed: int = 0) -> LabelledSet:
    """At most `limit` pairs with the label mix of the whole set (deterministic for a seed)."""
    if not limit or limit >= len(data.pairs):
        return data
    rng = random.Random(seed)
    by_label: dict[str, list[LabelledPair]] = {}
    for pair in data.pairs:
        by_label.setdefault(pair.label, []).append(pair)
    chosen: list[LabelledPair] = []
    for _label, pairs in sorted(by_label.items()):
        share = round(limit * len(pairs) / len(data.pairs))
        chosen.extend(rng.sample(pairs, min(len(pairs), share)))
    order = {p.pair_id: i for i, p in enumerate(data.pairs)}
    chosen.sort(key=lambda p: order[p.pair_id])
    return LabelledSet(name=f"{data.name}[{len(chosen)}]", labels=data.labels, pairs=chosen)


def with_mismatched_nei(data: LabelledSet, count: int, seed: int = 0) -> LabelledSet:
    """Add `count` NOT_ENOUGH_INFO pairs: a claim with the evidence of another claim.

    Labelled sets pair every claim with evidence on its topic; in use, retrieval
    often returns passages that are merely nearby. Without such pairs a label
    model learns that weak evidence means REFUTED (FEVER's NEI sampling, same idea).
    """
    if count <= 0 or len(data.pairs) < 2 or NEI not in data.labels:
        return data
    rng = random.Random(seed)
    extra = []
    for _ in range(count):
        a, b = rng.sample(range(len(data.pairs)), 2)
        claim, other = data.pairs[a], data.pairs[b]
        extra.append(
            LabelledPair(
                pair_id=f"{claim.pair_id}~{other.pair_id}", claim=claim.claim, label=NEI, evidence=other.evidence
            )
        )
    return LabelledSet(name=f"{data.name}+{count}nei", labels=data.labels, pairs=[*data.pairs, *extra])
