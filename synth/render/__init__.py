"""Every renderer: a `synth report` run as Markdown, HTML (with inline SVG plots) and plain text (`markdown`, `html`,
`txt`, written together by `reports`), the audit (`audit`), the digest (`digest`), empirical checks (`empirical`)
and tables of bench results (`bench`).

`environment.template_environment` is the one place a jinja2 environment for the templates in `synth/templates/`
(package data) is built.
"""
