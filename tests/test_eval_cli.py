"""`synth eval verify` and `synth calibrate` as a user runs them (real subprocesses, real data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SHARED, run_cli

SCIFACT_DEV = SHARED / "claims" / "scifact-rte" / "dev.tsv"


def test_eval_verify_prints_the_figures_and_ends_with_one_json_line() -> None:
    proc = run_cli("eval", "verify", "--data", str(SCIFACT_DEV), "--limit", "30", "--no-judge")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    assert figures["n"] == 30 and figures["model"] == "2way:no-judge"
    for key in ("balanced_accuracy", "macro_f1", "ece", "pairs_per_s"):
        assert figures[key] >= 0 and (key == "pairs_per_s" or figures[key] <= 1)
    assert set(figures["per_class"]) == {"SUPPORTED", "NOT_SUPPORTED"}
    assert "balanced accuracy" in proc.stdout and "precision" in proc.stdout


def test_calibrate_writes_numbers_with_their_provenance(tmp_path: Path) -> None:
    out = tmp_path / "models.json"
    data = SHARED / "claims" / "check-covid" / "covidCheck_train_composed+extracted.jsonl"
    proc = run_cli("calibrate", "--data", str(data), "--limit", "60", "--add-nei", "20", "--no-judge", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    models = json.loads(out.read_text())["models"]
    model = models["3way:no-judge"]
    assert "check-covid" in model["fitted_on"] and "+20nei" in model["fitted_on"] and model["n"] == 80
    # 80 pairs: a logistic calibration curve; a step function would follow the sample
    assert (
        model["labels"] == ["SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"]
        and model["calibrator"]["method"] == "logit_platt"
    )
    text = out.read_text()
    assert "Bats" not in text and "SARS" not in text  # parameters only, never the data
    # The file is usable by the verifier.
    env = {"SYNTH_VERIFY__CALIBRATION": str(out)}
    dev = SHARED / "claims" / "check-covid" / "covidCheck_dev_composed+extracted.jsonl"
    proc = run_cli("eval", "verify", "--data", str(dev), "--limit", "20", "--no-judge", "-q", env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1])["model"] == "3way:no-judge"


def test_eval_verify_bad_data_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"claim": "x"}\n')
    proc = run_cli("eval", "verify", "--data", str(bad))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "bad.jsonl:1" in proc.stderr


@pytest.mark.slow
def test_eval_verify_retrieves_evidence_for_arxiv_ids(corpus_home: Path, tmp_path: Path) -> None:
    data = tmp_path / "claims.jsonl"
    rows = [
        {"claim": "vLLM improves the throughput of popular LLMs by 2-4x with the same level of latency.",
         "label": "SUPPORTED", "arxiv_id": "2309.06180"},
        {"claim": "EAGLE-2 is slower than vanilla autoregressive decoding.", "label": "REFUTED",
         "arxiv_id": "2406.16858"},
        {"claim": "A paper that is not in the corpus says so.", "label": "NOT_ENOUGH_INFO", "arxiv_id": "1111.11111"},
    ]  # fmt: skip
    data.write_text("\n".join(json.dumps(r) for r in rows))
    proc = run_cli("eval", "verify", "--data", str(data), "--no-judge", env={"SYNTH_HOME": str(corpus_home)})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1])["n"] == 3
    assert "1111.11111 is not in the corpus" in proc.stderr


def test_calibrate_refuses_an_unknown_probe_task(tmp_path: Path) -> None:
    out = tmp_path / "params.json"
    data = str(SHARED / "claims/scifact-rte/train.tsv")
    result = run_cli("calibrate", "--data", data, "--probe-task", "3-way", "-o", str(out))
    assert result.returncode == 2 and "use 2way or 3way" in result.stderr and not out.exists()
