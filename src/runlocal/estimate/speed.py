"""Decode and prefill speed from bytes moved and FLOPs done, over each device's fitted rates.

decode:  t_token = sum over devices of (bytes read on the device per token) / (eff x bandwidth)
                   + per-layer fixed cost (smaller where llama.cpp replays CUDA graphs: uses_cuda_graphs)
                   + per-GPU-boundary cost
         bytes read = weights touched per token (dense: all; MoE: shared part + active experts)
                      + KV cache read at the current depth
prefill: t_prompt = max(FLOPs / (eff x peak FLOP/s), ubatches x weights / bandwidth) / pipeline speed-up
                    + weights held in system RAM copied to the GPU once per ubatch (llama.cpp op offload)
         FLOPs per token = 2 x matrix parameters
                           + 4 x attention layers x heads x head_dim x mean context x attention cost factor
         (the factor says how much slower attention kernels run than dense matmuls: fitted, lower with
         flash attention)
         peak FLOP/s = the FP16 tensor rate; INT8 for quantized weights on NVIDIA with llama.cpp builds since
         CUDA_MMQ_SINCE (uses_mmq), at most mmq_ops_per_sm_cycle per SM-cycle (mmq_ops); the shader rate where
         the matrix units go unused (matrix_units_used: M5 Neural Accelerators, Arc XMX on Vulkan)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .assumptions import Assumptions
from .memory import kv_read_bytes, layer_kinds
from .placement import Placement
from .specs import FULL, LINEAR, MLA, SLIDING, Architecture, Device, Machine
from .weights import Weights


@dataclass(frozen=True)
class SpeedResult:
    decode_tokens_per_s: float | None
    prefill_tokens_per_s: float | None
    time_to_first_token_s: float | None
    decode_range: tuple[float, float] | None
    prefill_range: tuple[float, float] | None
    ttft_range: tuple[float, float] | None
    decode_bound: str
    prefill_bound: str
    notes: tuple[str, ...]


BACKENDS = ("cuda", "rocm", "metal", "vulkan", "sycl", "cpu")

CPU_PREFILL_TYPE_FACTOR: dict[str, float] = {
    "Q4_K_M": 1.00, "Q4_K_S": 1.02, "Q5_K_M": 1.04, "Q5_K_S": 1.04, "Q6_K": 0.94, "Q8_0": 0.78, "Q4_0": 0.86,
    "Q4_1": 0.32, "Q5_0": 0.61, "Q5_1": 0.61, "Q3_K_M": 0.84, "Q3_K_S": 0.84, "Q3_K_L": 0.84, "Q2_K": 1.30,
    "IQ4_XS": 1.12, "F16": 1.17, "BF16": 1.17,
}
"""llama.cpp's CPU prompt processing speed per file type relative to Q4_K_M (the type cpu_gflops_per_core was fitted
on): the same 1024-wide 8-layer model quantized by llama.cpp's own quantizer to each type, pp512 on 2 threads of
this project's EPYC VM through llama-cpp-python 0.3.36 (bench/cpu_types.py, 2026-12-03). Q4_1 and Q5_0 take
llama.cpp's generic paths (0.32 and 0.61); the K-quants and F16 its repacked fast ones. Types not measured: 1."""


CPU_DECODE_TYPE_FACTOR: dict[str, float] = {
    "q4_k": 1.00, "q5_k": 0.82, "q6_k": 1.34, "q8_0": 1.09, "q4_0": 0.98, "q4_1": 0.64, "q5_0": 0.56,
    "q3_k": 0.77, "q2_k": 0.71, "iq4_xs": 0.73, "f16": 1.62,
}
"""Weights one CPU thread streams through llama.cpp's decode kernels per second, per tensor type, relative to q4_K
(cpu_core_bandwidth_gb_s, 13 GB/s): tg48 on one thread of this project's EPYC VM through llama-cpp-python 0.3.36,
fitted jointly (GB/s per type plus a cost per layer, which came out at 92 us against the engine's 82) on tiny 1024-
and 2048-wide models quantized by llama.cpp to each file type and on SmolLM2-135M requantized to four types
(bench/cpu_types.py, 2026-12-03): f16 21, q6_K 17.5, q8_0 14.2, q4_0 12.7, q4_1 8.3, q5_0 7.3 GB/s. f16 is cheapest
per byte (no dequantisation); q4_1 and q5_0 take generic paths. q5_K, q3_K, q2_K and iq4_xs from a second run of
the tiny models only (the VM's runs vary by up to 25 %; q4_K itself by 11-15.5 GB/s). Types not measured: 1."""


def _per_backend(asm: Assumptions, prefix: str, backend: str, runtime: str, hbm: bool, vendor: str = "") -> float:
    """The assumption ``{prefix}_{backend}``: MLX and HBM parts have their own (``{prefix}_mlx``,
    ``{prefix}_hbm``); a backend without a field of its own takes ``{prefix}_vulkan``; Intel GPUs on Vulkan take
    ``{prefix}_vulkan_intel`` (Intel's Vulkan driver runs the same kernels far slower than AMD's)."""
    key = "mlx" if runtime == "mlx" else "hbm" if hbm else backend if backend in BACKENDS else "vulkan"
    if key == "vulkan" and vendor == "intel":
        key = "vulkan_intel"
    value = getattr(asm, f"{prefix}_{key}", None)
    return float(value if value is not None else getattr(asm, f"{prefix}_vulkan"))


SERVING_STEP_ENGINES = frozenset({"vllm", "sglang", "tensorrt-llm"})
"""Engines that prefill a whole prompt (up to serving_step_tokens) in one step, not in n_ubatch pieces."""
SCAN_ARCHS = frozenset({"qwen3next", "qwen35", "qwen35moe", "nemotron_h", "nemotron_h_moe", "granitehybrid",
                        "falcon-h1", "mamba", "jamba", "kimi-linear"})
