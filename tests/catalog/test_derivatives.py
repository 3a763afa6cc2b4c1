"""Fine-tunes that keep their base model's architecture (DeepCoder, Cogito, OpenThinker, MedGemma, ...) are listed
under the base as [[derivatives]]: their names resolve to the base and the answer says so."""

from __future__ import annotations

import copy

from runlocal.catalog.load import validate
from runlocal.service import answer
from runlocal.service.resolve import catalog


def test_a_derivative_is_answered_as_its_base_and_says_so() -> None:
    for name, base in (("deepcoder:14b", "deepseek-r1-distill-qwen-14b"), ("cogito:14b", "qwen2.5-14b"),
                       ("open-thoughts/OpenThinker2-32B", "qwen2.5-32b"), ("medgemma:27b", "gemma-3-27b"),
                       ("OpenThinker2-7B-Q4_K_M.gguf", "qwen2.5-7b")):
        a = answer({"model": name, "hardware": "rtx-4090"})
        assert a["ok"], (name, a)
        assert a["model_id"] == base
        assert any("same architecture" in n for n in a["basis"]["notes"]), a["basis"]["notes"]
    plain = answer({"model": "qwen2.5-14b", "hardware": "rtx-4090"})
    assert not any("same architecture" in n for n in plain["basis"]["notes"])


def test_a_derivative_needs_a_name_url_relation_and_a_cited_source() -> None:
    e = catalog().models["qwen2.5-14b"]
    data = copy.deepcopy(e.data)
    data["derivatives"] = [{"name": "X"}, "not a table",
                           {"name": "Y", "url": "u", "relation": "a fine-tune of", "source": "nowhere"}]
    problems = "\n".join(validate("models", data, "models/qwen/qwen2.5-14b.toml"))
    assert "derivatives[0]" in problems and "url" in problems and "relation" in problems
    assert "derivatives[1]: derivatives[1] must be a table" in problems or "derivatives[1] must be a table" in problems
    assert "source 'nowhere' is not a [[sources]] id" in problems



def test_a_derivative_with_its_own_context_is_answered_with_it() -> None:
    """Aya 23 35B has Command R's shape but an 8,192-token context (Command R: 131,072); Qwen2.5-Math 4,096."""
    from runlocal.service import answer

    aya = answer({"model": "aya:35b", "hardware": "h100-sxm"})
    base = answer({"model": "command-r", "hardware": "h100-sxm"})
    assert aya["ok"] and aya["model_id"] == "command-r"
    assert aya["max_context_tokens"] == 8192 < base["max_context_tokens"]
    assert any("own 8,192-token context" in n for n in aya["basis"]["notes"])
    math = answer({"model": "Qwen/Qwen2.5-Math-7B-Instruct", "hardware": "rtx-4090"})
    assert math["max_context_tokens"] == 4096


def test_an_image_model_derivative_says_what_it_is_answered_as() -> None:
    r = answer({"model": "Qwen-Image-Edit-2509", "hardware": "rtx-4090"})
    assert r["ok"] and r["model_id"] == "qwen-image"
    assert any("answered as Qwen-Image" in n for n in r["basis"]["notes"])


def test_a_bare_ollama_name_is_its_latest_tag_under_ollama() -> None:
    """`ollama run deepseek-r1` pulls deepseek-r1:latest, the 8B distill; without runtime ollama the name is the
    671B model it is named after."""
    r = answer({"model": "deepseek-r1", "hardware": "rtx-4090", "runtime": "ollama"})
    assert r["model_id"] == "deepseek-r1-0528-qwen3-8b"
    assert any("deepseek-r1:latest" in n for n in r["basis"]["notes"])
    assert answer({"model": "deepseek-r1", "hardware": "rtx-4090"})["model_id"] == "deepseek-r1"
    assert answer({"model": "llama3.1", "hardware": "rtx-4090", "runtime": "ollama"})["model_id"] == "llama-3.1-8b"


def test_a_derivatives_commands_name_its_own_files_not_the_bases() -> None:
    coder = answer({"model": "qwen2.5-coder:7b", "hardware": "rtx-4090"})["commands"]
    assert "Qwen2.5-Coder-7B-Instruct-GGUF" in coder["llama.cpp"] and "ollama run qwen2.5-coder:7b" in coder["ollama"]
    base = answer({"model": "qwen2.5:7b", "hardware": "rtx-4090"})["commands"]
    assert "Qwen/Qwen2.5-7B-Instruct-GGUF" in base["llama.cpp"] and "Coder" not in base["llama.cpp"]
    # a fine-tune with no GGUF repo of its own: a local file named after it, never the base's download
    one_m = answer({"model": "Qwen/Qwen2.5-7B-Instruct-1M", "hardware": "rtx-4090"})["commands"]
    assert "Qwen2.5-7B-Instruct-GGUF" not in one_m["llama.cpp"] and "qwen2-5-7b-instruct-1m" in one_m["llama.cpp"]
    assert "ollama" not in one_m or "qwen2.5:7b" not in one_m["ollama"]


def test_an_architecture_llama_cpp_cannot_convert_gets_no_llama_cpp_command() -> None:
    r = answer({"model": "opt-6.7b", "hardware": "rtx-4090"})
    assert r["ok"] and "llama.cpp" not in r["commands"] and "ollama" not in r["commands"]
    assert any("llama.cpp has no opt architecture" in n for n in r["basis"]["notes"])
    v = answer({"model": "llama3.2-vision", "hardware": "rtx-4090"})
    assert "llama.cpp" not in v["commands"] and "ollama run llama3.2-vision" in v["commands"]["ollama"]
