"""Prompting kits: the cited template and sampling, and the settings files sized by the engine."""

from __future__ import annotations

import pytest

from runlocal.errors import NotFound
from runlocal.service import answer
from runlocal.service.kits import KIT_CONTEXT_CAP, find_kit, kit, kits_index


def test_every_kit_has_a_template_and_sources() -> None:
    kits = kits_index()
    assert len(kits) >= 10
    for k in kits:
        r = kit(k["id"])
        assert r["chat_template"].strip() and r["sources"]
        assert r["ollama_modelfile"].startswith("FROM ") and "--jinja" in r["llama_server"]
        for s, v in r["sampling"].items():  # every recommended setting reaches both files
            assert f"PARAMETER {s} " in r["ollama_modelfile"]
            assert r["lm_studio"][s] == v


def test_a_kit_is_sized_for_the_hardware() -> None:
    r = kit("llama-3.1-8b", hardware="rtx-4060")
    s = r["sized"]
    a = answer({"model": "llama-3.1-8b", "hardware": "rtx-4060", "context_tokens": KIT_CONTEXT_CAP})
    assert s["context_tokens"] == min(KIT_CONTEXT_CAP, a["max_context_tokens"])
    assert f"PARAMETER num_ctx {s['context_tokens']}" in r["ollama_modelfile"]
    assert f"-c {s['context_tokens']}" in r["llama_server"] and "--temp 0.6" in r["llama_server"]


def test_model_names_find_their_family() -> None:
    assert find_kit("qwen3-32b")[0].id == "qwen3"
    assert find_kit("Qwen3 8B")[0].id == "qwen3"
    with pytest.raises(NotFound):
        find_kit("flux.1-dev")
