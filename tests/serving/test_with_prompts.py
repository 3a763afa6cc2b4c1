"""A serving benchmark's output rate includes the GPU time its prompts take (closed loop, chunked prefill sharing
the steps): hand-computed."""

from __future__ import annotations

import pytest

from runlocal.estimate.serving import CurvePoint, with_prompts
from runlocal.service.accuracy import prompts_count
from runlocal.service.capacity import capacity


def test_with_prompts_by_hand() -> None:
    # 32 running sequences, a 20 ms step: 1,600 tokens/s of pure decode. Each request: a 1,024-token prompt at
    # 10,000 tokens/s of prefill, then 128 output tokens. 32 requests finish every 32 x 0.1024 + 128 x 0.020
    # = 3.2768 + 2.56 = 5.8368 s, so 32 x 128 / 5.8368 = 701.8 output tokens/s.
    p = CurvePoint(32, 50.0, 1600.0, 20.0, "memory", True)
    assert with_prompts(p, prompt_tokens=1024, output_tokens=128, prefill_tokens_per_s=10_000) == pytest.approx(
        701.75, abs=0.05)
    # no prompt (or no prefill rate): the decode rate itself
    assert with_prompts(p, prompt_tokens=0, output_tokens=128, prefill_tokens_per_s=10_000) == 1600.0
    # queued requests do not run: a point past the running batch keeps the batch's figure
    q = CurvePoint(256, 50.0, 1600.0, 20.0, "queue", False)
    assert with_prompts(q, prompt_tokens=1024, output_tokens=128, prefill_tokens_per_s=10_000) == pytest.approx(
        701.75, abs=0.05)


def test_capacity_gives_the_rate_with_prompts() -> None:
    r = capacity({"model": "llama-3.1-8b", "hardware": "rtx-4090", "runtime": "vllm", "context_tokens": 8192,
                  "prompt_tokens": 4096, "output_tokens": 128})
    one, many = r["curve"][0], r["curve"][5]
    assert one["aggregate_with_prompts_tokens_per_s"] < one["aggregate_tokens_per_s"]
    # long prompts and short answers: at 32 users the prompts take most of the GPU
    assert many["aggregate_with_prompts_tokens_per_s"] < 0.6 * many["aggregate_tokens_per_s"]
    assert r["prefill_tokens_per_s"] > 0


def test_batched_bench_reports_generation_apart() -> None:
    assert not prompts_count({"dataset": "synthetic (llama-batched-bench)"})
    assert prompts_count({"dataset": "sharegpt"})


def test_time_to_first_token_by_hand() -> None:
    from runlocal.estimate.serving import ttft_with_prompts

    # 32 running, T = 5.8368 s per round (above), own prompt 0.1024 s. 16 users: all admitted, arriving together
    # (a benchmark's wave); their prompts are done at 1, 2, ... 16 x 0.1024 s: mean (16 + 1) / 2 x 0.1024 = 0.8704 s.
    p = CurvePoint(32, 50.0, 1600.0, 20.0, "memory", True)
    assert ttft_with_prompts(p, users=16, prompt_tokens=1024, output_tokens=128,
                             prefill_tokens_per_s=10_000) == pytest.approx(0.8704, abs=1e-3)
    # 128 users, 32 slots: by Little's law each waits (128 / 32 - 1) x 5.8368 = 17.51 s for a slot, then its wave of
    # 32 prompts: (32 + 1) / 2 x 0.1024 = 1.6896 s
    q = CurvePoint(128, 50.0, 1600.0, 20.0, "queue", False)
    assert ttft_with_prompts(q, users=128, prompt_tokens=1024, output_tokens=128,
                             prefill_tokens_per_s=10_000) == pytest.approx(17.510 + 1.690, abs=0.01)
    # one user: its own prompt only
    assert ttft_with_prompts(p, users=1, prompt_tokens=1024, output_tokens=128,
                             prefill_tokens_per_s=10_000) == pytest.approx(0.1024, abs=1e-4)
    assert ttft_with_prompts(p, users=1, prompt_tokens=0, output_tokens=128, prefill_tokens_per_s=10_000) is None


def test_capacity_shows_the_queue_in_the_first_token() -> None:
    r = capacity({"model": "qwen3-8b", "hardware": "rtx-4090", "runtime": "vllm", "context_tokens": 8192,
                  "output_tokens": 400})
    run = [p for p in r["curve"] if p["bound"] != "queue"]
    queued = [p for p in r["curve"] if p["bound"] == "queue"]
    assert run[-1]["ttft_with_prompts_s"] < 1.0 < queued[0]["ttft_with_prompts_s"]
    assert [p["ttft_with_prompts_s"] for p in queued] == sorted(p["ttft_with_prompts_s"] for p in queued)
