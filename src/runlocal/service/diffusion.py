"""Image and video questions (the contract's `image` / `video` fields), answered by the engine."""

from __future__ import annotations

from ..catalog.load import Entity
from ..errors import InvalidField
from ..estimate.diffusion import DiffusionEstimate, DiffusionQuery, estimate_diffusion
from .answers import MediaAnswer, MediaSettingsUsed
from .question import TEXT_ONLY_FIELDS, MediaSettings, Question
from .resolve import Resolved


def settings(e: Entity, spec: MediaSettings | None) -> MediaSettingsUsed:
    """The question's settings with the model's defaults filled in."""
    df = e.data.get("diffusion", {})
    s = spec or MediaSettings()
    video = e.data["kind"] == "video"
    return MediaSettingsUsed(
        width=s.width or int(df.get("native_width", 1024)), height=s.height or int(df.get("native_height", 1024)),
        steps=s.steps or int(df.get("default_steps", 20)),
        cfg_scale=s.cfg_scale if s.cfg_scale is not None else float(df.get("default_cfg", 7.0)),
        batch=s.batch, frames=(s.frames or int(df.get("default_frames", 1))) if video else 1,
        offload=s.offload, vae_tiling=s.vae_tiling, sampler=s.sampler)


def answer_media(q: Question, r: Resolved) -> MediaAnswer:
    """Peak memory per stage and seconds per image/video for an image or video model."""
    ment = r.model_entity
    assert ment is not None and r.diffusion is not None
    spec = q.video if r.kind == "video" else q.image
    st = settings(ment, spec)
    if st.width % 8 or st.height % 8:
        raise InvalidField(f"width and height must be multiples of 8 (the VAE's scale), got {st.width}x{st.height}")
    est = estimate_diffusion(DiffusionQuery(
        model=r.diffusion, machine=r.machine, width=st.width, height=st.height, steps=st.steps,
        cfg_scale=st.cfg_scale, batch=st.batch, frames=st.frames, precision=r.quant,
        text_encoder_precision="FP8" if r.quant == "FP8" else "FP16", offload=st.offload,
        vae_tiling=st.vae_tiling, sampler=st.sampler, runtime=r.runtime), q.assumptions)
    notes = list(r.notes) + list(est.notes)
    ignored = [k for k in TEXT_ONLY_FIELDS if k in q.given]
    if ignored:
        notes.append(f"ignored for an image/video model: {', '.join(ignored)}")
    if r.kind == "image" and spec is not None and "frames" in spec.given:
        notes.append("frames ignored: this is an image model")
    if q.ignored:
        notes.append(f"ignored unknown field(s): {', '.join(q.ignored)}")
    srcs = [f"{e.path}#{s}" for e in (ment, r.hardware_entity) if e for s in e.source_ids()]
    return MediaAnswer(id=q.id, kind=r.kind, model_entity=ment, hardware_entity=r.hardware_entity,
                       runtime=r.runtime, quant=r.quant, settings=st, estimate=est,
                       commands=commands(ment, est, st, r.quant), sources=tuple(srcs), notes=tuple(notes),
                       assumptions=q.assumptions.as_dict())


def commands(e: Entity, est: DiffusionEstimate, st: MediaSettingsUsed, prec: str) -> dict[str, str]:
    """ComfyUI flags and a diffusers snippet with the offload call this configuration needs."""
    repo = next((a for a in e.aliases if "/" in a and not a.endswith((".safetensors", ".gguf"))), e.id)
    streamed = est.weights_streamed
    flag = " --novram" if streamed else {"none": "", "gpu": "", "gpu+cpu": " --lowvram"}.get(est.fits, " --novram")
    comfy = f"python main.py{flag}" + (" --fp8_e4m3fn-unet" if prec == "FP8" else "")
    if st.offload in ("sequential", "lowvram", "novram"):  # the mode asked for decides ComfyUI's flag
        comfy = "python main.py --novram" if st.offload == "novram" else "python main.py --lowvram"
        offload = "pipe.enable_sequential_cpu_offload()"
    elif est.fits == "gpu+cpu":
        offload = "pipe.enable_sequential_cpu_offload()" if streamed else "pipe.enable_model_cpu_offload()"
    elif st.offload == "model":
        offload = "pipe.enable_model_cpu_offload()"
    else:
        offload = 'pipe.to("cuda")'
    dtype = "torch.bfloat16" if prec in ("BF16", "FP8") else "torch.float16"
    extra = f", num_frames={st.frames}" if e.data["kind"] == "video" else f", num_images_per_prompt={st.batch}"
    snippet = (f"import torch; from diffusers import DiffusionPipeline; "
               f"pipe = DiffusionPipeline.from_pretrained('{repo}', torch_dtype={dtype}); {offload}; "
               f"pipe(prompt, width={st.width}, height={st.height}, num_inference_steps={st.steps}, "
               f"guidance_scale={st.cfg_scale}{extra})")
    return {"comfyui": comfy, "diffusers": snippet}
