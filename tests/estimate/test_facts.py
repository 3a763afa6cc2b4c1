"""One fact, one table: the engine's derived quantities, shared lookups and the numbers moved into Assumptions."""

from __future__ import annotations

import dataclasses
import itertools
import random
import re

import pytest

from runlocal.estimate import DEFAULT, Device, Machine
from runlocal.estimate.diffusion import (
    PRECISION_BYTES,
    STREAMING_MODES,
    Component,
    DiffusionEstimate,
    DiffusionModel,
    DiffusionQuery,
    estimate_diffusion,
)
from runlocal.estimate.ggml_types import FTYPES, GGML_TYPES
from runlocal.estimate.memory import KV_TYPES, compute_buffers, ffn_width, kv_type_bytes
from runlocal.estimate.placement import Capacity, Placement, largest_that_fits
from runlocal.estimate.specs import Architecture
from runlocal.estimate.speed import decode_efficiency, prefill_efficiency

GIB = 1024**3
SD15 = DiffusionModel("sd15", "image", (
    Component("denoiser", "UNet", 859_520_964, "unet"),
    Component("text_encoder", "CLIP-L", 123_060_480, "clip"),
    Component("vae", "VAE", 83_653_863, "vae")))
DIT = DiffusionModel("dit", "image", (Component("denoiser", "DiT", 12_000_000_000, "dit", hidden=3072, blocks=57),
                                      Component("text_encoder", "T5", 4_700_000_000, "t5"),
                                      Component("vae", "VAE", 84_000_000, "vae")), latent_channels=16, patch=2)
VIDEO = DiffusionModel("vid", "video", (Component("denoiser", "DiT", 1_300_000_000, "dit", hidden=1536),
                                        Component("vae", "VAE", 127_000_000, "vae")), temporal_scale=4, patch=2)


def gpu(mem_gib: float = 24, ram_gib: float = 64) -> Machine:
    dev = Device(name="GPU", memory_bytes=int(mem_gib * GIB), bandwidth_bytes_per_s=1e12, fp16_flops=100e12,
                 backend="cuda")
    return Machine((dev,), int(ram_gib * GIB), 80e9)


CPU_ONLY = Machine((), 64 * GIB, 80e9, cpu_cores=16)


def _q(model: DiffusionModel, machine: Machine, **kw: object) -> DiffusionQuery:
    return dataclasses.replace(DiffusionQuery(model, machine, 1024, 1024, 20, 7.0), **kw)


# --- DiffusionEstimate: compute_bytes, total_bytes, weights_streamed ------------------------------------------

def _grid() -> list[DiffusionEstimate]:
    out = []
    for model, machine, offload, tiling, size in itertools.product(
            (SD15, DIT, VIDEO), (gpu(2), gpu(8), gpu(24), gpu(80), gpu(24, ram_gib=8), CPU_ONLY),
            ("none", "model", "sequential", "lowvram", "novram"), (False, True), (512, 1024, 2048)):
        q = _q(model, machine, width=size, height=size, offload=offload, vae_tiling=tiling,
               frames=33 if model.kind == "video" else 1)
        out.append((q, estimate_diffusion(q, DEFAULT)))
    return out


GRID = _grid()


def test_compute_and_total_bytes_are_the_stage_maximum_and_the_sum() -> None:
    for _, e in GRID:
        assert e.compute_bytes == max(e.activation_bytes, e.vae_decode_bytes)
        assert e.total_bytes == sum(e.weights_bytes.values()) + e.compute_bytes + e.reserve_bytes


def test_compute_bytes_by_hand() -> None:
    # SD 1.5 at 512^2, CFG: area 2 x 4096 latent pixels x 2 bytes x 0.01 MiB = 163.84 MiB of activations;
    # VAE decode 2178 x 4096 x 64 x 2 bytes = 1089 MiB, the larger of the two stages.
    e = estimate_diffusion(_q(SD15, gpu(), width=512, height=512), DEFAULT)
    assert e.activation_bytes == int(2 * 4096 * 2 * 0.01 * 2**20)
    assert e.vae_decode_bytes == 2178 * 4096 * 64 * 2
    assert e.compute_bytes == e.vae_decode_bytes
    weights = 2 * (859_520_964 + 123_060_480 + 83_653_863)
    assert e.total_bytes == weights + 2178 * 4096 * 64 * 2 + int(1219 * 2**20)


