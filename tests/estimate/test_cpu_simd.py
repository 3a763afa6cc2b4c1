"""The vectors llama.cpp's CPU kernels use set CPU prompt speed: AVX-512 (the fitted figure), AVX2 (half: measured
0.485 here), NEON (a quarter, assumed), scalar RISC-V (assumed). Catalog CPUs take it from their architecture."""

from __future__ import annotations

import pytest

from runlocal.catalog.build import simd_of
from runlocal.service import answer


@pytest.mark.parametrize("arch,simd", [
    ("Zen 4", "avx512"), ("Zen 5 (3D V-Cache)", "avx512"), ("Sapphire Rapids (Golden Cove)", "avx512"),
    ("Raptor Lake (Raptor Cove + Gracemont)", "avx2"), ("Zen 3", "avx2"), ("Twin Lake (4x Gracemont E-cores)", "avx2"),
    ("Broadcom BCM2712 (4x Cortex-A76)", "neon"), ("Oryon (Arm)", "neon"),
    ("StarFive JH7110 (4x SiFive U74, RV64GC)", "scalar"), ("generic DDR5 platform", ""),
])
def test_simd_from_the_architecture(arch: str, simd: str) -> None:
    assert simd_of(arch) == simd


def test_prompt_speed_follows_the_vector_width() -> None:
    def prefill(simd: str | None) -> float:
        hw: dict[str, object] = {"gpus": [], "ram_gb": 32, "ram_bandwidth_gb_s": 60, "cpu_cores": 8}
        if simd:
            hw["cpu_simd"] = simd
        a = answer({"model": "qwen3-0.6b", "hardware": hw})
        assert a["ok"], a
        return float(a["speed"]["prefill_tokens_per_s"])

    wide, avx2, neon, scalar = prefill("avx512"), prefill("avx2"), prefill("neon"), prefill("scalar")
    assert prefill(None) == pytest.approx(wide)  # not said: the fitted (AVX-512) figure
    assert wide > avx2 > neon > scalar
    assert avx2 / wide == pytest.approx(0.5, rel=0.15)  # compute-bound: the factor shows nearly whole
    bad = answer({"model": "qwen3-0.6b", "hardware": {"gpus": [], "ram_gb": 8, "cpu_simd": "mmx"}})
    assert not bad["ok"] and "cpu_simd" in bad["error"]["message"]
    pi, desktop = (answer({"model": "qwen3-0.6b", "hardware": h})["speed"]["prefill_tokens_per_s"]
                   for h in ("raspberry-pi-5", "ryzen-9-7950x"))
    assert pi < desktop / 10
