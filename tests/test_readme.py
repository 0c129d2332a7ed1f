"""The README's settings table and commands must match the code (settings sprawl becomes support load)."""

from __future__ import annotations

import re

from pydantic import BaseModel

from synth.settings import SynthSettings
from tests.conftest import ROOT


def _setting_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    paths = []
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            paths.extend(_setting_paths(ann, f"{prefix}{name}."))
        else:
            paths.append(prefix + name)
    return paths


def test_readme_settings_table_lists_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([a-z_.]+)` \|", readme, re.MULTILINE))
    assert set(_setting_paths(SynthSettings)) <= documented


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    test_cmd = re.search(r"\*\*Tests\*\*.*?```bash\n(.+?)\n```", readme, re.DOTALL).group(1).strip()
    assert test_cmd in ci
