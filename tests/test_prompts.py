from __future__ import annotations

from pathlib import Path

import pytest

from synth.prompts import PROMPTS_DIR, PromptError, load_prompt

pytestmark = pytest.mark.unit  # no ../shared, no models, no network: `pytest -m unit`


def test_every_prompt_file_is_versioned_and_renders() -> None:
    files = sorted(PROMPTS_DIR.glob("*.j2"))
    assert files
    for path in files:
        prompt = load_prompt(path.stem)
        assert prompt.version >= 1 and len(prompt.sha) == 12
        text = prompt.render(**{name: f"<{name}>" for name in prompt.variables})
        assert all(f"<{name}>" in text for name in prompt.variables)
        assert "{#" not in text  # the header comment is not sent to the model


def test_wrong_variables_and_missing_header(tmp_path: Path) -> None:
    prompt = load_prompt("judge_support")
    assert prompt.variables == {"document", "claim"}
    with pytest.raises(PromptError, match="takes"):
        prompt.render(document="d")
    (tmp_path / "bare.j2").write_text("Hello {{ name }}\n")
    with pytest.raises(PromptError, match="version"):
        load_prompt("bare", tmp_path)
    with pytest.raises(PromptError, match="not found"):
        load_prompt("nope", tmp_path)
