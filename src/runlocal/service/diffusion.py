"""Image and video questions of the batch contract (`image` / `video` fields), answered by the engine."""

from __future__ import annotations

from typing import Any

from ..catalog.load import Entity
from ..errors import InvalidField, UnsupportedQuestion
from ..estimate.assumptions import Assumptions
from ..estimate.diffusion import (
    OFFLOAD_MODES,
    PRECISION_BYTES,
    Component,
    DiffusionEstimate,
    DiffusionModel,
    DiffusionQuery,
    estimate_diffusion,
)

DIFFUSION_RUNTIMES = ("comfyui", "diffusers", "automatic1111", "forge", "sdnext", "swarmui", "invokeai")
_PREC_ALIASES = {"F16": "FP16", "FP16": "FP16", "BF16": "BF16", "F32": "FP32", "FP32": "FP32", "FP8": "FP8",
                 "FP8_E4M3": "FP8", "Q8_0": "Q8_0", "Q6_K": "Q6_K", "Q5_K_M": "Q5_K_M", "Q5_0": "Q5_0",
                 "Q4_K_M": "Q4_K_M", "Q4_0": "Q4_0", "Q3_K_M": "Q3_K_M", "NF4": "NF4", "GGUF-Q8": "Q8_0",
                 "GGUF-Q4": "Q4_K_M", "GGUF-Q5": "Q5_K_M"}
_MODELS: dict[int, tuple[Entity, DiffusionModel]] = {}


def diffusion_model(e: Entity) -> DiffusionModel:
    hit = _MODELS.get(id(e))
    if hit and hit[0] is e:
        return hit[1]
    d = e.data
    df = d.get("diffusion", {})
    comps = tuple(Component(c["role"], c["name"], int(c["params"]), c.get("kind", ""), int(c.get("hidden", 0)),
                            int(c.get("blocks", 0)), float(c.get("activation_factor", 1.0)))
                  for c in d.get("components", []))
    m = DiffusionModel(d["name"], d["kind"], comps, int(df.get("latent_channels", 4)), int(df.get("vae_scale", 8)),
                       int(df.get("temporal_scale", 1)), int(df.get("patch", 1)),
                       bool(df.get("guidance_distilled", False)), float(df.get("vae_gflops_per_mpixel", 1250.0)),
                       float(df.get("unet_reuse", 0.0)))
    _MODELS[id(e)] = (e, m)
    return m


def _int(obj: dict[str, Any], key: str, default: int, lo: int, hi: int) -> int:
    v = obj.get(key, default)
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, int | float) or int(v) != v or not lo <= int(v) <= hi:
        raise InvalidField(f"{key} must be an integer from {lo} to {hi}, got {v!r}")
    return int(v)


def _num(obj: dict[str, Any], key: str, default: float, lo: float, hi: float) -> float:
    v = obj.get(key, default)
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, int | float) or not lo <= float(v) <= hi:
        raise InvalidField(f"{key} must be a number from {lo:g} to {hi:g}, got {v!r}")
    return float(v)


def answer_diffusion(q: dict[str, Any], ment: Entity, asm: Assumptions) -> dict[str, Any]:
    from .llm import resolve_machine

    d = ment.data
    df = d.get("diffusion", {})
    kind = d["kind"]
    spec = q.get("video") if kind == "video" else q.get("image")
    other = q.get("image") if kind == "video" else q.get("video")
    if other is not None:
        raise InvalidField(f"{ment.id} is a {kind} model: use the '{kind}' field")
    spec = spec or {}
    if not isinstance(spec, dict):
        raise InvalidField(f"{kind} must be an object")
    width = _int(spec, "width", int(df.get("native_width", 1024)), 64, 8192)
    height = _int(spec, "height", int(df.get("native_height", 1024)), 64, 8192)
    if width % 8 or height % 8:
        raise InvalidField(f"width and height must be multiples of 8 (the VAE's scale), got {width}x{height}")
    steps = _int(spec, "steps", int(df.get("default_steps", 20)), 1, 1000)
    cfg = _num(spec, "cfg_scale", float(df.get("default_cfg", 7.0)), 0.0, 100.0)
    batch = _int(spec, "batch", 1, 1, 64)
    frames = _int(spec, "frames", int(df.get("default_frames", 1)), 1, 2000) if kind == "video" else 1
    offload = spec.get("offload", q.get("offload", "none"))
    if offload not in OFFLOAD_MODES:
        raise InvalidField(f"offload must be one of {', '.join(OFFLOAD_MODES)}", list(OFFLOAD_MODES))
    tiling = bool(spec.get("vae_tiling", False))
    sampler = str(spec.get("sampler", "euler"))
    runtime = str(q.get("runtime") or "comfyui").lower()
    if runtime not in DIFFUSION_RUNTIMES:
        raise UnsupportedQuestion(f"{runtime} does not run image/video models; use one of "
                                  f"{', '.join(DIFFUSION_RUNTIMES)}")
    prec_in = str(q.get("quant") or df.get("default_precision") or "FP16").upper()
    prec = _PREC_ALIASES.get(prec_in)
    if prec is None or prec not in PRECISION_BYTES:
        raise InvalidField(f"unknown precision {prec_in!r} for a diffusion model", sorted(_PREC_ALIASES))
    machine, hent, notes = resolve_machine(q, asm)
    m = diffusion_model(ment)
    est = estimate_diffusion(DiffusionQuery(m, machine, width, height, steps, cfg, batch, frames, prec,
                                            "FP8" if prec in ("FP8",) else "FP16", offload, tiling, sampler,
                                            runtime), asm)
    res = _to_contract(q, ment, hent, est, prec, runtime, notes, width, height, steps, cfg, batch, frames, asm)
    if offload in ("sequential", "lowvram", "novram"):
        res["commands"]["diffusers"] = res["commands"]["diffusers"].replace(
            'pipe.to("cuda")', "pipe.enable_sequential_cpu_offload()").replace(
            "pipe.enable_model_cpu_offload()", "pipe.enable_sequential_cpu_offload()")
        res["commands"]["comfyui"] = "python main.py --novram" if offload == "novram" else "python main.py --lowvram"
    elif offload == "model":
        res["commands"]["diffusers"] = res["commands"]["diffusers"].replace(
            'pipe.to("cuda")', "pipe.enable_model_cpu_offload()")
    ignored = [k for k in ("context_tokens", "depth_tokens", "prompt_tokens", "kv_cache_type", "parallel")
               if q.get(k) is not None]
    if ignored:
        res["basis"]["notes"].append(f"ignored for an image/video model: {', '.join(ignored)}")
    if kind == "image" and "frames" in spec:
        res["basis"]["notes"].append("frames ignored: this is an image model")
    return res


