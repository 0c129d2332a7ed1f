"""The LM judge on real claim/evidence pairs with the default 1.5B model (slow; needs the `llama` extra)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

LLAMA_HINT = "install the llama extra: CMAKE_ARGS=\"$(synth models llama-cmake-args)\" pip install -e '.[llama]'"
pytest.importorskip("llama_cpp", reason=LLAMA_HINT)

from synth.verify.lm_judge import LMJudge  # noqa: E402

pytestmark = pytest.mark.slow

EVIDENCE = (
    "Our evaluations show that vLLM improves the throughput of popular LLMs by 2-4x with the same level of "
    "latency compared to the state-of-the-art systems, such as FasterTransformer and Orca."
)


@pytest.fixture(scope="module")
def judge(tmp_path_factory: pytest.TempPathFactory) -> LMJudge:
    home = Path(os.environ.get("SYNTH_JUDGE_HOME") or tmp_path_factory.mktemp("judge-home"))
    env = {**os.environ, "SYNTH_HOME": str(home)}
    fetch = [sys.executable, "-m", "synth", "models", "fetch", "qwen2.5-coder-1.5b-instruct"]
    subprocess.run(fetch, env=env, check=True, capture_output=True)
    path = subprocess.run(
        [sys.executable, "-m", "synth", "models", "path", "qwen2.5-coder-1.5b-instruct"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    return LMJudge(Path(path))


def test_judge_separates_supported_from_unsupported(judge: LMJudge) -> None:
    supported = judge.score("vLLM improves throughput by 2-4x over FasterTransformer and Orca.", EVIDENCE)
    refuted = judge.score("vLLM reduces throughput compared to Orca.", EVIDENCE)
    unrelated = judge.score("vLLM was trained on 2 trillion tokens of code.", EVIDENCE)
    assert supported.support > 0.7
    assert refuted.support < 0.3 and unrelated.support < 0.3
    assert supported.prompt_versions[0] == "judge_support@1"


def test_judge_reuses_the_shared_document_prefix(judge: LMJudge) -> None:
    before = judge.reused_tokens
    judge.score("vLLM keeps the same latency as Orca.", EVIDENCE)
    judge.score("vLLM is compared with FasterTransformer.", EVIDENCE)
    assert judge.reused_tokens - before > 100  # the document's tokens were not evaluated again


def test_hidden_state_capture_leaves_the_answer_unchanged(judge: LMJudge) -> None:
    claim = "vLLM improves throughput by 2-4x over FasterTransformer and Orca."
    judge.capture_hidden = False
    plain = judge.score(claim, "Unrelated warm-up text. " + EVIDENCE)
    judge.capture_hidden = True
    try:
        probed = judge.score(claim, "Unrelated warm-up text. " + EVIDENCE)
        cold = judge.score(claim + " ", EVIDENCE)  # no shared prefix: the prompt is split before its last token
    finally:
        judge.capture_hidden = False
    # Reading the hidden state evaluates the last token apart; with llama-cpp-python 0.3.36 (AVX-512 build)
    # P(Yes) moved by 0.027 here: immaterial next to the label model's scale, but not bit-identical.
    assert abs(plain.support - probed.support) < 0.04 and abs(plain.contradict - probed.contradict) < 0.04
    assert plain.hidden == {}
    for score in (probed, cold):
        assert set(score.hidden) == {"judge_support@1"}
        vec = score.hidden["judge_support@1"]
        assert vec.shape == (judge.llm.n_embd(),) and np.isfinite(vec).all() and np.abs(vec).max() > 0
