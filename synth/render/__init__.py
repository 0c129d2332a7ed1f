"""Renderers of a `synth report` run: Markdown, HTML (with inline SVG plots) and plain text.

`TEMPLATES_DIR` is the one place every renderer (report, audit, digest) finds its jinja2 templates: package
data inside `synth/`, so a wheel or a non-editable install renders as a checkout does.
"""

from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