"""Architectures whose recurrent layers are state-space / linear-attention scans (Gated DeltaNet, Mamba, KDA), not
LFM2's short convolutions."""

METAL_REFERENCE_GENERATION = 3
"""decode_layer_us_metal is the per-layer cost of an M3-generation Apple GPU (the middle of the fitted Macs)."""


def apple_generation(gpu: Device) -> int:
    """The Apple chip generation (1 for M1 ... 5 for M5) of an Apple GPU, from the catalog's architecture name
    ("Apple M4 generation GPU", "Apple A18 Pro GPU (same generation as M4)"); the reference generation when the
    name gives none."""
    m = re.search(r"\bM(\d{1,2})\b", gpu.architecture)
    return int(m.group(1)) if m else METAL_REFERENCE_GENERATION


def metal_layer_overhead(gpu: Device, runtime: str, asm: Assumptions, *, concurrent: bool = True) -> float:
    """Fixed microseconds per layer per generated token on an Apple GPU: the cost at an M3 times the generation
    factor for each chip generation from it (the CPU encodes each token's command buffer, the GPU starts each kernel,
    both faster on every generation). llama.cpp builds that dispatch independent kernels concurrently and fuse small
    ops (uses_metal_concurrency) pay less, most on old chips, and never more; MLX has its own pair."""
    steps = apple_generation(gpu) - METAL_REFERENCE_GENERATION
    if runtime == "mlx":
        return asm.mlx_layer_overhead_us * asm.mlx_layer_generation_factor ** steps
    serial = asm.decode_layer_us_metal_serial * asm.metal_layer_generation_factor_serial ** steps
    if not concurrent:
        return serial
    # concurrent dispatch never costs more than launching the same kernels one by one (the two fits cross at M4)
    return min(serial, asm.decode_layer_us_metal * asm.metal_layer_generation_factor ** steps)


METAL_CONCURRENCY_SINCE = "2025-09-15"
"""From about this day llama.cpp's Metal backend runs independent kernels of a token's graph concurrently and fuses
small ops (ggml-org/llama.cpp #15929, 'metal : allow ops to run concurrently'; the day is estimated from its number,
between #15631 of 2025-08-28 and #16634 of October 2025; #19555 of 2026-02-12 extends it)."""

NO_METAL_CONCURRENCY = frozenset({"llamafile"})
"""Runtimes whose Metal module predates it (llamafile compiles its own older ggml-metal at first run)."""


def uses_metal_concurrency(runtime: str, build_date: str | None) -> bool:
    """Whether this llama.cpp-based runtime's Metal backend has concurrent dispatch and op fusion (a current build,
    or one from METAL_CONCURRENCY_SINCE on, and not a runtime in NO_METAL_CONCURRENCY)."""
    if runtime in NO_METAL_CONCURRENCY:
        return False
    return build_date is None or build_date >= METAL_CONCURRENCY_SINCE


def decode_efficiency(backend: str, runtime: str, asm: Assumptions, hbm: bool = False, vendor: str = "") -> float:
    """Achieved / peak memory bandwidth when decoding (the ``decode_eff_*`` assumptions). vLLM and SGLang bring
    their own kernels to every GPU they run on (IPEX/XPU on Intel, ROCm on AMD): they take the CUDA share, not
    the one llama.cpp's backend for that GPU reaches."""
    if runtime in ("vllm", "sglang") and backend in ("sycl", "rocm"):
        backend = "cuda"
    return _per_backend(asm, "decode_eff", backend, runtime, hbm, vendor)


def decode_layer_overhead(backend: str, asm: Assumptions, hbm: bool = False, cuda_graphs: bool = False) -> float:
    """Fixed microseconds per layer per generated token (kernel launches, graph and host work)."""
    if cuda_graphs and backend == "cuda":
        return asm.decode_layer_us_cuda_graphs_hbm if hbm else asm.decode_layer_us_cuda_graphs
    if hbm:
        return asm.decode_layer_us_hbm
    return {"cuda": asm.decode_layer_us_cuda, "metal": asm.decode_layer_us_metal,
            "vulkan": asm.decode_layer_us_vulkan}.get(backend, asm.decode_layer_us_other)


def prefill_efficiency(backend: str, runtime: str, asm: Assumptions, hbm: bool = False, vendor: str = "") -> float:
    """Achieved / peak FLOP/s in prompt processing (the ``prefill_eff_*`` assumptions; none for the CPU). The
    serving engines (vLLM, SGLang, TensorRT-LLM) on NVIDIA, AMD (ROCm) and Intel (XPU) GPUs take
    ``prefill_eff_serving``: whole prompts through their vendor GEMM libraries and fused attention, not llama.cpp's
    kernels for that backend."""
    if runtime in ("vllm", "sglang", "tensorrt-llm") and backend in ("cuda", "rocm", "sycl"):
        return asm.prefill_eff_serving  # their own GEMM libraries (cuBLAS, hipBLASLt, oneDNN), not llama.cpp's kernels
    return _per_backend(asm, "prefill_eff", backend, runtime, hbm, vendor)


def touched_layer_bytes(a: Architecture, w: Weights, i: int, *, batch: float = 1) -> float:
    """Weight bytes of layer i read to process `batch` tokens at once (MoE reads only used experts)."""
    total = w.layer_bytes[i]
    exp = w.layer_expert_bytes[i]
    if not exp or not a.n_experts:
        return float(total)
    # Expected share of experts hit by `batch` tokens each picking n_used of n_experts at random.
    p_hit = 1.0 - (1.0 - a.n_experts_used / a.n_experts) ** max(batch, 1.0)
    return (total - exp) + exp * p_hit


