"""Granite 4.0 H: Mamba-2 or attention per block (config.json's layer_types), then routed experts with a shared
expert; the tensor table reproduces the parameter counts computed from the configs exactly (it laid out attention
in every block and no Mamba weights before: 6.7 % low on H Small)."""

from __future__ import annotations

import pytest

from runlocal.catalog.build import model_spec
from runlocal.estimate.gguf_layout import gguf_tensors
from runlocal.formats.hfconfig import count_params
from runlocal.service import answer
from runlocal.service.resolve import catalog


@pytest.mark.parametrize("model,total", [("granite-4.0-h-small", 32_207_337_984),
                                         ("granite-4.0-h-tiny", 6_939_037_248), ("granite-4.0-h-1b", 1_461_538_368)])
def test_parameter_counts_from_the_tensor_table(model: str, total: int) -> None:
    spec = model_spec(catalog().models[model])
    assert count_params(spec.arch)[0] == total
    names = [t.name for t in gguf_tensors(spec.arch)]
    attn = {i for i, k in enumerate(spec.arch.layer_kinds()) if k != "linear"}
    for i in range(spec.arch.n_layers):
        has_ssm = f"blk.{i}.ssm_in.weight" in names
        assert has_ssm == (i not in attn) and (f"blk.{i}.attn_q.weight" in names) == (i in attn)


def test_granite_h_small_answers_with_only_its_attention_layers_in_the_kv_cache() -> None:
    a = answer({"model": "granite-4.0-h-small", "hardware": "rtx-4090", "context_tokens": 131072})
    assert a["ok"] and a["fits"] == "gpu"
    # 4 attention layers x 8 KV heads x 128 x 2 (K, V) x 2 bytes x 131072 tokens = 2 GiB, plus the Mamba state
    assert 2 * 2**30 <= a["memory"]["kv_cache_bytes"] < 2.3 * 2**30
