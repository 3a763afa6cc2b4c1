"""`runlocal data add-model hf:ORG/REPO` offline against a fake local Hugging Face cache: the drafted file passes
`data check` and the new model is answered like any other."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from formats_builders import hf_llama, llama_config, write_folder, write_llama_gguf
from test_hf_cache import _cache_repo

from runlocal.catalog.check import check
from runlocal.catalog.load import load
from runlocal.cli.main import main
from runlocal.errors import InvalidField
from runlocal.service import set_catalog
from runlocal.service.addmodel import _family, _slug, draft, to_toml, write

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "catalog"


@pytest.fixture()
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "hub"
    cache.mkdir()
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return cache


@pytest.fixture()
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "data"
    shutil.copytree(FIXTURE, root)
    monkeypatch.setenv("RUNLOCAL_DATA", str(root))
    set_catalog(load(root, use_cache=False))
    yield root
    set_catalog(None)


def test_names() -> None:
    assert _slug("Qwen/Qwen3-8B") == "qwen3-8b" and _family("Qwen/Qwen3-8B") == "qwen3"
    assert _slug("meta-llama/Llama-3.1-8B-Instruct") == "llama-3.1-8b"
    assert _family("meta-llama/Meta-Llama-3.1-8B-Instruct") == "llama-3.1"
    assert _slug("unsloth/Qwen3-30B-A3B-GGUF") == "qwen3-30b-a3b"


def test_safetensors_repo_from_config_json(hf_cache: Path, data: Path) -> None:
    def build(d: Path) -> None:
        write_folder(d, llama_config(2), hf_llama(2))
        (d / "README.md").write_text("---\nlicense: apache-2.0\n---\n# tiny\n")

    _cache_repo(hf_cache, "org/Tiny-Llama-2L", build)
    r = draft("hf:org/Tiny-Llama-2L")
    assert r["id"] == "tiny-llama-2l" and r["path"] == "models/org/tiny-llama-2l.toml"
    d = tomllib.loads(r["toml"])
    assert d["license"] == "apache-2.0" and d["arch"]["n_layers"] == 2 and d["sources"][0]["id"] == "hf-config"
    path = write(r, root=data)
    cat = load(data, use_cache=False)
    problems, _ = check(cat)
    assert not problems, problems
    set_catalog(cat)
    from runlocal.service import answer

    a = answer({"model": "tiny-llama-2l", "hardware": "rtx-4090"})
    assert a["ok"] and a["model_id"] == "tiny-llama-2l"
    with pytest.raises(InvalidField, match="already has|exists"):
        write(draft("hf:org/Tiny-Llama-2L"), root=data)
    assert path.is_file()


def test_gguf_repo_lists_each_quant_with_its_size(hf_cache: Path, data: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    def build(d: Path) -> None:
        d.mkdir(parents=True)
        write_llama_gguf(d / "tiny-Q4_K_M.gguf", n_layers=2)
        write_llama_gguf(d / "tiny-Q8_0.gguf", n_layers=2, file_type=7)

    snap = _cache_repo(hf_cache, "org/Tiny-GGUF", build)
    r = draft("hf:org/Tiny-GGUF")
    arts = {a["quant"]: a for a in r["data"]["artifacts"]}
    assert set(arts) == {"Q4_K_M", "Q8_0"}
    assert arts["Q8_0"]["file_bytes"] == (snap / "tiny-Q8_0.gguf").stat().st_size
    assert r["data"]["default_quant"] == "Q4_K_M" and r["data"]["sources"][1]["id"] == "hf-files"
    assert main(["data", "add-model", "hf:org/Tiny-GGUF", "--id", "tiny-gguf-test"]) == 0
    assert "wrote" in capsys.readouterr().out
    problems, _ = check(load(data, use_cache=False))
    assert not problems, problems


def test_offline_and_not_cached_is_a_clear_error(hf_cache: Path, data: Path) -> None:
    assert main(["data", "add-model", "hf:org/not-cached"]) == 2
    assert main(["data", "add-model", "not-a-ref"]) == 2


def test_toml_round_trips() -> None:
    import datetime as dt

    data = {"name": 'a "quoted" name', "n": 3, "ok": True, "when": dt.date(2026, 1, 2), "xs": ["a", "b"],
            "arch": {"n_layers": 2}, "sources": [{"id": "s", "url": "https://x"}]}
    assert tomllib.loads(to_toml(data)) == data


def test_a_config_json_file_with_its_repo(tmp_path: Path, data: Path) -> None:
    import json

    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps(llama_config(2)))
    r = draft(str(cfg), repo_name="org/Cfg-Only-2L")
    assert r["id"] == "cfg-only-2l" and tomllib.loads(r["toml"])["arch"]["n_layers"] == 2
    with pytest.raises(InvalidField, match="--repo"):
        draft(str(cfg))


def test_an_unknown_architecture_is_refused_not_drafted_as_llama(tmp_path: Path, data: Path) -> None:
    import json

    from runlocal.errors import FileFormatError

    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps({**llama_config(2), "architectures": ["Rwkv7ForCausalLM"], "model_type": "rwkv7"}))
    with pytest.raises(FileFormatError, match="not one the engine reads"):
        draft(str(cfg), repo_name="org/Rwkv7-Test")