def test_weights_streamed_when_a_streaming_mode_is_asked_on_a_gpu() -> None:
    for q, e in GRID:
        if q.offload in STREAMING_MODES:
            assert e.weights_streamed == bool(q.machine.gpus), (q.offload, q.machine)


def test_weights_streamed_elsewhere_exactly_when_the_engine_falls_back_to_streaming() -> None:
    seen = {True: 0, False: 0}
    for q, e in GRID:
        if q.offload not in STREAMING_MODES:
            assert e.weights_streamed == any("stream" in n for n in e.notes), (q, e.notes)
            seen[e.weights_streamed] += 1
    assert seen[True] and seen[False]  # the grid covers both


def test_weights_streamed_cases_by_hand() -> None:
    fits = estimate_diffusion(_q(SD15, gpu(24)), DEFAULT)
    assert (fits.fits, fits.weights_streamed) == ("gpu", False)
    # 12B DiT in FP16 on 16 GiB: even the 24 GB denoiser alone does not fit, so the weights stream
    big = estimate_diffusion(_q(DIT, gpu(16), cfg_scale=1.0), DEFAULT)
    assert (big.fits, big.weights_streamed) == ("gpu+cpu", True)
    # 9.4 GB of T5, 24 GB of DiT and a 4.25 GiB VAE decode do not fit 32 GiB at once, the denoiser stage alone
    # does: model offload, no streaming
    turns = estimate_diffusion(_q(DIT, gpu(32), cfg_scale=1.0), DEFAULT)
    assert (turns.fits, turns.weights_streamed) == ("gpu+cpu", False)
    asked = estimate_diffusion(_q(SD15, gpu(24), offload="sequential"), DEFAULT)
    assert (asked.fits, asked.weights_streamed) == ("gpu+cpu", True)
    cpu = estimate_diffusion(_q(SD15, CPU_ONLY, offload="sequential"), DEFAULT)
    assert (cpu.fits, cpu.weights_streamed) == ("cpu", False)


def test_streamed_peak_is_two_blocks_plus_work_and_reserve() -> None:
    # VIDEO has no block count: 30 assumed; 1.3B x 2 bytes / 30 x 2 blocks
    e = estimate_diffusion(_q(VIDEO, gpu(24), width=512, height=512, frames=33, offload="sequential"), DEFAULT)
    block = 1_300_000_000 * 2 / 30
    assert e.peak_accelerator_bytes == int(block * 2 + e.compute_bytes + e.reserve_bytes)
    asm = dataclasses.replace(DEFAULT, diffusion_default_blocks=10, diffusion_streamed_blocks=3)
    e3 = estimate_diffusion(_q(VIDEO, gpu(24), width=512, height=512, frames=33, offload="sequential"), asm)
    assert e3.peak_accelerator_bytes == int(1_300_000_000 * 2 / 10 * 3 + e3.compute_bytes + e3.reserve_bytes)


