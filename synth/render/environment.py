"""The one place a jinja2 environment for the templates in `synth/templates/` is built; every renderer asks here.

Three kinds, each with StrictUndefined (a missing value is an error, not an empty cell) and the template's
trailing newline kept:

- `markdown` (report.md, the audit, the digest): a jinja2 `finalize` (`synth.core.escape.finalize_markdown`)
  Markdown-escapes every `{{ … }}` value unless a filter built it as `TrustedMarkdown`, so a template cannot forget
  to; filters `md` / `cell` / `one_line` (one line, for table cells), `code` (code span), `url` (autolink) and
  `link` (relative or http(s) link).
- `html` (report.html): jinja2's HTML autoescape.
- `text` (report.txt): no escaping; `synth.render.txt` neutralises the text line by line.

The templates are package data, loaded through importlib (`PackageLoader("synth", "templates")`), so a wheel or
any non-editable install renders as a checkout does; `templates` names another folder (tests). A renderer adds
its own filters (`synth.render.view.template_env`, `synth.render.html`, `synth.render.digest`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from jinja2 import Environment

Kind = Literal["markdown", "html", "text"]


def template_environment(kind: Kind, templates: Path | str | None = None, *, trim_blocks: bool = True) -> Environment:
    """A fresh environment of `kind` (a renderer may add filters to it). `trim_blocks`: jinja2's `trim_blocks` and
    `lstrip_blocks`, which the report templates are written for; the audit and digest templates are written for
    jinja2's defaults (`False`)."""
    from jinja2 import BaseLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

    from synth.core.escape import autolink, code_span, finalize_markdown, md_link, one_line

    loader: BaseLoader = PackageLoader("synth", "templates") if templates is None else FileSystemLoader(str(templates))
    env = Environment(
        loader=loader, undefined=StrictUndefined, keep_trailing_newline=True, autoescape=kind == "html",
        trim_blocks=trim_blocks, lstrip_blocks=trim_blocks, finalize=finalize_markdown if kind == "markdown" else None,
    )  # fmt: skip
    if kind == "markdown":
        env.filters.update(md=one_line, cell=one_line, one_line=one_line, code=code_span, url=autolink, link=md_link)
    return env