def _to_contract(q: dict[str, Any], ment: Entity, hent: Entity | None, est: DiffusionEstimate, prec: str,
                 runtime: str, notes: list[str], width: int, height: int, steps: int, cfg: float, batch: int,
                 frames: int, asm: Assumptions) -> dict[str, Any]:
    weights = sum(est.weights_bytes.values())
    compute = max(est.activation_bytes, est.vae_decode_bytes)  # the two stages do not overlap
    total = weights + compute + est.reserve_bytes
    rng = [round(x, 2) for x in est.seconds_range] if est.seconds_range else None
    kind = ment.data["kind"]
    return {
        "id": q.get("id"), "ok": True, "model_id": ment.id, "hardware_id": hent.id if hent else None,
        "runtime": runtime, "quant": prec, "fits": est.fits, "file_bytes": weights,
        "memory": {"weights_bytes": weights, "kv_cache_bytes": 0, "compute_bytes": compute,
                   "overhead_bytes": est.reserve_bytes, "total_bytes": total,
                   "accelerator_bytes": est.peak_accelerator_bytes,
                   "system_bytes": max(0, total - est.peak_accelerator_bytes)},
        "offload": {"gpu_layers": None, "total_layers": None},
        "max_context_tokens": None,
        "speed": {"decode_tokens_per_s": None, "prefill_tokens_per_s": None, "time_to_first_token_s": None,
                  "seconds_per_image": _r(est.seconds_per_image), "seconds_per_video": _r(est.seconds_per_video),
                  "seconds_per_step": _r(est.seconds_per_step),
                  "ranges": {"decode_tokens_per_s": None, "prefill_tokens_per_s": None,
                             "time_to_first_token_s": None,
                             "seconds_per_image": rng if kind == "image" else None,
                             "seconds_per_video": rng if kind == "video" else None},
                  "bound": est.bound, "stages_s": {k: round(v, 3) for k, v in est.stage_seconds.items()}},
        "commands": diffusion_commands(ment, est, width, height, steps, cfg, batch, frames, prec),
        "basis": {"method": "runlocal diffusion engine: per-stage peak memory (ComfyUI's activation and VAE "
                            "estimates), denoiser FLOPs per step over fitted compute efficiency",
                  "weights": {"by_component_bytes": est.weights_bytes},
                  "latent_tokens": est.tokens, "evaluations_per_step": est.evaluations_per_step,
                  "assumptions": asm.as_dict(),
                  "sources": [f"{e.path}#{s}" for e in (ment, hent) if e for s in e.source_ids()],
                  "notes": notes + list(est.notes)},
        "error": None,
    }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def diffusion_commands(e: Entity, est: DiffusionEstimate, width: int, height: int, steps: int, cfg: float,
                       batch: int, frames: int, prec: str) -> dict[str, str]:
    repo = next((a for a in e.aliases if "/" in a and not a.endswith((".safetensors", ".gguf"))), e.id)
    flag = {"none": "", "gpu": "", "gpu+cpu": " --lowvram"}.get(est.fits, " --novram")
    if any("stream" in n for n in est.notes):
        flag = " --novram"
    comfy = f"python main.py{flag}" + (" --fp8_e4m3fn-unet" if prec == "FP8" else "")
    offload = ""
    if est.fits == "gpu+cpu":
        offload = ("pipe.enable_sequential_cpu_offload()" if "stream" in " ".join(est.notes)
                   else "pipe.enable_model_cpu_offload()")
    else:
        offload = 'pipe.to("cuda")'
    dtype = "torch.bfloat16" if prec in ("BF16", "FP8") else "torch.float16"
    extra = f", num_frames={frames}" if e.data["kind"] == "video" else f", num_images_per_prompt={batch}"
    snippet = (f"import torch; from diffusers import DiffusionPipeline; "
               f"pipe = DiffusionPipeline.from_pretrained('{repo}', torch_dtype={dtype}); {offload}; "
               f"pipe(prompt, width={width}, height={height}, num_inference_steps={steps}, "
               f"guidance_scale={cfg}{extra})")
    return {"comfyui": comfy, "diffusers": snippet}
