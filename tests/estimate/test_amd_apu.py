"""AMD APUs (Strix Halo, 780M/680M laptops, Z1) decode at decode_eff_unified_amd of their LPDDR bandwidth and prompt
at prefill_factor_unified_amd of a discrete RDNA card's rate; other integrated GPUs keep decode_eff_unified."""

from __future__ import annotations

import pytest

from runlocal.estimate.assumptions import DEFAULT
from runlocal.service import answer


def _speed(hw: str, **assume: float) -> dict:  # type: ignore[type-arg]
    q = {"model": "llama-2-7b", "hardware": hw, "quant": "Q4_0", "context_tokens": 4096, "prompt_tokens": 512,
         **({"assume": assume} if assume else {})}
    return answer(q)["speed"]  # type: ignore[no-any-return]


def test_an_amd_apu_takes_its_own_bandwidth_share_and_prompt_factor() -> None:
    base = _speed("ryzen-ai-max-plus-395")
    slow = _speed("ryzen-ai-max-plus-395", decode_eff_unified_amd=DEFAULT.decode_eff_unified_amd / 2)
    # the bytes term halves its rate; the fixed per-layer costs do not change, so the drop is a little under 2x
    assert 1.6 < base["decode_tokens_per_s"] / slow["decode_tokens_per_s"] < 2.0
    full = _speed("ryzen-ai-max-plus-395", prefill_factor_unified_amd=1.0)
    # compute-bound prompt: the factor scales the compute term, the per-request and per-layer costs stay
    assert full["prefill_tokens_per_s"] / base["prefill_tokens_per_s"] == pytest.approx(1 / 0.7, rel=0.15)
    assert full["prefill_tokens_per_s"] > base["prefill_tokens_per_s"]


def test_other_integrated_gpus_keep_the_generic_share() -> None:
    intel = _speed("core-ultra-7-155h")
    assert _speed("core-ultra-7-155h", decode_eff_unified_amd=0.3) == intel
    assert _speed("core-ultra-7-155h", decode_eff_unified=0.3)["decode_tokens_per_s"] < intel["decode_tokens_per_s"]
