"""Serving engines fill a prefill step with up to serving_step_tokens prompt tokens: an MoE model's experts then see
enough tokens each to run near their full rate, so the prompt rate under load (serving.batched_prefill) is above
the single-request one; dense models and llama.cpp keep one rate. Serving engines multiply prompts with their own
GEMM libraries on NVIDIA, AMD and Intel (prefill_eff_serving), not with llama.cpp's kernels for that backend."""

from __future__ import annotations

import pytest

from runlocal.estimate.assumptions import Assumptions
from runlocal.estimate.speed import moe_expert_penalty, prefill_efficiency
from runlocal.service.api import answer
from runlocal.service.capacity import capacity

A = Assumptions()


def _rates(model: str, runtime: str, hardware: str = "h100-sxm", quant: str | None = None) -> tuple[float, float]:
    q = {"model": model, "hardware": hardware, "runtime": runtime, "context_tokens": 4096, "prompt_tokens": 1024,
         "output_tokens": 256, **({"quant": quant} if quant else {})}
    single = answer({k: v for k, v in q.items() if k != "output_tokens"})["speed"]["prefill_tokens_per_s"]
    return float(single), float(capacity(q)["prefill_tokens_per_s"])


def test_moe_experts_fill_with_the_step() -> None:
    from runlocal.catalog import build
    from runlocal.service import catalog

    arch = build.model_spec(catalog().models["qwen3-30b-a3b"]).arch
    full = moe_expert_penalty(arch, 1, 1, A, A.serving_step_tokens)  # 8192 x 8 / 128 = 512 tokens per expert
    assert full == 0.0
    ubatch = moe_expert_penalty(arch, 1, 1, A)  # llama.cpp: 512 x 8 / 128 = 32 tokens: a quarter of a tile
    assert ubatch > 0 and ubatch == moe_expert_penalty(arch, 1, 1, A, A.n_ubatch)


def test_moe_prompts_under_load_run_faster_than_one_alone_on_vllm() -> None:
    single, loaded = _rates("qwen3-30b-a3b", "vllm", quant="BF16")
    assert loaded > 1.5 * single


def test_a_compute_bound_dense_prompt_keeps_its_rate_and_llama_cpp_keeps_one_rate() -> None:
    single, loaded = _rates("llama-3.1-8b", "vllm", quant="BF16")
    # only the fixed costs per step are shared: the request start-up (prefill_request_overhead_ms, 11.6 ms) and the
    # 32 layers' launches (prefill_layer_overhead_us each), beside the ~20 ms a 1,024-token prompt computes; a prompt
    # sharing an 8,192-token step with 7 others carries 1/8 of them
    fixed = A.prefill_request_overhead_ms * 1e-3 + 32 * A.prefill_layer_overhead_us * 1e-6
    shared = 1024 / (1024 / single - fixed * (1 - 1024 / A.serving_step_tokens))
    assert single <= loaded == pytest.approx(shared, rel=0.1)
    single, loaded = _rates("qwen3-30b-a3b", "llama.cpp", hardware="rtx-4090")
    assert loaded == pytest.approx(single, rel=1e-4)


def test_serving_engines_take_their_own_prefill_efficiency_on_every_vendor() -> None:
    for backend in ("cuda", "rocm", "sycl"):
        assert prefill_efficiency(backend, "vllm", A) == A.prefill_eff_serving
    assert prefill_efficiency("sycl", "llama.cpp", A) == A.prefill_eff_sycl


def test_fp8_weights_on_a_serving_engine_multiply_at_the_fp8_tensor_rate() -> None:
    from runlocal.estimate.specs import Device
    from runlocal.estimate.speed import fp8_matmul_rate

    h100 = Device(name="h", memory_bytes=1, bandwidth_bytes_per_s=1.0, fp16_flops=989e12, fp8_flops=1979e12)
    assert fp8_matmul_rate(h100, "vllm", "FP8") == 1979e12
    assert fp8_matmul_rate(h100, "tensorrt-llm", "FP8") == 1979e12
    assert fp8_matmul_rate(h100, "vllm", "BF16") is None
    assert fp8_matmul_rate(h100, "llama.cpp", "FP8") is None
    a100 = Device(name="a", memory_bytes=1, bandwidth_bytes_per_s=1.0, fp16_flops=312e12)  # no FP8 tensor cores
    assert fp8_matmul_rate(a100, "vllm", "FP8") is None
    q = {"model": "llama-3.1-8b", "hardware": "h100-sxm", "runtime": "vllm", "prompt_tokens": 4096}
    fp8 = answer({**q, "quant": "FP8"})["speed"]["prefill_tokens_per_s"]
    bf16 = answer({**q, "quant": "BF16"})["speed"]["prefill_tokens_per_s"]
    assert 1.4 < fp8 / bf16 < 2.1
