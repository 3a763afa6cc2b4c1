"""Every tunable number the engine uses, in one frozen object.

Each field has a docstring (what it is, with its unit in the field name) and, in its dataclass metadata, a
``basis`` and a ``source``: *fitted* to measurements (by ``bench/calibrate.py`` on ``shared/data/measured``
and ``data/benchmarks``), *taken* from a runtime's source code or a specification, *measured* directly, or
*assumed*. ``runlocal assumptions`` prints them, ``docs/methodology.md`` holds a table generated from them
(``python -m runlocal.service.assumptions docs/methodology.md`` refreshes it) and users override any value
with ``--assume name=value``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

Basis = Literal["fitted", "taken", "assumed", "measured"]
BASES: tuple[Basis, ...] = ("fitted", "taken", "assumed", "measured")

_T = TypeVar("_T")


def _a(default: _T, basis: Basis, source: str) -> _T:
    """A field with its provenance: ``metadata = {"basis": basis, "source": source}``."""
    return field(default=default, metadata={"basis": basis, "source": source})


_METAL_FIT = ("bench/calibrate.py --metal-generations: llama.cpp, Ollama and llamafile decode runs on Macs (dev set "
              "and the catalog's fit share), split at speed.METAL_CONCURRENCY_SINCE")
_LLAMAFILE_FIT = "calibrate.py --llamafile: LocalScore's llamafile runs (data/benchmarks, fit share)"
_REFIT = "calibrate.py --attention, after attention_cost_no_fa moved to llama.cpp's fa 0 / fa 1 pairs; first "
_PREFILL_FIT = "calibrate.py --with-benchmarks (dev set at its sources' build dates + fit share of benchmarks)"


@dataclass(frozen=True)
class Assumptions:
    """Efficiency factors, overheads, margins and defaults. Each field's unit is in its name (``_mib``, ``_gib``,
    ``_gb``, ``_gb_s``, ``_us``, ``_ms``, ``_s``, ``_tokens``, ``_px``); names without one are fractions of a peak
    or plain multipliers."""

    # --- memory -------------------------------------------------------------------------------
    gpu_free_margin_mib: float = _a(1024.0, "taken", "llama.cpp common/fit.cpp: --fit-target default 1024 MiB")
    """Memory llama.cpp's --fit leaves free on each device."""
    cuda_overhead_mib: float = _a(457.0, "taken", "Ollama ml/device.go @3258a89b: CUDA/ROCm MinimumMemory 457 MiB")
    """CUDA/ROCm context, cuBLAS workspace and driver allocations per GPU."""
    metal_overhead_mib: float = _a(256.0, "assumed", "not measured; Ollama reserves 512 MiB on Metal")
    """Metal command buffers and residency sets."""
    vulkan_overhead_mib: float = _a(350.0, "assumed", "not measured")
    """Vulkan/SYCL driver allocations per GPU."""
    n_ubatch: int = _a(512, "taken", "llama.cpp src/llama-context.cpp: n_ubatch default 512")
    """Physical batch of llama.cpp prompt processing, tokens."""
    n_batch: int = _a(2048, "taken", "llama.cpp common/common.h: n_batch default 2048")
    """Logical batch of llama.cpp prompt processing, tokens; with n_ubatch it bounds pipeline depth."""
    kv_pad: int = _a(256, "taken", "llama.cpp src/llama-kv-cache.cpp: KV size padded to 256 cells")
    """llama.cpp rounds the KV cache size up to this many cells."""
    compute_ffn_factor: float = _a(1.0, "fitted", "llama.cpp load logs in shared/data/measured (compute buffers)")
    """Compute buffer, attention phase: ubatch x (ffn width x this + 2.5 x hidden) x 4 bytes."""
    pipeline_compute_factor: float = _a(640.0 / 560.0, "fitted",
                                        "Llama 3 8B load logs: 640 MiB per GPU on 2-8 GPUs vs 560 MiB on one")
    """Per-GPU compute buffer with several GPUs (pipeline copies) vs one."""
    prefill_chunk_tokens: int = _a(2048, "assumed", "not measured: one chunk of a chunked prefill")
    """Tokens of the prefill chunk whose 16-bit activations size the compute buffer of vLLM, MLX and
    transformers."""
    apple_ws_fraction_small: float = _a(2.0 / 3.0, "measured",
                                        "recommendedMaxWorkingSetSize printed by llama.cpp Metal on 7 Macs "
                                        "(shared/data/measured)")
    """GPU working set of Macs with at most apple_ws_small_max_gb of unified memory: share of that memory."""
    apple_ws_fraction_large: float = _a(0.75, "measured",
                                        "recommendedMaxWorkingSetSize printed by llama.cpp Metal on 7 Macs "
                                        "(shared/data/measured)")
    """GPU working set of Macs with more than apple_ws_small_max_gb of unified memory: share of that memory."""
    apple_ws_small_max_gb: float = _a(36.0, "measured",
                                      "recommendedMaxWorkingSetSize printed by llama.cpp Metal on 7 Macs "
                                      "(shared/data/measured)")
    """Largest unified memory (GB as sold, that is GiB) that gets apple_ws_fraction_small; above it the Mac gets
    apple_ws_fraction_large."""
    unified_gpu_fraction: float = _a(0.75, "assumed", "AMD's 96-of-128 GB GPU carve-out (Ryzen AI Max)")
    """Share of memory the GPU of a non-Apple unified-memory PC may use."""
    os_reserve_gib: float = _a(3.0, "assumed", "not measured")
    """System RAM kept by the operating system and desktop."""
    os_reserve_fraction: float = _a(0.125, "assumed", "a desktop OS idles in 0.5-1 GiB on a 4-8 GB board (Raspberry "
                                    "Pi OS Lite, headless Ubuntu) and 2-3 GiB on a 32 GB desktop")
    """The operating system's share of system RAM on small machines: the reserve is this share of RAM, at least
    0.5 GiB and at most os_reserve_gib (so an 8 GB board keeps 1 GiB, a 64 GB desktop 3 GiB)."""
    default_host_ram_gb: float = _a(64.0, "assumed", "a common desktop size")
    """System RAM assumed behind a discrete GPU named without a machine."""
    default_host_ram_bandwidth_gb_s: float = _a(89.6, "assumed", "dual-channel DDR5-5600: 2 x 8 B x 5600 MT/s")
    """RAM bandwidth behind a consumer GPU named without a machine."""
    default_server_ram_gb: float = _a(512.0, "assumed", "a common size of a GPU server")
    """System RAM assumed behind a datacenter GPU named without a machine."""
    measured_read_share: float = _a(0.75, "assumed", "STREAM-like reads reach 70-80 % of the theoretical rate")
    """A sustained read measured on a machine (`runlocal system --measure`) over its memory's theoretical rate: the
    measured figure is divided by this before the engine uses it, as catalog entries give the theoretical one."""
    detected_ram_bandwidth_gb_s: float = _a(60.0, "assumed", "between dual-channel DDR4-3200 (51.2 GB/s) and "
                                            "DDR5-5600 (89.6), theoretical")
    """RAM bandwidth of a CPU-only machine detected here until `runlocal system --measure` measures it."""
    default_server_ram_bandwidth_gb_s: float = _a(307.2, "assumed", "8-channel DDR5-4800: 8 x 8 B x 4800 MT/s")
    """RAM bandwidth behind a datacenter GPU named without a machine."""
    default_cpu_ram_gb: float = _a(64.0, "assumed", "a common desktop size")
    """RAM of a CPU-only machine named without its memory, when its catalog entry offers this size (otherwise
    the largest size it offers)."""
    default_gpu_bandwidth_gb_s: float = _a(300.0, "assumed", "a mid-range GDDR6 card")
    """Memory bandwidth of a GPU given as a hardware object without memory_bandwidth_gb_s and without a catalog
    GPU to copy it from."""
    default_pcie_gb_s: float = _a(25.0, "assumed", "PCIe 4.0 x16 reaches about 25 GB/s in host-to-GPU copies")
    """Effective host-to-GPU copy rate when the GPU's PCIe link is not known."""
    pcie_gen1_lane_gb_s: float = _a(0.25, "taken", "PCI-SIG: 2.5 GT/s per lane, 8b/10b coding")
    """Raw rate of one PCIe 1.x lane."""
    pcie_gen2_lane_gb_s: float = _a(0.5, "taken", "PCI-SIG: 5 GT/s per lane, 8b/10b coding")
    """Raw rate of one PCIe 2.0 lane."""
    pcie_gen3_lane_gb_s: float = _a(0.985, "taken", "PCI-SIG: 8 GT/s per lane, 128b/130b coding")
    """Raw rate of one PCIe 3.0 lane."""
    pcie_gen4_lane_gb_s: float = _a(1.97, "taken", "PCI-SIG: 16 GT/s per lane, 128b/130b coding")
    """Raw rate of one PCIe 4.0 lane."""
    pcie_gen5_lane_gb_s: float = _a(3.94, "taken", "PCI-SIG: 32 GT/s per lane, 128b/130b coding")
    """Raw rate of one PCIe 5.0 lane."""
    pcie_gen6_lane_gb_s: float = _a(7.56, "taken", "PCI-SIG: 64 GT/s per lane, PAM4 with FLIT encoding")
    """Raw rate of one PCIe 6.0 lane."""
    pcie_efficiency: float = _a(0.8, "assumed", "DMA copies reach about 80 % of the raw link rate")
    """Share of a PCIe link's raw rate (lanes x per-lane rate) that host-to-GPU copies reach."""
    vllm_gpu_memory_utilization: float = _a(0.9, "taken", "vLLM engine args: --gpu-memory-utilization default 0.9")
    """vLLM's default share of GPU memory for its pool."""
    vllm_overhead_gib: float = _a(1.5, "assumed", "not measured")
    """vLLM CUDA graphs, torch context and sampler buffers per GPU."""
    trtllm_free_gpu_memory_fraction: float = _a(0.9, "taken", "TensorRT-LLM KvCacheConfig: free_gpu_memory_fraction "
                                                "default 0.9")
    """TensorRT-LLM's KV pool takes this share of the memory still free after weights and activations."""
    mlc_gpu_memory_utilization: float = _a(0.85, "taken", "MLC LLM EngineConfig: gpu_memory_utilization default 0.85")
    """MLC LLM's default share of GPU memory for weights, KV cache and temporary buffers."""
    moe_batch_skew: float = _a(0.8, "fitted", "llama-batched-bench on DGX Spark, fit share of data/serving (gpt-oss "
                               "120B/20B, Qwen3-Coder 30B-A3B; scaling from B = 1 to 32)")
    """Exponent on the batch for the experts a decode step touches (routing skew: batch ** this many tokens)."""
    ollama_num_parallel: int = _a(1, "taken", "Ollama 0.20.3: OLLAMA_NUM_PARALLEL unset -> compiled default 1 "
                                 "(server log, baeseokjae EXP-OLLAMA-SLOTS-2026-11-04)")
    """Requests Ollama decodes together unless OLLAMA_NUM_PARALLEL says otherwise."""
    lmstudio_max_concurrent: int = _a(4, "taken", "LM Studio docs, parallel requests: Max Concurrent Predictions "
                                      "defaults to 4")
    """Requests LM Studio's llama.cpp engine decodes together by default."""
    serve_seq_us_paged: float = _a(30.0, "fitted", "grid with serving_layer_us_graphs over the fit share of "
                                   "data/serving (145 vLLM/SGLang/TensorRT-LLM points with CUDA graphs; with 24 "
                                   "points and llama.cpp's per-layer cost no cost showed)")
    """Extra microseconds each sequence beyond the first adds to a decode step in vLLM, SGLang, TensorRT-LLM, MLC."""
    serve_seq_us_llamacpp: float = _a(150.0, "fitted", "llama-batched-bench on DGX Spark, fit share of data/serving "
                                      "(one machine; scaling from B = 1 to 32)")
    """Extra microseconds each sequence beyond the first adds to a llama.cpp decode step (-np slots)."""
    nvlink_gb_s: float = _a(450.0, "taken", "NVIDIA H100 SXM: NVLink 4 at 900 GB/s both ways, 450 GB/s each way")
    """One direction of a datacenter GPU's NVLink, for tensor-parallel all-reduces (HBM parts are taken as SXM)."""
    allreduce_latency_us_nvlink: float = _a(10.0, "assumed", "NCCL small-message all-reduce over NVLink, ~10 us")
    """Fixed cost of one all-reduce between NVLink-connected GPUs."""
    allreduce_latency_us_pcie: float = _a(30.0, "assumed", "NCCL small-message all-reduce over PCIe, ~30 us")
    """Fixed cost of one all-reduce between GPUs that talk over PCIe (consumer cards, no NVLink)."""
    sglang_mem_fraction_static: float = _a(0.88, "taken", "SGLang server_args.py: mem_fraction_static 0.88 at "
                                           "tp_size 1 (0.87 at 2, 0.85 at 4, 0.81 at 8)")
    """Share of each GPU's memory SGLang gives to weights and its KV pool at start-up (the rest holds activations
    and CUDA graphs); it scales down with the tensor-parallel size as SGLang's own default does."""
    sglang_mamba_full_memory_ratio: float = _a(0.9, "taken", "SGLang server_args.py: mamba_full_memory_ratio 0.9; "
                                               "model_runner _handle_max_mamba_cache: state pool = rest x r / (1 + r)")
    """For a model with recurrent layers (Mamba, Gated DeltaNet), SGLang gives r / (1 + r) of the cache memory (47 %
    at 0.9) to a pool of per-request states and the rest to the attention layers' KV."""
    sglang_state_slots_per_request: float = _a(3.0, "taken", "SGLang model_runner: "
                                               "MAMBA_CACHE_SIZE_MAX_RUNNING_REQUESTS_RATIO = 3 (radix cache on)")
    """State slots per running request (the radix cache keeps prefixes' states): max running = slots / 3."""
    sglang_max_running_requests: int = _a(2048, "taken", "SGLang _resolve_max_num_reqs: min(4096, max(2048, "
                                          "tokens / context_len x 512)) when not set; 2048 unless the pool holds "
                                          "over 4 context windows per slot")
    """The most requests SGLang runs at once by default."""

    # --- decode (memory bound) ----------------------------------------------------------------
    decode_eff_cuda: float = _a(0.872, "fitted", "bench/calibrate.py --linear: decode runs on GDDR NVIDIA GPUs")
    """Achieved / peak memory bandwidth when decoding on NVIDIA GPUs."""
    decode_eff_hbm: float = _a(0.673, "fitted", "bench/calibrate.py --linear: decode runs on HBM GPUs")
    """Same for GPUs with HBM (A100, H100, MI300X): batch-1 reads leave stacked memory partly idle."""
    decode_eff_rocm: float = _a(0.90, "fitted", "calibrate.py --backends: 2025+ ROCm decode runs, RDNA 2-4 (fit share, "
                                "n=18)")
    """Same for AMD GPUs."""
    decode_eff_metal: float = _a(0.89, "fitted", _METAL_FIT)
    """Same for Apple GPUs with llama.cpp."""
    decode_eff_mlx: float = _a(0.88, "fitted", "bench/calibrate.py --linear: MLX decode runs on Macs")
    """Same for Apple GPUs with MLX."""
    decode_eff_vulkan: float = _a(0.98, "fitted", "calibrate.py --backends: 2025+ Vulkan decode on Radeons (fit share)")
    """Same for the Vulkan backend, and for any backend without a figure of its own."""
    decode_eff_sycl: float = _a(0.4, "fitted", "calibrate.py --backends: 2025+ SYCL decode runs on Arc (fit share)")
    """Same for Intel GPUs (SYCL backend)."""
    decode_eff_vulkan_intel: float = _a(0.54, "fitted", "calibrate.py --backends: 2025+ Arc runs on Vulkan (fit share, "
                                        "n=3, spread about 45 %)")
    """Achieved / peak bandwidth of an Intel Arc GPU on the Vulkan backend (Intel's driver, not AMD's)."""
    decode_factor_pascal: float = _a(0.62, "fitted", "calibrate.py --with-benchmarks: fit share of the catalog's "
                                     "Pascal runs (GTX 1050 Ti, GTX 10 and Tesla P40/P100 cards of the CUDA "
                                     "scoreboard), 2025-26 builds")
    """Decode efficiency of Pascal GPUs (GTX 10, Tesla P4/P40/P100) relative to the CUDA figure."""
    decode_factor_laptop: float = _a(0.82, "fitted", "grid over the fit share of the catalog's decode runs on laptop "
                                     "GPUs (segment laptop; 23 runs: mean clipped |log error| 0.450 -> 0.434, median "
                                     "signed +29 -> +18 %)")
    """A laptop GPU decodes at this share of the bandwidth its desktop-class figure gives: it runs below the spec's
    clocks within the power (TGP) and heat a laptop allows, and catalog entries take the top of the TGP range."""
    decode_factor_alchemist_vulkan: float = _a(0.68, "fitted", "grid over the fit share of the Vulkan decode runs on "
                                               "Arc Alchemist (the scoreboard's A750, A770 and A770M, December 2024: "
                                               "mean |log error| 0.377 -> 0.046)")
    """Arc Alchemist (Xe-HPG) decoding through llama.cpp's Vulkan backend reaches this share of the usual Vulkan
    bandwidth: the scoreboard's Alchemist cards decode 1.4-1.6x slower than the bandwidth model while its Battlemage
    cards (B570, B580, Pro B50/B60) land within 15 %; SYCL on the same A770 does not show it."""
    decode_eff_cpu: float = _a(0.60, "assumed", "STREAM reaches 70-80 % of theoretical RAM bandwidth")
    """Achieved / theoretical RAM bandwidth on CPU decode."""
    cpu_core_bandwidth_gb_s: float = _a(13.0, "measured", "llama-cpp-python 0.3.36 (AVX2 build) on one thread of a "
                                        "2-core EPYC VM: q4_K weights of 1024- and 2048-wide models, tg48, 11-15.6 "
                                        "GB/s over three runs (bench/cpu_types.py; SmolLM2's narrow 576-wide Q4_1 "
                                        "reads 6.6, its per-layer costs included)")
    """q4_K weights one CPU thread streams through its dot products per second when decoding (dequantisation
    bounds it below what one core can read from RAM; other types scale by CPU_DECODE_TYPE_FACTOR): decode on the
    CPU reads at min(threads x this, eff x RAM bandwidth), so a 2-core machine is not predicted like a 32-core
    one on the same memory."""
    cpu_thread_gain: float = _a(0.6, "measured", "the same runs on 2 threads of the VM: 1.27-1.92x one thread "
                                "(median 1.5) where RAM did not bind")
    """What each thread beyond the first adds to the threads' streaming rate, as a share of the first (shared
    caches, the memory controller, SMT siblings): threads = 1 + this x (cores - 1)."""
    decode_layer_us_cuda: float = _a(67.5, "fitted", "bench/calibrate.py --linear: decode runs on GDDR NVIDIA GPUs")
    """Fixed cost per layer per generated token on CUDA (kernel launches, graph build), microseconds."""
    decode_layer_us_hbm: float = _a(136.5, "fitted", "bench/calibrate.py --linear: decode runs on HBM GPUs")
    """Same on HBM datacenter GPUs (these ran in cloud VMs with server CPUs)."""
    decode_layer_us_cuda_graphs: float = _a(48.0, "fitted", "calibrate.py --cuda-graphs: single-GPU llama.cpp CUDA "
                                            "decode runs of 2025+ builds on Ampere and later, GDDR (fit share, n=59)")
    """Same where llama.cpp replays each token's kernels as one CUDA graph (uses_cuda_graphs: builds since May 2024,
    one GPU, Ampere or later; Volta and Turing from July 2026): the per-kernel launch cost is gone."""
    decode_layer_us_cuda_graphs_hbm: float = _a(66.0, "fitted", "calibrate.py --cuda-graphs: the same runs on HBM "
                                                "GPUs (A100, A30, H100; fit share, n=2)")
    """Same on HBM datacenter GPUs."""
    serving_layer_us_graphs: float = _a(25.0, "fitted", "grid with serve_seq_us_paged over the fit share of "
                                        "data/serving (vLLM/SGLang/TensorRT-LLM runs with CUDA graphs, 145 per-user "
                                        "and aggregate rates: mean clipped |log error| 0.282 with the launch-by-launch "
                                        "136.5 us and no sequence cost -> 0.210 at 25 / 30)")
    """Fixed microseconds per layer of a vLLM / SGLang / TensorRT-LLM decode step on NVIDIA replayed as a CUDA graph
    (their default launch; --enforce-eager steps pay decode_layer_us_cuda / _hbm plus serving_eager_layer_us)."""
    unknown_gpu_flops_per_byte: float = _a(30.0, "assumed", "the FP16 FLOP/s per byte/s of bandwidth of the catalog's "
                                           "phone and tablet GPUs with a figure (A17 Pro 42, A19 Pro 32, M4 iPad 31)")
    """Compute of a GPU whose entry gives no FLOP/s figure, per byte/s of its memory bandwidth (replaces a flat
    10 TFLOPS, which put phone prompts several times too fast)."""
    decode_layer_us_metal: float = _a(106.0, "fitted", _METAL_FIT)
    """Same on Metal, for an M3-generation Mac with a current llama.cpp build (concurrent dispatch and fused ops:
    speed.uses_metal_concurrency); other generations scale by metal_layer_generation_factor."""
    metal_layer_generation_factor: float = _a(0.78, "fitted", _METAL_FIT)
    """Ratio of llama.cpp's fixed Metal cost per layer and token from one Apple chip generation to the next (M1 ->
    M2 -> ...) in current builds: the CPU encodes each token's command buffer and the GPU starts each kernel faster on
    every generation, so small models decode relatively faster on newer Macs than the bandwidth alone says."""
    decode_layer_us_metal_serial: float = _a(142.0, "fitted", _METAL_FIT)
    """Same as decode_layer_us_metal for llama.cpp builds before Metal's concurrent dispatch (before
    speed.METAL_CONCURRENCY_SINCE) and llamafile's own Metal module."""
    metal_layer_generation_factor_serial: float = _a(0.64, "fitted", _METAL_FIT)
    """Same as metal_layer_generation_factor for those builds: kernels launched one after another made an M1 pay
    about two and a half times an M3's cost per layer."""
    decode_layer_us_other: float = _a(82.0, "assumed", "between the fitted CUDA and Metal figures")
    """Same on ROCm, Vulkan, SYCL and CPU."""
    decode_layer_us_vulkan: float = _a(40.0, "fitted", "calibrate.py --backends: 2025+ Vulkan decode runs on Radeons")
    """Same on the Vulkan backend (its graph is recorded once per token; fitted with decode_eff_vulkan)."""
    decode_eff_unified_cuda: float = _a(0.72, "fitted", "grid over the fit share of the catalog's DGX Spark decode "
                                        "runs (5; mean |log error| 0.074)")
    """Achieved / peak bandwidth of an NVIDIA GPU sharing LPDDR memory with its CPU (DGX Spark's GB10, Jetson), with
    CUDA's per-layer cost."""
    decode_eff_unified: float = _a(0.60, "fitted", "catalog benchmarks of Ryzen AI Max and other unified-memory PCs "
                                   "(their former Vulkan figure, which fitted them)")
    """Achieved / peak bandwidth of a non-Apple integrated GPU decoding from shared LPDDR5X (its memory controller
    also serves the CPU); with the per-layer cost of decode_layer_us_other."""
    decode_eff_unified_amd: float = _a(0.85, "fitted", "grid over the fit share's AMD APU decode runs (23, most of "
                                       "them Strix Halo; mean clipped |log error| 0.312 at 0.60 -> 0.092; held out "
                                       "(8) 0.329 -> 0.085)")
    """Same for an AMD APU's Radeon (Strix Halo's 8060S, the 780M/680M of the Ryzen 7040/8040/6000 laptops, the Z1):
    its GPU reads LPDDR5(X) through the APU's data fabric, which the CPU shares."""
    prefill_factor_unified_amd: float = _a(0.70, "fitted", "grid over the fit share's AMD APU prompt runs (21; "
                                           "mean clipped |log error| 0.469 at 1.0 -> 0.334; held out (8) 0.384 -> "
                                           "0.078)")
    """An AMD APU's Radeon prompts at this share of the rate a discrete RDNA card of its FP16 figure reaches on the
    same backend: the GPU shares the package's power budget with the CPU and does not hold its boost clock."""
    scan_layer_overhead_factor_metal: float = _a(3.0, "fitted", "grid over the fit share's llama.cpp Metal "
                                             "decode runs of Gated DeltaNet and Mamba models (31; mean clipped |log "
                                             "error| 0.399 at 1 -> 0.217 at 3; held out (9) 0.482 -> 0.144)")
    """A Gated DeltaNet or Mamba layer's fixed decode cost on llama.cpp's Metal backend, in units of a plain layer's
    (metal_layer_overhead): its convolution, gates, norms and scan are kernels of their own."""
    moe_layer_overhead_factor: float = _a(1.33, "fitted", "bench/calibrate.py: MoE decode runs")
    """A mixture-of-experts layer costs this many times a dense layer's fixed cost (routing, gathers)."""
    rpc_roundtrips_per_hop: float = _a(3.0, "assumed", "llama.cpp's RPC protocol: set_tensor of the input, "
                                       "graph_compute, get_tensor of the output per remote split; not measured")
    """Request/answer exchanges over the network each time a token's activations pass to an rpc-server host."""
    multi_gpu_token_overhead_us: float = _a(577.0, "fitted", "bench/calibrate.py: Llama 3 8B on 1-8 RTX 4090s")
    """Extra cost per generated token x log2(GPUs) in a layer split, microseconds."""
    mlx_layer_overhead_us: float = _a(90.2, "fitted", "bench/calibrate.py --linear: MLX decode runs on Macs")
    """MLX's fixed cost per layer per generated token (Python dispatch, kernel launches), microseconds, on an
    M3-generation Mac (other generations scale by mlx_layer_generation_factor)."""
    mlx_layer_generation_factor: float = _a(0.64, "taken", "llama.cpp's factor (calibrate.py --metal-generations, "
                                            "one era), checked on the dev set's MLX runs (M2 Max, M3 Ultra, M4 Max: "
                                            "median error 17 / 5 / 10 % -> 4 / 5 / 7 %)")
    """Same as metal_layer_generation_factor for MLX."""
    offload_token_overhead_us: float = _a(500.0, "assumed", "not measured")
    """Host/device hand-off per generated token when layers are split between GPU and CPU, microseconds."""
    llamafile_layer_us: float = _a(58.8, "fitted", _LLAMAFILE_FIT)
    """llamafile's extra fixed cost per layer per generated token on a GPU, microseconds: its shipped ggml-cuda
    modules had CUDA graphs compiled out, one kernel launch per op per token (mozilla-ai/llamafile#1051,
    2026-09-11, which turns them on: builds after it should not pay this)."""
    llamafile_layer_us_amd: float = _a(150.0, "fitted", "grid with llamafile_decode_amd over the fit share of "
                                       "LocalScore's llamafile decode runs on Radeons (17; mean clipped |log error| "
                                       "0.17; held out 7: 0.23 -> 0.13)")
    """On top of llamafile_layer_us on AMD GPUs: llamafile's own HIP build pays more per kernel launch (its 1B runs on
    Radeons decoded 20-75 % below an estimate that charged them the NVIDIA figure)."""
    llamafile_decode_nvidia: float = _a(1.07, "fitted", _LLAMAFILE_FIT)
    """llamafile's decode bandwidth against llama.cpp's on NVIDIA GPUs (a ratio, not a share: with its dearer
    per-layer cost the fit puts its reads slightly above llama.cpp's)."""
    llamafile_decode_amd: float = _a(0.55, "fitted", _LLAMAFILE_FIT + "; refitted with llamafile_layer_us_amd")
    """Same on AMD GPUs."""
    llamafile_decode_apple: float = _a(0.77, "fitted", _LLAMAFILE_FIT)
    """Same on Apple GPUs (Metal)."""
    llamafile_prefill_nvidia: float = _a(0.8505, "fitted", _REFIT + _LLAMAFILE_FIT)
    """llamafile's prompt rate against a current llama.cpp build's on NVIDIA GPUs."""
    llamafile_prefill_amd: float = _a(0.63, "fitted", _REFIT
                                      + "grid over LocalScore's llamafile prompt runs on Radeons (fit "
                                      "share, 16; mean |log error| 0.24, was 0.75 at 0.32 against the WMMA rate)")
    """Same on AMD GPUs, against the shader FP16 rate (llamafile does not reach RDNA 3/4's WMMA units:
    speed.matrix_units_used)."""
    llamafile_prefill_apple: float = _a(1.0, "fitted", _LLAMAFILE_FIT + "; held at 1 (--attention asked 1.04: "
                                        "llamafile runs an older copy of llama.cpp's kernels, it cannot outrun them)")
    """Same on Apple GPUs."""
    ollama_decode_factor: float = _a(0.80, "fitted", "bench/calibrate.py --with-benchmarks: Ollama decode runs")
    """Ollama vs llama.cpp decode rate on the same hardware (API and sampling overhead)."""
    f16_decode_bonus: float = _a(1.0, "fitted", "bench/calibrate.py: F16/BF16 decode runs")
    """Relative bandwidth efficiency of F16/BF16 weights vs quantized ones."""

    # --- prefill (compute bound) --------------------------------------------------------------
    prefill_eff_cuda: float = _a(0.3715, "fitted", _REFIT + _PREFILL_FIT)
    """Achieved / peak dense FP16 tensor FLOP/s on NVIDIA prompt processing through FP16 cuBLAS: F16/BF16 weights,
    and quantized ones on llama.cpp builds before June 2024 (or GPUs without MMQ: Volta, P100)."""
    prefill_eff_cuda_mmq: float = _a(0.4169, "fitted", _REFIT + _PREFILL_FIT)
    """Achieved / peak INT8 matrix ops/s when llama.cpp's CUDA backend multiplies quantized weights in its MMQ
    kernels (builds since June 2024): the INT8 tensor-core rate, or four __dp4a ops per FP32 lane on Pascal."""
    mmq_ops_per_sm_cycle: float = _a(1536.0, "fitted", "the llama.cpp CUDA scoreboard (discussion #15013, fit share):"
                                     " pp512 per SM-cycle is alike from Pascal to Blackwell, GA100/Hopper included")
    """The most INT8 ops per streaming multiprocessor and clock that llama.cpp's MMQ kernels turn into prompt
    throughput; the card's INT8 rate counts up to this many. An SM with a wider tensor unit (A100 and A30 4096, H100
    8192 dense INT8 ops per cycle against GeForce's 2048) does not go faster: measured pp512 per SM-cycle is alike
    across them (a likely reason: the kernels stage and unpack quantized tiles per SM, work the tensor unit does not
    speed up)."""
    mmq_turing_factor: float = _a(0.678, "fitted", "the llama.cpp CUDA scoreboard (discussion #15013, fit share)")
    """Turing's MMQ prompt rate against the per-SM rate of later GPUs: Turing SMs turn fewer of their INT8 ops into
    prompt throughput (the scoreboard's Turing cards run at about two thirds of an Ampere SM per cycle)."""
    prefill_eff_serving: float = _a(0.65, "fitted", "serving runs (data/serving, fit share): output throughput of "
                                    "end-to-end clients, whose prompts share the GPU")
    """Achieved / peak dense FP16 tensor FLOP/s of vLLM, SGLang and TensorRT-LLM prompt processing on NVIDIA."""
    prefill_eff_hbm: float = _a(0.2915, "fitted", _REFIT + _PREFILL_FIT)
    """Same for HBM datacenter GPUs against their dense FP16 tensor peak."""
    moe_full_tile_tokens: float = _a(128.0, "assumed", "the 128-row tiles of llama.cpp's MMQ kernels")
    """Tokens an expert matmul needs to fill the tensor cores; fewer tokens per expert run proportionally
    slower."""
    moe_vector_max_batch: int = _a(8, "taken", "llama.cpp's MMVQ_MAX_BATCH_SIZE (CUDA) and the Vulkan backend's "
                                   "mul_mat_vec limit: up to 8 tokens a matmul runs as vector kernels")
    """Tokens per step up to which llama.cpp multiplies expert weights with vector kernels (no tile waste)."""
    moe_decode_tile_tokens_cuda: float = _a(8.0, "taken", "ggml-cuda's MMQ picks its token tile (mmq_x) from 8 up in "
                                            "steps of 8 to fit the columns it is given")
    """The token tile a batched decode step's expert matmuls are rounded up to on CUDA (few tokens per expert waste
    at most a tile of 8); Vulkan and ROCm builds take moe_full_tile_tokens, Metal moe_full_tile_tokens_metal."""
    moe_full_tile_tokens_metal: float = _a(32.0, "taken", "ggml-metal's kernel_mul_mm_id: tiles of 64 output rows x "
                                           "32 tokens (NR0 x NR1), one dequantised weight tile per token tile")
    """The same on Apple GPUs (llama.cpp's Metal backend and MLX)."""
    serving_eager_layer_us: float = _a(150.0, "fitted", "grid over the fit share's vLLM runs launched with "
                                       "--enforce-eager (Qwen3-14B AWQ on an A100 at 1 request; gpt-oss-120b on an "
                                       "Arc Pro B60 at 20-100)")
    """Microseconds per layer per decode step that vLLM / SGLang pay without CUDA graphs (--enforce-eager,
    --disable-cuda-graph): the layer's kernels launched from Python each step."""
    serving_eager_seq_layer_us: float = _a(3.0, "fitted", "the same grid: the part that grows with the batch")
    """And per sequence in the step, per layer (per-request Python work that a graph would have captured)."""
    serving_recurrent_prefill_us: float = _a(0.34, "fitted", "the SGLang cookbook's single-request first tokens "
                                             "of 8K prompts, Qwen3.6 27B/35B-A3B on H200 and B200 (fit share, 4: "
                                             "0.33-0.42 us; the 2 held out give 0.35 and 0.47)")
    """Microseconds per prompt token per recurrent layer (Gated DeltaNet, Mamba) in vLLM/SGLang/TensorRT-LLM prefill:
    their chunked scans walk a prompt's chunks in order, so the cost follows tokens, not FLOPs (about the same on
    H200 and B200)."""
    serving_step_tokens: int = _a(8192, "taken", "vLLM's max_num_batched_tokens default for its API server (V1), "
                                  "SGLang's chunked_prefill_size and TensorRT-LLM's max_num_tokens defaults")
    """Prompt tokens a serving engine (vLLM, SGLang, TensorRT-LLM) computes in one step: a prompt up to this long goes
    in one step, and under load the step fills with several requests' prompts, so each MoE expert sees that many
    tokens x used / experts (llama.cpp's steps are n_ubatch long)."""
    prefill_eff_rocm: float = _a(0.4945, "fitted", _REFIT
                                 + "calibrate.py --backends: 2025+ ROCm prefill runs, RDNA 2-4 (fit "
                                 "share, n=10)")
    """Achieved / peak FP16 FLOP/s on AMD prompt processing."""
    prefill_eff_metal: float = _a(0.616, "fitted", _PREFILL_FIT)
    """Achieved / peak GPU FLOP/s on Apple prompt processing with llama.cpp."""
    prefill_eff_mlx: float = _a(0.7659, "fitted", _REFIT + _PREFILL_FIT)
    """Same with MLX."""
    prefill_eff_vulkan: float = _a(0.46, "fitted", _REFIT
                                   + "calibrate.py --backends: 2025+ Vulkan prefill runs (fit share)")
    """Same for the Vulkan backend, and for any backend without a figure of its own."""
    prefill_eff_sycl: float = _a(0.099, "fitted", _REFIT
                                 + "calibrate.py --backends: 2025+ SYCL prefill runs on Arc (fit share)")
    """Same for Intel GPUs (SYCL backend)."""
    prefill_eff_vulkan_intel: float = _a(0.3105, "fitted", _REFIT
                                         + "grid over the fit share of the Arc Vulkan prefill runs "
                                         "from December 2024 on (n=8: the Vulkan scoreboard, PR #14001's Xe2 rows, "
                                         "a Meteor Lake iGPU); mean |log error| 1.21 -> 0.51")
    """Achieved / peak FLOP/s of an Intel Arc GPU on the Vulkan backend, against its vector engines' FP16 rate (twice
    FP32): llama.cpp's Vulkan kernels mostly leave the XMX units unused (until 2026-12-04 this was taken against the
    XMX rate, 0.02 of it, which put the scoreboard's Alchemist cards at a fifth of their measured rate)."""
    prefill_quant_factor_f16: float = _a(1.243, "fitted", _PREFILL_FIT)
    """Relative prefill efficiency of F16 vs quantized weights (dequantisation cost)."""
    cpu_gflops_per_core: float = _a(194.0, "fitted", "the fit share of six llama.cpp CPU runs of a Ryzen 7 7840HS "
                                    "(data/benchmarks; 8 threads counted as 1 + cpu_thread_gain x 7), output head "
                                    "counted once")
    """Sustained matrix GFLOP/s of one thread in CPU prompt processing (AVX-512 VNNI int8 dot products; an AVX2-only
    CPU reaches less); further threads add cpu_thread_gain of this each."""
    cpu_avx2_prefill_factor: float = _a(0.5, "measured", "runlocal calibrate on this project's EPYC VM, whose "
                                        "llama.cpp build (GGML_NATIVE=OFF) stops at AVX2: 0.485 of the AVX-512 "
                                        "figure over 8 runs of 4 types; half the vector width")
    """CPU prompt processing on AVX2 (Intel client CPUs since Alder Lake, Zen 1-3, or a build without AVX-512)
    relative to the AVX-512 figure cpu_gflops_per_core was fitted on."""
    cpu_neon_prefill_factor: float = _a(0.25, "assumed", "a quarter of the vector width of AVX-512 (128-bit NEON "
                                        "registers), as AVX2's half width measured 0.485; not measured on Arm")
    """CPU prompt processing on Arm cores (NEON; Raspberry Pi, RK3588, Snapdragon X) relative to the AVX-512 figure."""
    cpu_scalar_prefill_factor: float = _a(0.05, "assumed", "llama.cpp's scalar fallback: about one int8 multiply-add "
                                          "per cycle against 64 per AVX-512 VNNI instruction, at lower clocks; "
                                          "not measured")
    """CPU prompt processing on cores without SIMD that llama.cpp uses (RISC-V without the V extension)."""
    ollama_prefill_factor: float = _a(0.7287, "fitted", _REFIT + _PREFILL_FIT)
    """Ollama vs llama.cpp prompt rate (request overhead inside the measured time)."""
    attention_cost_no_fa: float = _a(7.6, "fitted", "bench/calibrate.py --attention: llama.cpp's CUDA scoreboard, "
                                     "the same card and build run with fa 0 and fa 1 (pp512; 9 Turing-Blackwell cards "
                                     "of the fit share: fa 1 is 1.11x faster, median of all 24)")
    """Attention FLOPs cost this many times a dense matmul FLOP without flash attention, counted over every cached key
    of each ubatch (llama.cpp writes, softmaxes and reads the whole score matrix, the masked half included)."""
    attention_cost_no_fa_metal: float = _a(4.3, "fitted", "ggml-org/llama.cpp#5021 (2024-04-30): Llama 3 8B Q4_K_M "
                                           "pp512 with fa 0 and fa 1 on an M3 Pro 18-core (1.05x) and an M1 Ultra "
                                           "64-core (1.08-1.09x)")
    """attention_cost_no_fa on Metal, whose score-matrix kernels lose less to flash attention than CUDA's."""
    attention_cost_cpu: float = _a(3.52, "fitted", _PREFILL_FIT)
    """The CPU backend's attention without flash attention, over the causal mean context (its prompts were fitted so:
    the GPU pairs that set attention_cost_no_fa say nothing of it)."""
    attention_cost_fa: float = _a(2.0, "assumed", "not measured")
    """Same with flash attention."""
    prefill_request_overhead_ms: float = _a(11.56, "fitted", _PREFILL_FIT)
    """Fixed cost of starting a prompt (tokenising, first-batch set-up, sampling the first token)."""
    prefill_layer_overhead_us: float = _a(100.0, "assumed", "tied to the fitted CUDA decode per-layer cost")
    """Fixed cost per layer per prompt ubatch, microseconds."""

    # --- image and video diffusion ------------------------------------------------------------------
    unet_reuse: float = _a(8.2, "assumed", "folded into the fitted diffusion efficiencies")
    """UNet FLOPs per evaluation = 2 x params x latent pixels / this (feature maps are down-sampled 1-8x)."""
    diffusion_eff_cuda: float = _a(0.305, "fitted", "bench/calibrate.py: SD 1.5 WebUI benchmark, NVIDIA rows")
    """Achieved / peak FP16 tensor FLOP/s of a denoiser step on NVIDIA."""
    diffusion_eff_rocm: float = _a(0.47, "fitted", "bench/calibrate.py: SD 1.5 WebUI benchmark, AMD rows")
    """Same on AMD GPUs (ROCm)."""
    diffusion_eff_metal: float = _a(0.3, "assumed", "no Apple image measurement")
    """Same on Apple GPUs."""
    diffusion_eff_other: float = _a(0.15, "assumed", "not measured")
    """Same on any other backend (Vulkan, SYCL) and on CPU-only machines."""
    simt_eff_factor: float = _a(1.55, "fitted", "bench/calibrate.py: SD 1.5 WebUI benchmark")
    """GPUs without tensor cores (Pascal, Maxwell, GTX 16) reach this many times the share of their peak that
    tensor-core GPUs reach of theirs."""
    fp32_tensor_eff_factor: float = _a(0.5, "assumed", "FP32 has no tensor-core path on consumer GPUs")
    """A tensor-core GPU run in FP32 reaches this share of its FP16 diffusion efficiency."""
    dit_eff_factor: float = _a(1.33, "assumed", "not measured")
    """Transformers (DiT/MMDiT) keep tensor cores busier than UNet convolutions by this factor."""
    diffusion_step_overhead_s: float = _a(0.0213, "fitted", "bench/calibrate.py: SD 1.5 WebUI benchmark")
    """Fixed cost per sampling step: sampler maths, kernel launches, UI callbacks."""
    diffusion_fixed_overhead_s: float = _a(0.276, "fitted", "bench/calibrate.py: SD 1.5 WebUI benchmark")
    """Fixed cost per generation outside the networks."""
    text_encoder_tokens: int = _a(256, "assumed", "a long prompt (CLIP reads 77 tokens, T5 256-512)")
    """Prompt tokens the text encoders process once per generation (their FLOPs: 2 x params x this)."""
    activation_mib_per_latent_px: float = _a(0.01, "taken", "ComfyUI comfy/model_base.py memory_required")
    """ComfyUI's activation estimate: this many MiB per latent pixel (batch x CFG x latent area) per byte of
    dtype, times the family's memory_usage_factor."""
    diffusion_activation_scale: float = _a(1.0, "assumed", "ComfyUI's estimate used as is")
    """Multiplier on ComfyUI's activation estimate (see activation_mib_per_latent_px)."""
    video_vae_chunk_frames: float = _a(2.0, "assumed",
                                       "bounded by Wan 2.1 1.3B's published 8.19 GB peak at 832x480x81")
    """Video VAEs decode causally in chunks: memory of this many frames' worth of image decode at once."""
    vae_decode_coeff: float = _a(2178.0, "taken", "ComfyUI comfy/sd.py VAE memory_used_decode")
    """ComfyUI's VAE decode estimate: this x latent pixels x vae_decode_latent_px x dtype bytes."""
    vae_decode_latent_px: float = _a(64.0, "taken", "ComfyUI comfy/sd.py VAE memory_used_decode")
    """The 64 of ComfyUI's VAE decode estimate: pixels one latent pixel of an SD-family VAE decodes to (8 x 8),
    fixed whatever the model's VAE scale."""
    vae_decode_scale: float = _a(1.0, "assumed", "ComfyUI's estimate used as is")
    """Multiplier on ComfyUI's VAE decode estimate (see vae_decode_coeff)."""
    vae_tile_px: int = _a(512, "taken", "ComfyUI VAEDecodeTiled: tile_size default 512")
    """Side of the square tile a tiled VAE decode works on, pixels."""
    video_vae_tile_frames: int = _a(8, "assumed", "not measured")
    """Frames of a video decoded at once when VAE tiling is on (at most the clip's frames)."""
    diffusion_default_blocks: int = _a(30, "assumed", "not measured")
    """Denoiser blocks assumed when the model's data gives none (sizes one streamed block)."""
    diffusion_streamed_blocks: int = _a(2, "assumed", "one block computing while the next is copied in")
    """Denoiser blocks resident at once when the weights stream through the GPU block by block."""
    diffusion_reserve_mib: float = _a(1219.0, "taken", "ComfyUI comfy/model_management.py: 0.8 GiB + 400 MiB")
    """ComfyUI's minimum inference memory, kept free on the GPU."""
    diffusion_range: tuple[float, float] = _a((0.6, 1.6), "fitted", "IQR of the crowd-sourced SD 1.5 medians")
    """Range multipliers for seconds per image/video."""

    # --- uncertainty ----------------------------------------------------------------------------
    decode_range: tuple[float, float] = _a((0.82, 1.13), "fitted",
                                           "p10/p90 of measured / estimated on all-GPU decode runs")
    """Multipliers for the decode range."""
    prefill_range: tuple[float, float] = _a((0.54, 1.35), "fitted",
                                            "p10/p90 of measured / estimated on all-GPU prefill runs")
    """Multipliers for the prefill range."""
    offload_range: tuple[float, float] = _a((0.5, 1.5), "assumed", "few published measurements")
    """Wider range multipliers whenever layers run on the CPU."""

    def replace(self, **changes: Any) -> Assumptions:
        """A copy with some fields changed (values are coerced to the field's type)."""
        fields = {f.name: f for f in dataclasses.fields(self)}
        coerced: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in fields:
                raise KeyError(name)
            current = getattr(self, name)
            if isinstance(current, tuple):
                vals = tuple(float(v) for v in value)
                if len(vals) != 2 or not 1 / RANGE_MAX <= vals[0] <= vals[1] <= RANGE_MAX:
                    raise ValueError(f"{name} must be two numbers {1 / RANGE_MAX:g} <= low <= high <= "
                                     f"{RANGE_MAX:g}")
                coerced[name] = vals
                continue
            v = int(value) if isinstance(current, int) and not isinstance(current, bool) else float(value)
            if v != v or v in (float("inf"), float("-inf")):
                raise ValueError(f"{name} must be a finite number")
            if v < 0 or (v == 0 and name in POSITIVE):
                raise ValueError(f"{name} must be {'positive' if name in POSITIVE else 'zero or more'}, got {v}")
            if name in POSITIVE and current > 0 and v < current / SCALE_MAX:
                raise ValueError(f"{name} = {v:g} is less than a {SCALE_MAX:g}th of its default ({current}): "
                                 "not a physical value")
            if name in SHARES and v > 1:
                raise ValueError(f"{name} is a share of the hardware's peak or memory: at most 1, got {v}")
            if v > max(SCALE_MAX, abs(current) * SCALE_MAX):
                raise ValueError(f"{name} = {v:g} is more than {SCALE_MAX:g} times its default ({current}): "
                                 "not a physical value")
            coerced[name] = v
        return dataclasses.replace(self, **coerced)

    def as_dict(self) -> dict[str, Any]:
        """Field name -> value, in field order."""
        return dataclasses.asdict(self)


