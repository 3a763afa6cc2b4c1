"""Impossible or oversized model facts are refused with the field's name, from every door they come in by."""

from __future__ import annotations

import pytest

from runlocal.service import answer

BASE = {"hidden_size": 4096, "num_attention_heads": 32, "num_key_value_heads": 8, "num_hidden_layers": 32,
        "intermediate_size": 14336, "vocab_size": 128256, "model_type": "llama"}


@pytest.mark.parametrize(("change", "words"), [
    ({"num_hidden_layers": 10**6}, "n_layers"), ({"num_hidden_layers": 2**40}, "n_layers"),
    ({"num_hidden_layers": -3}, "n_layers"), ({"num_attention_heads": 0}, ""),
    ({"num_key_value_heads": 64}, "cannot exceed n_heads"), ({"vocab_size": 10**12}, "vocab_size"),
])
def test_inline_config_out_of_range_is_one_clear_error(change: dict[str, int], words: str) -> None:
    r = answer({"model": {**BASE, **change}, "hardware": "rtx-4090"})
    assert r["ok"] is False and r["error"]["code"] == "invalid_field"
    assert words in r["error"]["message"]


def test_a_sane_inline_config_still_answers() -> None:
    r = answer({"model": BASE, "hardware": "rtx-4090"})
    assert r["ok"] is True and r["fits"] == "gpu"


@pytest.mark.parametrize("bad", [{"decode_eff_cuda": 1e308}, {"decode_eff_cuda": 1.5}, {"decode_range": [0.5, 1e9]},
                                 {"n_ubatch": 10**9}])
def test_assumption_overrides_must_be_physical(bad: dict[str, object]) -> None:
    r = answer({"model": "llama-3.1-8b", "hardware": "rtx-4090", "assume": bad})
    assert r["ok"] is False and r["error"]["code"] == "invalid_field"
