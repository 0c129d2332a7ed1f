"""Title, authors, year and arXiv id from a file name, PDF info and the first page.

Offline there is no metadata service, so these are heuristics over what the
file itself says; each field is left empty rather than guessed wildly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NEW_ARXIV = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\d])")
OLD_ARXIV = re.compile(r"\b([a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?\b")
STAMP = re.compile(r"arXiv:\s*(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.IGNORECASE)
_STAMP_YEAR = re.compile(r"arXiv:\S+\s+\[[^\]]+\]\s+\d{1,2}\s+\w{3}\s+((?:19|20)\d{2})")
_HEADER_LINE = re.compile(
    r"^(published as|accepted|under review|preprint|proceedings|arxiv:|\d+$|technical report|workshop)",
    re.IGNORECASE,
)
_STOPWORDS = {
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to",
    "via", "with", "without", "using", "through", "towards", "is", "are", "yet", "beyond",
}  # fmt: skip
_AUTHOR_MARK = re.compile(r"[∗*†‡♠♡♣♢§¶@]|\w\d|\d\s*,|\{")
_AFFILIATION = re.compile(
    r"\b(university|universit|institute|research|inc\b|lab|laboratory|labs|department|school|college|"
    r"team|google|microsoft|meta|ai\b|corporation|company|center|centre|academy|usa|china|india)",
    re.IGNORECASE,
)
_JUNK_TITLE = re.compile(r"^\s*\[[^\]]*\][^\s]*\s*")  # e.g. "[width=0.06]./figs/logo Title"


@dataclass
class GuessedMetadata:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    arxiv_id: str | None = None


def find_arxiv_id(file_name: str, first_page: str) -> str | None:
    """The file name wins (`2309.06180.pdf`, `2309.06180v2.pdf`), then the page-one stamp."""
    stem = file_name.rsplit(".", 1)[0]
    match = NEW_ARXIV.search(stem)
    if match:
        return match.group(1)
    old = OLD_ARXIV.search(stem.replace("_", "/"))
    if old:
        return old.group(1)
    stamp = STAMP.search(first_page)
    return stamp.group(1) if stamp else None


def year_from_arxiv_id(arxiv_id: str) -> int | None:
    match = re.match(r"(\d{2})(\d{2})\.", arxiv_id)
    if match:
        return 2000 + int(match.group(1))
    old = re.search(r"/(\d{2})\d{5}", arxiv_id)
    if old:
        yy = int(old.group(1))
        return 1900 + yy if yy > 90 else 2000 + yy
    return None


def _words(line: str) -> list[str]:
    return re.findall(r"[A-Za-z][\w'\-]*", line)


def _continues_title(first: str, nxt: str) -> bool:
    """Does `nxt` continue the title on `first`? Titles wrap; author lines carry marks or names."""
    if not nxt or _AUTHOR_MARK.search(nxt) or _AFFILIATION.search(nxt) or nxt.lower().startswith("abstract"):
        return False
    first_words, next_words = _words(first), _words(nxt)
    if not next_words:
        return False
    if first.rstrip().endswith((":", "-", "–", ",")) or first_words[-1].lower() in _STOPWORDS:
        return True
    if any(w.lower() in _STOPWORDS for w in next_words):
        return True
    # A long first line that wraps onto a short tail ("... Multiple\nDecoding Heads").
    return len(first_words) >= 6 and len(next_words) <= 3


def _title_from_text(first_page: str) -> tuple[str | None, int]:
    lines = [ln.strip() for ln in first_page.splitlines() if ln.strip()]
    start = 0
    while start < len(lines) and (_HEADER_LINE.match(lines[start]) or len(_words(lines[start])) == 0):
        start += 1
    if start >= len(lines):
        return None, start
    title_lines = [lines[start]]
    i = start + 1
    while i < len(lines) and len(title_lines) < 3 and _continues_title(title_lines[-1], lines[i]):
        title_lines.append(lines[i])
        i += 1
    title = " ".join(title_lines)
    return (title if 3 <= len(title) <= 300 else None), i


def _authors_from_text(first_page: str, after_line: int) -> list[str]:
    lines = [ln.strip() for ln in first_page.splitlines() if ln.strip()]
    names: list[str] = []
    for line in lines[after_line : after_line + 10]:
        if line.lower().startswith("abstract"):
            break
        if _AFFILIATION.search(line) or "@" in line or "http" in line:
            continue
        for piece in re.split(r"[,;∗*†‡♠♡♣♢§¶\d]+|\s{2,}|\band\b", line):
            piece = piece.strip(" .")
            words = piece.split()
            if (
                2 <= len(words) <= 4
                and all(w[0].isupper() for w in words)
                and not any(w.lower() in _STOPWORDS for w in words)
            ):
                names.append(piece)
            elif len(words) > 4 and all(w[0].isupper() for w in words):
                # "Jason Wei Xuezhi Wang ..." : names without separators; pair the words.
                names.extend(" ".join(words[j : j + 2]) for j in range(0, len(words) - 1, 2))
    return names[:50]


def clean_meta_title(raw: str | None) -> str | None:
    if not raw:
        return None
    title = " ".join(_JUNK_TITLE.sub("", raw).split())
    if len(title) < 8 or title.lower() in {"untitled", "microsoft word"} or title.lower().endswith((".dvi", ".doc")):
        return None
    return title


def guess_metadata(
    first_page: str,
    file_name: str,
    meta_title: str | None = None,
    meta_author: str | None = None,
) -> GuessedMetadata:
    arxiv_id = find_arxiv_id(file_name, first_page)
    text_title, after = _title_from_text(first_page)
    title = clean_meta_title(meta_title) or text_title
    authors: list[str] = []
    if meta_author and meta_author.strip():
        authors = [a.strip() for a in re.split(r"[;,]", meta_author) if a.strip() and a.strip() != ":"]
    if not authors:
        authors = _authors_from_text(first_page, after)
    year = year_from_arxiv_id(arxiv_id) if arxiv_id else None
    if year is None:
        stamp = _STAMP_YEAR.search(first_page)
        if stamp:
            year = int(stamp.group(1))
        else:
            head = re.search(r"\b(19[89]\d|20[0-4]\d)\b", first_page[:600])
            year = int(head.group(1)) if head else None
    return GuessedMetadata(title=title, authors=authors, year=year, arxiv_id=arxiv_id)
