"""Which sentences of a file are measurable claims: a report's claims table, or a paper's own sentences.

A report lists its claims, so all of them are candidates. A paper lists none;
running the extractor would rank by relevance to a question and cap the count,
which drops exactly the cost sentences ("SC reduces throughput by a factor of
five") that a benchmark can test, so every sentence with a measurable cue is
a candidate and the classifier decides.
"""

from __future__ import annotations

from pathlib import Path

from synth.claims.measurable import measurable_tags
from synth.core.measurement import ClaimCategory
from synth.empirical.classify import classify_claim_parts


def paper_sentences(path: Path) -> list[str]:
    """Sentences of a paper (PDF, text, Markdown, LaTeX) in reading order, through synth's own readers."""
    from synth.audit.inputs import AuditInputError
    from synth.corpus.chunking import split_sentences
    from synth.corpus.ingest import parse_file
    from synth.corpus.readers import ReaderError
    from synth.hashing import sha256_file

    try:
        parsed = parse_file(
            str(path), sha256_file(path), {"chunk_words": 250, "overlap_sentences": 1, "min_chunk_words": 25}
        )
    except ReaderError as exc:
        raise AuditInputError(f"{path}: {exc}") from exc
    out: list[str] = []
    for page in parsed.pages:
        out += [s.text for s in split_sentences(page.text, page=page.number)]
    return out


def measurable_claims_from_file(path: Path) -> tuple[list[str], str]:
    """(claim sentences worth a benchmark, the input's kind); a report's claims are all kept for the table."""
    from synth.audit.inputs import InputKind, read_audit_input

    audit_input = read_audit_input(path)
    if audit_input.kind != InputKind.PAPER:
        return [c.text for c in audit_input.claims], audit_input.kind.value
    seen: set[str] = set()
    keep = []
    for sentence in paper_sentences(path):
        text = " ".join(sentence.split())
        if text in seen or not measurable_tags(text):
            continue
        seen.add(text)
        if any(p.type != ClaimCategory.UNMEASURABLE for p in classify_claim_parts(text)):
            keep.append(text)
    return keep, audit_input.kind.value
