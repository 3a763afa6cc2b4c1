"""Serving capacity (runlocal.estimate.serving, service.capacity, `runlocal capacity`): the KV pool and the
concurrency worked out by hand, the batch-speed curve's limits, tensor parallel, load, and bad input."""

from __future__ import annotations

import json

import pytest

from runlocal.cli.main import main
from runlocal.errors import InvalidField
from runlocal.service import answer
from runlocal.service.capacity import capacity, parse_rate

GIB = 2**30


def test_vllm_pool_and_concurrency_by_hand() -> None:
    r = capacity({"model": "llama-3.1-8b", "hardware": "h100-sxm", "runtime": "vllm", "context_tokens": 8192,
                  "prompt_tokens": 1024, "output_tokens": 256})
    # H100 SXM, 80 GiB: 0.9 x 85,899,345,920 = 77,309,411,328; minus 1.5 GiB of CUDA graphs and torch context
    # (1,610,612,736) = 75,698,798,592 per GPU; minus the BF16 weights (16,061,054,976) and the 8K-token prefill
    # chunk's activations (188,653,568) leaves a pool of 59,449,090,048 bytes.
    assert r["kv_pool_bytes"] == 59_449_090_048
    # Llama 3.1 8B caches 32 layers x 2 (K, V) x 8 KV heads x 128 x 2 bytes = 131,072 bytes per token, so a full
    # 8,192-token sequence holds 1 GiB: floor(59,449,090,048 / 1,073,741,824) = 55 sequences at once
    assert r["kv_bytes_per_sequence"] == GIB and r["max_concurrency"] == 55
    # at the average length in flight (1,024 + 128 tokens, 72 blocks of 16): 1,152 x 131,072 = 150,994,944 bytes
    assert r["typical_concurrency"] == 59_449_090_048 // (1152 * 131_072)


def test_one_user_is_the_single_stream_figure_and_big_batches_turn_compute_bound() -> None:
    q = {"model": "llama-3.1-8b", "hardware": "rtx-4090", "runtime": "vllm", "quant": "AWQ-INT4"}
    r = capacity({**q, "context_tokens": 512, "prompt_tokens": 256, "output_tokens": 64, "users": 2048})
    single = answer({**q, "context_tokens": 512, "prompt_tokens": 256, "depth_tokens": 256 + 32})
    assert r["curve"][0]["per_user_tokens_per_s"] == pytest.approx(single["speed"]["decode_tokens_per_s"], rel=0.01)
    agg = [p["aggregate_tokens_per_s"] for p in r["curve"]]
    per = [p["per_user_tokens_per_s"] for p in r["curve"]]
    # more users: less each, and more in total until the step is compute-bound, where the total levels off
    assert per == sorted(per, reverse=True) and all(b >= 0.99 * a for a, b in zip(agg, agg[1:], strict=False))
    running = [p for p in r["curve"] if p["bound"] != "queue"]  # past the KV pool's batch, requests wait
    assert running[-1]["bound"] == "compute" and r["knee_concurrency"] is not None


def test_tensor_parallel_beats_a_layer_split_for_one_user() -> None:
    base = {"model": "llama-3.3-70b", "hardware": "h100-sxm", "gpu_count": 4, "context_tokens": 4096}
    tp = capacity({**base, "runtime": "vllm"})
    assert tp["tensor_parallel"] and any("all-reduces" in n for n in tp["notes"])
    split = answer({**base, "runtime": "llama.cpp", "quant": "F16"})
    assert tp["single_user_tokens_per_s"] > 2 * split["speed"]["decode_tokens_per_s"]


