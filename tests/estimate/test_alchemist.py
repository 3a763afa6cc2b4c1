"""Arc Alchemist through llama.cpp's Vulkan backend decodes at decode_factor_alchemist_vulkan of the usual Vulkan
bandwidth share (the scoreboard's A750/A770/A770M at 1.4-1.6x below the bandwidth model); Battlemage on Vulkan and
Alchemist on SYCL keep the usual figures."""

from __future__ import annotations

import pytest

from runlocal.estimate.assumptions import DEFAULT
from runlocal.service import answer


def _decode(hw: str, backend: str, **assume: float) -> float:
    a = answer({"model": "llama-2-7b", "hardware": hw, "runtime": "llama.cpp", "quant": "Q4_0", "backend": backend,
                **({"assume": assume} if assume else {})})
    assert a["ok"], a
    return float(a["speed"]["decode_tokens_per_s"])


def test_alchemist_on_vulkan_reads_at_its_own_share() -> None:
    slow = _decode("arc-a770-16gb", "vulkan")
    plain = _decode("arc-a770-16gb", "vulkan", decode_factor_alchemist_vulkan=1.0)
    assert slow < plain * 0.8  # the factor applies to the weight reads, the fixed per-layer cost stays
    assert DEFAULT.decode_factor_alchemist_vulkan < 1


@pytest.mark.parametrize(("hw", "backend"), [("arc-b580", "vulkan"), ("arc-a770-16gb", "sycl")])
def test_battlemage_and_sycl_do_not_take_it(hw: str, backend: str) -> None:
    assert _decode(hw, backend) == pytest.approx(_decode(hw, backend, decode_factor_alchemist_vulkan=1.0))
