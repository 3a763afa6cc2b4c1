"""Catalog entities -> the engine's plain specs (Architecture, ModelSpec, Machine)."""

from __future__ import annotations

import re
from typing import Any

from ..errors import InvalidField, UnsupportedQuestion
from ..estimate.assumptions import Assumptions
from ..estimate.diffusion import Component, DiffusionModel
from ..estimate.engine import RuntimeSpec
from ..estimate.specs import Architecture, Artifact, Device, Machine, ModelSpec
from ..estimate.units import GIB, gb_s, gib, tflops
from .load import Entity

_ARCH_KEYS = set(Architecture.__dataclass_fields__)


def architecture(arch: dict[str, Any], context_length: int) -> Architecture:
    kw = {k: v for k, v in arch.items() if k in _ARCH_KEYS}
    if "layer_types" in kw and kw["layer_types"] is not None:
        kw["layer_types"] = tuple(kw["layer_types"])
    kw["context_length"] = context_length
    return Architecture(**kw)


_SPECS: dict[int, tuple[Entity, ModelSpec]] = {}


def model_spec(e: Entity) -> ModelSpec:
    d = e.data
    if "arch" not in d:
        raise UnsupportedQuestion(f"{e.name} is a {d.get('kind')} model; LLM estimates need an architecture")
    hit = _SPECS.get(id(e))
    if hit is not None and hit[0] is e:
        return hit[1]
    arts = tuple(
        Artifact(a["format"], a["quant"], int(a["file_bytes"]), a.get("repo", ""), a.get("file", ""),
                 a.get("source", ""))
        for a in d.get("artifacts", [])
    )
    spec = ModelSpec(
        id=e.id, name=d["name"], arch=architecture(d["arch"], int(d["context_length"])),
        params=int(d["params"]), active_params=d.get("active_params"), kind=d["kind"], artifacts=arts,
        sources=tuple(e.source_ids()),
    )
    _SPECS[id(e)] = (e, spec)
    return spec


def apple_ws_fraction(memory_gb: float, asm: Assumptions) -> float:
    return asm.apple_ws_fraction_small if memory_gb <= asm.apple_ws_small_max_gb else asm.apple_ws_fraction_large


