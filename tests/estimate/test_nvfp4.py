"""NVFP4 checkpoints (ModelOpt / compressed-tensors): 4-bit E2M1 weights with an FP8 scale per 16 (4.5 bits), the
embeddings and output head at 16 bits; served by vLLM, SGLang and TensorRT-LLM, named by repositories' -NVFP4."""

from __future__ import annotations

import pytest

from runlocal.estimate.weights import GROUP_QUANTS, normalize_quant
from runlocal.service.api import answer


def test_four_and_a_half_bits_per_weight() -> None:
    assert GROUP_QUANTS["NVFP4"].bits_per_weight() == 4.5
    assert normalize_quant("nvfp4") == normalize_quant("NV-FP4") == "NVFP4"


def test_llama_8b_file_by_hand() -> None:
    # Llama 3.1 8B: 8,030,261,248 params; embeddings and untied head 2 x 128,256 x 4,096 = 1,050,673,152 at 2 bytes;
    # the other 6,979,588,096 (norms among them, a rounding) at 4.5 / 8 bytes: 2.101e9 + 3.926e9 = 6.03e9 bytes
    r = answer({"model": "Llama 3.1 8B", "hardware": "RTX 5090", "runtime": "tensorrt-llm", "quant": "NVFP4"})
    assert r["ok"], r["error"]
    assert r["file_bytes"] == pytest.approx(6.03e9, rel=0.01)


def test_a_repository_name_carries_the_quant() -> None:
    r = answer({"model": "nvidia/Qwen3-30B-A3B-NVFP4", "hardware": "RTX 5090"})
    assert r["ok"] and r["quant"] == "NVFP4" and r["runtime"] == "vllm"
