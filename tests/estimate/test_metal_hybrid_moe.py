"""Apple GPUs: an expert matmul fills ggml-metal's 32-token tile (not CUDA MMQ's 128), and a Gated DeltaNet / Mamba
layer costs scan_layer_overhead_factor_metal times a plain layer's fixed decode cost on llama.cpp's Metal backend."""

from __future__ import annotations

import pytest

from runlocal.catalog import build
from runlocal.estimate.assumptions import DEFAULT
from runlocal.estimate.speed import metal_layer_overhead, moe_expert_penalty
from runlocal.service import answer
from runlocal.service.resolve import catalog


def test_metal_experts_fill_a_32_token_tile() -> None:
    arch = build.model_spec(catalog().models["qwen3-30b-a3b"]).arch
    # a 512-token ubatch gives each of the 128 experts 512 x 8 / 128 = 32 tokens: a full Metal tile, a quarter of
    # an MMQ tile
    assert moe_expert_penalty(arch, 1, 1, DEFAULT, backend="metal") == 0.0
    assert moe_expert_penalty(arch, 1, 1, DEFAULT, backend="cuda") > 0.0


def test_a_scan_layer_costs_three_plain_layers_on_metal() -> None:
    q = {"model": "qwen3.6-35b-a3b", "hardware": "apple-m3-max-40c", "quant": "Q4_K_M", "context_tokens": 4096,
         "runtime": "llama.cpp"}
    plain = answer({**q, "assume": {"scan_layer_overhead_factor_metal": 1.0}})["speed"]["decode_tokens_per_s"]
    scan = answer(q)["speed"]["decode_tokens_per_s"]
    from runlocal.service.question import parse
    from runlocal.service.resolve import resolve_machine

    gpu = resolve_machine(parse(q)).machine.gpus[0]
    per_layer = metal_layer_overhead(gpu, "llama.cpp", DEFAULT)
    # 30 of its 40 layers are Gated DeltaNet: each adds (3 - 1) x the plain layer's fixed cost
    extra = 30 * (DEFAULT.scan_layer_overhead_factor_metal - 1) * per_layer * 1e-6
    assert 1 / scan - 1 / plain == pytest.approx(extra, rel=0.01)
    mlx = {**q, "runtime": "mlx", "quant": "MLX-4BIT"}
    assert answer(mlx)["speed"] == answer({**mlx, "assume": {"scan_layer_overhead_factor_metal": 1.0}})["speed"]


def test_a_batched_moe_step_multiplies_touched_experts_in_whole_tiles() -> None:
    """Past 8 tokens llama.cpp multiplies expert weights in token tiles (128 on Vulkan / ROCm, 32 on Metal, 8 on CUDA):
    Qwen3-30B-A3B (128 experts, 8 used, 2048 x 768 gated experts, 48 MoE layers) at 16 sequences routes like
    16 ** 0.8 = 9.19 independent tokens, touching 128 x (1 - (120/128) ** 9.19) = 57.3 experts, each one tile pass
    for the 128 token-slots: (57.3 x 128 - 128) x 2 x 3 x 2048 x 768 x 48 wasted FLOPs."""
    import math

    from runlocal.estimate.speed import moe_tile_flops

    arch = build.model_spec(catalog().models["qwen3-30b-a3b"]).arch
    routed = 16 ** DEFAULT.moe_batch_skew
    touched = 128 * (1 - (120 / 128) ** routed)
    want = (touched * 128 - 128) * 2 * 3 * 2048 * 768 * 48
    assert moe_tile_flops(arch, 16, routed, "llama.cpp", "vulkan", DEFAULT) == pytest.approx(want)
    # CUDA's MMQ fits its tile to the columns: 8 tokens, so 57.3 experts x 8 rows for 128 token-slots
    cuda = (touched * 8 - 128) * 2 * 3 * 2048 * 768 * 48
    assert moe_tile_flops(arch, 16, routed, "llama.cpp", "cuda", DEFAULT) == pytest.approx(cuda)
    metal = (touched * 32 - 128) * 2 * 3 * 2048 * 768 * 48
    assert moe_tile_flops(arch, 16, routed, "llama.cpp", "metal", DEFAULT) == pytest.approx(metal)
    assert moe_tile_flops(arch, 8, 8 ** DEFAULT.moe_batch_skew, "llama.cpp", "cuda", DEFAULT) == 0.0  # vector kernels
    assert moe_tile_flops(arch, 16, routed, "vllm", "cuda", DEFAULT) == 0.0  # its fused kernels tile by the batch
    assert math.isclose(moe_tile_flops(build.model_spec(catalog().models["qwen3-8b"]).arch, 64, 64, "llama.cpp",
                                       "cuda", DEFAULT), 0.0)
