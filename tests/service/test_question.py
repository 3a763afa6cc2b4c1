"""Questions are parsed and validated once, into typed frozen objects; one bound rule per value type."""

from __future__ import annotations

import dataclasses

import pytest

from runlocal.errors import InvalidField
from runlocal.estimate.workload import DEFAULT_WORKLOAD
from runlocal.service.question import HardwareObject, Question, integer, number, parse


def test_defaults_come_from_the_one_workload() -> None:
    q = parse({"model": "llama-3.1-8b", "hardware": "rtx-4090"})
    assert isinstance(q, Question) and q.workload == DEFAULT_WORKLOAD
    assert q.workload.context_tokens == 4096 and q.workload.prompt_tokens == 512
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.quant = "Q8_0"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Question("llama", "rtx-4090")  # type: ignore[misc]  # keyword-only


def test_fields_are_typed_and_normalised() -> None:
    q = parse({"model": "qwen3-8b", "hardware": {"gpus": [{"name": "RTX 4090", "memory_gb": 24}], "ram_gb": 64},
               "kv_cache_type": "Q8_0", "context_tokens": 8192.0, "assume": {"n_ubatch": 1024}, "extra": 1})
    assert isinstance(q.hardware, HardwareObject) and q.hardware.gpus[0].memory_gb == 24.0
    assert q.workload.kv_cache_type == "q8_0" and q.workload.context_tokens == 8192
    assert q.assumptions.n_ubatch == 1024 and q.ignored == ("extra",)


@pytest.mark.parametrize(("field", "value", "words"), [
    ("context_tokens", 0, "between 1 and"), ("context_tokens", 1.5, "integer"), ("parallel", True, "integer"),
    ("gpu_count", 65, "between 1 and 64"), ("ram_gb", 0, "above 0"), ("flash_attention", "yes", "true or false"),
    ("kv_cache_type", 3, "string"), ("quant", "x" * 101, "longer than"), ("assume", {"nope": 1}, "unknown assumption"),
])
def test_bad_values_name_the_field(field: str, value: object, words: str) -> None:
    with pytest.raises(InvalidField) as exc:
        parse({"model": "llama-3.1-8b", "hardware": "rtx-4090", field: value})
    assert words in exc.value.message


def test_one_bound_rule_per_type() -> None:
    assert integer(None, "x", 7, 1, 9) == 7 and integer(9, "x", 7, 1, 9) == 9
    assert number(0, "cfg", 0, 100) == 0.0  # inclusive unless above=True
    with pytest.raises(InvalidField):
        number(0, "memory", 0, 100, above=True)
    with pytest.raises(InvalidField):
        number(float("nan"), "x", 0, 1)


def test_media_settings_are_validated_at_parse_time() -> None:
    q = parse({"model": "sdxl", "hardware": "rtx-4090", "image": {"width": 768, "steps": 10, "cfg_scale": 0}})
    assert q.image is not None and q.image.width == 768 and q.image.height is None and q.image.cfg_scale == 0.0
    for bad in ({"width": 770}, {"steps": 0}, {"offload": "gpu"}, {"sampler": 3}):
        with pytest.raises(InvalidField):
            parse({"model": "sdxl", "hardware": "rtx-4090", "image": bad})


def test_booleans_are_booleans_and_mixed_gpus_are_refused() -> None:
    from runlocal.errors import UnsupportedQuestion

    with pytest.raises(InvalidField):
        parse({"model": "llama-3.1-8b", "hardware": "rtx-4090", "use_published_sizes": "false"})
    assert parse({"model": "m", "hardware": "h", "use_published_sizes": False}).use_published_sizes is False
    with pytest.raises(UnsupportedQuestion):
        parse({"model": "m", "hardware": {"gpus": [{"memory_gb": 24}, {"memory_gb": 8}]}})
    same = parse({"model": "m", "hardware": {"gpus": [{"memory_gb": 24}, {"memory_gb": 24}]}})
    assert isinstance(same.hardware, HardwareObject) and len(same.hardware.gpus) == 2


