"""MLX MXFP4: a dense model converted with mlx-lm's mxfp4 mode has every matrix at 4 bits + an 8-bit scale per 32
(17 bytes per 32 values); gpt-oss keeps its MXFP4 experts and puts the rest in MLX 8-bit."""

from __future__ import annotations

import math

from runlocal.catalog import build
from runlocal.estimate.weights import tensors_of, weights
from runlocal.service.resolve import catalog


def _arch(model_id: str):  # type: ignore[no-untyped-def]
    return build.model_spec(catalog().models[model_id]).arch


def test_a_dense_model_in_mlx_mxfp4_is_all_mxfp4() -> None:
    a = _arch("qwen3.6-27b")
    matrices = sum(math.prod(t.shape) for t in tensors_of(a) if len(t.shape) >= 2)
    w = weights(a, "MLX-MXFP4")
    mx = sum(math.prod(t.shape) * 17 // 32 for t in tensors_of(a) if len(t.shape) >= 2)
    assert dict(w.type_bytes).get("mxfp4") == mx
    assert w.total_bytes < 0.56 * matrices  # about 4.25 bits per weight, not 8.5
    assert w.total_bytes < 0.6 * weights(a, "MLX-8BIT").total_bytes


def test_gpt_oss_in_mlx_mxfp4_keeps_8bit_attention() -> None:
    a = _arch("gpt-oss-20b")
    w = weights(a, "MLX-MXFP4")
    experts = sum(math.prod(t.shape) * 17 // 32 for t in tensors_of(a) if "_exps" in t.name and len(t.shape) >= 2)
    assert dict(w.type_bytes)["mxfp4"] == experts
    assert w.total_bytes > experts  # attention, embeddings and head at 8 bits
