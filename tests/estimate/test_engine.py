"""Hand-computed placement and speed cases (arithmetic in the comments), plus engine behaviours."""

from __future__ import annotations

import dataclasses

import pytest

from runlocal.estimate import DEFAULT, Architecture, Device, Machine, ModelSpec, Query, estimate
from runlocal.estimate.assumptions import Assumptions
from runlocal.estimate.engine import LLAMA_CPP, RuntimeSpec, Unsupported
from runlocal.estimate.memory import ComputeBuffers, KVCache
from runlocal.estimate.placement import Capacity, place_llamacpp
from runlocal.estimate.speed import pipeline_speedup
from runlocal.estimate.units import GIB, MIB
from runlocal.estimate.weights import Weights, weights

VLLM = RuntimeSpec(id="vllm", placement="all_or_nothing")
MLX = RuntimeSpec(id="mlx", placement="all_or_nothing")
GB = 10**9
# Idealised assumptions so the arithmetic is visible: perfect bandwidth, no fixed costs.
IDEAL = dataclasses.replace(
    DEFAULT, decode_eff_cuda=1.0, decode_eff_cpu=1.0, decode_layer_us_cuda=0.0, decode_layer_us_other=0.0,
    multi_gpu_token_overhead_us=0.0, offload_token_overhead_us=0.0, gpu_free_margin_mib=0.0,
    cuda_overhead_mib=0.0, prefill_request_overhead_ms=0.0, prefill_layer_overhead_us=0.0)


def _weights(n: int, per_layer: int, embd: int = 0, out: int = 0, expert: int = 0) -> Weights:
    return Weights(n * per_layer + embd + out, embd, out, (per_layer,) * n, (expert,) * n, (), "test")