def matmul_params(a: Architecture, w: Weights, params: int, active: int | None) -> float:
    """Parameters multiplied per text token: embedding lookups excluded (the token table, unless tied to the output
    head, and Gemma 3n / 4's per-layer embedding table), as is a vision or audio tower (`extra_params`), which a text
    prompt does not run; the output head included. An MoE entry's active count is the text model's already."""
    embd = a.vocab_size * a.hidden_size
    act = active or (params - a.extra_params - a.per_layer_input_size * a.n_layers * a.vocab_size)
    n = act - embd if not a.tie_embeddings else act
    return float(max(n, act * 0.5))


def moe_expert_penalty(a: Architecture, params: int, active: int | None, asm: Assumptions,
                       step_tokens: float | None = None, backend: str = "cuda") -> float:
    """Extra effective parameters per prompt token because expert matmuls see few tokens each.

    Each expert gets step x n_used / n_experts tokens per step (step: llama.cpp's n_ubatch unless given); a matmul
    that short fills only tokens / moe_full_tile_tokens of the tensor cores (Apple GPUs: of a 32-token tile,
    moe_full_tile_tokens_metal), so the expert share of FLOPs is divided by that.
    """
    if not a.n_experts or not active:
        return 0.0
    per_expert = a.n_experts_used * 3 * (a.moe_latent_size or a.hidden_size) * a.moe_intermediate_size
    n_moe = sum(1 for i in range(a.n_layers) if a.is_moe_layer(i))
    expert_active = per_expert * n_moe
    tokens = (step_tokens or asm.n_ubatch) * a.n_experts_used / a.n_experts
    tile = asm.moe_full_tile_tokens_metal if backend == "metal" else asm.moe_full_tile_tokens
    fill = min(1.0, tokens / tile)
    return expert_active * (1.0 / fill - 1.0)


def moe_tile_flops(a: Architecture, batch: int, routed: float, runtime: str, backend: str,
                   asm: Assumptions) -> float:
    """FLOPs a batched decode step's expert matmuls spend beyond the tokens' own: past the vector kernels' batch
    (moe_vector_max_batch tokens), each expert that any token routes to is multiplied in whole token tiles
    (moe_full_tile_tokens on Vulkan and ROCm, 32 on Metal, MMQ's adaptive tiles of 8 on CUDA), however few of its
    rows hold a token. Counted as passes over the touched
    experts, tile x 2 x expert parameters each, less the useful part (batch x used x 2 x expert parameters)."""
    if not a.n_experts or batch <= asm.moe_vector_max_batch or runtime in SERVING_STEP_ENGINES:
        return 0.0
    tile = (asm.moe_full_tile_tokens_metal if backend == "metal" else asm.moe_decode_tile_tokens_cuda
            if backend == "cuda" else asm.moe_full_tile_tokens)
    per_expert = (3 if a.ffn_gated else 2) * (a.moe_latent_size or a.hidden_size) * a.moe_intermediate_size
    touched = a.n_experts * (1.0 - (1.0 - a.n_experts_used / a.n_experts) ** max(routed, 1.0))
    slots = batch * a.n_experts_used
    passes = touched * max(1, math.ceil(slots / touched / tile))
    n_moe = sum(1 for i in range(a.n_layers) if a.is_moe_layer(i))
    return max(0.0, (passes * tile - slots) * 2 * per_expert * n_moe)


def attention_flops(a: Architecture, mean_ctx: float) -> float:
    """QK^T and AV for one token against mean_ctx cached tokens, over all attention layers."""
    flops = 0.0
    for kind in layer_kinds(a):
        if kind == FULL:
            flops += 4 * a.n_heads * a.layer_dims(FULL)[1] * mean_ctx
        elif kind == SLIDING:
            flops += 4 * a.n_heads * a.head_dim * min(mean_ctx, a.sliding_window or mean_ctx)
        elif kind == MLA:
            # absorbed MLA: scores over (kv_lora_rank + rope) and values over kv_lora_rank per head; with DSA the
            # indexer scores every cached token and attention covers only the top-k it selects
            seen = min(mean_ctx, a.indexer_top_k) if a.indexer_top_k else mean_ctx
            flops += 2 * a.n_heads * (2 * a.kv_lora_rank + a.qk_rope_head_dim) * seen
            flops += 2 * a.indexer_n_heads * a.indexer_head_dim * mean_ctx
    return flops


CPU_PREFILL_TENSOR_FACTOR: dict[str, float] = {
    "q4_k": 1.00, "q5_k": 1.04, "q6_k": 0.94, "q8_0": 0.78, "q4_0": 0.86, "q4_1": 0.32, "q5_0": 0.61,
    "q5_1": 0.61, "q3_k": 0.84, "q2_k": 1.30, "iq4_xs": 1.12, "f16": 1.17, "bf16": 1.17,
}
"""CPU_PREFILL_TYPE_FACTOR per tensor type (each from the file type that is mostly that type: Q4_K_S for q4_K, Q6_K
for q6_K, ...), for files whose tensors are known: a 576-wide SmolLM2 requantized to Q4_K_M keeps only a third of
its tensors in q4_K (the rest fall back to q5_0 and q8_0, whose rows are not a multiple of 256), and its prompt
runs at the fallback types' speed, not Q4_K_M's."""


