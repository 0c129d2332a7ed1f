"""Tables with their row and column labels, from text whose columns are laid out in space.

pypdf's default extraction flattens a table into one run of labels and figures
("Chain-of-Thought 84.2 69.2 50.2 Least-to-Most 94.0 88.4 83.0"), so a figure
loses the column it sits in ("L = 4", "CNN/DM", "FP32") and a check cannot tell
a result for one setting from the same figure for another. pypdf's layout mode
keeps the page's horizontal positions; here the columns are read back from them
(or from `|` and tab separators in Markdown or TSV tables) and every cell is
written out as one short sentence with its row and column labels:
"Llama3-8B LayerSkip CNN/DM 1.70×." Those sentences are what the checkers align
a claim's figure with.

Everything here is a pure function of the text, so it is tested on real pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from synth.core.documents import Chunk, ParsedDocument

_CELL_SPLIT = re.compile(r"\s*\|\s*|\t+| {2,}")
_VALUE = re.compile(
    r"[-+−]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)\s*(?:[×xˆ]\s*10\d{1,2}|%|×|x|ˆ|ms|µs|μs|s|GB|MB|B|M|K|k|pp)?"
    r"(?:\s*(?:±|\+/-)\s*\d+(?:\.\d+)?)?(?:\s*[*†‡]+)?|[-–—]|N/A|n/a|OOM|✓|✗",
)
_CAPTION = re.compile(r"^\s*Table\s+[A-Z]?\d+[:.]", re.I)
_CAPTION_ANYWHERE = re.compile(r"\bTable\s+[A-Z]?\d+\s*[:.]")


def has_caption(text: str) -> bool:
    """Whether a page's text holds a table caption ("Table 4:"): only such pages are worth a layout pass."""
    return bool(_CAPTION_ANYWHERE.search(text))


CELLS_MARKER = " Cells:"  # after the caption of a table chunk; the checkers read the sentences after it as cells
_PROSE_WORDS = 14  # a single cell this long is a line of running text, not a table line
CAPTION_WORDS = 30


@dataclass
class Cell:
    start: int
    end: int
    text: str

    @property
    def value(self) -> bool:
        return bool(_VALUE.fullmatch(self.text))


@dataclass
class Table:
    """One table: its caption and, per row, the row label and (column label, cell) pairs."""

    caption: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)

    def sentences(self) -> list[str]:
        """One sentence per cell: row label, column label, figure."""
        out = []
        for label, cells in self.rows:
            for column, value in cells:
                if value in {"-", "–", "—"}:
                    continue
                out.append(" ".join(p for p in (label, column, value) if p) + ".")
        return out


def cells_of(line: str) -> list[Cell]:
    """The cells of a laid-out line: runs of text separated by two or more spaces, `|` or tabs."""
    out: list[Cell] = []
    pos = 0
    for piece in _CELL_SPLIT.split(line):
        if not piece.strip():
            pos = line.find(piece, pos) + len(piece) if piece else pos
            continue
        start = line.find(piece, pos)
        out.append(Cell(start, start + len(piece), piece.strip()))
        pos = start + len(piece)
    return out


def _is_data(cells: list[Cell]) -> bool:
    values = [c for c in cells if c.value]
    return len(values) >= 2 and len(values) >= 0.5 * (len(cells) - 1)


def _is_prose(cells: list[Cell]) -> bool:
    return len(cells) == 1 and len(cells[0].text.split()) > _PROSE_WORDS


def _overlap(a: Cell, b: Cell) -> int:
    return min(a.end, b.end) - max(a.start, b.start)


def _columns(header: list[list[Cell]], first_value: int) -> list[Cell]:
    """Column labels: the header line with most cells right of the row labels, each cell joined with
    the cells of the other header lines above or below it ("KV/State Memory" + "Access (bytes))"."""
    if not header:
        return []
    base = max(header, key=lambda cells: (len([c for c in cells if c.end > first_value]), header.index(cells)))
    columns = [c for c in base if c.end > first_value] or base
    out = []
    for col in columns:
        parts = []
        for line in header:
            if line is base:
                parts.append(col.text)
                continue
            over = [c for c in line if c.end > first_value]
            if len(over) == 1 and len(columns) > 1:
                parts.append(over[0].text)  # one label over several columns ("Speedup (vs. Vanilla)") heads them all
            else:
                parts += [c.text for c in over if _overlap(c, col) > 0]
        text = " ".join(parts)
        out.append(Cell(col.start, col.end, re.sub(r"(\w)- (\w)", r"\1\2", text)))
    return out


def _assign(values: list[Cell], columns: list[Cell]) -> list[str]:
    """Each value's column label: by order when the row fills the rightmost columns, else by position."""
    if not columns:
        return [""] * len(values)
    if len(values) <= len(columns) and len(values) >= len(columns) - 1:
        return [c.text for c in columns[len(columns) - len(values) :]]
    labels = []
    for v in values:
        centre = (v.start + v.end) / 2
        labels.append(min(columns, key=lambda c: abs((c.start + c.end) / 2 - centre)).text)
    return labels


