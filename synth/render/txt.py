"""The plain-text layout of the reports synth replaces (`../shared/seeds/00[0-3]_*.txt`), for side-by-side reading.

Written so that synth.claims.seed_report.parse_seed_report reads it back:
numbered section headings on their own line, a tab-separated claims table,
references as '- <url>' lines. No prose line may look like a heading ('12 Foo'),
so such lines get a leading word.

Paper text is copied as written except where it would be live if the file were
rendered as Markdown (it is plain text, but gets pasted into Markdown viewers):
`synth.core.escape.neutralise_text` turns a tag-like '<script>' into '‹script›'
and breaks link syntax ('[x](y)' → '[x] (y)'), visibly, without backslashes that
the seed parser would read back as part of a claim. A reference URL is written as
'<url>' only when it is http(s) or file; any other ('javascript:…') is neutralised
text, so the References line still parses (with no URL).
"""

from __future__ import annotations

import re

from synth.core.escape import neutralise_text
from synth.core.run import ReportRun
from synth.render.view import date_of, template_env

_LOOKS_LIKE_HEADING = re.compile(r"^(\d{1,2})\s+([A-Z])")


def render_txt(run: ReportRun) -> str:
    text = template_env().get_template("report.txt.j2").render(r=run, s=run.synthesis, date=date_of(run))
    out: list[str] = []
    in_body = False
    for line in text.splitlines():
        line = neutralise_text(line.rstrip())
        if line == "Abstract":
            in_body = True
        if in_body and "\t" not in line and _LOOKS_LIKE_HEADING.match(line) and not _is_heading(line):
            line = "— " + line
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n"


_HEADINGS = {"Introduction", "Methodology", "Results", "Limitations", "Extracted Claims", "Reviewer Panel"}


def _is_heading(line: str) -> bool:
    return line.split(" ", 1)[1] in _HEADINGS
