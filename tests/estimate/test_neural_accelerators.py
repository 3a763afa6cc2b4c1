"""M5-generation GPUs have a Neural Accelerator in every core; only software that uses Metal 4's tensor API reaches
them (llama.cpp since late 2025, MLX). Ollama, LM Studio's llama.cpp runtime and llamafile leave them unused, and
so do older llama.cpp builds; on earlier chips nothing changes."""

from __future__ import annotations

import pytest

from runlocal.estimate.speed import METAL_TENSOR_SINCE, uses_neural_accelerators
from runlocal.service import answer


def _prefill(hw: str, runtime: str, **extra: object) -> float:
    a = answer({"model": "llama-3.1-8b", "hardware": hw, "runtime": runtime, **extra})
    assert a["ok"], a
    return float(a["speed"]["prefill_tokens_per_s"])


def test_which_software_reaches_them() -> None:
    assert uses_neural_accelerators("llama.cpp", None) and uses_neural_accelerators("mlx", None)
    assert not uses_neural_accelerators("llama.cpp", "2025-10-01")
    assert uses_neural_accelerators("llama.cpp", METAL_TENSOR_SINCE)
    for rt in ("ollama", "lmstudio", "llamafile"):
        assert not uses_neural_accelerators(rt, None)


def test_m5_prompts_are_slower_without_them() -> None:
    fast = _prefill("apple-m5-10c", "llama.cpp")
    assert _prefill("apple-m5-10c", "llama.cpp", build_date="2025-09-01") < fast / 2
    assert _prefill("apple-m5-10c", "lmstudio") < fast / 2
    a = answer({"model": "llama-3.1-8b", "hardware": "apple-m5-10c", "runtime": "lmstudio"})
    assert any("Neural Accelerators unused" in n for n in a["basis"]["notes"])


def test_earlier_chips_do_not_care() -> None:
    assert _prefill("apple-m4-10c", "lmstudio") == pytest.approx(_prefill("apple-m4-10c", "llama.cpp"))


def test_lm_studio_runs_mlx_files_on_its_mlx_engine() -> None:
    a = answer({"model": "llama-3.1-8b", "hardware": "apple-m5-10c", "runtime": "lmstudio", "quant": "MLX-4bit"})
    assert a["ok"] and a["runtime"] == "mlx"
    assert any("MLX engine" in n for n in a["basis"]["notes"])
