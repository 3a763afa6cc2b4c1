"""SGLang: a static pool of mem_fraction_static x GPU memory (0.88 at tp 1, stepping down with tp), no offload."""

from __future__ import annotations

import pytest

from runlocal.estimate.assumptions import DEFAULT
from runlocal.estimate.engine import sglang_fraction
from runlocal.estimate.units import GIB
from runlocal.service import answer


def test_fraction_steps_down_with_tensor_parallelism() -> None:
    assert [sglang_fraction(tp, DEFAULT) for tp in (1, 2, 4, 8)] == pytest.approx([0.88, 0.87, 0.85, 0.81])


def test_an_answer_with_sglang() -> None:
    a = answer({"model": "qwen3-8b", "hardware": "rtx-4090", "runtime": "sglang", "quant": "BF16"})
    assert a["ok"] and a["runtime"] == "sglang" and a["fits"] == "gpu"
    assert a["basis"]["usable_accelerator_bytes_per_gpu"] == int(24 * GIB * 0.88)
    assert a["commands"]["sglang"].startswith("python -m sglang.launch_server --model-path ")
    big = answer({"model": "llama-3.3-70b", "hardware": "rtx-4090", "runtime": "sglang", "quant": "BF16"})
    assert big["ok"] and big["fits"] == "no"  # no offload to system RAM
