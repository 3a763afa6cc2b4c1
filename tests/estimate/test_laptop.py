"""Laptop GPUs decode at decode_factor_laptop of the bandwidth their desktop-class figures give (catalog runs on
laptop GPUs were +29 % over, fit share and held out alike); desktop cards are unchanged."""

from __future__ import annotations

import pytest

from runlocal.estimate.assumptions import DEFAULT
from runlocal.service import answer


def _decode(hw: str, **assume: float) -> float:
    a = answer({"model": "llama-3.1-8b", "hardware": hw, "quant": "Q4_K_M", **({"assume": assume} if assume else {})})
    assert a["ok"], a
    return float(a["speed"]["decode_tokens_per_s"])


def test_a_laptop_gpu_reads_below_its_spec() -> None:
    assert DEFAULT.decode_factor_laptop < 1
    assert _decode("rtx-4090-laptop") < _decode("rtx-4090-laptop", decode_factor_laptop=1.0) * 0.9


@pytest.mark.parametrize("hw", ["rtx-4090", "rtx-4060"])
def test_desktop_cards_do_not_take_it(hw: str) -> None:
    assert _decode(hw) == pytest.approx(_decode(hw, decode_factor_laptop=1.0))