def test_diffusion_numbers_come_from_assumptions() -> None:
    q = _q(SD15, gpu(), width=512, height=512)
    base = estimate_diffusion(q, DEFAULT)
    double = DEFAULT.replace(vae_decode_coeff=2 * 2178, activation_mib_per_latent_px=0.02)
    e = estimate_diffusion(q, double)
    assert e.vae_decode_bytes == 2 * base.vae_decode_bytes
    assert e.activation_bytes == pytest.approx(2 * base.activation_bytes, abs=1)
    tiled = estimate_diffusion(_q(SD15, gpu(), width=2048, height=2048, vae_tiling=True), DEFAULT)
    assert tiled.vae_decode_bytes == 2178 * (512 * 512 // 64) * 64 * 2
    small_tile = estimate_diffusion(_q(SD15, gpu(), width=2048, height=2048, vae_tiling=True),
                                    DEFAULT.replace(vae_tile_px=256))
    assert small_tile.vae_decode_bytes == tiled.vae_decode_bytes // 4
    more_text = estimate_diffusion(q, DEFAULT.replace(text_encoder_tokens=512))
    assert more_text.stage_seconds["text_encode_s"] == pytest.approx(2 * base.stage_seconds["text_encode_s"])


# --- largest_that_fits ------------------------------------------------------------------------------------------

def test_largest_that_fits_basic() -> None:
    assert largest_that_fits(1, 11, lambda x: x <= 7) == 7
    assert largest_that_fits(1, 11, lambda x: x <= 100) == 10  # hi is exclusive
    assert largest_that_fits(3, 11, lambda x: x <= 3) == 3  # nothing above lo
    assert largest_that_fits(5, 6, lambda x: False) == 5  # an empty range above lo: nothing is tested


def test_largest_that_fits_never_tests_hi_and_agrees_with_a_scan() -> None:
    rng = random.Random(7)
    for _ in range(500):
        lo = rng.randrange(0, 50)
        hi = lo + rng.randrange(1, 200)
        edge = rng.randrange(lo, hi + 5)
        tested: list[int] = []

        def ok(x: int, edge: int = edge, tested: list[int] = tested) -> bool:
            tested.append(x)
            return x <= edge

        got = largest_that_fits(lo, hi, ok)
        assert got == min(edge, hi - 1)
        assert hi not in tested and lo not in tested
        assert len(tested) <= max(1, (hi - lo).bit_length())


# --- frozen, keyword-only results -------------------------------------------------------------------------------

@pytest.mark.parametrize("cls", [DiffusionEstimate, Placement, Capacity, Device])
def test_results_are_frozen_and_keyword_only(cls: type) -> None:
    assert cls.__dataclass_params__.frozen
    assert all(f.kw_only for f in dataclasses.fields(cls))


# --- one block-size table ---------------------------------------------------------------------------------------

def test_kv_types_are_ggml_blocks() -> None:
    for name, layout in KV_TYPES.items():
        if name in GGML_TYPES:
            assert layout == GGML_TYPES[name]
    assert KV_TYPES["fp8"] == (1, 1)
    assert kv_type_bytes("q8_0", 64) == 68 and kv_type_bytes("q8_0", 33) == 68  # whole blocks of 32 x 34 B


def test_precision_bytes_are_ggml_blocks() -> None:
    aliases = {"FP32": "F32", "FP16": "F16"}
    for name, per_weight in PRECISION_BYTES.items():
        ftype = aliases.get(name, name)
        if ftype in FTYPES:
            block, size = GGML_TYPES[FTYPES[ftype]]
            assert per_weight == size / block, name
    assert PRECISION_BYTES["Q4_K_M"] == 144 / 256 and PRECISION_BYTES["FP8"] == 1.0


# --- per-backend efficiencies -----------------------------------------------------------------------------------

def test_per_backend_lookup() -> None:
    a = DEFAULT
    assert decode_efficiency("rocm", "llama.cpp", a) == a.decode_eff_rocm
    assert decode_efficiency("cpu", "llama.cpp", a) == a.decode_eff_cpu
    assert decode_efficiency("cuda", "llama.cpp", a, hbm=True) == a.decode_eff_hbm
    assert decode_efficiency("cuda", "mlx", a, hbm=True) == a.decode_eff_mlx
    assert decode_efficiency("webgpu", "llama.cpp", a) == a.decode_eff_vulkan
    assert prefill_efficiency("sycl", "llama.cpp", a) == a.prefill_eff_sycl
    assert prefill_efficiency("cpu", "llama.cpp", a) == a.prefill_eff_vulkan  # no prefill_eff_cpu field
    assert prefill_efficiency("metal", "mlx", a) == a.prefill_eff_mlx
    # Intel's Vulkan driver has figures of its own; AMD and NVIDIA cards on Vulkan share the Vulkan ones
    assert decode_efficiency("vulkan", "llama.cpp", a, vendor="intel") == a.decode_eff_vulkan_intel
    assert prefill_efficiency("vulkan", "llama.cpp", a, vendor="intel") == a.prefill_eff_vulkan_intel
    assert decode_efficiency("vulkan", "llama.cpp", a, vendor="amd") == a.decode_eff_vulkan
    assert decode_efficiency("sycl", "llama.cpp", a, vendor="intel") == a.decode_eff_sycl


def test_intel_arc_on_vulkan_is_slower_than_on_sycl() -> None:
    from runlocal.service import answer
    q = {"model": "llama-3.1-8b", "quant": "Q4_K_M", "hardware": "Intel Arc A770 16GB"}
    sycl, vk = answer(q)["speed"], answer({**q, "backend": "vulkan"})["speed"]
    amd = answer({**q, "hardware": "rx-7600-xt", "backend": "vulkan"})["speed"]
    assert vk["prefill_tokens_per_s"] < sycl["prefill_tokens_per_s"] < amd["prefill_tokens_per_s"]


# --- compute buffers of all-or-nothing runtimes -----------------------------------------------------------------

def test_chunked_prefill_buffers_by_hand(llama3_8b: Architecture) -> None:
    # 2048 tokens x 2 bytes x (4 x 4096 + 2 x 14336) + 4 x 128256 x 8 = 184,549,376 + 4,104,192 bytes
    act = 2048 * 2 * (4096 * 4 + 2 * ffn_width(llama3_8b)) + 4 * 128256 * 8
    assert act == 188_653_568
    one = compute_buffers(llama3_8b, 4096, flash_attention=False, n_gpus=1, asm=DEFAULT, llamacpp=False)
    assert (one.device_bytes, one.host_bytes) == (act, 0)
    two = compute_buffers(llama3_8b, 4096, flash_attention=False, n_gpus=2, asm=DEFAULT, llamacpp=False)
    assert two.device_bytes == act // 2
    cpu = compute_buffers(llama3_8b, 4096, flash_attention=False, n_gpus=0, asm=DEFAULT, llamacpp=False)
    assert (cpu.device_bytes, cpu.host_bytes) == (0, act)


# --- catalog numbers now in Assumptions -------------------------------------------------------------------------

def test_pcie_and_apple_working_set_come_from_assumptions() -> None:
    from runlocal.catalog.build import _pcie_bytes_per_s, apple_ws_fraction

    assert _pcie_bytes_per_s("4.0 x16", DEFAULT) == 1.97 * 16 * 0.8 * 1e9
    assert _pcie_bytes_per_s("PCIe 3.0 x8", DEFAULT) == 0.985 * 8 * 0.8 * 1e9
    assert _pcie_bytes_per_s("4.0 x16", DEFAULT.replace(pcie_efficiency=1.0)) == 1.97 * 16 * 1e9
    assert _pcie_bytes_per_s("7.0 x16", DEFAULT) is None
    assert apple_ws_fraction(36, DEFAULT) == DEFAULT.apple_ws_fraction_small
    assert apple_ws_fraction(48, DEFAULT) == DEFAULT.apple_ws_fraction_large
    assert apple_ws_fraction(48, DEFAULT.replace(apple_ws_small_max_gb=64)) == DEFAULT.apple_ws_fraction_small


def test_half_precision_fails_exactly_on_the_gtx_16_cards() -> None:
    from runlocal.catalog.build import machine
    from runlocal.catalog.load import load

    cat = load()
    bad = []
    for e in cat.hardware.values():
        if e.data.get("kind") != "gpu":
            continue
        dev = machine(e, memory_gb=None, gpu_count=1, asm=DEFAULT)[0].gpus[0]
        gtx16 = bool(re.search(r"gtx 16\d\d", str(e.data.get("name", "")).lower()))
        if dev.half_precision_ok == gtx16:
            bad.append(e.id)
    assert not bad


# --- ExLlama formats ---------------------------------------------------------------------------------------

def test_exl_quant_names_and_bytes(llama3_8b: Architecture) -> None:
    from runlocal.estimate.weights import normalize_quant, weights

    assert normalize_quant("exl2 4.65bpw") == "EXL2-4.65BPW" and normalize_quant("EXL3_4bpw") == "EXL3-4.0BPW"
    assert normalize_quant("4.0bpw") == "EXL2-4.0BPW" and normalize_quant("exl3") == "EXL3-4.0BPW"
    with pytest.raises(ValueError):
        normalize_quant("EXL2-12bpw")
    w = weights(llama3_8b, "EXL2-4.0BPW")
    # by hand: 6,979,321,856 linear weights x 4 bits + 525,336,576 embedding values x 16 bits + the same number of
    # head values x 6 bits + 65 norm vectors of 4,096 x 16 bits
    linear = 32 * (4096 * 4096 * 2 + 4096 * 1024 * 2 + 3 * 4096 * 14336)
    embd = 4096 * 128256
    assert w.total_bytes == linear // 2 + embd * 2 + embd * 6 // 8 + 65 * 4096 * 2


def test_exllama_runtimes_refuse_what_they_cannot_run() -> None:
    from runlocal.service import answer

    ok = answer({"model": "llama-3.1-8b", "hardware": "rtx-3090", "quant": "exl2 4.65bpw"})
    assert ok["ok"] and ok["runtime"] == "tabbyapi" and "max_seq_len" in ok["commands"]["tabbyapi"]
    for q, why in (({"hardware": "m2-max-64gb", "runtime": "exllamav2"}, "NVIDIA"),
                   ({"hardware": "rtx-3090", "quant": "exl2", "runtime": "vllm"}, "ExLlama format"),
                   ({"hardware": "rtx-3090", "quant": "Q4_K_M", "runtime": "exllamav3"}, "does not load")):
        bad = answer({"model": "llama-3.1-8b", **q})
        assert not bad["ok"] and why in bad["error"]["message"]


def test_mlc_and_tensorrt_llm() -> None:
    from runlocal.estimate.weights import normalize_quant
    from runlocal.service import answer

    assert normalize_quant("q4f16_1") == "MLC-Q4F16_1"
    mlc = answer({"model": "llama-3.1-8b", "hardware": "rtx-4090", "runtime": "mlc-llm"})
    # 4 bits + a 16-bit scale per 32 values = 4.5 bits on every matrix, embeddings and head included
    assert mlc["ok"] and mlc["quant"] == "MLC-Q4F16_1" and 4.4e9 < mlc["memory"]["weights_bytes"] < 4.6e9
    assert "mlc_llm serve" in mlc["commands"]["mlc-llm"]
    trt = answer({"model": "llama-3.1-8b", "hardware": "rtx-4090", "runtime": "trt-llm", "quant": "FP8"})
    assert trt["ok"] and "trtllm-serve" in trt["commands"]["tensorrt-llm"]
    assert "NVIDIA" in answer({"model": "llama-3.1-8b", "hardware": "rx-7900-xtx",
                               "runtime": "tensorrt-llm"})["error"]["message"]
    assert not answer({"model": "llama-3.1-8b", "hardware": "rtx-4090", "runtime": "mlc-llm", "quant": "Q4_K_M"})["ok"]
    assert answer({"model": "qwen3-8b", "hardware": "m4-max-36gb", "runtime": "LM Studio MLX"})["runtime"] == "mlx"


def test_gpt_oss_files_keep_their_experts_mxfp4() -> None:
    from runlocal.catalog.build import model_spec
    from runlocal.estimate.weights import file_bytes, weights
    from runlocal.service.resolve import catalog

    a = model_spec(catalog().models["gpt-oss-20b"]).arch
    w = weights(a, "Q4_K_M")
    assert dict(w.type_bytes).get("mxfp4", 0) > 0.8 * w.total_bytes
    # bartowski's openai_gpt-oss-20b-Q4_K_M.gguf is 11,673,418,816 bytes (was computed 35 % larger)
    assert abs(file_bytes(a, "Q4_K_M", w) / 11_673_418_816 - 1) < 0.01


def test_unsloth_dynamic_quants() -> None:
    from runlocal.catalog.build import model_spec
    from runlocal.estimate.weights import file_bytes, weights
    from runlocal.service.resolve import catalog

    moe = model_spec(catalog().models["qwen3.5-35b-a3b"]).arch
    w = weights(moe, "UD-Q4_K_XL")
    types = dict(w.type_bytes)
    assert {"q8_0", "q4_k", "q5_k"} <= set(types)  # non-expert weights Q8_0, experts gate/up Q4_K, down Q5_K
    # unsloth/Qwen3.5-35B-A3B-GGUF UD-Q4_K_XL (March 2026 upload): 22,241,950,336 bytes
    assert abs(file_bytes(moe, "UD-Q4_K_XL", w) / 22_241_950_336 - 1) < 0.01
    dense = model_spec(catalog().models["qwen3-8b"]).arch
    assert weights(dense, "UD-Q4_K_XL").total_bytes == weights(dense, "Q4_K_M").total_bytes  # base mix for dense