def _mix(w: Weights, table: dict[str, float]) -> float | None:
    """A per-tensor-type rate factor weighted by bytes (time adds up per tensor, so the mean is harmonic); None
    when none of the file's types is in the table."""
    total = slow = 0.0
    known = False
    for ty, b in w.type_bytes:
        f = table.get(ty.lower())
        known = known or f is not None
        total += b
        slow += b / (f or 1.0)
    return total / slow if slow and known else None


def cpu_prefill_type_factor(w: Weights, quant: str) -> float:
    """How fast llama.cpp's CPU prompt kernels run this file relative to Q4_K_M: from its tensors' types when they
    are known (a file read here, or llama.cpp's per-tensor rules for a GGUF type), else from the type's name."""
    mixed = _mix(w, CPU_PREFILL_TENSOR_FACTOR)
    return mixed if mixed is not None else CPU_PREFILL_TYPE_FACTOR.get(quant, 1.0)


def cpu_decode_type_factor(w: Weights) -> float:
    """How fast one CPU thread streams this file's weights relative to q4_K: the per-type rates weighted by bytes
    (time adds up per tensor, so the mean is harmonic). 1 for weights whose types are not in the table."""
    return _mix(w, CPU_DECODE_TYPE_FACTOR) or 1.0


def host_read_rate(machine: Machine, eff_cpu: float, asm: Assumptions, type_factor: float = 1.0) -> float:
    """Bytes/s the CPU threads draw from RAM: the memory's sustained rate, or fewer cores' worth of it.

    rate = min(decode_eff_cpu x RAM bandwidth, (1 + cpu_thread_gain x (cores - 1)) x cpu_core_bandwidth_gb_s x
    type factor). One thread dequantises and dots about 13 GB/s of q4_K weights (8 of q4_1, 21 of f16), so a
    few cores cannot keep a DDR5 channel pair busy.
    """
    threads = 1 + asm.cpu_thread_gain * (max(machine.cpu_cores, 1) - 1)
    return min(eff_cpu * machine.ram_bandwidth_bytes_per_s, threads * asm.cpu_core_bandwidth_gb_s * type_factor * 1e9)


