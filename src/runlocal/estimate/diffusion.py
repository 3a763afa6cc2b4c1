"""Image and video diffusion: peak memory per stage and seconds per image or clip.

Stages: text encoding -> denoising (steps x model evaluations) -> VAE decode. Memory is the peak over
stages under the chosen offload mode; time is FLOPs over fitted compute efficiency plus fixed costs and
offload transfers.

denoiser FLOPs per evaluation
    DiT / MMDiT: 2 x params x tokens + 4 x blocks x tokens^2 x hidden        (tokens = latent patches)
    UNet:        2 x params x latent_pixels / unet_reuse                      (conv and attention weights act
                 on feature maps down-sampled 1-8x; unet_reuse is documented in Assumptions)
evaluations per step = batch x (2 with classifier-free guidance unless guidance-distilled)
                       x sampler evaluations per step (Euler 1, Heun/DPM2 2)
VAE decode FLOPs = vae_gflops_per_mpixel x output megapixels (x frames)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .assumptions import Assumptions
from .ggml_types import FTYPES, GGML_TYPES
from .specs import Machine


def _ggml_bytes(ftype: str) -> float:
    """Bytes per weight of a llama.cpp file type's main tensor type (Q4_K_M: q4_k, 144 bytes per 256)."""
    block, size = GGML_TYPES[FTYPES[ftype]]
    return size / block


# Bytes per weight by precision: float and GGUF types from ggml's block table (ggml_types.GGML_TYPES), FP8 one
# byte, bitsandbytes NF4 4 bits plus a per-64 absmax byte.
PRECISION_BYTES: dict[str, float] = {
    **{p: _ggml_bytes(f) for p, f in (("FP32", "F32"), ("F32", "F32"), ("FP16", "F16"), ("F16", "F16"),
                                      ("BF16", "BF16"))},
    "FP8": 1.0,
    **{p: _ggml_bytes(p) for p in ("Q8_0", "Q6_K", "Q5_K_M", "Q5_0", "Q4_K_M", "Q4_0", "Q3_K_M")},
    "NF4": 0.5 + 1 / 64,
}
SAMPLER_EVALS = {"euler": 1, "euler_a": 1, "euler a": 1, "dpm++ 2m": 1, "ddim": 1, "lcm": 1, "heun": 2,
                 "dpm2": 2, "dpm++ sde": 2, "dpm++ 2s a": 2}
OFFLOAD_MODES = ("none", "model", "sequential", "lowvram", "novram")
STREAMING_MODES = ("sequential", "lowvram", "novram")  # offload modes that stream the weights block by block


@dataclass(frozen=True)
class Component:
    """One network of a pipeline."""

    role: str  # text_encoder | denoiser | vae
    name: str
    params: int
    kind: str = ""  # unet | dit | mmdit | clip | t5 | llm | vae
    hidden: int = 0  # DiT width (attention FLOPs)
    blocks: int = 0  # DiT blocks
    activation_factor: float = 1.0  # ComfyUI-style memory_usage_factor for activations


@dataclass(frozen=True)
class DiffusionModel:
    name: str
    kind: str  # image | video
    components: tuple[Component, ...]
    latent_channels: int = 4
    vae_scale: int = 8  # pixels per latent pixel (spatial)
    temporal_scale: int = 1  # frames per latent frame (video VAEs: 4)
    patch: int = 1  # latent pixels per token side (DiT patch size; UNet 1)
    guidance_distilled: bool = False
    vae_gflops_per_mpixel: float = 1250.0  # SD-family KL VAE decoder
    unet_reuse: float = 0.0  # per-model override of Assumptions.unet_reuse (SDXL has no attention at 64x64)

    def role(self, role: str) -> tuple[Component, ...]:
        return tuple(c for c in self.components if c.role == role)

    @property
    def denoiser(self) -> Component:
        return self.role("denoiser")[0]


@dataclass(frozen=True)
class DiffusionQuery:
    model: DiffusionModel
    machine: Machine
    width: int = 1024
    height: int = 1024
    steps: int = 20
    cfg_scale: float = 7.0
    batch: int = 1
    frames: int = 1
    precision: str = "FP16"  # of the denoiser
    text_encoder_precision: str = "FP16"
    offload: str = "none"
    vae_tiling: bool = False
    sampler: str = "euler"
    runtime: str = "comfyui"


