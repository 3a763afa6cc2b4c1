"""Installed-model discovery (Ollama store, LM Studio folder, HF cache) and `runlocal fit` ranking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runlocal.cli.main import main
from runlocal.service import catalog
from runlocal.service.fit import FitRow, MediaFitRow, quality_score, rank, uses_of
from runlocal.service.installed import installed_model_ids, installed_models


def _ollama_store(root: Path) -> None:
    man = root / "manifests" / "registry.ollama.ai" / "library" / "llama3.1"
    man.mkdir(parents=True)
    (root / "blobs").mkdir()
    (root / "blobs" / "sha256-abc").write_bytes(b"GGUF")
    (man / "8b").write_text(json.dumps({"schemaVersion": 2, "layers": [
        {"mediaType": "application/vnd.ollama.image.model", "digest": "sha256:abc", "size": 4920734016},
        {"mediaType": "application/vnd.ollama.image.template", "digest": "sha256:def", "size": 1481}]}))
    bad = root / "manifests" / "registry.ollama.ai" / "library" / "broken"
    bad.mkdir(parents=True)
    (bad / "latest").write_text("{not json")


@pytest.fixture()
def stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    _ollama_store(tmp_path / "ollama")
    lm = tmp_path / "lmstudio" / "bartowski" / "Qwen2.5-7B-Instruct-GGUF"
    lm.mkdir(parents=True)
    (lm / "Qwen2.5-7B-Instruct-Q4_K_M.gguf").write_bytes(b"GGUF" + b"\0" * 100)
    hf = tmp_path / "hf" / "models--Qwen--Qwen3-8B" / "snapshots" / "abc123"
    hf.mkdir(parents=True)
    (hf / "config.json").write_text("{}")
    monkeypatch.setenv("OLLAMA_MODELS", str(tmp_path / "ollama"))
    monkeypatch.setenv("LMSTUDIO_MODELS", str(tmp_path / "lmstudio"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    return tmp_path


def test_installed_models_found_and_resolved(stores: Path) -> None:
    found = {m["source"]: m for m in installed_models()}
    assert found["ollama"]["name"] == "llama3.1:8b" and found["ollama"]["model_id"] == "llama-3.1-8b"
    assert found["ollama"]["size_bytes"] == 4920734016 and found["ollama"]["exists"]
    assert found["lmstudio"]["model_id"] == "qwen2.5-7b" and found["lmstudio"]["quant"] == "Q4_K_M"
    assert found["huggingface"]["model_id"] == "qwen3-8b"
    assert installed_model_ids() == ["llama-3.1-8b", "qwen2.5-7b", "qwen3-8b"]


def test_missing_stores_are_fine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("OLLAMA_MODELS", "LMSTUDIO_MODELS", "HF_HUB_CACHE"):
        monkeypatch.setenv(var, str(tmp_path / "nothing"))
    assert installed_models() == []


def test_rank_on_a_12gb_card() -> None:
    res = rank("rtx-3060-12gb", context=8192, only=["llama-3.1-8b", "qwen3-8b", "llama-3.3-70b", "gpt-oss-20b"])
    ids = {r.id: r for r in res.runs}
    assert ids["llama-3.1-8b"].fits == "gpu" and ids["llama-3.1-8b"].quant == "Q8_0"
    assert "llama-3.3-70b" not in ids or ids["llama-3.3-70b"].fits != "gpu"
    assert all(r.why for r in res.runs + res.does_not_run)


def test_rank_min_speed_and_use_filters() -> None:
    res = rank("rtx-4090", min_speed=1000.0, only=["llama-3.1-8b"])
    assert res.runs == () and res.does_not_run[0].why.startswith("slower than")
    coding = rank("rtx-4090", use="coding", only=["qwen3-coder-30b-a3b", "llama-3.1-8b"])
    assert [r.id for r in coding.runs] == ["qwen3-coder-30b-a3b"]


def test_uses_and_quality_proxy() -> None:
    assert "coding" in uses_of(catalog().models["qwen3-coder-30b-a3b"])
    big = FitRow(id="a", name="a", params=70_000_000_000, fits="gpu", quant="Q4_K_M", context_tokens=8192, why="")
    small = FitRow(id="b", name="b", params=8_000_000_000, fits="gpu", quant="Q8_0", context_tokens=8192, why="")
    assert quality_score(big) > quality_score(small)


def test_fit_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fit", "--hardware", "apple-m2-max-38c", "--json", "--limit", "3", "--sort", "speed"]) == 0
    res = json.loads(capsys.readouterr().out)
    speeds = [r["decode_tokens_per_s"] for r in res["runs"]]
    assert speeds == sorted(speeds, reverse=True)


def test_fit_installed(stores: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fit", "--hardware", "rtx-4090", "--installed", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in res["runs"]} == {"llama-3.1-8b", "qwen2.5-7b", "qwen3-8b"}


def test_rank_image_and_video_models() -> None:
    img = rank("rtx-4090", kind="image")
    assert any(r.id == "stable-diffusion-v1-5" and r.fits == "gpu" for r in img.runs)
    assert all(isinstance(r, MediaFitRow) and r.seconds and r.seconds > 0 for r in img.runs)
    vid = rank("rtx-3060-12gb", kind="video", sort="speed")
    secs = [r.seconds for r in vid.runs if isinstance(r, MediaFitRow)]
    assert secs == sorted(secs)
