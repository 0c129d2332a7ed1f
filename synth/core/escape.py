"""Text from papers and input reports, made safe for the Markdown and plain-text outputs.

Markdown (`report.md`, the audit and the digest): escaping is the default. The
Markdown template environment (`synth.render.environment`) has `finalize_markdown`
as its jinja2 `finalize`: it backslash-escapes every `{{ … }}` value unless it is
`TrustedMarkdown`, so a template cannot forget a filter. `escape_markdown` is the
one escaping function; filters that build intended Markdown (`code_span`,
`autolink`, `md_link`, and `synth.render.view.cite`) escape their data parts with
it and return `TrustedMarkdown`. Any further filter turns a trusted value back
into a plain `str`, which is then escaped again: safe, if ugly.

Escaped, so that data can open no CommonMark construct that makes HTML or a link:
`\\` (else data could cancel our escapes), `<` `>` (raw HTML, autolinks such as
`<javascript:…>`), `[` `]` (inline, reference and image links, link reference
definitions), `&` (entity references such as `&#x3C;`), the backtick (code spans),
`|` (table cells), `*` and `~` (emphasis, GFM strikethrough: "~2x" is common in
papers), `_` unless between two letters or digits (intraword `_` never emphasises:
`x86_64` stays as written), a `!` that ends the value (it would make an image of a
link the template puts right after it), and block markers at the start of a line
(`#`, `-`/`+` list bullets, `1.` ordered bullets, `===`/`---` underlines). Not
escaped, because nothing dangerous can follow them once `[`, `<` and `&` are:
`(` `)`, a `!` inside the text, `.` in figures like "2.4x". `javascript:` needs no
special case: with `[`, `<` and `&` escaped, data can form no link destination.

Plain text (`report.txt`) is not Markdown and is parsed back by
`synth.claims.seed_report`, so it is not backslash-escaped; `neutralise_text`
changes only the few sequences that would be live if the file were rendered as
Markdown, visibly: a tag-like `<b …>` becomes `‹b …›`, a link `[x](y)` becomes
`[x] (y)` and a definition `[x]: y` becomes `[x] : y`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote


class TrustedMarkdown(str):
    """Markdown that synth composed and whose data parts are already escaped: the finalize hook passes it as is.

    Not `markupsafe.Markup`: that marks HTML as safe, which says nothing about Markdown (a `Markup` string may hold
    `[x](javascript:…)`), and HTML is exactly what these outputs must not carry from data."""


_INLINE = re.compile(
    r"[\\`*\[\]<>&|~]"  # always
    r"|(?<![^\W_])_|_(?![^\W_])"  # `_` unless between two letters/digits
    r"|!\Z"  # a final `!` (would make `![…](…)` of a link that follows)
)
_BLOCK = re.compile(
    r"^([ \t]*)(?:"
    r"(#)(?=#{0,5}(?:[ \t]|$))"  # ATX heading
    r"|([-+])(?=[ \t]|$)"  # bullet list item
    r"|([=-])(?=[=-]*[ \t]*$)"  # setext underline or thematic break
    r")",
    re.MULTILINE,
)
_LINE_BREAK = re.compile(r"\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_ORDERED = re.compile(r"^([ \t]*\d{1,9})([.)])(?=[ \t]|$)", re.MULTILINE)  # ordered list item: `1\. `


def escape_markdown(text: object) -> str:
    """`text` as CommonMark that renders to exactly that text: no HTML, no links, no emphasis, no new blocks."""
    s = _LINE_BREAK.sub("\n", str(text))  # every break str.splitlines() splits at, so a renderer sees the same lines
    s = _INLINE.sub(lambda m: "\\" + m.group(0), s)
    s = _ORDERED.sub(r"\1\\\2", s)
    return _BLOCK.sub(lambda m: m.group(1) + "\\" + next(g for g in m.groups()[1:] if g), s)


def finalize_markdown(value: Any) -> str:
    """jinja2 `finalize` of the Markdown environment: every `{{ … }}` value escaped unless trusted."""
    if isinstance(value, TrustedMarkdown):
        return value
    return escape_markdown(value)


def one_line(text: object) -> str:
    """The text on one line (tabs and newlines folded to single spaces): for table cells, headings, list items."""
    return " ".join(str(text).split())


def code_span(text: object, cell: bool = False) -> TrustedMarkdown:
    """`text` as a code span, shown verbatim (no backslashes added): delimited by one backtick more than the
    longest run inside. In a table cell (`cell=True`) `|` is written `\\|`, which GFM tables read as `|`."""
    s = one_line(text)
    if not s:
        return TrustedMarkdown("")
    if cell:
        s = s.replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", s)), default=0) + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return TrustedMarkdown(f"{fence}{pad}{s}{pad}{fence}")


_SAFE_SCHEMES = ("http", "https")
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*):")
_AUTOLINK_URL = re.compile(r"^https?://[^\s<>\x00-\x1f\x7f]+$", re.IGNORECASE)


def autolink(url: object) -> TrustedMarkdown:
    """`<https://…>`: an autolink for an http(s) URL with nothing that could end it; anything else (another
    scheme such as `javascript:`, spaces, angle brackets) is shown as escaped text, not linked."""
    s = str(url).strip()
    if _AUTOLINK_URL.match(s):
        return TrustedMarkdown(f"<{s}>")
    return TrustedMarkdown(escape_markdown(s))


def md_link(label: object, dest: object | None = None) -> TrustedMarkdown:
    """`[label](dest)` with the label escaped and the destination percent-encoded (no space, bracket, `&` or
    backslash left to end it or be decoded); a destination with a scheme other than http(s) (`javascript:`,
    `data:`) gives the escaped label alone, and a relative one has its `:` encoded too, so it cannot turn into a
    scheme. `dest` defaults to the label (a relative file name such as `report.md`)."""
    text = escape_markdown(label)
    target = str(label if dest is None else dest).strip()
    scheme = _SCHEME.match(target)
    if not target or (scheme and scheme.group(1).lower() not in _SAFE_SCHEMES):
        return TrustedMarkdown(text)
    return TrustedMarkdown(f"[{text}]({quote(target, safe='/:#?=%+,@;~' if scheme else '/#?=%+,@;~')})")


# ---------------------------------------------------------------- plain text

_TAG = re.compile(r"<(?!(?:https?|file)://)([A-Za-z/!?][^<>\n]*)>")
_TAG_START = re.compile(r"<(?!(?:https?|file)://)(?=[A-Za-z/!?])")
_LINK_TAIL = re.compile(r"\](?=[(:])")


def neutralise_text(text: str) -> str:
    """Plain text that stays inert if a Markdown viewer renders it, changed visibly and only where needed.

    A `<` that would open an HTML tag, comment or declaration becomes `‹` (and the tag's `>` `›`): '<script>'
    reads '‹script›'. `](` and `]:` get a space ('[x] (javascript:…)', '[x] : y'), so no inline link, image or
    link reference definition forms; without links a `javascript:` (however encoded: `&#106;avascript:`,
    `java&#9;script:`) is only text, so it is left as written. Autolinks to http(s) and file URLs
    (`<https://arxiv.org/abs/…>`, the References lines `parse_seed_report` reads) stay. Not backslash
    escaping: the file is read as plain text and parsed back, where backslashes would be noise."""
    text = _TAG.sub(lambda m: f"‹{m.group(1)}›", text)
    text = _TAG_START.sub("‹", text)
    return _LINK_TAIL.sub("] ", text)
