"""Flash attention and prompt speed: without it llama.cpp writes, softmaxes and reads the whole score matrix of each
ubatch (the masked half included), so prompts run slower, the more so the longer they are. The cost is fitted on
llama.cpp's CUDA scoreboard, where the same card and build ran pp512 with fa 0 and fa 1 (fa 1 1.11x faster, median of
24 Turing-Blackwell cards)."""

from __future__ import annotations

import pytest

from runlocal.estimate.assumptions import DEFAULT
from runlocal.service import answer
from runlocal.service.accuracy import flash_attention_of


def _prefill(hw: str, prompt: int, fa: bool, **kw: object) -> float:
    a = answer({"model": "llama-2-7b", "hardware": hw, "runtime": "llama.cpp", "quant": "Q4_0", "prompt_tokens": prompt,
                "context_tokens": prompt + 128, "flash_attention": fa, **kw})
    assert a["ok"], a
    return float(a["speed"]["prefill_tokens_per_s"])


@pytest.mark.parametrize("hw", ["rtx-4080", "rtx-3090", "h100-sxm"])
def test_flash_attention_speeds_up_a_512_token_prompt_about_as_measured(hw: str) -> None:
    ratio = _prefill(hw, 512, True) / _prefill(hw, 512, False)
    assert 1.05 < ratio < 1.2  # scoreboard pairs: 1.03-1.22, median 1.11


def test_the_gap_grows_with_the_prompt() -> None:
    short = _prefill("rtx-4080", 512, True) / _prefill("rtx-4080", 512, False)
    long = _prefill("rtx-4080", 8192, True) / _prefill("rtx-4080", 8192, False)
    assert long > short * 1.3


def test_the_cpu_backend_keeps_its_own_attention_cost() -> None:
    hw = {"ram_gb": 64, "ram_bandwidth_gb_s": 80, "cpu_cores": 16}
    base = _prefill("rtx-4080", 512, False, hardware=hw)
    cheaper = _prefill("rtx-4080", 512, False, hardware=hw, assume={"attention_cost_cpu": 1.0})
    pricier_gpu_only = _prefill("rtx-4080", 512, False, hardware=hw,
                                assume={"attention_cost_no_fa": DEFAULT.attention_cost_no_fa * 3})
    assert cheaper > base and pricier_gpu_only == pytest.approx(base)


@pytest.mark.parametrize(("cmd", "fa"), [
    ("llama-bench -m m.gguf -ngl 99 -fa 1 -p 512", True),
    ("llama-bench -m m.gguf -fa on", True),
    ("llama-server -m m.gguf --flash-attn -c 8192", True),
    ("llama-server -m m.gguf --flash-attn on", True),
    ("OLLAMA_FLASH_ATTENTION=1 ollama run llama3.1:8b --verbose", True),
    ("llama-bench -m m.gguf -fa 0", False),
    ("llama-bench -m m.gguf --flash-attn off", False),
    ("llama-bench -m m.gguf -fa 0,1", None),  # both: the run's id says which
    ("llama-bench -m m.gguf -p 512", None),
])
def test_a_benchmark_says_whether_it_ran_with_flash_attention(cmd: str, fa: bool | None) -> None:
    assert flash_attention_of("2026-01-01-some-run", {"command": cmd}) is fa


def test_a_scoreboard_run_id_says_it() -> None:
    d = {"command": "llama-bench -m llama-2-7b.Q4_0.gguf -fa 0,1"}
    assert flash_attention_of("2025-07-30-llama-2-7b-llama-cpp-cuda-fa1-rtx-4080", d) is True
    assert flash_attention_of("2025-07-30-llama-2-7b-llama-cpp-cuda-fa0-rtx-4080", d) is False
