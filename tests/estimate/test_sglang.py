"""SGLang: a static pool of mem_fraction_static x GPU memory (0.88 at tp 1, stepping down with tp), no offload."""

from __future__ import annotations

import pytest

from runlocal.estimate.assumptions import DEFAULT
from runlocal.estimate.engine import sglang_fraction
from runlocal.estimate.units import GIB
from runlocal.service import answer


def test_fraction_steps_down_with_tensor_parallelism() -> None:
    assert [sglang_fraction(tp, DEFAULT) for tp in (1, 2, 4, 8)] == pytest.approx([0.88, 0.87, 0.85, 0.81])


def test_an_answer_with_sglang() -> None:
    a = answer({"model": "qwen3-8b", "hardware": "rtx-4090", "runtime": "sglang", "quant": "BF16"})
    assert a["ok"] and a["runtime"] == "sglang" and a["fits"] == "gpu"
    assert a["basis"]["usable_accelerator_bytes_per_gpu"] == int(24 * GIB * 0.88)
    assert a["commands"]["sglang"].startswith("python -m sglang.launch_server --model-path ")
    big = answer({"model": "llama-3.3-70b", "hardware": "rtx-4090", "runtime": "sglang", "quant": "BF16"})
    assert big["ok"] and big["fits"] == "no"  # no offload to system RAM


def test_hybrid_pool_split_worked_by_hand() -> None:
    """SGLang's _handle_max_mamba_cache with the defaults (mamba_full_memory_ratio 0.9, 3 slots per running request).

    A 40 GiB cache pool and a 60 MiB recurrent state per request:
      state pool  = 40 GiB x 0.9 / 1.9 = 18.947 GiB -> floor(18.947 GiB / 60 MiB) = 323 slots
      KV pool     = 40 GiB - 323 x 60 MiB = 40,960 - 19,380 = 21,580 MiB
      max running = 323 // 3 = 107 requests."""
    from runlocal.estimate.serving import sglang_hybrid_pools

    mib = 2**20
    split = sglang_hybrid_pools(40 * GIB, 60 * mib, DEFAULT)
    assert split is not None
    assert split.state_slots == 323
    assert split.kv_pool_bytes == 21_580 * mib
    assert split.max_running == 107
    assert sglang_hybrid_pools(40 * GIB, 0, DEFAULT) is None  # no recurrent layers: one KV pool


def test_hybrid_model_runs_fewer_requests_than_its_kv_pool_holds() -> None:
    """Qwen3.6-35B-A3B (Gated DeltaNet hybrid) on an H200: the state pool, not the KV, caps the running batch."""
    from runlocal.service.capacity import capacity

    q = {"model": "qwen3.6-35b-a3b", "hardware": "h200-sxm", "runtime": "sglang", "quant": "BF16",
         "context_tokens": 9216, "prompt_tokens": 8192, "output_tokens": 1024, "users": 1024}
    r = capacity(q)
    assert any("state" in n and "run at once" in n for n in r["notes"])
    vllm = capacity({**q, "runtime": "vllm"})
    assert 0 < r["typical_concurrency"] < vllm["typical_concurrency"]
    dense = capacity({**q, "model": "qwen3-32b"})
    assert not any("recurrent" in n for n in dense["notes"])


def test_a_hybrid_prompt_pays_its_recurrent_scans_per_token() -> None:
    """serving_recurrent_prefill_us per prompt token per recurrent layer: Qwen3.6-35B-A3B (30 Gated DeltaNet layers)
    on an H200, an 8,192-token prompt: 30 x 8,192 x 0.34 us = 83.6 ms on top of the FLOP-bound 79 ms (the cookbook
    measured 138-182 ms for the first token); a dense model pays nothing."""
    from runlocal.service.capacity import capacity

    def ttft_ms(model: str, **assume: float) -> float:
        r = capacity({"model": model, "hardware": "h200-sxm", "runtime": "sglang", "quant": "BF16",
                      "context_tokens": 9216, "prompt_tokens": 8192, "output_tokens": 1024, "users": 1,
                      "assume": {"sglang_mem_fraction_static": 0.8, **assume}})
        return 8192 / r["prefill_tokens_per_s"] * 1000

    with_scan, without = ttft_ms("qwen3.6-35b-a3b"), ttft_ms("qwen3.6-35b-a3b", serving_recurrent_prefill_us=0.0004)
    assert with_scan - without == pytest.approx(30 * 8192 * DEFAULT.serving_recurrent_prefill_us / 1000, rel=0.02)
    assert ttft_ms("qwen3-32b") == pytest.approx(ttft_ms("qwen3-32b", serving_recurrent_prefill_us=0.0004))
