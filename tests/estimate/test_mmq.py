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


def _rate(figure: str, q: dict[str, object], build_date: str | None) -> float:
    a = answer({**q, "build_date": build_date} if build_date else q)
    assert a["ok"], a
    return float(a["speed"][figure])


def _prefill(model: str, hw: str, quant: str, build_date: str | None = None, **extra: object) -> float:
    q = {"model": model, "hardware": hw, "quant": quant, "prompt_tokens": 512, **extra}
    return _rate("prefill_tokens_per_s", q, build_date)


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


def test_sm_cycles_from_the_fp32_rate_and_lanes_per_sm() -> None:
    from runlocal.catalog.build import sm_clocks

    hw = catalog().hardware
    assert sm_clocks(hw["a100-sxm4-80gb"].data) == pytest.approx(19.5e12 / 128)  # GA100: 64 FP32 lanes per SM
    assert sm_clocks(hw["rtx-3080-10gb"].data) == pytest.approx(29.77e12 / 256)  # GA102: 128
    assert sm_clocks(hw["rtx-2080-ti"].data) == pytest.approx(13.45e12 / 128)  # Turing: 64
    assert sm_clocks(hw["rx-7900-xtx"].data) is None  # not NVIDIA


def test_mmq_counts_int8_up_to_a_per_sm_ceiling() -> None:
    from runlocal.catalog.build import machine
    from runlocal.estimate.assumptions import DEFAULT
    from runlocal.estimate.speed import mmq_ops

    a100 = machine(catalog().hardware["a100-sxm4-80gb"], memory_gb=None, gpu_count=1, asm=DEFAULT)[0].gpus[0]
    # 108 SMs x 1.41 GHz = 152e9 SM-cycles/s: 1536 ops each is 234 TOPS, far under the card's 624 TOPS of INT8
    assert mmq_ops(a100, DEFAULT, 1.0) == pytest.approx(DEFAULT.mmq_ops_per_sm_cycle * 19.5e12 / 128)
    small = Device(name="s", memory_bytes=1, bandwidth_bytes_per_s=1.0, int8_ops=1e12, sm_clocks=1e11)
    assert mmq_ops(small, DEFAULT, 1.0) == pytest.approx(1e12)  # under the ceiling: the card's own rate
    # scoreboard #15013: an A100 80GB and an RTX 3090 prefill alike (about 5,000 t/s) though the A100 has 2.2x the
    # INT8 tensor rate; an H100 SXM about 10,000
    a100_pp = _prefill("llama-2-7b", "a100-sxm4-80gb", "Q4_0")
    assert a100_pp == pytest.approx(5068, rel=0.3)
    assert a100_pp == pytest.approx(_prefill("llama-2-7b", "rtx-3090", "Q4_0"), rel=0.3)
    assert _prefill("llama-2-7b", "h100-sxm", "Q4_0") == pytest.approx(10591, rel=0.3)


def _decode(hw: str, build_date: str | None = None, **extra: object) -> float:
    q = {"model": "llama-2-7b", "hardware": hw, "quant": "Q4_0", "context_tokens": 640, **extra}
    return _rate("decode_tokens_per_s", q, build_date)


def test_cuda_graphs_by_architecture_build_runtime_and_gpu_count() -> None:
    from runlocal.estimate.speed import CUDA_GRAPHS_PRE_AMPERE_SINCE, CUDA_GRAPHS_SINCE, uses_cuda_graphs

    def dev(arch: str, backend: str = "cuda") -> Device:
        return Device(name="g", memory_bytes=1, bandwidth_bytes_per_s=1.0, backend=backend, architecture=arch)

    assert uses_cuda_graphs(dev("Ampere"), "llama.cpp", None, 1, 1)
    assert uses_cuda_graphs(dev("Ada Lovelace"), "ollama", CUDA_GRAPHS_SINCE, 1, 1)
    assert not uses_cuda_graphs(dev("Ampere"), "llama.cpp", "2024-01-10", 1, 1)  # before #6766
    assert not uses_cuda_graphs(dev("Turing"), "llama.cpp", "2025-08-01", 1, 1)  # cc < 8.0 until #25749
    assert uses_cuda_graphs(dev("Turing"), "llama.cpp", CUDA_GRAPHS_PRE_AMPERE_SINCE, 1, 1)
    assert uses_cuda_graphs(dev("Volta"), "llama.cpp", None, 1, 1)
    assert not uses_cuda_graphs(dev("Pascal"), "llama.cpp", None, 1, 1)
    assert not uses_cuda_graphs(dev("Ampere"), "llamafile", None, 1, 1)  # built without GGML_CUDA_USE_GRAPHS
    assert not uses_cuda_graphs(dev("Ampere"), "llama.cpp", None, 2, 1)  # off across GPUs
    assert not uses_cuda_graphs(dev("Ampere"), "llama.cpp", None, 1, 4)  # a batch of sequences
    assert not uses_cuda_graphs(dev("RDNA 3", "rocm"), "llama.cpp", None, 1, 1)


def test_a_current_build_decodes_faster_on_ampere_and_later_only() -> None:
    # scoreboard #15013 (2025 builds): H100 SXM tg128 268-281 t/s, RTX 3080 140; the 2023-24 builds ran slower
    assert _decode("h100-sxm") > 1.3 * _decode("h100-sxm", "2024-01-10")
    assert _decode("h100-sxm") == pytest.approx(274, rel=0.25)
    assert _decode("rtx-3080-10gb") == pytest.approx(140, rel=0.15)
    assert _decode("rtx-3080-10gb") > _decode("rtx-3080-10gb", "2024-01-10")
    assert _decode("rtx-2080-ti", "2025-08-01") == pytest.approx(_decode("rtx-2080-ti", "2024-01-10"))
    assert _decode("rtx-2080-ti") > _decode("rtx-2080-ti", "2025-08-01")  # graphs on Turing from July 2026
