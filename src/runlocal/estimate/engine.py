"""estimate(): the one function every edge calls to size and time a model on a machine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .assumptions import DEFAULT, Assumptions
from .memory import ComputeBuffers, compute_buffers, kv_cache, kv_type_bytes
from .placement import Capacity, Placement, largest_that_fits, place_all_or_nothing, place_llamacpp
from .specs import Machine, ModelSpec
from .speed import SpeedResult, estimate_speed
from .units import GIB, MIB
from .weights import (
    MLX_FORMATS,
    Weights,
    file_bytes,
    is_exl,
    is_gguf,
    normalize_quant,
    weights,
    weights_from_table,
)
from .workload import DEFAULT_WORKLOAD

PlacementStyle = Literal["llamacpp", "all_or_nothing"]


@dataclass(frozen=True, kw_only=True)
class RuntimeSpec:
    """What the engine needs to know of a runtime; built from data/runtimes/*.toml by the catalog.

    `id` names the engine's per-runtime physics (vLLM's memory pool, MLX's Metal-only kernels);
    `placement` says how the runtime places a model: llama.cpp-style layer offload or all-or-nothing."""

    id: str
    placement: PlacementStyle


LLAMA_CPP = RuntimeSpec(id="llama.cpp", placement="llamacpp")
"""The runtime a Query assumes when none is given."""


ATTENTION_FUSED_ENGINES = frozenset({"vllm", "sglang", "tensorrt-llm", "mlc-llm", "mlx"})
"""Engines whose attention is always a fused (flash-style) kernel: their attention pays attention_cost_fa."""


class Unsupported(ValueError):
    """The combination asked for cannot run (for example MLX on an NVIDIA GPU)."""


@dataclass(frozen=True, kw_only=True)
class Query:
    """One question: this model, this machine, these settings."""

    model: ModelSpec
    machine: Machine
    runtime: RuntimeSpec = LLAMA_CPP
    quant: str = "Q4_K_M"
    context_tokens: int = DEFAULT_WORKLOAD.context_tokens
    depth_tokens: int = DEFAULT_WORKLOAD.depth_tokens
    prompt_tokens: int = DEFAULT_WORKLOAD.prompt_tokens
    kv_cache_type: str = DEFAULT_WORKLOAD.kv_cache_type
    parallel: int = DEFAULT_WORKLOAD.parallel
    flash_attention: bool | None = DEFAULT_WORKLOAD.flash_attention
    build_date: str | None = DEFAULT_WORKLOAD.build_date
    use_published_sizes: bool = True
    assumptions: Assumptions = DEFAULT


@dataclass(frozen=True)
class Memory:
    weights_bytes: int
    kv_cache_bytes: int
    compute_bytes: int
    overhead_bytes: int
    total_bytes: int
    accelerator_bytes: int
    system_bytes: int


@dataclass(frozen=True)
class Estimate:
    """The answer, shaped like the batch contract's answer object."""

    fits: str
    file_bytes: int
    file_bytes_source: str
    memory: Memory
    gpu_layers: int
    total_layers: int
    cpu_moe_layers: int
    max_context_tokens: int
    speed: SpeedResult
    runtime: str
    quant: str
    flash_attention: bool
    reason: str
    weights_detail: Weights
    capacity: Capacity
    assumptions_used: dict[str, Any] = field(default_factory=dict)
    placement: Placement | None = None  # where the weights and cache went (serving reuses it)
    notes: tuple[str, ...] = ()


def os_reserve(ram_bytes: int, asm: Assumptions) -> float:
    """RAM the operating system keeps: os_reserve_fraction of it, from 0.5 GiB up to os_reserve_gib."""
    return min(asm.os_reserve_gib * GIB, max(0.5 * GIB, ram_bytes * asm.os_reserve_fraction))


def sglang_fraction(tp: int, asm: Assumptions) -> float:
    """SGLang's static memory share for a tensor-parallel size (its defaults step down 0.88 -> 0.81 over tp 1-8)."""
    step = {1: 0.0, 2: 0.01, 4: 0.03, 8: 0.07}
    drop = max(v for k, v in step.items() if tp >= k)
    return asm.sglang_mem_fraction_static - drop


def capacity(machine: Machine, runtime: str, asm: Assumptions) -> Capacity:
    """Usable memory per accelerator and in system RAM for this runtime."""
    ram = machine.ram_bytes
    if not machine.gpus:
        return Capacity(gpu_count=0, per_gpu_bytes=0, overhead_per_gpu=0,
                        system_bytes=int(ram - os_reserve(ram, asm)), unified=machine.unified_memory)
    g = machine.gpus[0]
    if g.backend in ("cuda", "rocm"):
        overhead = int(asm.cuda_overhead_mib * MIB)
    elif g.backend == "metal":
        overhead = int(asm.metal_overhead_mib * MIB)
    else:
        overhead = int(asm.vulkan_overhead_mib * MIB)
    if runtime == "vllm":
        overhead = int(asm.vllm_overhead_gib * GIB)
    if machine.unified_memory:
        limit = machine.gpu_memory_limit_bytes or int(g.memory_bytes * asm.unified_gpu_fraction)
        per_gpu = limit - overhead
        system = int(ram - os_reserve(ram, asm))
        return Capacity(gpu_count=machine.gpu_count, per_gpu_bytes=per_gpu, overhead_per_gpu=overhead,
                        system_bytes=system, unified=True)
    if runtime == "vllm":
        per_gpu = int(g.memory_bytes * asm.vllm_gpu_memory_utilization) - overhead
    elif runtime == "mlc-llm":
        per_gpu = int(g.memory_bytes * asm.mlc_gpu_memory_utilization) - overhead
    elif runtime == "tensorrt-llm":
        # the KV pool gets free_gpu_memory_fraction of what is left after weights and activations: whatever
        # fits in that share fits; a tenth of the remainder stays free (approximated as a tenth of the card)
        per_gpu = int((g.memory_bytes - overhead) * asm.trtllm_free_gpu_memory_fraction)
    elif runtime == "sglang":
        per_gpu = int(g.memory_bytes * sglang_fraction(machine.gpu_count, asm))
        overhead = 0  # inside the share SGLang leaves free
    else:
        per_gpu = g.memory_bytes - overhead - int(asm.gpu_free_margin_mib * MIB)
    return Capacity(gpu_count=machine.gpu_count, per_gpu_bytes=per_gpu, overhead_per_gpu=overhead,
                    system_bytes=int(ram - os_reserve(ram, asm)), unified=False)


def _flash_default(q: Query) -> bool:
    if q.flash_attention is not None:
        return q.flash_attention
    # Quantised KV needs flash attention in llama.cpp; otherwise assume the long-standing default (off),
    # which also matches the load logs we calibrate on.
    return q.kv_cache_type.lower() not in ("f16", "f32", "bf16")


def _buffers(q: Query, ctx: int, fa: bool, asm: Assumptions, cells: int) -> ComputeBuffers:
    gpus = q.machine.gpu_count
    return compute_buffers(q.model.arch, cells, flash_attention=fa, n_gpus=gpus, asm=asm, cpu_only=gpus == 0,
                           llamacpp=q.runtime.placement == "llamacpp")


def _place(q: Query, w: Weights, ctx: int, fa: bool, cap: Capacity) -> tuple[Placement, int, int]:
    asm = q.assumptions
    a = q.model.arch
    kv = kv_cache(a, ctx, kv_type=q.kv_cache_type, n_seq=q.parallel, asm=asm)
    cb = _buffers(q, ctx, fa, asm, kv.cells_full)
    if q.runtime.placement == "llamacpp":
        p = place_llamacpp(w, kv, cb, cap)
    else:
        p = place_all_or_nothing(w, kv, cb, cap, q.runtime.id)
    return p, kv.total_bytes, cb.device_bytes * cap.gpu_count + (cb.host_bytes if not cap.gpu_count else 0)


EXLLAMA_RUNTIMES = {"exllamav2": ("EXL2", "GPTQ-INT4", "GPTQ-INT8", "F16", "BF16"),
                    "exllamav3": ("EXL3", "F16", "BF16"),
                    "tabbyapi": ("EXL2", "EXL3", "GPTQ-INT4", "GPTQ-INT8", "F16", "BF16")}
"""What each ExLlama runtime loads (exllamav2 reads EXL2 and GPTQ; exllamav3 only EXL3; TabbyAPI drives both)."""


SERVER_QUANTS = {"tensorrt-llm": ("F16", "BF16", "FP8", "NVFP4", "AWQ-INT4", "GPTQ-INT4", "MXFP4_MOE"),
                 "mlc-llm": ("F16", "BF16", "MLC-Q4F16_1", "MLC-Q4F32_1", "MLC-Q3F16_1")}
"""What TensorRT-LLM and MLC LLM load (their own checkpoints; neither reads GGUF)."""


def _check_servers(q: Query, runtime: str, quant: str) -> None:
    if quant.startswith("MLC-") and runtime != "mlc-llm":
        raise Unsupported(f"{quant} is MLC LLM's own format: run it with mlc-llm, not {runtime}")
    if runtime not in SERVER_QUANTS:
        return
    backend = q.machine.gpus[0].backend if q.machine.gpus else "cpu"
    if runtime == "tensorrt-llm" and backend != "cuda":
        raise Unsupported(f"TensorRT-LLM needs an NVIDIA GPU; this machine has {backend}")
    if runtime == "mlc-llm" and backend == "cpu":
        raise Unsupported("MLC LLM runs on a GPU (CUDA, ROCm, Vulkan or Metal); this machine has none")
    if quant not in SERVER_QUANTS[runtime]:
        raise Unsupported(f"{runtime} does not load {quant}; it loads {', '.join(SERVER_QUANTS[runtime])}")


def _check_exllama(q: Query, runtime: str, quant: str) -> None:
    """ExLlama quants run only in ExLlama runtimes, which run only on NVIDIA (V2 and TabbyAPI also on ROCm)."""
    if is_exl(quant) and runtime not in EXLLAMA_RUNTIMES:
        raise Unsupported(f"{quant} is an ExLlama format: run it with tabbyapi, exllamav2 or exllamav3, not {runtime}")
    if runtime not in EXLLAMA_RUNTIMES:
        return
    backend = q.machine.gpus[0].backend if q.machine.gpus else "cpu"
    if backend not in (("cuda",) if runtime == "exllamav3" else ("cuda", "rocm")):
        raise Unsupported(f"{runtime} needs an NVIDIA GPU{'' if runtime == 'exllamav3' else ' (or ROCm)'}; "
                          f"this machine has {backend}")
    if not any(quant == k or quant.startswith(f"{k}-") for k in EXLLAMA_RUNTIMES[runtime]):
        raise Unsupported(f"{runtime} does not load {quant}; it loads {', '.join(EXLLAMA_RUNTIMES[runtime])}")
    if q.kv_cache_type.lower() not in ("f16", "q8_0", "q4_0"):
        raise Unsupported(f"{runtime} caches in FP16, Q8, Q6 or Q4 (kv_cache_type f16, q8_0, q4_0), "
                          f"not {q.kv_cache_type}")


def estimate(q: Query) -> Estimate:
    """Fit, memory breakdown, offload split, largest context and speed for one question."""
    asm = q.assumptions
    a = q.model.arch
    quant = normalize_quant(q.quant)
    runtime = q.runtime.id
    llamacpp_like = q.runtime.placement == "llamacpp"
    if runtime == "mlx" and (not q.machine.gpus or q.machine.gpus[0].backend != "metal"):
        raise Unsupported("MLX runs only on Apple Silicon")
    if runtime == "mlx" and quant not in MLX_FORMATS and quant not in ("F16", "BF16"):
        raise Unsupported(f"MLX does not read {quant}; use MLX-4bit, MLX-8bit or BF16")
    if llamacpp_like and not is_gguf(quant):
        raise Unsupported(f"{runtime} reads GGUF files; {quant} is not a GGUF type")
    _check_exllama(q, runtime, quant)
    _check_servers(q, runtime, quant)
    kv_type_bytes(q.kv_cache_type, 1)  # validates
    kvt = q.kv_cache_type.lower()
    if llamacpp_like and kvt == "fp8":
        raise Unsupported("llama.cpp has no fp8 KV cache; use q8_0 (34 bytes per 32 values) or q4_0")
    if runtime == "vllm" and kvt not in ("f16", "bf16", "fp8"):
        raise Unsupported(f"vLLM caches in f16/bf16 or fp8, not {kvt}")
    if llamacpp_like and kvt not in ("f16", "bf16", "f32") and q.flash_attention is False:
        raise Unsupported("a quantized KV cache needs flash attention in llama.cpp (-fa on)")
    ctx = max(1, q.context_tokens)
    fa = _flash_default(q)

    if q.model.tensor_table is not None:
        w = weights_from_table(a, q.model.tensor_table)
        fbytes = q.model.file_bytes or w.total_bytes
        fsource = "size of the file on disk"
    else:
        w = weights(a, quant)
        fmt = "gguf" if is_gguf(quant) else ("mlx" if quant in MLX_FORMATS else None)
        art = q.model.artifact(quant, fmt) if q.use_published_sizes else None
        fbytes = art.file_bytes if art else file_bytes(a, quant, w)
        fsource = f"published: {art.repo}/{art.file}".strip("/") if art else "estimated from the tensor table"

    cap = capacity(q.machine, runtime, asm)
    placement, kv_total, compute_total = _place(q, w, ctx, fa, cap)
    auto_notes: list[str] = []
    auto = q.flash_attention is None and not fa and llamacpp_like and cap.gpu_count > 0
    if auto and placement.fits != "gpu":
        # llama.cpp's -fa auto turns flash attention on where the backend supports it; we assume it off
        # (as in the logs we calibrate on) unless it is what makes the model fit.
        alt = _place(q, w, ctx, True, cap)
        if alt[0].fits == "gpu":
            placement, kv_total, compute_total = alt
            fa = True
            auto_notes.append("flash attention on (-fa on): without it the attention scores would not fit")
    max_ctx = _max_context(q, w, fa, cap)
    if auto and not fa and max_ctx < a.context_length:
        with_fa = _max_context(q, w, True, cap)
        if with_fa > max_ctx:
            auto_notes.append(f"with flash attention (-fa on) the largest context on the accelerator is "
                              f"{with_fa:,} tokens instead of {max_ctx:,}")

    overhead = cap.overhead_per_gpu * cap.gpu_count
    loaded = w.total_bytes + (w.tied_copy_bytes if placement.output_on_gpu else 0)
    host_compute = placement.system_bytes - placement.weights_cpu - placement.kv_cpu
    compute = compute_total if cap.gpu_count else host_compute
    total = loaded + kv_total + compute + overhead + (host_compute if cap.gpu_count else 0)
    memory = Memory(
        weights_bytes=loaded,
        kv_cache_bytes=kv_total,
        compute_bytes=compute,
        overhead_bytes=overhead + (host_compute if cap.gpu_count else 0),
        total_bytes=total,
        accelerator_bytes=placement.accelerator_bytes,
        system_bytes=total - placement.accelerator_bytes,
    )
    sp = estimate_speed(a, w, placement, q.machine, runtime=runtime, quant=quant, params=q.model.params,
                        active_params=q.model.active_params, depth=q.depth_tokens,
                        prompt=q.prompt_tokens, kv_type=q.kv_cache_type, parallel=q.parallel,
                        flash_attention=fa or runtime in ATTENTION_FUSED_ENGINES, asm=asm, llamacpp=llamacpp_like,
                        build_date=q.build_date)
    notes = list(sp.notes) + auto_notes
    if runtime in EXLLAMA_RUNTIMES:
        notes.append(f"{runtime}: speed uses the CUDA efficiencies fitted on llama.cpp runs (no ExLlama measurements "
                     "fitted yet); EXL bit rates are the mean over the linear layers, with 16-bit embeddings and a "
                     "6-bit head")
    if not fa and llamacpp_like and cap.gpu_count:
        kvc = kv_cache(a, ctx, kv_type=q.kv_cache_type, n_seq=q.parallel, asm=asm).cells_full
        with_fa = compute_buffers(a, kvc, flash_attention=True, n_gpus=cap.gpu_count, asm=asm).device_bytes
        without = compute_buffers(a, kvc, flash_attention=False, n_gpus=cap.gpu_count, asm=asm).device_bytes
        if without - with_fa > 256 * MIB:
            notes.append(f"flash attention is assumed off (llama.cpp's default before -fa auto); with -fa on "
                         f"the compute buffer shrinks from {without / GIB:.2f} to {with_fa / GIB:.2f} GiB per GPU")
    if ctx > a.context_length:
        notes.append(f"context {ctx} exceeds the model's trained context of {a.context_length} tokens")
    return Estimate(
        fits=placement.fits, file_bytes=fbytes, file_bytes_source=fsource, memory=memory,
        gpu_layers=placement.gpu_layers, total_layers=placement.total_layers,
        cpu_moe_layers=placement.cpu_moe_layers, max_context_tokens=max_ctx, speed=sp,
        runtime=runtime, quant=quant, flash_attention=fa, reason=placement.reason, weights_detail=w,
        capacity=cap, assumptions_used=_asm_dict(asm), notes=tuple(notes), placement=placement,
    )


_ASM_DICTS: dict[int, tuple[Assumptions, dict[str, Any]]] = {}


def _asm_dict(asm: Assumptions) -> dict[str, Any]:
    hit = _ASM_DICTS.get(id(asm))
    if hit is None or hit[0] is not asm:
        hit = (asm, asm.as_dict())
        if len(_ASM_DICTS) > 64:
            _ASM_DICTS.clear()
        _ASM_DICTS[id(asm)] = hit
    return dict(hit[1])


def _max_context(q: Query, w: Weights, fa: bool, cap: Capacity) -> int:
    """Largest context (multiple of 256, up to the trained context) that keeps everything on the GPU."""
    a = q.model.arch
    want = "gpu" if cap.gpu_count else "cpu"

    asm = q.assumptions
    a_full = w.total_bytes + w.tied_copy_bytes - w.token_embd_bytes
    limit = cap.per_gpu_bytes * cap.gpu_count + cap.gpu_count * cap.overhead_per_gpu

    def ok(ctx: int) -> bool:
        if q.runtime.placement == "llamacpp" and cap.gpu_count:
            # fast path: everything on the accelerator(s)? (the same sums place_llamacpp makes first)
            kv = kv_cache(a, ctx, kv_type=q.kv_cache_type, n_seq=q.parallel, asm=asm)
            cb = _buffers(q, ctx, fa, asm, kv.cells_full)
            need = a_full + kv.total_bytes + cap.gpu_count * (cb.device_bytes + cap.overhead_per_gpu)
            if need > limit:
                return False
        return _place(q, w, ctx, fa, cap)[0].fits == want

    hi = max(a.context_length, 256)
    if ok(hi):
        return hi
    if not ok(256):
        return 0
    # bisection on multiples of 256 below the trained context (which failed above)
    return 256 * largest_that_fits(1, hi // 256, lambda k: ok(k * 256))