@dataclass(frozen=True, kw_only=True)
class DiffusionEstimate:
    """Memory and time of one generation."""

    fits: str  # gpu | gpu+cpu (offloaded) | cpu | no
    peak_accelerator_bytes: int
    weights_bytes: dict[str, int]  # per component, "role:name"
    activation_bytes: int  # the denoiser's working memory (halved when the CFG passes run one after another)
    vae_decode_bytes: int
    compute_bytes: int
    """Working memory: max(activation_bytes, vae_decode_bytes), as denoising and VAE decode do not overlap."""
    reserve_bytes: int
    total_bytes: int
    """Everything the generation holds somewhere: all weights + compute_bytes + reserve_bytes."""
    system_bytes: int
    weights_streamed: bool
    """The denoiser's weights stream through the GPU block by block: an offload mode that streams
    (STREAMING_MODES) was asked for on a machine with a GPU, or the engine fell back to it because even one
    component did not fit (the note "weights must stream from RAM")."""
    seconds_per_step: float | None
    seconds_per_image: float | None
    seconds_per_video: float | None
    seconds_range: tuple[float, float] | None
    tokens: int
    evaluations_per_step: int
    bound: str
    stage_seconds: dict[str, float]
    notes: tuple[str, ...]


def latent_tokens(m: DiffusionModel, width: int, height: int, frames: int) -> int:
    lat_w = math.ceil(width / m.vae_scale / m.patch)
    lat_h = math.ceil(height / m.vae_scale / m.patch)
    lat_t = 1 + (frames - 1) // m.temporal_scale if m.kind == "video" else 1
    return lat_w * lat_h * lat_t


def denoiser_flops(m: DiffusionModel, tokens: int, asm: Assumptions) -> float:
    d = m.denoiser
    if d.kind == "unet":
        return 2.0 * d.params * tokens / (m.unet_reuse or asm.unet_reuse)
    attn = 4.0 * d.blocks * tokens * tokens * d.hidden if d.blocks and d.hidden else 0.0
    return 2.0 * d.params * tokens + attn


def weight_bytes(c: Component, precision: str) -> int:
    return int(c.params * PRECISION_BYTES.get(precision.upper(), 2.0))


