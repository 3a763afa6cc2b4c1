"""The fixed cost per layer and token on Apple GPUs falls with each chip generation (llama.cpp's Metal backend and
MLX): by metal_layer_generation_factor in current llama.cpp builds, by the _serial factor in builds before Metal's
concurrent dispatch (and in llamafile), by mlx_layer_generation_factor in MLX. The bandwidth term is the same share
on every generation."""

from __future__ import annotations

import pytest

from runlocal.estimate.assumptions import Assumptions
from runlocal.estimate.specs import Device
from runlocal.estimate.speed import (
    METAL_CONCURRENCY_SINCE,
    METAL_REFERENCE_GENERATION,
    apple_generation,
    metal_layer_overhead,
    uses_metal_concurrency,
)
from runlocal.service.api import answer

A = Assumptions()


def _gpu(architecture: str) -> Device:
    return Device(name="x", memory_bytes=1, bandwidth_bytes_per_s=1.0, architecture=architecture, backend="metal")


@pytest.mark.parametrize("architecture, gen", [
    ("Apple M1 generation GPU (Apple7)", 1), ("Apple M4 generation GPU (Apple9)", 4),
    ("Apple A17 Pro GPU (Apple9 family, same generation as M3)", 3),
    ("Apple A19 Pro GPU with per-core Neural Accelerators (same generation as M5)", 5),
    ("", METAL_REFERENCE_GENERATION), ("Ada Lovelace", METAL_REFERENCE_GENERATION),
])
def test_apple_generation_from_the_catalog_architecture(architecture: str, gen: int) -> None:
    assert apple_generation(_gpu(architecture)) == gen


def test_the_reference_generation_pays_the_fitted_cost() -> None:
    m3 = _gpu("Apple M3 generation GPU (Apple9)")
    assert metal_layer_overhead(m3, "llama.cpp", A) == A.decode_layer_us_metal
    assert metal_layer_overhead(m3, "llama.cpp", A, concurrent=False) == A.decode_layer_us_metal_serial
    assert metal_layer_overhead(m3, "mlx", A) == A.mlx_layer_overhead_us


def test_each_generation_pays_its_factor_once() -> None:
    m1, m2 = _gpu("Apple M1 generation GPU (Apple7)"), _gpu("Apple M2 generation GPU (Apple8)")
    for runtime, concurrent, f in (("llama.cpp", True, A.metal_layer_generation_factor),
                                   ("llama.cpp", False, A.metal_layer_generation_factor_serial),
                                   ("mlx", True, A.mlx_layer_generation_factor)):
        ratio = (metal_layer_overhead(m2, runtime, A, concurrent=concurrent)
                 / metal_layer_overhead(m1, runtime, A, concurrent=concurrent))
        assert ratio == pytest.approx(f), runtime
    assert 0.4 < A.metal_layer_generation_factor_serial < A.metal_layer_generation_factor < 1.0


@pytest.mark.parametrize("gen", [1, 2, 3, 4, 5, 6])
def test_concurrent_dispatch_never_costs_more_than_serial(gen: int) -> None:
    gpu = _gpu(f"Apple M{gen} generation GPU")
    assert metal_layer_overhead(gpu, "llama.cpp", A) <= metal_layer_overhead(gpu, "llama.cpp", A, concurrent=False)


@pytest.mark.parametrize("runtime, build_date, concurrent", [
    ("llama.cpp", None, True), ("ollama", None, True), ("llama.cpp", METAL_CONCURRENCY_SINCE, True),
    ("llama.cpp", "2024-06-01", False), ("llamafile", None, False), ("llamafile", "2026-04-17", False),
])
def test_which_builds_dispatch_concurrently(runtime: str, build_date: str | None, concurrent: bool) -> None:
    assert uses_metal_concurrency(runtime, build_date) is concurrent


def test_an_old_build_on_an_m1_decodes_a_small_model_slower() -> None:
    q = {"model": "Llama 3.2 1B", "hardware": "M1 Max"}
    now = answer(q)["speed"]["decode_tokens_per_s"]
    then = answer({**q, "build_date": "2024-06-01"})["speed"]["decode_tokens_per_s"]
    assert then < now * 0.75


def test_a_small_model_gains_more_from_a_newer_mac_than_the_bandwidth_ratio() -> None:
    """M1 Max and M3 Max 40c have the same 400 GB/s: a 1B model decodes faster on the M3 Max, a 70B one barely."""
    def rate(model: str, hw: str) -> float:
        return float(answer({"model": model, "hardware": hw})["speed"]["decode_tokens_per_s"])

    small = rate("Llama 3.2 1B", "M3 Max 40c") / rate("Llama 3.2 1B", "M1 Max 32c 64GB")
    big = rate("Llama 3.1 70B", "M3 Max 40c 128GB") / rate("Llama 3.1 70B", "M1 Max 32c 64GB")
    assert small > 1.1
    assert 1.0 < big < small