def test_load_and_plan() -> None:
    r = capacity({"model": "llama-3.1-8b", "hardware": "h100-sxm", "runtime": "vllm", "users": 500,
                  "context_tokens": 8192, "output_tokens": 400, "rate_per_s": 2, "target_tokens_per_s": 20})
    ld = r["load"]
    assert ld["stable"] and 0 < ld["ttft_p50_s"] < ld["ttft_p90_s"] < ld["e2e_p50_s"]
    plan = r["plan"]
    assert plan["users_per_machine"] > 0 and plan["machines_needed"] == -(-500 // plan["users_per_machine"])
    assert plan["options"] and all(o["machines"] * o["users_per_machine"] >= 500 for o in plan["options"])
    overload = capacity({"model": "llama-3.1-8b", "hardware": "rtx-3060-12gb", "runtime": "llama.cpp",
                         "rate_per_s": 500, "context_tokens": 4096})
    assert overload["load"]["stable"] is False


def test_llama_cpp_slots_share_the_cache() -> None:
    r = capacity({"model": "qwen3-8b", "hardware": "rtx-4090", "runtime": "llama.cpp", "users": 8,
                  "context_tokens": 8192})
    assert r["max_concurrency"] >= 8 and "-np 8 -c 65536" in r["commands"]["llama.cpp"]


def test_bad_input_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    for bad in ({"users": 0}, {"users": 10**9}, {"context_tokens": -1}, {"rate_per_s": float("nan")},
                {"prompt_tokens": 9000, "context_tokens": 4096}):
        with pytest.raises(InvalidField):
            capacity({"model": "llama-3.1-8b", "hardware": "rtx-4090", **bad})
    assert parse_rate("120/min") == 2.0 and parse_rate("3/s") == 3.0
    with pytest.raises(InvalidField):
        parse_rate("fast")
    assert main(["capacity", "llama-3.1-8b", "-H", "rtx-4090", "--rate", "soon"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--rate" in err


def test_cli_json_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["capacity", "llama-3.1-8b", "-H", "h100-sxm", "--runtime", "vllm", "--users", "50", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["users"]["asked"] == 50 and r["curve"][0]["concurrency"] == 1
    assert main(["capacity", "llama-3.1-8b", "-H", "h100-sxm", "--runtime", "vllm", "--target-tps", "20"]) == 0
    out = capsys.readouterr().out
    assert "tok/s each" in out and "per-user tokens/s" in out and "users per machine" in out


def test_contract_answers_with_parallel_give_per_user_and_total() -> None:
    one = answer({"model": "llama-3.1-8b", "hardware": "h100-sxm", "runtime": "vllm"})["speed"]
    many = answer({"model": "llama-3.1-8b", "hardware": "h100-sxm", "runtime": "vllm", "parallel": 8})["speed"]
    assert "per_user_decode_tokens_per_s" not in one
    assert many["aggregate_decode_tokens_per_s"] == many["decode_tokens_per_s"]
    assert many["per_user_decode_tokens_per_s"] == pytest.approx(many["decode_tokens_per_s"] / 8, abs=0.01)


def test_pipeline_parallel_over_nodes() -> None:
    base = {"model": "deepseek-v3", "hardware": "h100-sxm", "gpu_count": 8, "runtime": "vllm", "quant": "FP8",
            "context_tokens": 8192}
    assert capacity(base)["fits"] == "no"  # 671 GB of FP8 weights on 8 x 80 GB
    two = capacity({**base, "nodes": 2, "network": "infiniband-200g"})
    assert two["fits"] == "gpu" and two["nodes"] == 2 and "--pipeline-parallel-size 2" in two["commands"]["vllm"]
    slow = capacity({**base, "nodes": 2, "network": "ethernet-10g"})
    assert slow["curve"][-1]["per_user_tokens_per_s"] <= two["curve"][-1]["per_user_tokens_per_s"]
    with pytest.raises(InvalidField):
        capacity({**base, "nodes": 2, "runtime": "ollama", "quant": "Q4_K_M"})  # llama.cpp: RPC, tested below
    with pytest.raises(InvalidField):
        capacity({**base, "nodes": 2, "network": "carrier-pigeon"})


def test_llama_cpp_rpc_over_hosts() -> None:
    """llama.cpp's RPC backend: one layer split over every host's GPUs, each hand-off to another host a few TCP
    round trips; slower than the same GPUs in one box, faster on a quicker link, and the launch lines say how."""
    from runlocal.errors import InvalidField
    from runlocal.service.capacity import capacity

    base = {"model": "llama-3.3-70b", "hardware": "rtx-3090", "runtime": "llama.cpp"}
    one_box = capacity({**base, "gpu_count": 4})
    rpc10 = capacity({**base, "gpu_count": 2, "nodes": 2, "network": "ethernet-10g"})
    rpc100 = capacity({**base, "gpu_count": 2, "nodes": 2, "network": "ethernet-100g"})
    one, slow, fast = (r["single_user_tokens_per_s"] for r in (one_box, rpc10, rpc100))
    assert slow < fast < one * 1.0001
    assert slow > one * 0.8  # a token's activations are kilobytes: the round trips, not the bytes, cost
    assert "--rpc HOST2:50052" in rpc10["commands"]["llama.cpp"] and "rpc-server" in rpc10["commands"]["llama.cpp"]
    assert any("llama.cpp RPC over 2 hosts" in n for n in rpc10["notes"])
    with pytest.raises(InvalidField, match="TCP"):
        capacity({**base, "gpu_count": 2, "nodes": 2, "network": "infiniband-200g"})
    with pytest.raises(InvalidField):
        capacity({**base, "runtime": "ollama", "gpu_count": 2, "nodes": 2})


def test_enforce_eager_adds_the_launch_cost_per_layer_and_sequence() -> None:
    """Without CUDA graphs each layer of a decode step pays llama.cpp's launch-by-launch cost (decode_layer_us_hbm on
    an A100) instead of the graphed serving_layer_us_graphs, plus serving_eager_layer_us + serving_eager_seq_layer_us
    x B: Qwen3-14B (40 layers) at 8 sequences: 40 x (136.5 - 25 + 150 + 3 x 8) us = 11.42 ms on top of the graphed
    step."""
    from runlocal.estimate.assumptions import DEFAULT
    from runlocal.service.capacity import capacity

    q = {"model": "qwen3-14b", "hardware": "a100-sxm4-80gb", "runtime": "vllm", "quant": "AWQ-INT4", "users": 8}
    plain, eager = capacity(q), capacity({**q, "enforce_eager": True})
    at8 = {r["concurrency"]: r for r in plain["curve"]}[8]
    e8 = {r["concurrency"]: r for r in eager["curve"]}[8]
    extra = 40 * (DEFAULT.decode_layer_us_hbm - DEFAULT.serving_layer_us_graphs + DEFAULT.serving_eager_layer_us
                  + DEFAULT.serving_eager_seq_layer_us * 8) / 1000
    assert e8["step_ms"] - at8["step_ms"] == pytest.approx(extra, rel=0.01)
    assert "--enforce-eager" in eager["commands"]["vllm"] and "--enforce-eager" not in plain["commands"]["vllm"]


def test_enforce_eager_must_be_a_boolean() -> None:
    from runlocal.errors import RunlocalError
    from runlocal.service.capacity import capacity

    with pytest.raises(RunlocalError, match="enforce_eager must be true or false"):
        capacity({"model": "qwen3-14b", "hardware": "a100-sxm4-80gb", "runtime": "vllm", "enforce_eager": "yes"})


@pytest.mark.parametrize(("runtime", "hw"),
                         [("llama.cpp", "rtx-4090"), ("llama.cpp", "dgx-spark"), ("vllm", "h100-sxm")])
def test_one_user_is_the_single_stream_answer(runtime: str, hw: str) -> None:
    """The curve's first point is the single-stream decode at the same depth (prompt + half the output): for
    llama.cpp that includes the CUDA graph it replays for a lone sequence."""
    from runlocal.service import answer
    from runlocal.service.capacity import capacity

    r = capacity({"model": "qwen2.5-7b", "hardware": hw, "runtime": runtime, "context_tokens": 4096, "users": 1,
                  "prompt_tokens": 1024, "output_tokens": 256})
    a = answer({"model": "qwen2.5-7b", "hardware": hw, "runtime": runtime, "context_tokens": 4096,
                "depth_tokens": 1024 + 128})
    assert r["single_user_tokens_per_s"] == pytest.approx(a["speed"]["decode_tokens_per_s"], rel=0.01)


def test_an_fp8_kv_cache_halves_each_sequence_and_doubles_the_concurrency() -> None:
    q = {"model": "llama-3.1-8b", "hardware": "h100-sxm", "runtime": "vllm", "context_tokens": 8192,
         "prompt_tokens": 1024, "output_tokens": 256}
    f16, fp8 = capacity(q), capacity({**q, "kv_cache_type": "fp8"})
    # one byte per cached value instead of two: 32 layers x 2 x 8 KV heads x 128 = 65,536 bytes per token, so a full
    # 8,192-token sequence holds 512 MiB; the pool is the same (the weights and activations do not change)
    assert fp8["kv_bytes_per_sequence"] == 8192 * 65_536 == f16["kv_bytes_per_sequence"] // 2
    assert fp8["kv_pool_bytes"] == f16["kv_pool_bytes"]
    assert fp8["max_concurrency"] == fp8["kv_pool_bytes"] // (8192 * 65_536) >= 2 * f16["max_concurrency"]
    assert fp8["kv_cache_type"] == "fp8" and "--kv-cache-dtype fp8" in fp8["commands"]["vllm"]
    # decode reads half the cache per sequence: faster at a batch that reads much of it
    assert fp8["curve"][-1]["aggregate_tokens_per_s"] > f16["curve"][-1]["aggregate_tokens_per_s"]


def test_kv_cache_types_follow_the_engine() -> None:
    with pytest.raises(InvalidField) as exc:
        capacity({"model": "llama-3.1-8b", "hardware": "h100-sxm", "runtime": "vllm", "kv_cache_type": "q8_0"})
    assert "fp8" in exc.value.suggestions
    with pytest.raises(InvalidField) as exc:
        capacity({"model": "llama-3.1-8b", "hardware": "rtx-4090", "runtime": "llama.cpp", "kv_cache_type": "fp8"})
    assert "q8_0" in exc.value.suggestions
    r = capacity({"model": "llama-3.1-8b", "hardware": "rtx-4090", "runtime": "llama.cpp", "users": 4,
                  "kv_cache_type": "q8_0"})
    assert "-fa on -ctk q8_0 -ctv q8_0" in r["commands"]["llama.cpp"]
    r = capacity({"model": "llama-3.1-8b", "hardware": "rtx-4090", "runtime": "ollama", "users": 4,
                  "kv_cache_type": "q8_0"})
    assert "OLLAMA_KV_CACHE_TYPE=q8_0" in r["commands"]["ollama"]
    sg = capacity({"model": "llama-3.1-8b", "hardware": "h100-sxm", "runtime": "sglang", "kv_cache_type": "fp8"})
    assert "--kv-cache-dtype fp8_e4m3" in sg["commands"]["sglang"]


def test_cli_kv_cache_type(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["capacity", "llama-3.1-8b", "-H", "h100-sxm", "--runtime", "vllm", "--kv-cache-type", "fp8",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["kv_cache_type"] == "fp8"
    assert main(["capacity", "llama-3.1-8b", "-H", "h100-sxm", "--runtime", "vllm", "--kv-cache-type", "q4_0"]) != 0
    assert "fp8" in capsys.readouterr().err


def test_prompts_arriving_together_share_the_steps_fixed_costs() -> None:
    from runlocal.estimate.serving import prompt_seconds

    # 1,024-token prompts, 8,192-token steps (8 prompts per step), 40,000 tokens/s with full steps, 20,000 alone:
    # alone 1024 / 20000 = 51.2 ms, full 25.6 ms; two together carry (1/2 - 1/8) / (1 - 1/8) = 3/7 of the
    # difference: 25.6 + 25.6 x 3/7 = 36.57 ms
    assert prompt_seconds(1024, 1, 40_000, 20_000, 8192) == pytest.approx(0.0512)
    assert prompt_seconds(1024, 8, 40_000, 20_000, 8192) == pytest.approx(0.0256)
    assert prompt_seconds(1024, 64, 40_000, 20_000, 8192) == pytest.approx(0.0256)
    assert prompt_seconds(1024, 2, 40_000, 20_000, 8192) == pytest.approx(0.0256 + 0.0256 * 3 / 7)
    assert prompt_seconds(8192, 4, 40_000, 20_000, 8192) == pytest.approx(8192 / 40_000)  # a prompt fills a step


def test_a_lone_request_waits_for_its_own_prefill_not_the_shared_rate() -> None:
    r = capacity({"model": "qwen3-8b", "hardware": "h100-sxm", "runtime": "vllm", "quant": "BF16",
                  "context_tokens": 4096, "prompt_tokens": 1024, "output_tokens": 256})
    one = r["curve"][0]
    assert one["concurrency"] == 1 and r["prefill_one_request_tokens_per_s"] < r["prefill_tokens_per_s"]
    # closed loop with one client: its first token waits for the single-request prefill alone
    assert one["ttft_with_prompts_s"] == pytest.approx(1024 / r["prefill_one_request_tokens_per_s"], rel=0.01)


def test_serving_engines_decode_through_cuda_graphs_unless_eager() -> None:
    from runlocal.estimate.assumptions import DEFAULT

    q = {"model": "llama-3.1-8b", "hardware": "h100-sxm", "runtime": "vllm", "quant": "BF16", "users": 1}
    graphed = capacity(q)["curve"][0]["step_ms"]
    slower = capacity({**q, "assume": {"serving_layer_us_graphs": DEFAULT.serving_layer_us_graphs + 100}})
    # 32 layers x 100 us more per step
    assert slower["curve"][0]["step_ms"] - graphed == pytest.approx(3.2, rel=0.01)


def test_a_cloud_instance_name_gives_the_gpu_count(capsys: pytest.CaptureFixture[str]) -> None:
    r = capacity({"model": "llama-3.1-70b", "hardware": "a2-highgpu-8g", "runtime": "vllm"})
    assert r["gpu_count"] == 8 and r["tensor_parallel"]
    assert main(["check", "llama-3.1-70b", "--hardware", "a2-highgpu-8g", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["fits"] == "gpu"
    assert main(["capacity", "llama-3.1-8b", "-H", "NC24ads_A100_v4", "--runtime", "vllm", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["hardware_id"] == "a100-pcie-80gb" and out["gpu_count"] == 1