def machine(e: Entity, *, memory_gb: float | None, gpu_count: int, asm: Assumptions,
            ram_gb: float | None = None, ram_bandwidth_gb_s: float | None = None,
            memory_override_gb: float | None = None) -> tuple[Machine, list[str]]:
    """The machine a hardware entry describes; notes say what was assumed."""
    d = e.data
    kind = d["kind"]
    notes: list[str] = []
    if gpu_count < 1:
        raise InvalidField("gpu_count must be at least 1")
    per_board = int(d.get("devices_per_board") or 1) if kind == "gpu" else 1
    if per_board > 1:
        # a dual-GPU board (K80, M60, MI250X): its figures are board totals, software sees per_board GPUs that each
        # hold and read their share, and a model splits across them
        d = {**d, **{k: float(d[k]) / per_board for k in ("memory_gb", "memory_bandwidth_gb_s", "fp16_tensor_tflops",
                                                            "bf16_tensor_tflops", "int8_tensor_tops", "fp32_tflops",
                                                            "fp8_tensor_tflops", "tdp_w") if d.get(k)}}
        gpu_count *= per_board
        notes.append(f"{d['name']} is {per_board} GPUs on one board: answered as {gpu_count} GPUs of "
                     f"{float(d['memory_gb']):g} GB each")
    bw = gb_s(float(d["memory_bandwidth_gb_s"]))
    fp16 = d.get("fp16_tensor_tflops") or d.get("bf16_tensor_tflops") or d.get("fp32_tflops")
    flops = tflops(float(fp16)) if fp16 else None
    if kind in ("apple", "unified", "cpu"):
        opts = [float(x) for x in d.get("memory_options_gb", [])]
        mem = memory_override_gb or memory_gb
        if mem is None:
            mem = opts[0] if kind != "cpu" else (
                asm.default_cpu_ram_gb if asm.default_cpu_ram_gb in opts else opts[-1])
            notes.append(f"memory not given: assumed {mem:g} GB (options: {', '.join(f'{o:g}' for o in opts)})")
        if kind == "cpu":
            cores = int(d.get("cpu_cores", 8))
            cpu_flops = tflops(float(d["fp32_tflops"])) if d.get("fp32_tflops") else None
            return Machine((), gib(mem), bw, cpu_cores=cores, cpu_flops=cpu_flops, notes=tuple(notes),
                           cpu_simd=str(d.get("cpu_simd") or simd_of(str(d.get("architecture", ""))))), notes
        if gpu_count != 1:
            raise UnsupportedQuestion(f"{e.name} has one integrated GPU; gpu_count must be 1")
        if d.get("gpu_memory_fraction"):
            frac = float(d["gpu_memory_fraction"])
        elif kind == "apple":
            frac = apple_ws_fraction(mem, asm)
        else:
            frac = asm.unified_gpu_fraction
        backend = d["backend"]
        nax = "neural accelerator" in str(d.get("architecture", "")).lower()
        shader = None
        if nax and d.get("fp32_tflops"):
            shader = tflops(float(d["fp32_tflops"]))
        elif nax and fp16:
            # M5 Pro / Max entries give only the Neural Accelerator figure, four times their M4 counterpart's shader
            # rate (Apple: "over 4x the peak GPU AI compute"); their shader rate is taken as that M4 rate
            shader = tflops(float(fp16) / APPLE_NA_MULTIPLE)
        dev = Device(name=d["name"], memory_bytes=gib(mem), bandwidth_bytes_per_s=bw, fp16_flops=flops,
                     backend=backend, kind=kind, vendor=str(d.get("vendor", "")),
                     architecture=str(d.get("architecture", "")), shader_flops=shader)
        return Machine((dev,), gib(mem), bw, cpu_cores=int(d.get("cpu_cores", 8)), unified_memory=True,
                       gpu_memory_limit_bytes=int(gib(mem) * frac), notes=tuple(notes)), notes
    # discrete GPU
    mem = memory_override_gb or float(d["memory_gb"])
    server = d.get("segment") == "datacenter"
    host_gb = ram_gb or (asm.default_server_ram_gb if server else asm.default_host_ram_gb)
    host_bw = ram_bandwidth_gb_s or (asm.default_server_ram_bandwidth_gb_s if server
                                     else asm.default_host_ram_bandwidth_gb_s)
    if ram_gb is None:
        notes.append(f"host not given: assumed {host_gb:g} GB of system RAM at {host_bw:g} GB/s")
    pcie = _pcie_bytes_per_s(d.get("pcie", ""), asm)
    hbm = "hbm" in str(d.get("memory_type", "")).lower()
    tensor = has_tensor_cores(d)
    # Turing without tensor cores is the GTX 16 series, whose FP16 gives NaNs in image UIs
    fp16_ok = tensor or str(d.get("architecture", "")).lower() != "turing"
    dev = Device(name=d["name"], memory_bytes=gib(mem), bandwidth_bytes_per_s=bw, fp16_flops=flops,
                 backend=d["backend"], kind="gpu", pcie_bytes_per_s=pcie, hbm=hbm, tensor_cores=tensor,
                 half_precision_ok=fp16_ok, int8_ops=int8_ops(d), sm_clocks=sm_clocks(d),
                 fp8_flops=tflops(float(d["fp8_tensor_tflops"])) if d.get("fp8_tensor_tflops") else None,
                 vendor=str(d.get("vendor", "")), shader_flops=_vector_flops(d),
                 architecture=str(d.get("architecture", "")), laptop=d.get("segment") == "laptop")
    return Machine(tuple([dev] * gpu_count), gib(host_gb), gb_s(host_bw), notes=tuple(notes)), notes


def has_tensor_cores(d: dict[str, Any]) -> bool:
    """NVIDIA Maxwell/Pascal and the GTX 16 Turing cards have no tensor cores; all later NVIDIA, CDNA/RDNA3+
    (matrix cores / WMMA) and Apple GPUs run matrix maths on dedicated units or are fitted as such."""
    arch = str(d.get("architecture", "")).lower()
    if arch in ("maxwell", "pascal", "kepler"):
        return False
    return not (d.get("vendor") == "nvidia" and " gtx " in f" {str(d.get('name', '')).lower()} ")


def int8_ops(d: dict[str, Any]) -> float | None:
    """INT8 matrix throughput (ops/s) that llama.cpp's CUDA kernels for quantized weights (MMQ) run on, or None
    where they have none (ggml-org/llama.cpp#8075: Volta has no int8 tensor-core MMQ and uses FP16 cuBLAS; P100,
    Maxwell and older lack __dp4a). The card's own dense INT8 figure; else twice its dense FP16 tensor rate
    (Turing to Blackwell run INT8 MMA at twice FP16); Pascal and the GTX 16 cards use __dp4a, four INT8 ops per
    FP32 lane and clock."""
    if d.get("vendor") != "nvidia":
        return None
    if d.get("int8_tensor_tops"):
        return tflops(float(d["int8_tensor_tops"]))
    arch = str(d.get("architecture", "")).lower()
    name = str(d.get("name", "")).lower()
    fp32 = d.get("fp32_tflops")
    if arch in ("volta", "maxwell", "kepler", "blackwell ultra") or "p100" in name:
        return None  # Blackwell Ultra (B300) cut its INT8 rate: left to the FP16 path
    if not has_tensor_cores(d):
        return tflops(4 * float(fp32)) if fp32 else None
    fp16 = d.get("fp16_tensor_tflops")
    return tflops(2 * float(fp16)) if fp16 else None


