"""llamafile on Radeons pays a larger fixed cost per layer per token than on NVIDIA (its own HIP build:
llamafile_layer_us_amd on top of llamafile_layer_us), so small models lose the most."""

from __future__ import annotations

from runlocal.estimate.assumptions import DEFAULT
from runlocal.service import answer


def _decode(model: str, hw: str, **assume: float) -> float:
    a = answer({"model": model, "hardware": hw, "runtime": "llamafile", "quant": "Q4_K_M",
                **({"assume": assume} if assume else {})})
    assert a["ok"], a
    return float(a["speed"]["decode_tokens_per_s"])


def test_the_amd_layer_cost_weighs_most_on_a_small_model() -> None:
    assert DEFAULT.llamafile_layer_us_amd > 0
    small = _decode("llama-3.2-1b", "rx-7900-xtx") / _decode("llama-3.2-1b", "rx-7900-xtx", llamafile_layer_us_amd=0)
    large = _decode("qwen2.5-14b", "rx-7900-xtx") / _decode("qwen2.5-14b", "rx-7900-xtx", llamafile_layer_us_amd=0)
    assert small < large < 1


def test_nvidia_does_not_pay_it() -> None:
    assert _decode("llama-3.2-1b", "rtx-4090") == _decode("llama-3.2-1b", "rtx-4090", llamafile_layer_us_amd=0)
