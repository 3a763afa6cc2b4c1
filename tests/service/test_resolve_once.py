"""One question is resolved once; `fit` resolves the machine once per ranking; JSON is built in one place.

These run against the small fixture catalog (tests/fixtures/catalog), so edits to data/ do not move them."""

from __future__ import annotations

import pytest

import runlocal.catalog.resolve as catalog_resolve
import runlocal.service.resolve as service_resolve
from runlocal.service import TextAnswer, answer, ask, to_contract
from runlocal.service.fit import rank


def _count(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    calls = [0]
    real = getattr(module, name)

    def counting(*a: object, **k: object) -> object:
        calls[0] += 1
        return real(*a, **k)

    monkeypatch.setattr(module, name, counting)
    return calls


@pytest.mark.usefixtures("fixture_catalog")
def test_a_check_resolves_the_model_and_hardware_once(monkeypatch: pytest.MonkeyPatch) -> None:
    models = _count(monkeypatch, service_resolve, "resolve_model")
    hardware = _count(monkeypatch, service_resolve, "resolve_hardware")
    a = ask({"model": "llama-3.1-8b", "hardware": "rtx-4090"})
    assert isinstance(a, TextAnswer) and a.fits == "gpu"
    assert models[0] == 1 and hardware[0] == 1


@pytest.mark.usefixtures("fixture_catalog")
def test_fit_resolves_the_machine_once(monkeypatch: pytest.MonkeyPatch) -> None:
    hardware = _count(monkeypatch, service_resolve, "resolve_hardware")
    res = rank("rtx-4090", only=["llama-3.1-8b", "qwen3-30b-a3b", "gpt-oss-20b"])
    assert len(res.runs) + len(res.does_not_run) == 3
    assert hardware[0] == 1


@pytest.mark.usefixtures("fixture_catalog")
def test_typed_answer_and_contract_agree() -> None:
    a = ask({"model": "qwen3-30b-a3b", "hardware": "rtx-3060-12gb", "context_tokens": 16384})
    assert isinstance(a, TextAnswer)
    d = to_contract(a)
    assert d["fits"] == a.fits and d["memory"]["total_bytes"] == a.estimate.memory.total_bytes
    assert d["speed"]["decode_tokens_per_s"] == round(a.decode_tokens_per_s or 0, 2)
    assert answer({"model": "qwen3-30b-a3b", "hardware": "rtx-3060-12gb", "context_tokens": 16384}) == d


@pytest.mark.usefixtures("fixture_catalog")
def test_runtime_names_and_aliases_come_from_the_data_files() -> None:
    cat = service_resolve.catalog()
    for name, key in (("llama_cpp", "llama.cpp"), ("llama-server", "llama.cpp"), ("LM Studio", "lmstudio"),
                      ("mlx-lm", "mlx"), ("hf", "transformers"), ("vLLM", "vllm")):
        assert catalog_resolve.runtime_key(catalog_resolve.resolve_runtime(cat, name)) == key
    r = answer({"model": "llama-3.1-8b", "hardware": "rtx-4090", "runtime": "sglang"})
    assert not r["ok"] and r["error"]["code"] == "invalid_field" and "vllm" in r["error"]["suggestions"]
    r = answer({"model": "llama-3.1-8b", "hardware": "rtx-4090", "quant": "FP8"})
    assert r["ok"] and r["runtime"] == "vllm"  # the quant's data file names the runtime that reads it


def test_a_catalog_runtime_the_engine_does_not_model_is_named_as_such() -> None:
    r = answer({"model": "qwen3-8b", "hardware": "rtx-4090", "runtime": "openvino-genai"})  # listed, not modelled
    assert not r["ok"] and "does not estimate" in r["error"]["message"] and "vllm" in r["error"]["suggestions"]