DEFAULT = Assumptions()

SCALE_MAX = 1000.0
"""An override may be at most this many times its default (or this value), and a positive one at least this many
times smaller: 1e308 or 1e-320 is a typo, not a machine (and 1e-320 would underflow a speed to zero)."""
RANGE_MAX = 100.0
"""The high end of a low-high range factor (e.g. decode_range) at most this, the low end at least its inverse."""
# Shares of a peak rate or of memory: above 1 the hardware would beat its own specification.
SHARES = {f.name for f in dataclasses.fields(Assumptions)
          if f.name.startswith(("decode_eff", "prefill_eff", "diffusion_eff")) or f.name.endswith(
              ("_fraction", "_fraction_small", "_fraction_large", "_utilization", "_efficiency"))}

# Fields that divide or size something: zero is meaningless (efficiencies, batch sizes, rates, factors).
POSITIVE = {f.name for f in dataclasses.fields(Assumptions)
            if f.name.startswith(("decode_eff", "prefill_eff", "diffusion_eff")) or f.name in {
                "n_ubatch", "n_batch", "kv_pad", "pipeline_compute_factor", "apple_ws_fraction_small",
                "apple_ws_fraction_large", "unified_gpu_fraction", "default_host_ram_gb",
                "default_host_ram_bandwidth_gb_s", "default_server_ram_gb", "default_server_ram_bandwidth_gb_s",
                "default_pcie_gb_s", "vllm_gpu_memory_utilization", "trtllm_free_gpu_memory_fraction",
                "mlc_gpu_memory_utilization", "nvlink_gb_s", "cpu_gflops_per_core", "cpu_core_bandwidth_gb_s",
                "ollama_decode_factor",
                "ollama_prefill_factor", "f16_decode_bonus", "prefill_quant_factor_f16", "moe_full_tile_tokens",
                "moe_full_tile_tokens_metal", "prefill_factor_unified_amd", "unknown_gpu_flops_per_byte",
                "scan_layer_overhead_factor_metal", "moe_vector_max_batch", "moe_decode_tile_tokens_cuda",
                "unet_reuse", "simt_eff_factor", "dit_eff_factor", "video_vae_chunk_frames",
                "moe_layer_overhead_factor", "compute_ffn_factor", "attention_cost_cpu", "attention_cost_no_fa_metal",
                "decode_factor_alchemist_vulkan", "decode_factor_laptop", "serving_recurrent_prefill_us",
                "serving_eager_layer_us",
                "prefill_chunk_tokens",
                "default_cpu_ram_gb",
                "default_gpu_bandwidth_gb_s", "pcie_gen1_lane_gb_s", "pcie_gen2_lane_gb_s", "pcie_gen3_lane_gb_s",
                "pcie_gen4_lane_gb_s", "pcie_gen5_lane_gb_s", "pcie_gen6_lane_gb_s", "pcie_efficiency",
                "fp32_tensor_eff_factor", "vae_tile_px", "video_vae_tile_frames", "diffusion_default_blocks",
                "diffusion_streamed_blocks"}}