def test_backend_field_runs_a_card_on_another_backend() -> None:
    from runlocal.service import answer

    usual = answer({"model": "qwen3-8b", "hardware": "rx-7900-xtx"})
    vk = answer({"model": "qwen3-8b", "hardware": "rx-7900-xtx", "backend": "vulkan"})
    assert usual["ok"] and vk["ok"] and vk["speed"]["decode_tokens_per_s"] != usual["speed"]["decode_tokens_per_s"]
    assert any("vulkan instead of the usual rocm" in n for n in vk["basis"]["notes"])
    bad = answer({"model": "qwen3-8b", "hardware": "rx-7900-xtx", "backend": "cuda"})
    assert not bad["ok"] and "rocm" in bad["error"]["suggestions"]
    assert not answer({"model": "qwen3-8b", "hardware": "rtx-4090", "backend": "opencl"})["ok"]


def test_context_auto_is_what_the_runtime_would_pick() -> None:
    from runlocal.service import answer

    roomy = answer({"model": "llama-3.1-8b", "hardware": "rtx-4090", "context_tokens": "auto"})
    assert roomy["ok"] and roomy["memory"]["kv_cache_bytes"] == 16 * 2**30  # the trained 131,072 tokens fit
    tight = answer({"model": "llama-3.1-8b", "hardware": "rtx-4060", "context_tokens": "auto"})
    assert tight["ok"] and tight["fits"] == "gpu" and "-c 12032" in tight["commands"]["llama.cpp"]
    assert any("context auto" in n for n in tight["basis"]["notes"])
    assert not answer({"model": "llama-3.1-8b", "hardware": "rtx-4060", "context_tokens": "lots"})["ok"]


def test_context_auto_follows_each_runtime() -> None:
    from runlocal.service import answer
    from runlocal.service.llm import ollama_default_context

    # Ollama's documented default by VRAM: 4k under 24 GiB, 32k to 48 GiB, 256k above, capped at the trained length
    assert ollama_default_context(8, 131072) == 4096
    assert ollama_default_context(24, 131072) == 32768
    assert ollama_default_context(96, 131072) == 131072 and ollama_default_context(96, 2048) == 2048
    q = {"model": "qwen3-8b", "context_tokens": "auto"}
    small = answer({**q, "hardware": "rtx-4060", "runtime": "ollama"})
    big = answer({**q, "hardware": "rtx-4090", "runtime": "ollama"})
    assert small["context_tokens"] == 4096 and big["context_tokens"] == 32768
    # llama.cpp lowers the trained 40,960 to what fits, and says so; the answer echoes the context it used
    lc = answer({**q, "hardware": "rtx-4060"})
    assert lc["context_tokens"] == lc["max_context_tokens"] < 40960
    assert any("--fit" in n for n in lc["basis"]["notes"])
    # vLLM would refuse to start at its default (the trained length) on a 24 GB card: said, and the fitting length used
    vl = answer({**q, "hardware": "rtx-4090", "runtime": "vllm"})
    assert vl["context_tokens"] < 40960 and any("refuse to start" in n for n in vl["basis"]["notes"])
    # a fixed context is echoed unchanged
    assert answer({"model": "qwen3-8b", "hardware": "rtx-4090", "context_tokens": 8192})["context_tokens"] == 8192


def test_a_config_of_an_unknown_architecture_is_answered_and_says_so() -> None:
    from runlocal.service import answer

    cfg = {"architectures": ["Rwkv7ForCausalLM"], "hidden_size": 2048, "num_hidden_layers": 24,
           "num_attention_heads": 32, "vocab_size": 65536, "intermediate_size": 8192}
    a = answer({"model": cfg, "hardware": "rtx-4090"})
    assert a["ok"] and any("Rwkv7ForCausalLM" in n and "approximate" in n for n in a["basis"]["notes"])
    plain = answer({"model": {k: v for k, v in cfg.items() if k != "architectures"}, "hardware": "rtx-4090"})
    assert plain["ok"] and not any("approximate" in n for n in plain["basis"]["notes"])


def test_a_radeon_igpu_on_vulkan_may_also_run_rocm() -> None:
    from runlocal.service import answer

    a = answer({"model": "llama-2-7b", "quant": "Q4_0", "hardware": "ryzen-ai-max-plus-395", "backend": "rocm"})
    assert a["ok"] and any("rocm instead of the usual vulkan" in n for n in a["basis"]["notes"])
    assert not answer({"model": "llama-2-7b", "hardware": "ryzen-ai-max-plus-395", "backend": "cuda"})["ok"]
