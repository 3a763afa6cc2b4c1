"""A GPU with no FLOP/s figure (the phone GPUs whose makers publish none, or a hardware object that gives only
memory and bandwidth) prompts at unknown_gpu_flops_per_byte of its bandwidth, and the answer says so."""

from __future__ import annotations

import pytest

from runlocal.estimate.assumptions import DEFAULT
from runlocal.service import answer


def _gpu(**extra: float) -> dict:  # type: ignore[type-arg]
    return {"model": "llama-3.1-8b", "quant": "Q4_K_M", "context_tokens": 4096, "prompt_tokens": 2048,
            "runtime": "llama.cpp",
            "hardware": {"gpus": [{"name": "Mystery GPU", "memory_gb": 16, "memory_bandwidth_gb_s": 100,
                                   "backend": "vulkan", **extra}]}}


def test_a_gpu_without_a_compute_figure_takes_the_bandwidth_balance() -> None:
    unknown = answer(_gpu())
    # 30 FLOP per byte x 100 GB/s = 3 TFLOPS: the same answer as a GPU that states 3 TFLOPS
    stated = answer(_gpu(fp16_tflops=DEFAULT.unknown_gpu_flops_per_byte * 100 / 1000))
    assert unknown["speed"]["prefill_tokens_per_s"] == pytest.approx(stated["speed"]["prefill_tokens_per_s"])
    assert any("Mystery GPU has no compute figure" in n for n in unknown["basis"]["notes"])
    assert not any("no compute figure" in n for n in stated["basis"]["notes"])
