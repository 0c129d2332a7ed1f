"""What `synth audit` reads: a seed-format report, a Markdown report, or a paper.

A report states its claims (with its own "verified" mark and confidence, which the
audit compares against); a paper states none, so its claims are extracted. A
report without a claims table is audited like a paper.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, Field

from synth.claims.seed_report import SeedClaim, parse_claim_row, parse_reference, parse_seed_report
from synth.core.audit import InputKind, Reference
from synth.errors import UserError

_MD_ROW = re.compile(r"^\s*\|(.+)\|\s*$")
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")
_LINK_OR_ID = re.compile(r"https?://\S+|10\.\d{4,9}/\S+|arXiv:\s*\d{4}\.\d{4,5}", re.I)


class AuditInput(BaseModel):
    path: str
    kind: InputKind
    title: str
    question: str | None = Field(None, description="The research question the report answers, when stated.")
    claims: list[SeedClaim] = Field(default_factory=list, description="The report's claims with its own marks.")
    references: list[Reference] = Field(default_factory=list)
    problems: list[str] = Field(
        default_factory=list, description="Malformed claims-table rows, each naming its line (see SeedReport.problems)."
    )


class AuditInputError(UserError):
    """The file cannot be audited; the message names it and says what would work."""


def _question(text: str) -> str | None:
    """The question a report says it answers ("Research question: ...?"), if it says so."""
    for pattern in (r"research question:\s*([^\n?]{10,400}\?)", r"research question:\s*([^\n]{10,400}?)[.?](?:\s|$)"):
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            return " ".join(match.group(1).split()).rstrip(".?") + "?"
    return None


def _markdown_claims(text: str) -> tuple[list[SeedClaim], list[str]] | None:
    """Rows of the first Markdown table whose header has a Claim column, and the rows' problems; None without one."""
    lines = text.splitlines()
    for i, line in enumerate(lines[:-1]):
        header = _MD_ROW.match(line)
        if not header or not _MD_RULE.match(lines[i + 1]):
            continue
        cols = [c.strip().lower() for c in header.group(1).split("|")]
        if "claim" not in cols:
            continue
        order = [cols.index("claim")]
        order += [next((j for j, c in enumerate(cols) if c.startswith(name)), -1) for name in ("verified", "confid")]
        rows: list[SeedClaim] = []
        problems: list[str] = []
        for number, row_line in enumerate(lines[i + 2 :], start=i + 3):
            row = _MD_ROW.match(row_line)
            if not row:
                break
            cells = [c.strip() for c in row.group(1).split("|")]
            if len(cells) < len(cols):
                problems.append(f"line {number}: {len(cells)} of the header's {len(cols)} cells")
            picked = [cells[j] if 0 <= j < len(cells) else "" for j in order]
            claim, row_problems = parse_claim_row(
                picked, len(rows) + 1, number, mark_column=order[1] >= 0, confidence_column=order[2] >= 0
            )
            problems += row_problems
            if claim is not None:
                rows.append(claim)
        return rows, problems
    return None


def _markdown_references(text: str) -> list[Reference]:
    match = re.search(r"^#+\s*(references|bibliography|sources)\s*$", text, re.IGNORECASE | re.MULTILINE)
    body = text[match.end() :] if match else text
    refs = [parse_reference(line) for line in body.splitlines() if _LINK_OR_ID.search(line)]
    return [r for r in refs if r.arxiv_id or r.doi or r.url]


def read_audit_input(path: Path) -> AuditInput:
    if not path.is_file():
        raise AuditInputError(f"{path} not found: pass a report (.txt/.md) or a paper (.pdf/.txt/.md/.tex)")
    suffix = path.suffix.lower()
    if suffix in {".txt", ".md", ".markdown", ""}:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise AuditInputError(f"{path} is not UTF-8 text: convert it or pass the PDF") from exc
        if not text.strip():
            raise AuditInputError(f"{path} is empty: nothing to audit")
        title = next(line.strip().lstrip("# ").strip() for line in text.splitlines() if line.strip())
        if suffix in {".md", ".markdown"}:
            table = _markdown_claims(text)
            if table is not None:
                claims, problems = table
                return AuditInput(
                    path=str(path), kind=InputKind.MARKDOWN, title=title, question=_question(text), claims=claims,
                    references=_markdown_references(text), problems=problems,
                )  # fmt: skip
        else:
            report = parse_seed_report(text)
            if report.has_claims_table:
                return AuditInput(
                    path=str(path), kind=InputKind.SEED, title=report.title, question=_question(text),
                    claims=report.claims, references=report.references, problems=report.problems,
                )  # fmt: skip
        return AuditInput(path=str(path), kind=InputKind.PAPER, title=title, question=_question(text))
    if suffix in {".pdf", ".tex"}:
        return AuditInput(path=str(path), kind=InputKind.PAPER, title=path.stem)
    raise AuditInputError(f"{path}: cannot audit {suffix} files; pass a .txt/.md report or a .pdf/.txt/.tex paper")