def estimate_diffusion(q: DiffusionQuery, asm: Assumptions) -> DiffusionEstimate:
    """Peak memory and time for one generation (see the module docstring)."""
    m = q.model
    notes: list[str] = []
    if q.offload not in OFFLOAD_MODES:
        raise ValueError(f"offload must be one of {OFFLOAD_MODES}")
    frames = q.frames if m.kind == "video" else 1
    tokens = latent_tokens(m, q.width, q.height, frames)
    cfg = q.cfg_scale > 1.0 and not m.guidance_distilled
    evals = q.batch * (2 if cfg else 1) * SAMPLER_EVALS.get(q.sampler.lower(), 1)
    dtype = 2 if q.precision.upper() not in ("FP32", "F32") else 4
    gpu0 = q.machine.gpus[0] if q.machine.gpus else None
    if gpu0 is not None and not gpu0.half_precision_ok and dtype == 2:
        dtype = 4
        notes.append("this GPU produces NaNs in half precision: image UIs run it in FP32 (--no-half), "
                     "at half the FP16 rate and twice the activation memory")

    # --- memory ---
    w: dict[str, int] = {}
    for c in m.components:
        prec = q.precision if c.role == "denoiser" else (q.text_encoder_precision if c.role == "text_encoder"
                                                          else "FP16")
        w[f"{c.role}:{c.name}"] = weight_bytes(c, prec)
    den_w = sum(v for k, v in w.items() if k.startswith("denoiser"))
    te_w = sum(v for k, v in w.items() if k.startswith("text_encoder"))
    vae_w = sum(v for k, v in w.items() if k.startswith("vae"))
    # ComfyUI's activation estimate: area x dtype x 0.01 MiB (activation_mib_per_latent_px) x memory_usage_factor
    # (attention kernels fused)
    area = q.batch * (2 if cfg else 1) * tokens * m.patch * m.patch
    act = int(area * dtype * asm.activation_mib_per_latent_px * 2**20 * m.denoiser.activation_factor
              * asm.diffusion_activation_scale)
    px = q.width * q.height * frames * q.batch
    # UIs decode one image of a batch at a time (and tile when short), so the decode peak is per image
    dec_px = q.width * q.height * (min(frames, asm.video_vae_chunk_frames) if m.kind == "video" else 1)
    vae_dec = _vae_decode_bytes(m, dec_px, dtype, asm)
    if q.vae_tiling:
        tile_px = asm.vae_tile_px * asm.vae_tile_px * (min(frames, asm.video_vae_tile_frames) if m.kind == "video"
                                                       else 1)
        vae_dec = min(vae_dec, _vae_decode_bytes(m, tile_px, dtype, asm))
    reserve = int((asm.diffusion_reserve_mib) * 2**20)

    stage_te = te_w + reserve
    stage_den = den_w + act + reserve
    stage_vae = vae_w + vae_dec + reserve
    if q.offload == "none":
        peak = te_w + den_w + vae_w + max(act, vae_dec) + reserve
    elif q.offload == "model":
        peak = max(stage_te, stage_den, stage_vae)
    else:  # sequential / lowvram / novram: weights streamed block by block
        peak = _streamed(m, den_w, max(act, vae_dec), reserve, asm)
    gpu = q.machine.gpus[0] if q.machine.gpus else None
    limit = (q.machine.gpu_memory_limit_bytes or (gpu.memory_bytes if gpu else 0)) if gpu else 0
    total_w = te_w + den_w + vae_w
    fits = "gpu"
    streamed = gpu is not None and q.offload in STREAMING_MODES  # also set below when the engine falls back to it
    if gpu is None:
        fits = "cpu" if total_w + act + vae_dec < q.machine.ram_bytes else "no"
    elif peak > limit:
        # what a UI does on its own: run the two CFG halves one after another (ComfyUI splits the batch when
        # memory is short), then fall back to model offload, then to streaming the weights
        if cfg and q.batch * 2 > 1:
            act //= 2
            stage_den = den_w + act + reserve
            peak = (te_w + den_w + vae_w + max(act, vae_dec) + reserve if q.offload == "none"
                    else max(stage_te, stage_den, stage_vae) if q.offload == "model"
                    else _streamed(m, den_w, max(act, vae_dec), reserve, asm))
            if peak <= limit:
                notes.append("the conditional and unconditional passes run one after another to fit")
    if gpu is not None and peak > limit and fits != "no":
        if q.offload == "none" and max(stage_te, stage_den, stage_vae) <= limit:
            notes.append("does not fit all at once: components must take turns on the GPU (model offload)")
            fits = "gpu+cpu"
            peak = max(stage_te, stage_den, stage_vae)
        elif q.offload in ("none", "model") and _streamed(m, den_w, max(act, vae_dec), reserve, asm) <= limit:
            notes.append("even one component does not fit: weights must stream from RAM (sequential offload)")
            streamed = True
            fits = "gpu+cpu"
            peak = _streamed(m, den_w, max(act, vae_dec), reserve, asm)
        else:
            fits = "no"
    if gpu is not None and fits == "gpu" and q.offload != "none":
        fits = "gpu+cpu"
    if fits != "no" and total_w > q.machine.ram_bytes and q.offload != "none":
        fits = "no"
        notes.append("offloaded weights exceed system RAM")

    # --- time ---
    peak_flops = (gpu.fp16_flops if gpu and gpu.fp16_flops else None) or (
        q.machine.cpu_flops or q.machine.cpu_cores * asm.cpu_gflops_per_core * 1e9)
    eff = _diffusion_eff(gpu.backend if gpu else "cpu", m.denoiser.kind, asm)
    if gpu is not None and not gpu.half_precision_ok:
        peak_flops /= 2  # the FP16 figure is twice the FP32 shader rate on these cards
    if gpu is not None and not gpu.tensor_cores:
        eff *= asm.simt_eff_factor  # plain SIMD lanes reach a larger share of their (lower) peak
    elif dtype == 4:
        eff *= asm.fp32_tensor_eff_factor  # FP32 has no tensor-core path on consumer GPUs
    f_eval = denoiser_flops(m, tokens, asm)
    t_step = evals * f_eval / (eff * peak_flops) + asm.diffusion_step_overhead_s
    t_te = sum(2.0 * c.params * asm.text_encoder_tokens for c in m.role("text_encoder")) / (eff * peak_flops)
    t_vae = m.vae_gflops_per_mpixel * 1e9 * px / 1e6 / (eff * peak_flops)
    t_offload = 0.0
    pcie = (gpu.pcie_bytes_per_s if gpu and gpu.pcie_bytes_per_s else asm.default_pcie_gb_s * 1e9)
    if q.machine.unified_memory:  # one memory: "offloaded" weights are re-read from RAM, not copied over a bus
        pcie = q.machine.ram_bandwidth_bytes_per_s * asm.decode_eff_cpu
    if fits == "gpu+cpu" and gpu is not None:
        if peak < den_w or q.offload in STREAMING_MODES:  # streaming every step
            t_offload = q.steps * den_w / pcie
            notes.append("denoiser weights are re-read from system memory every step: slower" if
                         q.machine.unified_memory else "denoiser weights cross PCIe every step: much slower")
        else:  # components swap once per generation
            t_offload = (te_w + den_w + vae_w) / pcie
    total = q.steps * t_step + t_te + t_vae + t_offload + asm.diffusion_fixed_overhead_s
    compute = max(act, vae_dec)  # denoising and VAE decode do not overlap
    per_step: float | None = None
    per_image: float | None = None
    per_video: float | None = None
    rng: tuple[float, float] | None = None
    stages: dict[str, float] = {}
    sys_bytes = 0
    bound = "memory"
    if fits == "no":
        notes.append("does not fit: no time estimate")
    else:
        lo, hi = asm.diffusion_range
        per_step = t_step
        if m.kind == "image":
            per_image = total / q.batch
            rng = (per_image * lo, per_image * hi)
        else:
            per_video = total
            rng = (total * lo, total * hi)
        stages = {"text_encode_s": t_te, "denoise_s": q.steps * t_step, "vae_decode_s": t_vae,
                  "offload_s": t_offload}
        sys_bytes = max(0, total_w - int(peak)) if fits == "gpu+cpu" else 0
        bound = "compute" if t_offload < q.steps * t_step else "pcie"
    return DiffusionEstimate(
        fits=fits, peak_accelerator_bytes=int(peak), weights_bytes=w, activation_bytes=act, vae_decode_bytes=vae_dec,
        compute_bytes=compute, reserve_bytes=reserve, total_bytes=sum(w.values()) + compute + reserve,
        system_bytes=sys_bytes, weights_streamed=streamed, seconds_per_step=per_step, seconds_per_image=per_image,
        seconds_per_video=per_video, seconds_range=rng, tokens=tokens, evaluations_per_step=evals, bound=bound,
        stage_seconds=stages, notes=tuple(notes))


