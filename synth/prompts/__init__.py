"""Versioned prompt files (`synth/prompts/*.j2`, package data): loaded, checked and rendered in one place.

Each file starts with `{# version: N #}`; outputs record the prompt's name,
version and content hash so a changed prompt is never mistaken for the old one.
Rendering goes through langchain's jinja2 PromptTemplate; undeclared or missing
variables are errors, not empty strings.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from synth.errors import UserError

PROMPTS_DIR = Path(__file__).resolve().parent  # the .j2 files ship inside the package (wheel included)
_VERSION = re.compile(r"^\{#\s*version:\s*(\d+)\s*#\}")


class PromptError(UserError):
    """A prompt file is missing, unversioned or rendered with the wrong variables."""


@dataclass(frozen=True)
class Prompt:
    name: str
    version: int
    text: str
    variables: frozenset[str]

    @property
    def sha(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:12]

    def render(self, **values: str) -> str:
        from langchain_core.prompts import PromptTemplate

        given = set(values)
        if given != self.variables:
            raise PromptError(
                f"prompt {self.name} takes {sorted(self.variables)}, got {sorted(given)}: fix the caller or the file"
            )
        template = PromptTemplate.from_template(self.text, template_format="jinja2")
        return template.format(**values).strip()


@lru_cache(maxsize=64)
def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> Prompt:
    from jinja2 import Environment, meta

    path = directory / f"{name}.j2"
    if not path.is_file():
        raise PromptError(f"prompt file {path} not found: reinstall synth or restore synth/prompts/{name}.j2")
    text = path.read_text()
    version = _VERSION.match(text)
    if version is None:
        raise PromptError(f"{path} has no '{{# version: N #}}' header on its first line; add one")
    variables = frozenset(meta.find_undeclared_variables(Environment().parse(text)))
    return Prompt(name=name, version=int(version.group(1)), text=text, variables=variables)