def find_tables(text: str, require_caption: bool = False) -> list[Table]:
    """The tables of a laid-out page (pypdf layout mode), a Markdown table or TSV text.

    `require_caption` keeps only tables with a "Table N" caption near them: on a PDF page, a plot's
    axis labels are laid out in columns too."""
    raw = text.splitlines()
    lines = [cells_of(line) if line.strip() else [] for line in raw]
    separated = {k for k, line in enumerate(raw) if "|" in line or "\t" in line}

    def is_data(k: int) -> bool:
        """Two figures, or in a `|`/tab-separated table one figure beside a label."""
        cells = lines[k]
        return _is_data(cells) or (k in separated and len(cells) >= 2 and any(c.value for c in cells[1:]))

    tables: list[Table] = []
    i = 0
    while i < len(lines):
        if not is_data(i):
            i += 1
            continue
        # The block: data rows, with group-label lines ("Llama3-8B") and single blank lines between them.
        j, last_data = i, i
        while j + 1 < len(lines):
            nxt = lines[j + 1]
            if is_data(j + 1):
                last_data = j + 1
            elif (not nxt and j + 2 < len(lines) and is_data(j + 2)) or (
                len(nxt) == 1 and not _is_prose(nxt) and not _CAPTION.match(raw[j + 1])
            ):
                pass
            else:
                break
            j += 1
        block = list(range(i, last_data + 1))
        data = [k for k in block if is_data(k)]
        if len(data) < 2:
            i = last_data + 1
            continue
        first_value = min(c.start for k in data for c in lines[k] if c.value)
        header: list[list[Cell]] = []
        group_above = ""
        k = i - 1
        while k >= 0 and len(header) < 3:
            if not lines[k]:
                if header:
                    break
                k -= 1
                continue
            if set(raw[k].strip()) <= set("-|: "):  # a Markdown rule under the header
                k -= 1
                continue
            if is_data(k) or _is_prose(lines[k]) or _CAPTION.match(raw[k]):
                break
            if not header and len(lines[k]) == 1 and lines[k][0].end <= first_value:
                group_above = lines[k][0].text  # "Llama3-8B" over the first rows: a group label, not a header
                k -= 1
                continue
            header.insert(0, lines[k])
            k -= 1
        columns = _columns(header, first_value)
        table = Table(caption=_caption(raw, k, last_data), columns=[c.text for c in columns])
        if require_caption and not table.caption:
            i = last_data + 1
            continue
        group = group_above
        for row in block:
            cells = lines[row]
            if not cells:
                continue
            if not is_data(row):
                group = cells[0].text
                continue
            values = [c for c in cells if c.value]
            first = values[0].start
            label = " ".join(c.text for c in cells if c.end <= first and not c.value)
            row_label = " ".join(p for p in (group, label) if p)
            table.rows.append((row_label, list(zip(_assign(values, columns), [v.text for v in values], strict=True))))
        tables.append(table)
        i = last_data + 1
    return tables


def _caption(raw: list[str], above: int, below: int) -> str:
    """The "Table N: ..." line nearest the table (above its header or below its last row), with the line after."""
    candidates = [n for n in range(max(0, above - 8), min(len(raw), below + 5)) if _CAPTION.match(raw[n])]
    if not candidates:
        return ""
    n = min(candidates, key=lambda m: min(abs(m - above), abs(m - below)))
    first = " ".join(raw[n].split())
    more = n + 1 < len(raw) and raw[n + 1].strip() and not first.endswith(".") and len(raw[n + 1].split()) > 3
    text = first + (" " + " ".join(raw[n + 1].split()) if more else "")
    words = text.split()
    return " ".join(words[:CAPTION_WORDS]) + (" …" if len(words) > CAPTION_WORDS else "")


def table_chunks(doc_id: str, page: int, tables: list[Table], first_ordinal: int, chunk_words: int) -> list[Chunk]:
    """Searchable chunks of a page's tables: the caption, then the cell sentences, cut at `chunk_words`.

    A table chunk has no character span in the page's plain text (the cells were read from the
    laid-out text); its offsets cover the whole page and its section is "table"."""
    import hashlib

    out: list[Chunk] = []
    for table in tables:
        sentences = table.sentences()
        # "Cells:" starts a new sentence even when the first row label is lower case ("code-davinci-002 …").
        head = ((table.caption.rstrip(".") + ".") if table.caption else "Table.") + CELLS_MARKER
        batch: list[str] = []
        for s in [*sentences, None]:
            if s is not None and (not batch or len(" ".join([head, *batch, s]).split()) <= chunk_words):
                batch.append(s)
                continue
            if batch:
                text = " ".join([head, *batch])
                ordinal = first_ordinal + len(out)
                digest = hashlib.sha1(text.encode()).hexdigest()[:8]
                out.append(Chunk(chunk_id=f"{doc_id}:t{ordinal:04d}:{digest}", doc_id=doc_id, ordinal=ordinal,
                                 text=text, page_start=page, page_end=page, char_start=0, char_end=0,
                                 section="table", heading=table.caption[:80]))  # fmt: skip
            batch = [s] if s is not None else []
    return out


def page_tables(doc_id: str, parsed: ParsedDocument, first_ordinal: int, chunk_words: int) -> list[Chunk]:
    """Table chunks of a document: from the laid-out pages of a PDF (captioned tables only), or from
    `|`/tab-separated tables in the text of other formats."""
    out: list[Chunk] = []
    if parsed.layouts:
        sources = [(page, text, True) for page, text in sorted(parsed.layouts.items())]
    else:
        sources = [(p.number, p.text, False) for p in parsed.pages if "|" in p.text or "\t" in p.text]
    for page, text, pdf in sources:
        out += table_chunks(doc_id, page, find_tables(text, require_caption=pdf), first_ordinal + len(out), chunk_words)
    return out