def test_all_layers_fit() -> None:
    # 10 layers x 1 GiB + KV 10 x 0.1 GiB + compute 0.5 GiB = 11.5 GiB <= 12 GiB usable
    w = _weights(10, GIB)
    kv = KVCache((GIB // 10,) * 10, 4096, 4096, 0)
    cb = ComputeBuffers(GIB // 2, 0)
    cap = Capacity(gpu_count=1, per_gpu_bytes=12 * GIB, overhead_per_gpu=0, system_bytes=64 * GIB, unified=False)
    p = place_llamacpp(w, kv, cb, cap)
    assert (p.fits, p.gpu_layers) == ("gpu", 10)


def test_partial_offload_counts_layers_from_the_output_end() -> None:
    # usable 6 GiB; each layer 1.1 GiB with its KV; compute 0.5 GiB; output head 0.4 GiB stays on the CPU
    # when offload is partial -> n layers fit while 0.5 + 1.1 n <= 6 -> n = 5
    w = _weights(10, GIB, out=int(0.4 * GIB))
    kv = KVCache((GIB // 10,) * 10, 4096, 4096, 0)
    cb = ComputeBuffers(GIB // 2, 0)
    cap = Capacity(gpu_count=1, per_gpu_bytes=6 * GIB, overhead_per_gpu=0, system_bytes=64 * GIB, unified=False)
    p = place_llamacpp(w, kv, cb, cap)
    assert (p.fits, p.gpu_layers, p.output_on_gpu) == ("gpu+cpu", 5, False)
    assert p.weights_cpu == 5 * GIB + int(0.4 * GIB)


def test_moe_experts_go_to_cpu_before_layers() -> None:
    # 10 layers of 2 GiB, 1.5 GiB of them routed experts; usable 16 GiB.
    # All on GPU: 20 GiB. Moving experts of K layers: 20 - 1.5 K <= 16 -> K = 3 (--n-cpu-moe 3)
    w = _weights(10, 2 * GIB, expert=int(1.5 * GIB))
    kv = KVCache((0,) * 10, 4096, 4096, 0)
    cap = Capacity(gpu_count=1, per_gpu_bytes=16 * GIB, overhead_per_gpu=0, system_bytes=64 * GIB, unified=False)
    p = place_llamacpp(w, kv, ComputeBuffers(0, 0), cap)
    assert (p.fits, p.gpu_layers, p.cpu_moe_layers) == ("gpu+cpu", 10, 3)


def test_does_not_fit_when_ram_is_short() -> None:
    w = _weights(10, 10 * GIB)
    kv = KVCache((0,) * 10, 4096, 4096, 0)
    cap = Capacity(gpu_count=1, per_gpu_bytes=8 * GIB, overhead_per_gpu=0, system_bytes=32 * GIB, unified=False)
    p = place_llamacpp(w, kv, ComputeBuffers(0, 0), cap)
    assert p.fits == "no"


def _machine(bw_gb_s: float = 1000, mem_gib: float = 24, tflops: float = 100, n: int = 1) -> Machine:
    gpu = Device(name="test GPU", memory_bytes=int(mem_gib * GIB), bandwidth_bytes_per_s=bw_gb_s * 1e9,
                 fp16_flops=tflops * 1e12, backend="cuda")
    return Machine((gpu,) * n, 64 * GIB, 100e9)


def test_decode_is_bytes_over_bandwidth(llama3_8b: Architecture) -> None:
    # Llama 3 8B Q4_K_M: 4,912,898,048 bytes of tensors; the token-embedding table (Q4_K,
    # 128256 x 4096 x 4.5 bits = 295,501,824 bytes) is looked up, not streamed, so a token reads
    # 4,617,396,224 bytes. At 1000 GB/s and 100 % efficiency: 4.617 ms -> 216.6 tokens/s.
    m = ModelSpec("t", "t", llama3_8b, 8_030_261_248)
    e = estimate(Query(model=m, machine=_machine(), quant="Q4_K_M", context_tokens=4096, assumptions=IDEAL))
    w = weights(llama3_8b, "Q4_K_M")
    assert w.total_bytes == 4_912_898_048
    assert w.token_embd_bytes == 295_501_824
    assert e.speed.decode_tokens_per_s == pytest.approx(1000e9 / 4_617_396_224, rel=1e-6)
    assert e.speed.decode_bound == "memory"


def test_decode_slows_with_depth(llama3_8b: Architecture) -> None:
    # At depth 8192 each token also reads 8192 x 128 KiB = 1 GiB of KV cache (f16).
    m = ModelSpec("t", "t", llama3_8b, 8_030_261_248)
    e = estimate(Query(model=m, machine=_machine(), quant="Q4_K_M", context_tokens=8192, depth_tokens=8192,
                       assumptions=IDEAL))
    assert e.speed.decode_tokens_per_s == pytest.approx(1000e9 / (4_617_396_224 + GIB), rel=1e-6)


def test_prefill_is_flops_over_compute(llama3_8b: Architecture) -> None:
    # 512-token prompt, matmul parameters = 8.03e9 - 128256 x 4096 (embedding lookups) = 7.505e9, of which the
    # output head (128256 x 4096 = 0.525e9) runs for the last token only (llama.cpp computes logits there):
    # FLOPs = 512 x 2 x (7.505e9 - 0.525e9) + 2 x 0.525e9 = 7.148e12 (+ attention, left out here);
    # at 100 TFLOPS x prefill_eff_cuda 0.5 -> 0.1430 s -> ~3,581 tokens/s
    asm = dataclasses.replace(IDEAL, prefill_eff_cuda=0.5, attention_cost_no_fa=0.0)
    m = ModelSpec("t", "t", llama3_8b, 8_030_261_248)
    e = estimate(Query(model=m, machine=_machine(), quant="Q4_K_M", prompt_tokens=512, assumptions=asm))
    head = 128256 * 4096
    mp = 8_030_261_248 - head
    flops = 512 * 2 * (mp - head) + 2 * head
    assert e.speed.prefill_tokens_per_s == pytest.approx(512 / (flops / 50e12), rel=1e-6)


def test_pipeline_speedup() -> None:
    # n x k / (k + n - 1): 4096-token prompt, k = min(8, 2048/512) = 4 -> 2 GPUs 1.6, 4 GPUs 16/7
    assert pipeline_speedup(2, 4096, DEFAULT) == pytest.approx(1.6)
    assert pipeline_speedup(4, 4096, DEFAULT) == pytest.approx(16 / 7)
    assert pipeline_speedup(4, 512, DEFAULT) == pytest.approx(1.0)  # one ubatch: nothing to pipeline


def test_partial_offload_reads_cpu_layers_at_ram_speed(llama3_8b: Architecture) -> None:
    # A 6 GiB GPU cannot hold the F16 model (~15 GiB): most layers run from 100 GB/s RAM.
    m = ModelSpec("t", "t", llama3_8b, 8_030_261_248)
    e = estimate(Query(model=m, machine=_machine(mem_gib=6), quant="F16", assumptions=IDEAL))
    assert e.fits == "gpu+cpu"
    assert 0 < e.gpu_layers < 32
    # every token reads the CPU share at 100 GB/s: much slower than the GPU-only 1000 GB/s case
    assert e.speed.decode_tokens_per_s < 100e9 / (8 * GIB)


def test_max_context_shrinks_with_smaller_gpu(llama3_8b: Architecture) -> None:
    m = ModelSpec("t", "t", llama3_8b, 8_030_261_248)
    big = estimate(Query(model=m, machine=_machine(mem_gib=48), quant="Q4_K_M"))
    small = estimate(Query(model=m, machine=_machine(mem_gib=8), quant="Q4_K_M"))
    assert big.max_context_tokens == 131072
    assert 0 < small.max_context_tokens < 32768
    assert small.max_context_tokens % 256 == 0


def test_cpu_only_machine(llama3_8b: Architecture) -> None:
    m = ModelSpec("t", "t", llama3_8b, 8_030_261_248)
    cpu = Machine((), 64 * GIB, 89.6e9, cpu_cores=16)  # enough threads to keep the memory busy (16 x 6.5 GB/s)
    e = estimate(Query(model=m, machine=cpu, quant="Q4_K_M", assumptions=IDEAL))
    assert e.fits == "cpu" and e.memory.accelerator_bytes == 0
    # every weight but the embedding table streams from RAM once per token
    assert e.speed.decode_tokens_per_s == pytest.approx(89.6e9 / (4_617_396_224 + 0), rel=0.01)


def test_memory_parts_add_up(llama3_8b: Architecture) -> None:
    m = ModelSpec("t", "t", llama3_8b, 8_030_261_248)
    e = estimate(Query(model=m, machine=_machine(), quant="Q4_K_M", context_tokens=8192))
    mem = e.memory
    assert mem.total_bytes == mem.weights_bytes + mem.kv_cache_bytes + mem.compute_bytes + mem.overhead_bytes
    assert mem.total_bytes == mem.accelerator_bytes + mem.system_bytes
    assert mem.kv_cache_bytes == 1024 * MIB


def test_unsupported_combinations(llama3_8b: Architecture) -> None:
    m = ModelSpec("t", "t", llama3_8b, 8_030_261_248)
    with pytest.raises(Unsupported):
        estimate(Query(model=m, machine=_machine(), runtime=MLX, quant="MLX-4BIT"))
    with pytest.raises(Unsupported):
        estimate(Query(model=m, machine=_machine(), runtime=LLAMA_CPP, quant="AWQ-INT4"))


def test_vllm_all_or_nothing(llama3_8b: Architecture) -> None:
    m = ModelSpec("t", "t", llama3_8b, 8_030_261_248)
    ok = estimate(Query(model=m, machine=_machine(mem_gib=24), runtime=VLLM, quant="BF16"))
    no = estimate(Query(model=m, machine=_machine(mem_gib=12), runtime=VLLM, quant="BF16"))
    assert ok.fits == "gpu" and no.fits == "no"
    tp = estimate(Query(model=m, machine=_machine(mem_gib=12, n=2), runtime=VLLM, quant="BF16"))
    assert tp.fits == "gpu"


def test_assumptions_replace_coerces_and_rejects() -> None:
    a = DEFAULT.replace(decode_eff_cuda="0.5", n_ubatch="256", decode_range=["0.5", "1.5"])
    assert a.decode_eff_cuda == 0.5 and a.n_ubatch == 256 and a.decode_range == (0.5, 1.5)
    with pytest.raises(KeyError):
        DEFAULT.replace(nope=1)
    # only the named fields change; every other field keeps its default, and DEFAULT itself is untouched
    changed = {"decode_eff_cuda", "n_ubatch", "decode_range"}
    kept = [f.name for f in dataclasses.fields(Assumptions) if f.name not in changed]
    assert kept and all(getattr(a, n) == getattr(DEFAULT, n) for n in kept)
    assert (DEFAULT.decode_eff_cuda, DEFAULT.n_ubatch, DEFAULT.decode_range) != (0.5, 256, (0.5, 1.5))


def test_cpu_decode_depends_on_cores(llama3_8b: Architecture) -> None:
    # CPU-only, IDEAL efficiency 1.0: reads at min(89.6 GB/s, threads x 13 GB/s x the file's type factor), threads =
    # 1 + 0.6 x (cores - 1): 2 cores draw 1.6 x 13 x f, 8 cores 5.2 x 13 x f, 16 and 32 cores the memory's 89.6;
    # decode scales by that ratio (per-layer costs are zero in IDEAL).
    from runlocal.estimate.specs import Machine
    from runlocal.estimate.speed import cpu_decode_type_factor
    from runlocal.estimate.weights import weights

    f = cpu_decode_type_factor(weights(llama3_8b, "Q4_K_M"))
    assert 1.0 < f < 1.1  # q4_K with some q6_K (faster per byte)

    def rate(cores: int) -> float:
        m = Machine(gpus=(), ram_bytes=64 * GIB, ram_bandwidth_bytes_per_s=89.6e9, cpu_cores=cores)
        spec = ModelSpec("t", "t", llama3_8b, 8_030_261_248)
        e = estimate(Query(model=spec, machine=m, quant="Q4_K_M", context_tokens=4096, assumptions=IDEAL))
        assert e.speed.decode_tokens_per_s is not None
        return e.speed.decode_tokens_per_s

    two, eight, sixteen, thirty_two = rate(2), rate(8), rate(16), rate(32)
    assert sixteen == pytest.approx(thirty_two)  # memory-bound from 14 cores up
    assert two / thirty_two == pytest.approx(1.6 * 13.0 * f / 89.6, rel=1e-3)
    assert eight / thirty_two == pytest.approx(5.2 * 13.0 * f / 89.6, rel=1e-3)
