"""Prompt speed on NVIDIA follows the kernels of the llama.cpp build: since June 2024 (ggml-org/llama.cpp#8075)
quantized weights are multiplied in INT8 (MMQ: INT8 tensor cores, or __dp4a on Pascal and the GTX 16 cards);
before, they were dequantised to FP16 for cuBLAS. A question's build_date picks the era; none means a current
build."""

from __future__ import annotations

import pytest

from runlocal.catalog.build import int8_ops
from runlocal.estimate.specs import Device
from runlocal.estimate.speed import CUDA_MMQ_SINCE, uses_mmq
from runlocal.service import answer
from runlocal.service.resolve import catalog


def _prefill(model: str, hw: str, quant: str, build_date: str | None = None, **extra: object) -> float:
    q: dict[str, object] = {"model": model, "hardware": hw, "quant": quant, "prompt_tokens": 512, **extra}
    if build_date:
        q["build_date"] = build_date
    a = answer(q)
    assert a["ok"], a
    return float(a["speed"]["prefill_tokens_per_s"])


def test_int8_rate_of_catalog_cards() -> None:
    hw = catalog().hardware
    assert int8_ops(hw["rtx-4090"].data) == pytest.approx(660.6e12)  # its own dense INT8 figure
    pascal = hw["gtx-1080-ti"].data
    assert int8_ops(pascal) == pytest.approx(4 * float(pascal["fp32_tflops"]) * 1e12)  # __dp4a: 4 per lane
    assert int8_ops(hw["tesla-v100s-pcie-32gb"].data) is None  # Volta: FP16 cuBLAS
    assert int8_ops(hw["tesla-p100-pcie-16gb"].data) is None  # no __dp4a
    assert int8_ops(hw["rx-7900-xtx"].data) is None  # not CUDA


def test_mmq_only_for_quantized_weights_on_builds_since_june_2024() -> None:
    gpu = Device(name="x", memory_bytes=1, bandwidth_bytes_per_s=1.0, fp16_flops=1e14, int8_ops=2e14)
    assert uses_mmq(gpu, "cuda", "Q4_K_M", None)
    assert uses_mmq(gpu, "cuda", "Q4_0", CUDA_MMQ_SINCE)
    assert not uses_mmq(gpu, "cuda", "Q4_0", "2024-06-23")
    assert not uses_mmq(gpu, "cuda", "F16", None)
    assert not uses_mmq(gpu, "vulkan", "Q4_0", None)
    assert not uses_mmq(Device(name="v", memory_bytes=1, bandwidth_bytes_per_s=1.0), "cuda", "Q4_0", None)


def test_a_2023_build_prefills_quantized_weights_slower_than_a_current_one() -> None:
    new = _prefill("llama-2-7b", "rtx-4090", "Q4_0")
    old = _prefill("llama-2-7b", "rtx-4090", "Q4_0", "2023-12-23")
    # llama-bench of a current build on this card: 11,993 t/s (discussion #15013); the 2023 notebooks ran slower
    assert new > 1.2 * old
    assert new == pytest.approx(11993, rel=0.25)
    # F16 goes through cuBLAS in both eras; Volta has no INT8 MMQ: the date changes nothing
    assert _prefill("llama-2-7b", "rtx-4090", "F16") == pytest.approx(_prefill("llama-2-7b", "rtx-4090", "F16",
                                                                              "2023-12-23"))
    assert _prefill("llama-2-7b", "tesla-v100s-pcie-32gb", "Q4_0") == pytest.approx(
        _prefill("llama-2-7b", "tesla-v100s-pcie-32gb", "Q4_0", "2023-12-23"))
    # and so does a runtime that is not llama.cpp
    assert answer({"model": "llama-3.1-8b", "hardware": "rtx-4090", "runtime": "vllm", "quant": "AWQ-INT4",
                   "build_date": "2023-12-23"})["ok"]


def test_pascal_prefills_on_dp4a() -> None:
    # GTX 1080 Ti, llama-bench pp512 of Llama 2 7B Q4_0 on a 2025 build: 1,084 t/s (discussion #15013)
    assert _prefill("llama-2-7b", "gtx-1080-ti", "Q4_0") == pytest.approx(1084, rel=0.3)


def test_an_inline_gpu_given_by_its_fp16_rate_gets_int8_at_twice_that() -> None:
    hw = {"gpus": [{"name": "card", "memory_gb": 24, "memory_bandwidth_gb_s": 1008, "fp16_tflops": 330.3}]}
    new = _prefill("llama-2-7b", hw, "Q4_0")  # type: ignore[arg-type]
    old = _prefill("llama-2-7b", hw, "Q4_0", "2023-12-23")  # type: ignore[arg-type]
    assert new > 1.2 * old


@pytest.mark.parametrize("bad", ["yesterday", "2024-13-01", "2019-05-01", "2024/06/01", 20240601, "2024-06-31"])
def test_a_bad_build_date_is_a_clear_error(bad: object) -> None:
    a = answer({"model": "llama-2-7b", "hardware": "rtx-4090", "build_date": bad})
    assert not a["ok"] and a["error"]["code"] == "invalid_field" and "build_date" in a["error"]["message"]


def test_a_month_is_its_first_day() -> None:
    assert _prefill("llama-2-7b", "rtx-4090", "Q4_0", "2024-05") == pytest.approx(
        _prefill("llama-2-7b", "rtx-4090", "Q4_0", "2024-05-01"))
