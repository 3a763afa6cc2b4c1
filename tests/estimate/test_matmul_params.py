"""Prompt FLOPs count the matrices a text token multiplies: not Gemma 3n / 4's per-layer embedding table (a lookup),
not a vision or audio tower (a text prompt does not run it)."""

from __future__ import annotations

from runlocal.catalog import build
from runlocal.estimate.speed import matmul_params
from runlocal.estimate.weights import weights
from runlocal.service.resolve import catalog


def _spec(model_id: str):  # type: ignore[no-untyped-def]
    return build.model_spec(catalog().models[model_id])


def test_per_layer_embeddings_and_the_vision_tower_are_not_multiplied() -> None:
    m = _spec("gemma-4-e2b")
    a = m.arch
    ple = a.per_layer_input_size * a.n_layers * a.vocab_size  # 256 x 35 x 262,144 = 2,348,810,240
    assert ple == 2_348_810_240
    w = weights(a, "Q4_K_M")
    # tied embeddings: the token table is multiplied once, as the output head
    assert matmul_params(a, w, m.params, m.active_params) == m.params - a.extra_params - ple
    vl = _spec("qwen2.5-vl-7b")
    got = matmul_params(vl.arch, weights(vl.arch, "Q4_K_M"), vl.params, vl.active_params)
    assert got == vl.params - vl.arch.extra_params - vl.arch.vocab_size * vl.arch.hidden_size


def test_an_moe_entrys_active_count_is_already_the_text_models() -> None:
    m = _spec("qwen3.6-35b-a3b")
    a = m.arch
    got = matmul_params(a, weights(a, "Q4_K_M"), m.params, m.active_params)
    assert got == m.active_params - a.vocab_size * a.hidden_size
