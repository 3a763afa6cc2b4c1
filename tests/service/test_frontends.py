"""Runtimes people name that are not engines of their own: front ends route to the engine they load a quant
through (loads_through), GPT4All and ik_llama.cpp answer as the llama.cpp they bundle, and Unsloth's quant spellings
without or with their UD- prefix read as the file types they are."""

from __future__ import annotations

import dataclasses

import pytest

from runlocal.catalog.check import check
from runlocal.estimate.weights import normalize_quant
from runlocal.service import catalog
from runlocal.service.api import answer

Q = {"model": "Llama 3.1 8B", "hardware": "RTX 4090"}


@pytest.mark.parametrize("runtime, quant, engine", [
    ("text-generation-webui", None, "llama.cpp"),  # its default loader for GGUF
    ("oobabooga", "Q5_K_M", "llama.cpp"),
    ("ooba", "EXL2-4.0BPW", "exllamav2"),
    ("text-generation-webui", "EXL3-4.0BPW", "exllamav3"),
    ("open-webui", None, "ollama"),
    ("msty", "Q8_0", "ollama"),
    ("lemonade", None, "llama.cpp"),  # GGUF on its bundled llama.cpp
    ("lemonade-server", "Q6_K", "llama.cpp"),
    ("anythingllm", None, "llama.cpp"),  # its built-in provider is Lemonade's llama.cpp
])
def test_a_front_end_is_answered_for_the_engine_it_loads_the_quant_through(runtime: str, quant: str | None,
                                                                          engine: str) -> None:
    r = answer({**Q, "runtime": runtime, **({"quant": quant} if quant else {})})
    assert r["ok"], r["error"]
    assert r["runtime"] == engine
    assert any("runs no model itself" in n and engine.split(".")[0].lower() in n.lower()
               for n in r["basis"]["notes"])


def test_a_front_end_without_a_loader_for_the_quant_is_a_clear_error() -> None:
    r = answer({**Q, "runtime": "open-webui", "quant": "AWQ-INT4"})
    assert not r["ok"]
    assert r["error"]["code"] == "invalid_field"
    assert "no loader" in r["error"]["message"] and "Q4_K_M" in r["error"]["suggestions"]


@pytest.mark.parametrize("runtime", ["gpt4all", "ik_llama.cpp", "ikllama"])
def test_llama_cpp_builds_of_other_projects_are_estimated(runtime: str) -> None:
    base = answer({**Q, "runtime": "llama.cpp"})
    r = answer({**Q, "runtime": runtime})
    assert r["ok"], r["error"]
    assert r["memory"]["weights_bytes"] == base["memory"]["weights_bytes"]
    assert r["speed"]["decode_tokens_per_s"] == pytest.approx(base["speed"]["decode_tokens_per_s"])


def test_loads_through_must_name_engines() -> None:
    cat = catalog()
    rt = cat.runtimes["open-webui"]
    cat.runtimes["open-webui"] = dataclasses.replace(rt, data={**rt.data, "loads_through": ["no-such-engine"]})
    try:
        problems, _ = check(cat)
    finally:
        cat.runtimes["open-webui"] = rt
    assert any("loads_through names 'no-such-engine'" in p for p in problems)


@pytest.mark.parametrize("spelled, canonical", [
    ("UD-IQ2_XXS", "IQ2_XXS"), ("ud-iq1_s", "IQ1_S"), ("UD_IQ3_XXS", "IQ3_XXS"),
    ("Q8_K_XL", "UD-Q8_K_XL"), ("Q2_K_XL", "UD-Q2_K_XL"), ("UD-Q4_K_XL", "UD-Q4_K_XL"),
    ("Q3_K_XL", "Q3_K_XL"),  # bartowski's own _XL (embeddings and output at Q8_0) stays itself
])
def test_unsloth_quant_spellings(spelled: str, canonical: str) -> None:
    assert normalize_quant(spelled) == canonical
    r = answer({"model": "Qwen3-30B-A3B", "hardware": "RTX 4090", "quant": spelled})
    assert r["ok"], r["error"]
    assert r["quant"] == canonical


def test_llama_cpp_python_is_llama_cpp() -> None:
    r = answer({**Q, "runtime": "llama-cpp-python"})
    assert r["ok"] and r["runtime"] == "llama.cpp"


@pytest.mark.parametrize("spelling, quant", [("W4A16", "GPTQ-INT4"), ("w4a16", "GPTQ-INT4"), ("W8A8", "GPTQ-INT8"),
                                             ("INT8", "GPTQ-INT8"), ("W8A16", "GPTQ-INT8"), ("W8A8-FP8", "FP8")])
def test_llm_compressor_scheme_names_read_as_their_bits(spelling: str, quant: str) -> None:
    assert normalize_quant(spelling) == quant