APPLE_NA_MULTIPLE = 4.0
"""The catalog's M5-generation fp16_tensor_tflops are 4 x the M4 counterpart's shader rate (Apple's "over 4x the peak
GPU AI compute of the M4 generation"): an entry without its own fp32_tflops gets that quarter as its shader rate."""


def _vector_flops(d: dict[str, Any]) -> float | None:
    """A GPU's FP16 rate on its shader ALUs, for software that does not reach the matrix units fp16_tensor_tflops
    counts: an Intel Arc card's vector engines (twice FP32), which llama.cpp's Vulkan backend multiplies prompts on
    where it does not reach the XMX units; an RDNA 3 or RDNA 4 Radeon's packed FP16 without WMMA or dual issue
    (its fp32_tflops figure, which counts dual issue), which llamafile's own kernels reach (speed.matrix_units_used).
    None where fp16_tensor_tflops already is the shader rate (RDNA 2 and older) or the part is neither."""
    fp32 = d.get("fp32_tflops")
    if not fp32:
        return None
    if d.get("vendor") == "intel":
        return tflops(2 * float(fp32))
    arch = str(d.get("architecture", ""))
    if d.get("vendor") == "amd" and (arch.startswith("RDNA 3") or arch.startswith("RDNA 4")):
        return tflops(float(fp32))
    return None


def sm_clocks(d: dict[str, Any]) -> float | None:
    """An NVIDIA GPU's streaming multiprocessors x boost clock (SM-cycles per second), from its FP32 rate: FP32
    FLOP/s / (2 x FP32 lanes per SM). Volta, Turing and GA100 (the HBM Ampere parts) have 64 FP32 lanes per SM;
    Pascal GP10x, GA10x Ampere, Ada, Hopper and Blackwell 128 (P100's GP100: 64)."""
    fp32 = d.get("fp32_tflops")
    if d.get("vendor") != "nvidia" or not fp32:
        return None
    arch = str(d.get("architecture", "")).lower()
    hbm = "hbm" in str(d.get("memory_type", "")).lower()
    lanes = 64 if arch in ("volta", "turing") or (hbm and arch in ("ampere", "pascal")) else 128
    return tflops(float(fp32)) / (2 * lanes)


def _pcie_bytes_per_s(pcie: str, asm: Assumptions) -> float | None:
    """Effective copy rate of a PCIe link ("4.0 x16"): lanes x the generation's lane rate x pcie_efficiency."""
    try:
        gen_s, lanes_s = pcie.lower().replace("pcie", "").split("x")
        gen = float(gen_s.strip())
        lanes = int(lanes_s.strip().split()[0])
    except (ValueError, IndexError):
        return None
    per_lane = {1.0: asm.pcie_gen1_lane_gb_s, 2.0: asm.pcie_gen2_lane_gb_s, 3.0: asm.pcie_gen3_lane_gb_s,
                4.0: asm.pcie_gen4_lane_gb_s, 5.0: asm.pcie_gen5_lane_gb_s, 6.0: asm.pcie_gen6_lane_gb_s}.get(gen)
    return per_lane * lanes * asm.pcie_efficiency * 1e9 if per_lane else None


