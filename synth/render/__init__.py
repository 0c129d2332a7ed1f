"""Renderers of a `synth report` run: Markdown, HTML (with inline SVG plots) and plain text."""
