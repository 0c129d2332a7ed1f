"""Parser for the plain-text literature-synthesis reports synth replaces (`../shared/seeds/00[0-3]_*.txt`).

Layout: title, author line, date, "Abstract", numbered sections, an "Extracted Claims"
table (tab-separated Claim / Verified ✓ or × / Confidence, claim cells cut at ~120
characters), and a References list of arXiv URLs or DOIs. `synth audit` reads these;
the `txt` renderer writes the same layout so reports can be compared side by side.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from pydantic import BaseModel, Field

from synth.core.audit import Reference

_SECTION = re.compile(r"^(\d{1,2})\s+([A-Z][^\t]{1,80})$")
_TABLE_HEADER = re.compile(r"^claim\t+verified\t+confidence\s*$", re.IGNORECASE)
_VERIFIED = {"✓", "✔", "yes", "true", "y", "1"}
_UNVERIFIED = {"×", "✗", "✘", "x", "no", "false", "n", "0"}
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([a-z\-]+(?:\.[A-Z]{2})?/\d{7}|\d{4}\.\d{4,5})(v\d+)?", re.I)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(\d{4}\.\d{4,5})(v\d+)?", re.IGNORECASE)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s<>\"]+)")
_URL = re.compile(r"https?://[^\s<>]+")
TRUNCATION_LENGTH = 110
TRUNCATION_MAX = 160  # cut cells in the seeds are 118-130 characters
MAX_CLAIM_CHARS = 1000  # a longer cell is not one claim: skipped with a problem naming its line
_SPACED_ROW = re.compile(r"^(?P<claim>.*\S)\s+(?P<mark>✓|✔|×|✗|✘|yes|no|true|false)\s+(?P<conf>\S+)$", re.IGNORECASE)


class SeedClaim(BaseModel):
    text: str
    verified: bool | None = Field(description="The report's own mark: ✓ True, × False, None if unreadable.")
    confidence: float | None = Field(description="The report's own confidence, as printed.")
    truncated: bool = Field(
        description="The cell looks cut off: about as long as the seeds' cut cells (110-160 characters) and no "
        "closing punctuation."
    )
    row: int = Field(description="1-based row in the claims table.")


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
    problems: list[str] = Field(
        default_factory=list,
        description="Malformed claims-table rows, each naming its line: skipped rows, unreadable marks, "
        "confidences that are not a number in 0-1 (read as absent).",
    )


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


def _confidence(cell: str, line: int) -> tuple[float | None, str | None]:
    """A confidence in [0, 1], or a percentage written with '%' ("87%" -> 0.87); anything else is no confidence."""
    raw = cell.strip()
    if not raw:
        return None, f"line {line}: the Confidence cell is empty; read as no confidence"
    percent = raw.endswith("%")
    try:
        value = float(raw[:-1].strip() if percent else raw)
    except ValueError:
        return None, f"line {line}: confidence {_quote(raw)} is not a number; read as no confidence"
    if not math.isfinite(value):
        return None, f"line {line}: confidence {_quote(raw)} is not a finite number; read as no confidence"
    if percent:
        if 0 <= value <= 100:
            return value / 100, None
        return None, f"line {line}: confidence {_quote(raw)} is outside 0-100%; read as no confidence"
    if 0 <= value <= 1:
        return value, None
    return None, (
        f"line {line}: confidence {_quote(raw)} is outside 0-1 (write a percentage as 87%); read as no confidence"
    )


def _quote(cell: str, width: int = 40) -> str:
    return repr(cell if len(cell) <= width else cell[: width - 1] + "…")


def parse_claim_row(
    cells: list[str], row: int, line: int, *, mark_column: bool = True, confidence_column: bool = True
) -> tuple[SeedClaim | None, list[str]]:
    """One claims-table row (claim, verified mark, confidence) and what is wrong with it, each naming `line`.

    None when the row holds no usable claim (empty, or a cell far too long to be one claim). A bad mark or
    confidence is read as absent, never kept. `mark_column`/`confidence_column`: whether the table has that
    column at all (a Markdown table may lack one); a missing cell of a column that exists is a problem.
    """
    problems: list[str] = []
    text = " ".join(cells[0].split()) if cells else ""
    if not text:
        return None, [f"line {line}: the Claim cell is empty; row skipped"]
    if len(text) > MAX_CLAIM_CHARS:
        return None, [
            f"line {line}: the Claim cell is {len(text):,} characters long (one claim is a sentence or two; over "
            f"{MAX_CLAIM_CHARS:,} is not read as a claim); row skipped"
        ]
    verified: bool | None = None
    if mark_column:
        mark = cells[1].strip() if len(cells) > 1 else None
        if mark is None:
            problems.append(f"line {line}: no Verified cell; read as no mark")
        elif mark.lower() in _VERIFIED:
            verified = True
        elif mark.lower() in _UNVERIFIED:
            verified = False
        elif not mark:
            problems.append(f"line {line}: the Verified cell is empty; read as no mark")
        else:
            problems.append(f"line {line}: Verified mark {_quote(mark)} is not ✓ or ×; read as no mark")
    confidence: float | None = None
    if confidence_column:
        if len(cells) > 2:
            confidence, problem = _confidence(cells[2], line)
            if problem:
                problems.append(problem)
        else:
            problems.append(f"line {line}: no Confidence cell; read as no confidence")
    # Seed reports cut claim cells at ~120 characters (118-130 in ../shared/seeds): a cell of that length
    # without closing punctuation was cut; a longer one was not (it is a long claim, checked whole).
    truncated = TRUNCATION_LENGTH <= len(text) <= TRUNCATION_MAX and not text.endswith((".", "!", "?", ")", '"'))
    return SeedClaim(text=text, verified=verified, confidence=confidence, truncated=truncated, row=row), problems


def _split_row(line: str, number: int) -> tuple[list[str], list[str]]:
    """The cells of a tab-separated row; runs of tabs used to align columns count as one separator."""
    cells = [c.strip() for c in line.strip(" \r\n").split("\t")]
    if len(cells) > 3:
        cells = [cells[0], *(c for c in cells[1:] if c)]
    if len(cells) > 3:
        extra = ", ".join(_quote(c, 20) for c in cells[3:])
        return cells[:3], [f"line {number}: {len(cells)} cells where 3 were expected; ignored {extra}"]
    return cells, []


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
    for number, line in enumerate(lines, start=1):
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
            cells, problems = _split_row(line, number)
            claim, row_problems = parse_claim_row(cells, row + 1, number)
            report.problems += problems + row_problems
            if claim is not None:
                row += 1
                report.claims.append(claim)
            continue
        heading = _SECTION.match(stripped)
        if heading and "\t" not in line:
            current, in_table = heading.group(2).strip(), False
            continue
        if in_table:
            spaced = _SPACED_ROW.match(stripped)
            if spaced is None:
                report.problems.append(
                    f"line {number}: no tabs between the Claim, Verified and Confidence cells; not read as a claim"
                )
                continue
            claim, row_problems = parse_claim_row(list(spaced.group("claim", "mark", "conf")), row + 1, number)
            report.problems.append(
                f"line {number}: cells separated by spaces, not tabs; read as claim, mark, confidence"
            )
            report.problems += row_problems
            if claim is not None:
                row += 1
                report.claims.append(claim)
            continue
        if current is not None:
            buffer.setdefault(current, []).append(stripped)
    report.abstract = " ".join(buffer.pop("Abstract", []))
    report.sections = {name: "\n".join(body) for name, body in buffer.items()}
    score = re.search(r"score of (\d+(?:\.\d+)?)\s*/\s*10", text)
    report.quality_score = float(score.group(1)) if score else None
    return report
