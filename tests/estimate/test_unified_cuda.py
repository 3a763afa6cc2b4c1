"""NVIDIA GPUs that share LPDDR memory with their CPU (DGX Spark's GB10, Jetson) decode at their own share of the
bandwidth, with CUDA's per-layer cost, not at the figure fitted on AMD's integrated GPUs."""

from __future__ import annotations

import pytest

from runlocal.service import answer


def _decode(hw: str, **assume: float) -> float:
    a = answer({"model": "qwen3.5-9b", "hardware": hw, "quant": "Q4_K_M", "use_published_sizes": False,
                **({"assume": assume} if assume else {})})
    assert a["ok"], a
    return float(a["speed"]["decode_tokens_per_s"])


def test_dgx_spark_uses_the_cuda_unified_efficiency() -> None:
    base = _decode("dgx-spark")
    assert _decode("dgx-spark", decode_eff_unified_cuda=0.36) < 0.6 * base
    assert _decode("dgx-spark", decode_eff_unified=0.3) == pytest.approx(base)  # the AMD figure is not used
    # a held-out run (data/benchmarks): 35.2 tokens/s with llama.cpp
    assert base == pytest.approx(35.2, rel=0.12)


def test_strix_halo_keeps_its_own() -> None:
    base = _decode("ryzen-ai-max-plus-395")
    assert _decode("ryzen-ai-max-plus-395", decode_eff_unified_cuda=0.3) == pytest.approx(base)
