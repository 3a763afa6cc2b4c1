"""`ask` reads a sentence with the catalog's own resolver: 30 phrasings, what each must be read as."""

from __future__ import annotations

import pytest

from runlocal.errors import InvalidField
from runlocal.service.phrases import QUICK, ask, quick_answers, understand

PHRASINGS = [
    ("can I run qwen3 30b on a 3060 with 32k context?", {"model_id": "qwen3-30b-a3b", "hardware_id": "rtx-3060-12gb",
                                                          "context_tokens": 32768}),
    ("Can I run a 70B model on a 4090?", {"model_id": "llama-3.3-70b", "hardware_id": "rtx-4090"}),
    ("llama 3.3 70b on two 3090s", {"model_id": "llama-3.3-70b", "hardware_id": "rtx-3090", "gpu_count": 2}),
    ("2x 3090 llama 3.3 70b 16k context", {"model_id": "llama-3.3-70b", "gpu_count": 2, "context_tokens": 16384}),
    ("gpt-oss 120b on m4 max 128gb", {"model_id": "gpt-oss-120b", "hardware_id": "apple-m4-max-40c"}),
    ("gpt oss 20b on a 4060 ti 16gb", {"model_id": "gpt-oss-20b", "hardware_id": "rtx-4060-ti-16gb"}),
    ("How fast is qwen3 8b on a 4060 in 8-bit?", {"model_id": "qwen3-8b", "hardware_id": "rtx-4060", "quant": "Q8_0"}),
    ("qwen3 32b q8_0 on 7900 xtx with 64 gb ram", {"model_id": "qwen3-32b", "hardware_id": "rx-7900-xtx",
                                                   "quant": "Q8_0", "ram_gb": 64.0}),
    ("will deepseek r1 run on my dgx spark", {"model_id": "deepseek-r1", "hardware_id": "dgx-spark"}),
    ("flux dev on rtx 4060 laptop", {"model_id": "flux.1-dev", "hardware_id": "rtx-4060-laptop"}),
    ("sdxl on a 3060", {"model_id": "sdxl-base-1.0", "hardware_id": "rtx-3060-12gb"}),
    ("mistral small on a 16gb 4060 ti", {"model_id": "mistral-small-3-24b"}),
    ("gemma 3 27b on rtx 3090", {"model_id": "gemma-3-27b", "hardware_id": "rtx-3090"}),
    ("Llama 3.1 8B with 128K context on an RTX 4090?", {"model_id": "llama-3.1-8b", "context_tokens": 131072}),
    ("llama 3.1 8b 4-bit on rtx 4070", {"model_id": "llama-3.1-8b", "hardware_id": "rtx-4070", "quant": "Q4_K_M"}),
    ("qwen3 8b fp16 on 4090", {"model_id": "qwen3-8b", "quant": "F16"}),
    ("qwen3 235b on 4x rtx-3090", {"model_id": "qwen3-235b-a22b", "gpu_count": 4}),
    ("three 3090s running qwen3 235b", {"gpu_count": 3, "hardware_id": "rtx-3090"}),
    ("gpt-oss 120b on strix halo", {"model_id": "gpt-oss-120b", "hardware_id": "ryzen-ai-max-plus-395"}),
    ("qwen3 30b on ddr5-5600-2ch", {"model_id": "qwen3-30b-a3b", "hardware_id": "ddr5-5600-2ch"}),
    ("run llama 3.2 3b on m2 ultra", {"model_id": "llama-3.2-3b", "hardware_id": "apple-m2-ultra-76c"}),
    ("qwen3 14b on rx 7900 xtx context 8k", {"model_id": "qwen3-14b", "context_tokens": 8192}),
    ("qwen3 14b on a 5060 ti", {"model_id": "qwen3-14b"}),
    ("phi-4 on rtx 4060 ti 16gb", {"hardware_id": "rtx-4060-ti-16gb"}),
    ("gpt-oss-20b on rtx-3060-12gb", {"model_id": "gpt-oss-20b", "hardware_id": "rtx-3060-12gb"}),
    ("deepseek r1 on M3 Ultra 512GB", {"model_id": "deepseek-r1", "hardware_id": "apple-m3-ultra-80c"}),
    ("qwen3 8b on M4 16GB", {"model_id": "qwen3-8b"}),
    ("llama 3.3 70b on dgx spark with 32k context", {"hardware_id": "dgx-spark", "context_tokens": 32768}),
    ("wan2.1-t2v-14b on rtx 4090", {"model_id": "wan2.1-t2v-14b", "hardware_id": "rtx-4090"}),
    ("8b model on the cpu ddr5-5600-2ch", {"model_id": "llama-3.1-8b", "hardware_id": "ddr5-5600-2ch"}),
]


@pytest.mark.parametrize(("sentence", "want"), PHRASINGS)
def test_phrasing_is_read_right(sentence: str, want: dict[str, object]) -> None:
    got = understand(sentence)["understood"]
    for k, v in want.items():
        assert got.get(k) == v, (sentence, k, got)


def test_missing_parts_are_asked_about() -> None:
    r = ask("on a 4090")
    assert r["missing"] == ["model"] and r["answer"] is None and r["reply"].startswith("Which model?")
    r = ask("qwen3 8b please")
    assert r["missing"] == ["hardware"] and "qwen3-8b" in r["reply"]
    with pytest.raises(InvalidField):
        ask("")
    with pytest.raises(InvalidField):
        ask("x" * 501)


def test_a_reply_carries_the_engines_numbers() -> None:
    r = ask("llama 3.3 70b on two 3090s")
    a = r["answer"]
    assert a["ok"] and r["question"]["gpu_count"] == 2
    assert f"{a['speed']['decode_tokens_per_s']:.0f} tokens/s" in r["reply"]
    assert r["reply"].startswith(("Yes.", "Yes, with trade-offs.", "No."))


def test_forty_quick_answers_all_answer() -> None:
    rows = quick_answers()
    assert len(rows) == len(QUICK) >= 40
    assert all(r["answered"] for r in rows), [r["question"] for r in rows if not r["answered"]]