def pipeline_speedup(n_gpus: int, prompt: int, asm: Assumptions) -> float:
    """llama.cpp pipeline parallelism over a layer split: k micro-batches in flight on n stages.

    speedup = n x k / (k + n - 1), with k = ubatches per batch (n_batch 2048 / n_ubatch 512 = 4 at most)
    Check (Meta-Llama-3-8B on RTX 4090s, pp4096): 2 GPUs 1.60 (measured 1.60), 4 GPUs 2.29 (2.37), 8 GPUs 2.91
    (2.87).
    """
    if n_gpus <= 1:
        return 1.0
    k = max(1, min(math.ceil(prompt / asm.n_ubatch), asm.n_batch // asm.n_ubatch))
    return n_gpus * k / (k + n_gpus - 1)


@dataclass(frozen=True)
class DecodeStep:
    """One decode step for a batch of sequences: its time and what bounds it."""

    seconds: float
    bound: str  # memory | compute
    memory_seconds: float
    compute_seconds: float
    fixed_seconds: float  # per-layer launch costs and multi-GPU hand-offs


def _read_side(machine: Machine, placement: Placement, runtime: str, quant: str,
               asm: Assumptions) -> tuple[Device | None, str, bool, str, float, bool]:
    """The device that reads the weights and how well: (gpu or None, backend, hbm, vendor, achieved / peak
    bandwidth of that GPU, whether it is an integrated one sharing the CPU's memory controller)."""
    gpu = machine.gpus[0] if machine.gpus and placement.gpu_layers + int(placement.output_on_gpu) else None
    backend = gpu.backend if gpu else "cpu"
    f16 = quant in ("F16", "BF16", "F32")
    hbm = bool(gpu and gpu.hbm)
    vendor = gpu.vendor if gpu else ""
    eff_gpu = decode_efficiency(backend, runtime, asm, hbm, vendor) * (asm.f16_decode_bonus if f16 else 1.0)
    if gpu is not None and gpu.architecture.lower().startswith("pascal"):
        eff_gpu *= asm.decode_factor_pascal  # measured about half the bandwidth of later cards on the same kernels
    if gpu is not None and gpu.laptop:
        eff_gpu *= asm.decode_factor_laptop  # below the spec's memory clock at the power and heat a laptop allows
    if gpu is not None and backend == "vulkan" and "alchemist" in gpu.architecture.lower():
        eff_gpu *= asm.decode_factor_alchemist_vulkan  # Xe-HPG through Vulkan: Battlemage reaches the usual share
    igpu = bool(gpu and machine.unified_memory and backend not in ("metal",) and runtime != "mlx")
    if igpu:  # an integrated GPU sharing the CPU's memory controller, not a discrete card on the same backend
        eff = (asm.decode_eff_unified_cuda if backend == "cuda" else asm.decode_eff_unified_amd if vendor == "amd"
               else asm.decode_eff_unified)
        eff_gpu = eff * (asm.f16_decode_bonus if f16 else 1.0)
    return gpu, backend, hbm, vendor, eff_gpu, igpu


def decode_step(a: Architecture, w: Weights, placement: Placement, machine: Machine, *, runtime: str, quant: str,
                params: int, active_params: int | None, depth: int, kv_type: str, batch: int,
                flash_attention: bool, asm: Assumptions, tensor_parallel: bool = False,
                cuda_graphs: bool = False, metal_concurrent: bool = True) -> DecodeStep:
    """Seconds for one decode step of `batch` sequences at `depth` tokens of context.

    Layer split (llama.cpp, tensor_parallel False): the GPUs hold different layers and run one after another, so
    bytes over one GPU's bandwidth, plus log2(GPUs) hand-offs. Tensor parallel (vLLM, SGLang, TensorRT-LLM): every
    GPU holds 1/g of every layer and reads it at the same time, so bytes / g, plus two all-reduces of the batch's
    activations per layer over the interconnect (the caller adds those: they depend on the link)."""
    n = a.n_layers
    first_gpu = n - placement.gpu_layers
    gpu, backend, hbm, vendor, eff_gpu, igpu = _read_side(machine, placement, runtime, quant, asm)
    eff_cpu = asm.decode_eff_cpu
    kv_reads = kv_read_bytes(a, depth, kv_type)
    n_par = max(batch, 1)
    n_dev = machine.gpu_count if gpu is not None else 0

    # bytes per step over bandwidth, per device
    gpu_bytes = 0.0
    cpu_bytes = 0.0
    # sequences decoding together route to popular experts more often than at random: the experts they touch are
    # those of batch ** moe_batch_skew independent tokens (1 for one sequence)
    routed = n_par ** asm.moe_batch_skew if a.n_experts else n_par
    for i in range(n):
        wb = touched_layer_bytes(a, w, i, batch=routed)
        kb = kv_reads[i] * n_par
        on_gpu = i >= first_gpu and gpu is not None
        if on_gpu and i < placement.cpu_moe_layers and w.layer_expert_bytes[i]:
            share = wb - (w.layer_bytes[i] - w.layer_expert_bytes[i])
            cpu_bytes += share
            gpu_bytes += wb - share + kb
        elif on_gpu:
            gpu_bytes += wb + kb
        else:
            cpu_bytes += wb + kb
    head = w.output_bytes  # output head (for tied embeddings: the table again) + final norm
    if placement.output_on_gpu and gpu is not None:
        gpu_bytes += head
    else:
        cpu_bytes += head
    split = n_dev if tensor_parallel and n_dev > 1 else 1

    t_mem = 0.0
    if gpu is not None and gpu_bytes:
        t_mem += gpu_bytes / split / (eff_gpu * gpu.bandwidth_bytes_per_s)
    if cpu_bytes:
        t_mem += cpu_bytes / host_read_rate(machine, eff_cpu, asm, cpu_decode_type_factor(w))
    per_layer = (asm.mlx_layer_overhead_us if runtime == "mlx" else asm.decode_layer_us_other
                 if igpu and backend != "cuda" else asm.serving_layer_us_graphs
                 if cuda_graphs and backend == "cuda" and runtime in SERVING_STEP_ENGINES
                 else decode_layer_overhead(backend, asm, hbm, cuda_graphs))
    if backend == "metal" and gpu is not None:
        per_layer = metal_layer_overhead(gpu, runtime, asm, concurrent=metal_concurrent)
    if runtime == "llamafile" and gpu is not None:
        # llamafile's own, older GPU modules: a dearer fixed cost per layer and its own ratio to llama.cpp's
        # bandwidth, per vendor (fitted on LocalScore's runs)
        per_layer += asm.llamafile_layer_us + (asm.llamafile_layer_us_amd if vendor == "amd" else 0.0)
        t_mem = t_mem / llamafile_factor(asm, "decode", vendor)
    n_moe = sum(1 for i in range(n) if a.is_moe_layer(i))
    fixed = (n - n_moe + n_moe * asm.moe_layer_overhead_factor) * per_layer * 1e-6
    if backend == "metal" and runtime != "mlx" and a.arch in SCAN_ARCHS:
        # a Gated DeltaNet / Mamba layer dispatches its convolution, gates, norms and scan as separate Metal kernels
        n_scan = sum(1 for kind in a.layer_kinds() if kind == LINEAR)
        fixed += n_scan * (asm.scan_layer_overhead_factor_metal - 1.0) * per_layer * 1e-6
    if n_dev > 1 and not tensor_parallel:
        fixed += math.log2(n_dev) * asm.multi_gpu_token_overhead_us * 1e-6
    if placement.fits == "gpu+cpu":
        fixed += asm.offload_token_overhead_us * 1e-6  # host/device hand-off of the activations each token

    # compute floor: the batch's FLOPs (many parallel sequences turn the step compute-bound)
    mp = matmul_params(a, w, params, active_params)
    attn_factor = asm.attention_cost_fa if flash_attention else asm.attention_cost_no_fa
    flops_tok = 2 * mp + attention_flops(a, depth) * attn_factor
    peak = _peak_flops(machine, gpu, asm, runtime, quant)
    if n_dev > 1 and not tensor_parallel:
        peak = peak / n_dev  # _peak_flops counts every GPU; a layer split runs one GPU at a time
    peff = prefill_efficiency(backend, runtime, asm, hbm, vendor) if gpu else 1.0
    if gpu is not None and not gpu.tensor_cores:
        peff *= asm.simt_eff_factor
    t_compute = (n_par * flops_tok + moe_tile_flops(a, n_par, routed, runtime, backend, asm)) / (peff * peak)
    t = t_mem + fixed
    if t_compute > t:
        return DecodeStep(t_compute, "compute", t_mem, t_compute, fixed)
    return DecodeStep(t, "memory", t_mem, t_compute, fixed)


def estimate_speed(a: Architecture, w: Weights, placement: Placement, machine: Machine, *, runtime: str,
                   quant: str, params: int, active_params: int | None, depth: int, prompt: int,
                   kv_type: str, parallel: int, flash_attention: bool, asm: Assumptions,
                   llamacpp: bool = False, build_date: str | None = None,
                   prefill_step_tokens: int | None = None) -> SpeedResult:
    """Decode and prefill rates for this placement (see the module docstring for the formulas).

    llamacpp: the runtime runs llama.cpp's kernels (llama.cpp, Ollama, LM Studio, ...); build_date: the date of
    that llama.cpp build (ISO), None for a current one; prefill_step_tokens: prompt tokens per step (default:
    llama.cpp's n_ubatch, or for a serving engine the prompt up to serving_step_tokens; serving.serve passes the full
    step for prompts batched under load)."""
    if placement.fits == "no":
        return SpeedResult(None, None, None, None, None, None, "memory", "compute",
                           ("does not fit: no speed",))
    notes: list[str] = []
    n = a.n_layers
    first_gpu = n - placement.gpu_layers
    gpu, backend, hbm, vendor, eff_gpu, igpu = _read_side(machine, placement, runtime, quant, asm)
    f16 = quant in ("F16", "BF16", "F32")
    eff_cpu = asm.decode_eff_cpu
    n_par = max(parallel, 1)
    n_dev = machine.gpu_count if gpu is not None else 0
    graphs = (llamacpp or runtime in SERVING_STEP_ENGINES) and uses_cuda_graphs(gpu, runtime, build_date, n_dev, n_par)
    step = decode_step(a, w, placement, machine, runtime=runtime, quant=quant, params=params,
                       active_params=active_params, depth=depth, kv_type=kv_type, batch=n_par,
                       flash_attention=flash_attention, asm=asm, cuda_graphs=graphs,
                       metal_concurrent=uses_metal_concurrency(runtime, build_date))
    decode_bound = step.bound
    decode = n_par / step.seconds
    if runtime == "ollama":
        decode *= asm.ollama_decode_factor
    mp = matmul_params(a, w, params, active_params)
    attn_factor = (asm.attention_cost_fa if flash_attention else asm.attention_cost_no_fa_metal if backend == "metal"
                   else asm.attention_cost_no_fa)
    peak = _peak_flops(machine, gpu, asm)
    if gpu is not None and not gpu.fp16_flops:
        notes.append(f"{gpu.name} has no compute figure (FP16 TFLOPS): its prompt speed assumes "
                     f"{asm.unknown_gpu_flops_per_byte:g} FLOP per byte of its memory bandwidth")
    peff = prefill_efficiency(backend, runtime, asm, hbm, vendor) if gpu else 1.0
    if gpu is not None and not gpu.tensor_cores:
        peff *= asm.simt_eff_factor
    if igpu and vendor == "amd":
        peff *= asm.prefill_factor_unified_amd  # an APU's Radeon under the package's shared power budget

    # ---- prefill: FLOPs over compute (attention weighted by its kernel cost), pipelined over GPUs ----
    p = max(prompt, 1)
    mean_ctx = depth + p / 2
    shared_steps = prefill_step_tokens is not None and prefill_step_tokens > p  # other prompts fill the step
    if prefill_step_tokens is None and runtime in SERVING_STEP_ENGINES:
        prefill_step_tokens = min(p, asm.serving_step_tokens)
    step_tokens = prefill_step_tokens or asm.n_ubatch
    moe_pen = moe_expert_penalty(a, params, active_params, asm, step_tokens, backend)
    # The output head (vocab x hidden) runs for the tokens whose logits are asked for: llama.cpp (and llama-bench's
    # pp test) computes them for the last prompt token only, so the head is counted once, not once per token
    # (counting it per token made a 49K-vocabulary 135M model 1.4x and a 262K-vocabulary one 2.7x too slow).
    head_params = float(a.vocab_size * a.hidden_size)
    body = max(mp - head_params, mp * 0.25)
    # Flash attention skips the masked half of a causal prompt (mean context depth + p / 2); without it llama.cpp
    # multiplies each ubatch's queries by every cached key, the ubatch's own included, and writes, softmaxes and
    # reads the full score matrix: a mean of depth + (p + ubatch) / 2 keys (depth + p for a prompt in one ubatch)
    attn_ctx = mean_ctx if flash_attention else depth + min(p, (p + step_tokens) / 2)
    if gpu is None and not flash_attention:  # the CPU backend: its own fitted cost, over the causal mean
        attn_ctx, attn_factor = mean_ctx, asm.attention_cost_cpu
    flops = p * (2 * (body + moe_pen) + attention_flops(a, attn_ctx) * attn_factor) + 2 * head_params
    # a step longer than the prompt holds other requests' prompts too (serving under load): this prompt's share of
    # each step's weight reads and fixed costs is p / step
    n_ub: float = p / step_tokens if shared_steps else math.ceil(p / step_tokens)
    qf = asm.prefill_quant_factor_f16 if f16 else 1.0
    mmq = gpu is not None and llamacpp and uses_mmq(gpu, backend, quant, build_date)
    if gpu is not None:
        if mmq:  # llama.cpp's quantized matmuls on INT8 (MMQ): weights stay quantized, activations go to q8_1
            t_c = flops / (asm.prefill_eff_cuda_mmq * mmq_ops(gpu, asm, peak))
        elif gpu.shader_flops and not matrix_units_used(gpu, backend, runtime, build_date):
            t_c = flops / (peff * qf * gpu.shader_flops)
            if gpu.vendor != "intel":
                units = "WMMA matrix units" if gpu.vendor == "amd" else "Neural Accelerators"
                notes.append(f"{runtime} leaves the GPU's {units} unused: prompts run on the shader ALUs")
        else:
            t_c = flops / (peff * qf * (fp8_matmul_rate(gpu, runtime, quant) or gpu.fp16_flops or peak))
        gpu_w = sum(touched_layer_bytes(a, w, i, batch=step_tokens if shared_steps else min(p, step_tokens))
                    for i in range(first_gpu, n))
        t_m = n_ub * gpu_w / (eff_gpu * gpu.bandwidth_bytes_per_s)
        t_pre = max(t_c, t_m) / pipeline_speedup(n_dev, p, asm)
        t_pre += n_ub * n * asm.prefill_layer_overhead_us * 1e-6
        if runtime in SERVING_STEP_ENGINES:
            # the serving engines' chunked Gated DeltaNet / Mamba scans walk a prompt's chunks one after another: a
            # cost per token per recurrent layer, shared only when a step holds several prompts side by side
            n_rec = sum(1 for i, kind in enumerate(a.layer_kinds()) if kind == LINEAR and i >= first_gpu)
            side_by_side = max(1.0, step_tokens / p) if shared_steps else 1.0
            t_pre += n_rec * p * asm.serving_recurrent_prefill_us * 1e-6 / side_by_side
        prefill_bound = "compute" if t_c >= t_m else "memory"
        host_w = w.total_bytes - w.token_embd_bytes - placement.weights_gpu
        if host_w > 0 and p >= 32:
            pcie = gpu.pcie_bytes_per_s or asm.default_pcie_gb_s * 1e9
            t_pre += n_ub * host_w / pcie
            notes.append("layers in system RAM are copied to the GPU for each prompt batch")
            prefill_bound = "pcie"
    else:
        t_c = flops / (cpu_compute(machine, asm) * cpu_prefill_type_factor(w, quant))
        t_m = n_ub * w.total_bytes / (eff_cpu * machine.ram_bandwidth_bytes_per_s)
        t_pre = max(t_c, t_m)
        prefill_bound = "compute" if t_c >= t_m else "memory"
    # a request's start-up (tokenising, set-up, sampling its first token) is a per-step cost too: where other prompts
    # share the step, this prompt carries its share of it
    t_pre += asm.prefill_request_overhead_ms * 1e-3 * (p / step_tokens if shared_steps else 1.0)
    prefill = p / t_pre
    if runtime == "ollama":
        prefill *= asm.ollama_prefill_factor
    if runtime == "llamafile" and gpu is not None:
        prefill *= llamafile_factor(asm, "prefill", vendor)
    ttft = p / prefill + 1.0 / decode

    wide = placement.fits in ("gpu+cpu", "cpu")
    dr = asm.offload_range if wide else asm.decode_range
    pr = asm.offload_range if wide else asm.prefill_range
    return SpeedResult(
        decode, prefill, ttft,
        (decode * dr[0], decode * dr[1]),
        (prefill * pr[0], prefill * pr[1]),
        (p / (prefill * pr[1]) + 1 / (decode * dr[1]), p / (prefill * pr[0]) + 1 / (decode * dr[0])),
        decode_bound, prefill_bound, tuple(notes),
    )


CUDA_MMQ_SINCE = "2024-06-24"
"""The day llama.cpp's CUDA backend made its quantized matmul kernels (MMQ, INT8 tensor cores or __dp4a) the default
for prompt batches instead of dequantising to FP16 for cuBLAS (ggml-org/llama.cpp#8075, merged after #7676 and
#7860 brought INT8 tensor cores to MMQ); IQ types joined in July 2024 (#8495)."""


METAL_TENSOR_SINCE = "2025-11-07"
"""By this day llama.cpp's Metal backend ran matrix multiplications through the Metal 4 tensor API, which is what
reaches the per-core Neural Accelerators of M5-generation GPUs (ggml-org/llama.cpp#16634, opened 2025-10-17; #17087
of 2025-11-07 extended it to the A19)."""

NO_NEURAL_ACCELERATORS = frozenset({"ollama", "lmstudio", "llamafile"})
"""Runtimes whose Metal build leaves the Neural Accelerators unused: Ollama's tensor-API probe fails on M5
(ollama/ollama#15257, 2026-04), LM Studio's llama.cpp runtime 2.21 disables it (lmstudio-bug-tracker#2040,
2026-06-11), llamafile carries an older ggml (LocalScore's M5 prompt rates are 0.38x an estimate that counts them)."""


CUDA_GRAPHS_SINCE = "2024-05-15"
"""By this day llama.cpp's CUDA backend replayed each generated token's kernels as one CUDA graph (ggml-org/llama.cpp
#6766, opened 2024-04-19; #7302 of 2024-05-15 tunes it on master) instead of launching them one by one."""

CUDA_GRAPHS_PRE_AMPERE_SINCE = "2026-07-16"
"""Until this day llama.cpp kept CUDA graphs off below compute capability 8.0 ("disabling CUDA graphs due to GPU
architecture"); ggml-org/llama.cpp#25749 (Enable CUDA graphs on Volta+Turing) moved the line to Volta. Pascal and
older never use them."""

NO_CUDA_GRAPHS = frozenset({"llamafile"})
"""Runtimes whose CUDA module was built without graphs (llamafile's build scripts never set GGML_CUDA_USE_GRAPHS:
mozilla-ai/llamafile#1051)."""


def uses_cuda_graphs(gpu: Device | None, runtime: str, build_date: str | None, n_gpus: int, batch: int) -> bool:
    """Whether a runtime decodes with CUDA graphs. The serving engines (SERVING_STEP_ENGINES) capture every step on
    CUDA, at any batch and GPU count (unless launched eager, which the caller knows); a llama.cpp-based runtime
    needs the CUDA backend, one GPU, one sequence, a build from CUDA_GRAPHS_SINCE on (None: a current build),
    Ampere or later (Volta and Turing from CUDA_GRAPHS_PRE_AMPERE_SINCE), and not to be in NO_CUDA_GRAPHS."""
    if runtime in SERVING_STEP_ENGINES:
        return gpu is not None and gpu.backend == "cuda"
    if gpu is None or gpu.backend != "cuda" or runtime in NO_CUDA_GRAPHS or n_gpus > 1 or batch > 1:
        return False
    if build_date is not None and build_date < CUDA_GRAPHS_SINCE:
        return False
    arch = gpu.architecture.lower()
    if arch in ("volta", "turing"):
        return build_date is None or build_date >= CUDA_GRAPHS_PRE_AMPERE_SINCE
    return bool(arch) and arch not in ("pascal", "maxwell", "kepler")


def uses_neural_accelerators(runtime: str, build_date: str | None) -> bool:
    """Whether this runtime multiplies prompts on an M5-class GPU's Neural Accelerators: MLX and current llama.cpp
    builds do; the runtimes in NO_NEURAL_ACCELERATORS and llama.cpp builds before METAL_TENSOR_SINCE do not."""
    if runtime in NO_NEURAL_ACCELERATORS:
        return False
    return runtime == "mlx" or build_date is None or build_date >= METAL_TENSOR_SINCE


def matrix_units_used(gpu: Device, backend: str, runtime: str, build_date: str | None) -> bool:
    """Whether prompts reach the matrix units that fp16_flops counts, on a GPU that also has a shader_flops rate:
    Intel Arc's XMX engines except on llama.cpp's Vulkan backend; Apple M5's Neural Accelerators where
    uses_neural_accelerators says so; a Radeon's WMMA units except under llamafile, whose own AMD kernels stay on the
    shader ALUs (LocalScore's llamafile runs: RDNA 2 cards prompt as fast as RDNA 3 ones with two to three times the
    WMMA rate)."""
    if gpu.vendor == "intel":
        return backend != "vulkan"
    if gpu.vendor == "amd":
        return runtime != "llamafile"
    return uses_neural_accelerators(runtime, build_date)


def llamafile_factor(asm: Assumptions, figure: str, vendor: str) -> float:
    """llamafile's rate against llama.cpp's on the same GPU (``llamafile_{figure}_{vendor}``; 1 for others)."""
    return float(getattr(asm, f"llamafile_{figure}_{vendor}", 1.0))


def mmq_ops(gpu: Device, asm: Assumptions, peak: float) -> float:
    """INT8 ops/s llama.cpp's MMQ kernels can use on this GPU: its INT8 rate, at most asm.mmq_ops_per_sm_cycle per
    SM-cycle (wider tensor units than GeForce's do not speed them up), Turing's scaled by asm.mmq_turing_factor."""
    ops = gpu.int8_ops or peak
    if gpu.sm_clocks:
        ops = min(ops, asm.mmq_ops_per_sm_cycle * gpu.sm_clocks)
    if gpu.architecture.lower() == "turing" and gpu.tensor_cores:
        ops *= asm.mmq_turing_factor
    return ops


def uses_mmq(gpu: Device, backend: str, quant: str, build_date: str | None) -> bool:
    """Whether llama.cpp runs this file type's prompt matmuls on MMQ: CUDA, a quantized GGUF, a GPU with INT8
    matrix maths or __dp4a, and a build from CUDA_MMQ_SINCE on (None: a current build)."""
    if backend != "cuda" or gpu.int8_ops is None or quant.upper() in ("F16", "BF16", "F32"):
        return False
    return build_date is None or build_date >= CUDA_MMQ_SINCE


def _peak_flops(machine: Machine, gpu: object, asm: Assumptions, runtime: str = "", quant: str = "") -> float:
    if machine.gpus and gpu is not None:
        g = machine.gpus[0]
        return (fp8_matmul_rate(g, runtime, quant) or g.fp16_flops or unknown_gpu_flops(g, asm)) * machine.gpu_count
    return cpu_compute(machine, asm)


def unknown_gpu_flops(gpu: Device, asm: Assumptions) -> float:
    """A GPU whose entry gives no FLOP/s figure (phone GPUs whose makers publish none): unknown_gpu_flops_per_byte
    of its memory bandwidth, the balance of the phone and tablet GPUs that have one."""
    return asm.unknown_gpu_flops_per_byte * gpu.bandwidth_bytes_per_s


FP8_MATMUL_QUANTS = frozenset({"FP8"})
"""Quants whose weights and activations a serving engine multiplies in FP8 (vLLM's and SGLang's fp8 W8A8,
TensorRT-LLM's FP8), on GPUs with FP8 tensor cores."""


def fp8_matmul_rate(gpu: Device, runtime: str, quant: str) -> float | None:
    """The FP8 tensor rate where a serving engine runs FP8 weights through FP8 GEMMs (Ada, Hopper, Blackwell: the
    catalog's fp8_tensor_tflops, twice the FP16 rate); None elsewhere (llama.cpp and older GPUs dequantize to
    16-bit)."""
    if runtime in SERVING_STEP_ENGINES and quant in FP8_MATMUL_QUANTS and gpu.fp8_flops:
        return gpu.fp8_flops
    return None


def cpu_compute(machine: Machine, asm: Assumptions) -> float:
    """The CPU's matrix FLOP/s in llama.cpp's prompt kernels: the machine's own figure, or its threads (each beyond
    the first adding cpu_thread_gain of one) times cpu_gflops_per_core."""
    if machine.cpu_flops:
        return machine.cpu_flops
    simd = {"avx2": asm.cpu_avx2_prefill_factor, "neon": asm.cpu_neon_prefill_factor,
            "scalar": asm.cpu_scalar_prefill_factor}.get(machine.cpu_simd, 1.0)
    return (1 + asm.cpu_thread_gain * (max(machine.cpu_cores, 1) - 1)) * asm.cpu_gflops_per_core * simd * 1e9
