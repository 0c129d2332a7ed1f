"""Write a run's reports: Markdown, self-contained HTML, JSON (the whole run) and the seed-compatible text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from synth.core.run import FORMATS, ReportRun
from synth.errors import UserError
from synth.io import atomic_write_text
from synth.synthesize.answer import answer_bullets


def _html(run: ReportRun) -> str:
    from synth.render.html import render_html

    return render_html(run)


def _md(run: ReportRun) -> str:
    from synth.render.markdown import render_markdown

    return render_markdown(run)


def _txt(run: ReportRun) -> str:
    from synth.render.txt import render_txt

    return render_txt(run)


def _json(run: ReportRun) -> str:
    """The whole run, with the answer (Markdown) and the figures table at the top level for other tools."""
    import json

    s = run.synthesis
    top = {
        "answer": answer_bullets(s.answer) if s is not None else "",
        "figures": [f.model_dump(mode="json") for f in s.figures] if s is not None else [],
    }
    return json.dumps({**run.model_dump(mode="json"), **top}, indent=1, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Callable[[ReportRun], str]] = {"md": _md, "html": _html, "json": _json, "txt": _txt}
EXTENSIONS = {"md": "md", "html": "html", "json": "json", "txt": "txt"}


def parse_formats(value: str | list[str]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value)
    formats = [f.strip().lower() for f in items if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UserError(f"unknown --format {','.join(unknown) or value!r}: use a comma list of {','.join(FORMATS)}")
    return list(dict.fromkeys(formats))


def write_reports(run: ReportRun, out_dir: Path, formats: list[str]) -> list[Path]:
    """Each format rendered in full before its file is replaced (a reader never sees half a report)."""
    from synth.render.plots import svg_cache

    written = []
    with svg_cache(Path(out_dir) / "plots"):  # drawn once per run; `synth render` reuses them
        for fmt in parse_formats(formats):
            text = RENDERERS[fmt](run)
            written.append(atomic_write_text(Path(out_dir) / f"report.{EXTENSIONS[fmt]}", text))
    return written
