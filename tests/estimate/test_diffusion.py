"""Hand-computed diffusion cases (arithmetic in comments) and the contract's image/video answers."""

from __future__ import annotations

import dataclasses

import pytest

from runlocal.estimate import DEFAULT, Device, Machine
from runlocal.estimate.diffusion import (
    Component,
    DiffusionModel,
    DiffusionQuery,
    denoiser_flops,
    estimate_diffusion,
    latent_tokens,
)

GIB = 1024**3
SD15 = DiffusionModel("sd15", "image", (
    Component("denoiser", "UNet", 859_520_964, "unet"),
    Component("text_encoder", "CLIP-L", 123_060_480, "clip"),
    Component("vae", "VAE", 83_653_863, "vae")))
DIT = DiffusionModel("dit", "image", (Component("denoiser", "DiT", 12_000_000_000, "dit", hidden=3072, blocks=57),
                                      Component("vae", "VAE", 84_000_000, "vae")), latent_channels=16, patch=2,
                     guidance_distilled=True)
VIDEO = DiffusionModel("vid", "video", (Component("denoiser", "DiT", 1_300_000_000, "dit", hidden=1536,
                                                  blocks=30), Component("vae", "VAE", 127_000_000, "vae")),
                       temporal_scale=4, patch=2)


def gpu(mem_gib: float = 24, tflops: float = 100) -> Machine:
    return Machine((Device(name="GPU", memory_bytes=int(mem_gib * GIB), bandwidth_bytes_per_s=1e12,
                            fp16_flops=tflops * 1e12, backend="cuda"),), 64 * GIB, 80e9)


def test_latent_tokens() -> None:
    # 512x512 / 8 = 64x64 latent pixels; FLUX-style patch 2 at 1024^2: (1024/8/2)^2 = 64^2 = 4096 tokens
    assert latent_tokens(SD15, 512, 512, 1) == 4096
    assert latent_tokens(DIT, 1024, 1024, 1) == 4096
    # 81 frames at 832x480, temporal /4: 1 + 80/4 = 21 latent frames x (832/16) x (480/16) = 21 x 52 x 30
    assert latent_tokens(VIDEO, 832, 480, 81) == 21 * 52 * 30


def test_flops() -> None:
    # UNet: 2 x 859.5M x 4096 / unet_reuse (8.2) = 0.859 TFLOP per evaluation at 512^2
    assert denoiser_flops(SD15, 4096, DEFAULT) == pytest.approx(2 * 859_520_964 * 4096 / DEFAULT.unet_reuse)
    # DiT: 2 x 12e9 x 4096 + 4 x 57 x 4096^2 x 3072 = 98.3 + 11.75 TFLOP
    assert denoiser_flops(DIT, 4096, DEFAULT) == pytest.approx(2 * 12e9 * 4096 + 4 * 57 * 4096**2 * 3072)


def test_cfg_doubles_work_unless_distilled() -> None:
    asm = dataclasses.replace(DEFAULT, diffusion_step_overhead_s=0.0, diffusion_fixed_overhead_s=0.0)
    base = estimate_diffusion(DiffusionQuery(SD15, gpu(), 512, 512, 20, 1.0), asm)
    cfg = estimate_diffusion(DiffusionQuery(SD15, gpu(), 512, 512, 20, 7.0), asm)
    assert cfg.evaluations_per_step == 2 * base.evaluations_per_step
    assert cfg.seconds_per_step == pytest.approx(2 * base.seconds_per_step)
    flux = estimate_diffusion(DiffusionQuery(DIT, gpu(), 1024, 1024, 28, 3.5), asm)
    assert flux.evaluations_per_step == 1
    # seconds per step = evaluations x FLOPs / (eff x DiT factor x peak): 1 x 110.05e12 / (eff x 1.33 x 100e12)
    eff = asm.diffusion_eff_cuda * asm.dit_eff_factor
    assert flux.seconds_per_step == pytest.approx(denoiser_flops(DIT, 4096, asm) / (eff * 100e12), rel=1e-6)


def test_memory_stages_and_offload() -> None:
    # 12B DiT in FP16 = 24 GB of weights: not on a 16 GiB card as is; FP8 halves it.
    full = estimate_diffusion(DiffusionQuery(DIT, gpu(16), 1024, 1024, 20, 1.0, precision="FP16"), DEFAULT)
    assert full.fits == "gpu+cpu" and any("sequential" in n or "stream" in n for n in full.notes)
    fp8 = estimate_diffusion(DiffusionQuery(DIT, gpu(16), 1024, 1024, 20, 1.0, precision="FP8"), DEFAULT)
    assert fp8.weights_bytes["denoiser:DiT"] == 12_000_000_000
    assert fp8.fits in ("gpu", "gpu+cpu")
    tiny = estimate_diffusion(DiffusionQuery(DIT, gpu(2), 1024, 1024, 20, 1.0), DEFAULT)
    assert tiny.fits == "no" and tiny.seconds_per_image is None


def test_vae_tiling_caps_decode_memory() -> None:
    # ComfyUI: 2178 x latent pixels x 64 x 2 bytes -> at 2048^2: 2178 x 65536 x 128 = 17.0 GiB untiled
    big = estimate_diffusion(DiffusionQuery(SD15, gpu(), 2048, 2048, 20, 7.0), DEFAULT)
    assert big.vae_decode_bytes == 2178 * 65536 * 64 * 2
    tiled = estimate_diffusion(DiffusionQuery(SD15, gpu(), 2048, 2048, 20, 7.0, vae_tiling=True), DEFAULT)
    assert tiled.vae_decode_bytes == 2178 * 4096 * 64 * 2
