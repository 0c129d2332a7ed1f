"""Parser for the plain-text literature-synthesis reports synth replaces (`../shared/seeds/00[0-3]_*.txt`).

Layout: title, author line, date, "Abstract", numbered sections, an "Extracted Claims"
table (tab-separated Claim / Verified ✓ or × / Confidence, claim cells cut at ~120
characters), and a References list of arXiv URLs or DOIs. `synth audit` reads these;
the `txt` renderer writes the same layout so reports can be compared side by side.
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, Field

_SECTION = re.compile(r"^(\d{1,2})\s+([A-Z][^\t]{1,80})$")
_TABLE_HEADER = re.compile(r"^claim\t+verified\t+confidence\s*$", re.IGNORECASE)
_VERIFIED = {"✓", "✔", "yes", "true", "y", "1"}
_UNVERIFIED = {"×", "✗", "✘", "x", "no", "false", "n", "0"}
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([a-z\-]+(?:\.[A-Z]{2})?/\d{7}|\d{4}\.\d{4,5})(v\d+)?", re.I)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(\d{4}\.\d{4,5})(v\d+)?", re.IGNORECASE)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s<>\"]+)")
_URL = re.compile(r"https?://[^\s<>]+")
TRUNCATION_LENGTH = 110


class SeedClaim(BaseModel):
    text: str
    verified: bool | None = Field(description="The report's own mark: ✓ True, × False, None if unreadable.")
    confidence: float | None = Field(description="The report's own confidence, as printed.")
    truncated: bool = Field(description="The cell looks cut off (long, no closing punctuation).")
    row: int = Field(description="1-based row in the claims table.")


class Reference(BaseModel):
    raw: str
    url: str | None = None
    arxiv_id: str | None = Field(None, description="Bare arXiv id, from an arXiv URL or an arXiv DOI.")
    doi: str | None = None


class SeedReport(BaseModel):
    title: str
    byline: str | None = None
    date: dt.date | None = None
    abstract: str = ""
    sections: dict[str, str] = Field(default_factory=dict, description="Numbered section title -> text.")
    has_claims_table: bool = False
    claims: list[SeedClaim] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    quality_score: float | None = Field(None, description="'multi-reviewer quality ... score of X/10', if stated.")


def parse_reference(line: str) -> Reference:
    raw = line.strip().lstrip("-*• ").strip()
    url_match = _URL.search(raw)
    url = url_match.group(0).rstrip(">).,") if url_match else None
    arxiv = _ARXIV_URL.search(raw) or _ARXIV_DOI.search(raw)
    doi = _DOI.search(raw)
    return Reference(
        raw=raw,
        url=url,
        arxiv_id=arxiv.group(1) if arxiv else None,
        doi=doi.group(1).rstrip(">).,") if doi else None,
    )


def _parse_row(cells: list[str], row: int) -> SeedClaim:
    text = cells[0].strip()
    mark = cells[1].strip().lower() if len(cells) > 1 else ""
    verified = True if mark in _VERIFIED else False if mark in _UNVERIFIED else None
    try:
        confidence = float(cells[2]) if len(cells) > 2 and cells[2].strip() else None
    except ValueError:
        confidence = None
    truncated = len(text) >= TRUNCATION_LENGTH and not text.endswith((".", "!", "?", ")", '"'))
    return SeedClaim(text=text, verified=verified, confidence=confidence, truncated=truncated, row=row)


def _parse_date(line: str) -> dt.date | None:
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%Y-%m-%d", "%d %B %Y"):
        try:
            return dt.datetime.strptime(line.strip(), fmt).date()
        except ValueError:
            continue
    return None


def parse_seed_report(text: str) -> SeedReport:
    lines = [ln.rstrip("\n") for ln in text.replace("\r\n", "\n").split("\n")]
    content = [ln for ln in lines if ln.strip()]
    if not content:
        raise ValueError("empty report")
    title = content[0].strip()
    byline, when = None, None
    for line in content[1:4]:
        if line.strip().lower() == "abstract":
            break
        parsed = _parse_date(line)
        if parsed:
            when = parsed
        elif byline is None:
            byline = line.strip()

    report = SeedReport(title=title, byline=byline, date=when)
    current: str | None = None
    buffer: dict[str, list[str]] = {}
    in_table = False
    in_refs = False
    row = 0
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.lower() == "abstract" and current is None:
            current = "Abstract"
            continue
        if stripped.lower() in {"references", "bibliography"}:
            in_refs, in_table = True, False
            continue
        if in_refs:
            if stripped.startswith(("-", "*", "•", "[")) or _URL.search(stripped) or _DOI.search(stripped):
                report.references.append(parse_reference(stripped))
            continue
        if _TABLE_HEADER.match(stripped):
            in_table, report.has_claims_table = True, True
            continue
        if in_table and "\t" in line:
            row += 1
            report.claims.append(_parse_row(line.split("\t"), row))
            continue
        heading = _SECTION.match(stripped)
        if heading and "\t" not in line:
            current, in_table = heading.group(2).strip(), False
            continue
        if current is not None:
            buffer.setdefault(current, []).append(stripped)
    report.abstract = " ".join(buffer.pop("Abstract", []))
    report.sections = {name: "\n".join(body) for name, body in buffer.items()}
    score = re.search(r"score of (\d+(?:\.\d+)?)\s*/\s*10", text)
    report.quality_score = float(score.group(1)) if score else None
    return report