def _vae_decode_bytes(m: DiffusionModel, px: float, dtype: int, asm: Assumptions) -> int:
    """ComfyUI's VAE decode memory for `px` output pixels:
    vae_decode_coeff (2178) x latent pixels x vae_decode_latent_px (64) x dtype bytes x vae_decode_scale."""
    return int(asm.vae_decode_coeff * (px / m.vae_scale**2) * asm.vae_decode_latent_px * dtype
               * asm.vae_decode_scale)


def _streamed(m: DiffusionModel, den_w: int, work: int, reserve: int, asm: Assumptions) -> int:
    """Peak when the denoiser's weights stream through the GPU block by block:
    diffusion_streamed_blocks x (denoiser weights / its blocks) + working memory + reserve."""
    block = den_w / max(m.denoiser.blocks or asm.diffusion_default_blocks, 1)
    return int(block * asm.diffusion_streamed_blocks + work + reserve)


def _diffusion_eff(backend: str, kind: str, asm: Assumptions) -> float:
    base = {"cuda": asm.diffusion_eff_cuda, "rocm": asm.diffusion_eff_rocm, "metal": asm.diffusion_eff_metal}.get(
        backend, asm.diffusion_eff_other)
    return base * (asm.dit_eff_factor if kind in ("dit", "mmdit") else 1.0)
