"""Scanning the model stores (detect.installed): names, paths and sizes only, no catalog."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from runlocal.detect import installed
from runlocal.detect.installed import FoundModel, found_models, scan_gguf_folder, scan_hf_cache, scan_ollama

DETECT = Path(installed.__file__).parent


def _ollama(root: Path) -> None:
    man = root / "manifests" / "registry.ollama.ai" / "library" / "llama3.1"
    man.mkdir(parents=True)
    (root / "blobs").mkdir()
    (root / "blobs" / "sha256-abc").write_bytes(b"GGUF")
    (man / "8b").write_text(json.dumps({"layers": [
        {"mediaType": "application/vnd.ollama.image.model", "digest": "sha256:abc", "size": 4920734016}]}))
    hub = root / "manifests" / "registry.ollama.ai" / "someone" / "tiny"
    hub.mkdir(parents=True)
    (hub / "q4").write_text(json.dumps({"layers": [
        {"mediaType": "application/vnd.ollama.image.model", "digest": "sha256:gone", "size": 7}]}))
    (root / "manifests" / "registry.ollama.ai" / "library" / "bad").mkdir()
    (root / "manifests" / "registry.ollama.ai" / "library" / "bad" / "latest").write_text("{not json")


def test_ollama_store(tmp_path: Path) -> None:
    _ollama(tmp_path)
    found = {m.name: m for m in scan_ollama(tmp_path)}
    assert set(found) == {"llama3.1:8b", "someone/tiny:q4"}
    m = found["llama3.1:8b"]
    assert m == FoundModel("ollama", "llama3.1:8b", str(tmp_path / "blobs" / "sha256-abc"), True, 4920734016,
                           ("llama3.1:8b",))
    assert not found["someone/tiny:q4"].exists  # manifest whose blob is missing


def test_gguf_folder(tmp_path: Path) -> None:
    repo = tmp_path / "bartowski" / "Qwen2.5-7B-Instruct-GGUF"
    repo.mkdir(parents=True)
    (repo / "Qwen2.5-7B-Instruct-Q4_K_M.gguf").write_bytes(b"GGUF" + b"\0" * 100)
    (repo / "mmproj-f16.gguf").write_bytes(b"GGUF")
    (repo / "big-00001-of-00002.gguf").write_bytes(b"GGUF")
    (repo / "big-00002-of-00002.gguf").write_bytes(b"GGUF")
    (tmp_path / "loose.gguf").write_bytes(b"GGUF")
    found = {m.name: m for m in scan_gguf_folder(tmp_path, "lmstudio")}
    rel = "bartowski/Qwen2.5-7B-Instruct-GGUF/Qwen2.5-7B-Instruct-Q4_K_M.gguf"
    assert set(found) == {rel, "bartowski/Qwen2.5-7B-Instruct-GGUF/big-00001-of-00002.gguf", "loose.gguf"}
    assert found[rel].size_bytes == 104 and found[rel].source == "lmstudio"
    # the file name first, then publisher/repo
    assert found[rel].lookup == ("Qwen2.5-7B-Instruct-Q4_K_M.gguf", "bartowski/Qwen2.5-7B-Instruct-GGUF")
    assert found["loose.gguf"].lookup == ("loose.gguf",)


def test_hf_cache(tmp_path: Path) -> None:
    snap = tmp_path / "models--Qwen--Qwen3-8B" / "snapshots" / "abc123"
    snap.mkdir(parents=True)
    (snap / "config.json").write_text("{}")
    (tmp_path / "models--org--no-snapshots").mkdir()
    (tmp_path / "datasets--x--y").mkdir()
    (m,) = scan_hf_cache(tmp_path)
    assert (m.source, m.name, m.lookup, m.files, m.size_bytes) == ("huggingface", "Qwen/Qwen3-8B", ("Qwen/Qwen3-8B",),
                                                                   ("config.json",), 2)


@pytest.mark.parametrize("var", ["HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"])
def test_found_models_uses_the_hub_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, var: str) -> None:
    """The one cache folder of formats.hfhub.cache_dir, whichever variable names it."""
    for v in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(v, raising=False)
    monkeypatch.setenv("OLLAMA_MODELS", str(tmp_path / "none"))
    monkeypatch.setenv("LMSTUDIO_MODELS", str(tmp_path / "none"))
    hub = {"HF_HUB_CACHE": tmp_path, "HUGGINGFACE_HUB_CACHE": tmp_path, "HF_HOME": tmp_path / "hub",
           "XDG_CACHE_HOME": tmp_path / "huggingface" / "hub"}[var]
    monkeypatch.setenv(var, str(tmp_path))
    (hub / "models--a--b" / "snapshots" / "r").mkdir(parents=True)
    assert [m.name for m in found_models()] == ["a/b"]


def test_detect_does_not_import_service_or_catalog() -> None:
    """detect/ sits below service/ (which resolves names against the catalog)."""
    for f in sorted(DETECT.glob("*.py")):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            mods: list[str] = []
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):  # `from .. import service` names the module in the alias
                base = node.module or ""
                mods = [("." * node.level) + ".".join(filter(None, (base, a.name))) for a in node.names]
            for mod in mods:
                bare = mod.lstrip(".").removeprefix("runlocal.")
                assert not bare.startswith(("service", "catalog", "cli")), f"{f.name} imports {mod}"


def test_found_names_resolve_in_the_service_layer() -> None:
    """service.installed: the first lookup name gives the id and quant, later ones only an id."""
    from runlocal.service.installed import resolve_found

    def found(*lookup: str) -> FoundModel:
        return FoundModel("lmstudio", "x", "x", True, 1, lookup)

    assert resolve_found(found("Qwen2.5-7B-Instruct-Q4_K_M.gguf", "nobody/nothing")) == ("qwen2.5-7b", "Q4_K_M")
    assert resolve_found(found("weights-Q4_K_M.gguf", "bartowski/Qwen2.5-7B-Instruct-GGUF")) == ("qwen2.5-7b", None)
    assert resolve_found(found("no-such-model", "nor/this")) == (None, None)
    assert resolve_found(found()) == (None, None)