def inline_machine(obj: dict[str, Any], *, gpu_count: int, asm: Assumptions,
                   base: Machine | None = None) -> Machine:
    """A machine from the contract's hardware object; missing GPU figures come from `base`."""
    gpus_in = obj.get("gpus") or []
    if not isinstance(gpus_in, list):
        raise InvalidField("hardware.gpus must be a list")
    devs: list[Device] = []
    for g in gpus_in:
        if not isinstance(g, dict):
            raise InvalidField("each hardware.gpus entry must be an object")
        ref = base.gpus[0] if base and base.gpus else None
        mem = g.get("memory_gb")
        if mem is None and ref is None:
            raise InvalidField("hardware.gpus[].memory_gb is required")
        bw = g.get("memory_bandwidth_gb_s")
        fl = g.get("fp16_tflops")
        devs.append(Device(
            name=str(g.get("name") or (ref.name if ref else "GPU")),
            memory_bytes=gib(float(mem)) if mem is not None else ref.memory_bytes,  # type: ignore[union-attr]
            bandwidth_bytes_per_s=gb_s(float(bw)) if bw is not None else (
                ref.bandwidth_bytes_per_s if ref else gb_s(asm.default_gpu_bandwidth_gb_s)),
            fp16_flops=tflops(float(fl)) if fl is not None else (ref.fp16_flops if ref else None),
            backend=ref.backend if ref else str(g.get("backend", "cuda")),
            kind="gpu", pcie_bytes_per_s=ref.pcie_bytes_per_s if ref else None, hbm=ref.hbm if ref else False,
            tensor_cores=ref.tensor_cores if ref else True, half_precision_ok=ref.half_precision_ok if ref else True,
            # a GPU given by its FP16 rate alone: INT8 as on Turing and later (twice FP16), where it is CUDA
            int8_ops=(ref.int8_ops if ref and fl is None else
                      2 * tflops(float(fl)) if fl is not None and (ref is None or ref.int8_ops)
                      and (ref.backend if ref else str(g.get("backend", "cuda"))) == "cuda" else None),
        ))
    if len(devs) == 1 and gpu_count > 1:
        devs = devs * gpu_count
    unified = bool(obj.get("unified_memory", False))
    ram = obj.get("ram_gb")
    if ram is None:
        ram = devs[0].memory_bytes / GIB if unified and devs else (
            base.ram_bytes / GIB if base else asm.default_host_ram_gb)
    ram_bw = obj.get("ram_bandwidth_gb_s") or (base.ram_bandwidth_bytes_per_s / 1e9 if base
                                                else asm.default_host_ram_bandwidth_gb_s)
    if not devs and obj.get("ram_gb") is None:
        raise InvalidField("hardware object needs gpus[].memory_gb or ram_gb")
    limit = None
    if unified and devs:
        limit = int(devs[0].memory_bytes * asm.unified_gpu_fraction)
    return Machine(tuple(devs), gib(float(ram)), gb_s(float(ram_bw)), cpu_cores=int(obj.get("cpu_cores", 8)),
                   unified_memory=unified, gpu_memory_limit_bytes=limit,
                   cpu_simd=str(obj.get("cpu_simd") or (base.cpu_simd if base else "")).lower())


_AVX512 = re.compile(r"zen ?[45]|genoa|bergamo|turin|sapphire rapids|emerald rapids|granite rapids|ice lake|"
                     r"tiger lake|rocket lake|cascade lake|skylake-(?:sp|x)", re.IGNORECASE)
_AVX2 = re.compile(r"zen ?[123]\b|zen\+|milan|rome|alder lake|raptor lake|arrow lake|meteor lake|lunar lake|"
                   r"gracemont|haswell|broadwell|skylake|kaby lake|coffee lake|comet lake", re.IGNORECASE)
_SCALAR = re.compile(r"\bu74\b|\bu54\b|rv64gc\b(?!v)|rv64imafdc\b", re.IGNORECASE)
_NEON = re.compile(r"cortex|oryon|neoverse|arm\b", re.IGNORECASE)


def simd_of(architecture: str) -> str:
    """The widest vectors a CPU architecture gives llama.cpp: AMD Zen 4/5 and Intel server cores since Skylake-SP
    have AVX-512; Intel's client cores since Alder Lake (their E-cores lack it) and Zen 1-3 stop at AVX2; Arm cores
    have NEON; RISC-V cores without the V extension (SiFive U74) only scalar code. "" when the name does not say."""
    if _SCALAR.search(architecture):  # RISC-V cores without the vector extension: llama.cpp's scalar code
        return "scalar"
    if _AVX512.search(architecture):
        return "avx512"
    if _AVX2.search(architecture):
        return "avx2"
    if _NEON.search(architecture):
        return "neon"
    return ""


def runtime_spec(e: Entity) -> RuntimeSpec:
    """A text runtime's engine description from its data file's `estimate` table."""
    est = e.data.get("estimate") or {}
    placement = est.get("placement")
    if placement not in ("llamacpp", "all_or_nothing"):
        raise UnsupportedQuestion(f"{e.name} is not a runtime the engine estimates language models for")
    return RuntimeSpec(id=str(est["id"]), placement=placement)


def diffusion_model(e: Entity) -> DiffusionModel:
    """An image/video model entry as the engine's DiffusionModel (components with their sizes)."""
    d = e.data
    df = d.get("diffusion", {})
    comps = tuple(Component(c["role"], c["name"], int(c["params"]), c.get("kind", ""), int(c.get("hidden", 0)),
                            int(c.get("blocks", 0)), float(c.get("activation_factor", 1.0)))
                  for c in d.get("components", []))
    return DiffusionModel(d["name"], d["kind"], comps, int(df.get("latent_channels", 4)), int(df.get("vae_scale", 8)),
                          int(df.get("temporal_scale", 1)), int(df.get("patch", 1)),
                          bool(df.get("guidance_distilled", False)), float(df.get("vae_gflops_per_mpixel", 1250.0)),
                          float(df.get("unet_reuse", 0.0)))
