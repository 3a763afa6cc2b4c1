"""A batch-contract question, parsed and validated once into a typed, frozen `Question`.

Every bound on a value that comes from outside lives here (one validator per value type, one rule:
`lo <= v <= hi`, with `above=True` where zero makes no sense). Nothing after `parse` re-reads the dict.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..errors import InvalidField, UnsupportedQuestion
from ..estimate.specs import MAX_BANDWIDTH_GB_S, MAX_MEMORY_GB, MAX_TFLOPS
from ..estimate.workload import DEFAULT_WORKLOAD, Workload

if TYPE_CHECKING:
    from ..estimate.assumptions import Assumptions

Fits = Literal["gpu", "gpu+cpu", "cpu", "no"]
Bound = Literal["memory", "compute", "pcie"]
Kind = Literal["text", "image", "video"]
OffloadMode = Literal["none", "model", "sequential", "lowvram", "novram"]
OFFLOAD_MODES: tuple[OffloadMode, ...] = ("none", "model", "sequential", "lowvram", "novram")

QUESTION_FIELDS = frozenset({
    "id", "model", "hardware", "gpu_count", "runtime", "quant", "context_tokens", "depth_tokens",
    "prompt_tokens", "kv_cache_type", "parallel", "image", "video", "flash_attention", "assume",
    "ram_gb", "use_published_sizes", "offload", "backend", "build_date",
})
BACKENDS = ("cuda", "rocm", "metal", "vulkan", "sycl", "cpu")
"""The GPU backends a question may ask for (a Radeon on Vulkan rather than ROCm, an NVIDIA card on Vulkan, ...)."""
TEXT_ONLY_FIELDS = ("context_tokens", "depth_tokens", "prompt_tokens", "kv_cache_type", "parallel")
MAX_TOKENS = 100_000_000
MAX_NAME = 1_000
KV_TYPES = ("f16", "bf16", "q8_0", "q4_0", "fp8", "f32")


@dataclass(frozen=True, kw_only=True)
class GpuObject:
    """One entry of an inline hardware object's `gpus` list (every field optional)."""

    name: str | None = None
    memory_gb: float | None = None
    memory_bandwidth_gb_s: float | None = None
    fp16_tflops: float | None = None


@dataclass(frozen=True, kw_only=True)
class HardwareObject:
    """Hardware given field by field instead of by name (the contract's hardware object)."""

    gpus: tuple[GpuObject, ...] = ()
    ram_gb: float | None = None
    ram_bandwidth_gb_s: float | None = None
    cpu_cores: int = 8
    cpu_simd: str | None = None
    raw: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class MediaSettings:
    """Image/video settings; None means the model's own default (native size, usual steps and CFG)."""

    width: int | None = None
    height: int | None = None
    steps: int | None = None
    cfg_scale: float | None = None
    batch: int = 1
    frames: int | None = None
    offload: OffloadMode = "none"
    vae_tiling: bool = False
    sampler: str = "euler"
    given: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class Question:
    """One question, typed. `model` is a catalog name, a file/hf: path or a config.json object."""

    id: Any = None
    model: str | dict[str, Any]
    model_is_file: bool = False
    hardware: str | HardwareObject | None
    gpu_count: int = 1
    ram_gb: float | None = None
    runtime: str | None = None
    quant: str | None = None
    workload: Workload = DEFAULT_WORKLOAD
    image: MediaSettings | None = None
    video: MediaSettings | None = None
    use_published_sizes: bool = True
    backend: str | None = None
    """The accelerator's backend when not its usual one (Vulkan on a Radeon, ...); None: the hardware's own."""
    context_auto: bool = False
    """context_tokens "auto": the context the runtime would choose itself (the model's trained length, reduced to
    what fits the way llama.cpp's --fit and vLLM's max_model_len check do), instead of the contract's 4,096."""
    assumptions: Assumptions
    given: frozenset[str] = frozenset()
    """Fields the question set explicitly (for 'ignored for an image model' notes)."""
    ignored: tuple[str, ...] = ()
    """Fields this version does not know (a newer client may send more); named in the answer's notes."""


# --- validators: one per value type ---------------------------------------------------------------------

def integer(v: Any, name: str, default: int, lo: int, hi: int) -> int:
    """An integer field within [lo, hi]; None -> default."""
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, int | float) or v != v or int(v) != v:
        raise InvalidField(f"{name} must be an integer, got {v!r}")
    if not lo <= int(v) <= hi:
        raise InvalidField(f"{name} must be between {lo} and {hi}, got {v}")
    return int(v)


def number(v: Any, name: str, lo: float, hi: float, *, above: bool = False) -> float | None:
    """A number field within [lo, hi] (or (lo, hi] with above=True); None stays None."""
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or v != v:
        raise InvalidField(f"{name} must be a number, got {v!r}")
    low_ok = float(v) > lo if above else float(v) >= lo
    if not (low_ok and float(v) <= hi):
        raise InvalidField(f"{name} must be {'above' if above else 'at least'} {lo:g} and at most {hi:g}, "
                           f"got {v}")
    return float(v)


def text(v: Any, name: str, *, limit: int = MAX_NAME) -> str | None:
    """A string field of at most `limit` characters; None stays None."""
    if v is None:
        return None
    if not isinstance(v, str):
        raise InvalidField(f"{name} must be a string")
    if len(v) > limit:
        raise InvalidField(f"{name} is longer than {limit:,} characters")
    return v


def flag(v: Any, name: str) -> bool | None:
    if v is None:
        return None
    if not isinstance(v, bool):
        raise InvalidField(f"{name} must be true or false")
    return v


def parse_assumptions(assume: Any) -> Assumptions:
    """The `assume` object (name: value overrides) applied to the engine's defaults."""
    from ..estimate.assumptions import DEFAULT

    if not assume:
        return DEFAULT
    if not isinstance(assume, dict):
        raise InvalidField("assume must be an object of name: value pairs")
    for k, v in assume.items():
        vals = v if isinstance(v, list) else [v]
        if not vals or any(isinstance(x, bool) or not isinstance(x, int | float) for x in vals):
            raise InvalidField(f"assume.{k} must be a number (or a list of two for a range), got {v!r}")
    try:
        return DEFAULT.replace(**assume)
    except KeyError as exc:
        raise InvalidField(f"unknown assumption {exc.args[0]!r}", sorted(DEFAULT.as_dict())) from exc
    except (TypeError, ValueError) as exc:
        raise InvalidField(f"bad assumption value: {exc}") from exc


def looks_like_file(m: str) -> bool:
    """A local GGUF/safetensors file or folder that exists, or an hf:ORG/REPO[:FILE] reference."""
    if m.startswith("hf:"):
        return True
    low = m.lower()
    return (low.endswith((".gguf", ".safetensors", "/")) or os.sep in m) and os.path.exists(m)


def _hardware(h: Any) -> str | HardwareObject:
    if isinstance(h, str) and h.strip():
        return text(h, "hardware") or ""
    if not isinstance(h, dict):
        raise InvalidField("hardware is required: a name or an object")
    gpus = h.get("gpus", [])
    if gpus is not None and (not isinstance(gpus, list) or len(gpus) > 64):
        raise InvalidField("hardware.gpus must be a list of at most 64 objects")
    out: list[GpuObject] = []
    for g in gpus or []:
        if not isinstance(g, dict):
            raise InvalidField("each hardware.gpus entry must be an object")
        out.append(GpuObject(
            name=text(g.get("name"), "hardware.gpus[].name"),
            memory_gb=number(g.get("memory_gb"), "hardware.gpus[].memory_gb", 0, MAX_MEMORY_GB, above=True),
            memory_bandwidth_gb_s=number(g.get("memory_bandwidth_gb_s"), "hardware.gpus[].memory_bandwidth_gb_s",
                                         0, MAX_BANDWIDTH_GB_S, above=True),
            fp16_tflops=number(g.get("fp16_tflops"), "hardware.gpus[].fp16_tflops", 0, MAX_TFLOPS, above=True)))
    if len({(g.name, g.memory_gb, g.memory_bandwidth_gb_s, g.fp16_tflops) for g in out}) > 1:
        raise UnsupportedQuestion("GPUs that differ are not modelled yet: list one GPU and set gpu_count "
                                  "(a 24 GB and an 8 GB card would otherwise be sized as two of the first)")
    return HardwareObject(
        gpus=tuple(out),
        ram_gb=number(h.get("ram_gb"), "hardware.ram_gb", 0, MAX_MEMORY_GB, above=True),
        ram_bandwidth_gb_s=number(h.get("ram_bandwidth_gb_s"), "hardware.ram_bandwidth_gb_s", 0,
                                  MAX_BANDWIDTH_GB_S, above=True),
        cpu_cores=integer(h.get("cpu_cores"), "cpu_cores", 8, 1, 4096), cpu_simd=_simd(h.get("cpu_simd")), raw=h)


CPU_SIMD = ("avx512", "avx2", "neon", "scalar")


def _simd(v: Any) -> str | None:
    s = text(v, "hardware.cpu_simd", limit=16)
    if s is not None and s.lower() not in CPU_SIMD:
        raise InvalidField(f"hardware.cpu_simd: one of {', '.join(CPU_SIMD)}, not {s!r}", list(CPU_SIMD))
    return s.lower() if s else None


def _date(v: Any, name: str) -> str | None:
    """An ISO date (YYYY-MM-DD, or YYYY-MM meaning that month's first day) between 2023 and 2099; None stays None."""
    import datetime

    s = text(v, name, limit=10)
    if s is None:
        return None
    s = s + "-01" if re.fullmatch(r"\d{4}-\d{2}", s) else s
    try:
        d = datetime.date.fromisoformat(s) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s) else None
    except ValueError:
        d = None
    if d is None or not 2023 <= d.year <= 2099:
        raise InvalidField(f"{name} must be a date YYYY-MM-DD (2023 or later), got {v!r}")
    return d.isoformat()


def _backend(v: Any) -> str | None:
    b = text(v, "backend", limit=16)
    if b is None:
        return None
    if b.lower() not in BACKENDS:
        raise InvalidField(f"backend must be one of {', '.join(BACKENDS)}, got {b!r}", list(BACKENDS))
    return b.lower()


def _media(spec: Any, kind: str, top_offload: Any) -> MediaSettings | None:
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise InvalidField(f"{kind} must be an object")
    offload = spec.get("offload", top_offload if top_offload is not None else "none")
    if offload not in OFFLOAD_MODES:
        raise InvalidField(f"offload must be one of {', '.join(OFFLOAD_MODES)}", list(OFFLOAD_MODES))
    w = integer(spec.get("width"), "width", 0, 64, 8192) or None
    h = integer(spec.get("height"), "height", 0, 64, 8192) or None
    for v in (w, h):
        if v is not None and v % 8:
            raise InvalidField(f"width and height must be multiples of 8 (the VAE's scale), got {w}x{h}")
    steps = integer(spec.get("steps"), "steps", 0, 1, 1000) or None
    frames = integer(spec.get("frames"), "frames", 0, 1, 2000) or None
    return MediaSettings(
        width=w, height=h, steps=steps, cfg_scale=number(spec.get("cfg_scale"), "cfg_scale", 0.0, 100.0),
        batch=integer(spec.get("batch"), "batch", 1, 1, 64), frames=frames, offload=offload,
        vae_tiling=bool(flag(spec.get("vae_tiling"), "vae_tiling")),
        sampler=text(spec.get("sampler"), "sampler", limit=64) or "euler", given=frozenset(spec))


def parse(q: Any) -> Question:
    """The one place a question dict becomes a Question; raises InvalidField with the field's name."""
    if not isinstance(q, dict):
        raise InvalidField("each line must be a JSON object")
    ignored = tuple(sorted(set(q) - QUESTION_FIELDS))
    given = frozenset(k for k in q if k in QUESTION_FIELDS and q[k] is not None)
    asm = parse_assumptions(q.get("assume"))
    m = q.get("model")
    if isinstance(m, str) and m.strip():
        name = text(m, "model") or ""
        model: str | dict[str, Any] = name
        is_file = looks_like_file(name)
    elif isinstance(m, dict):
        model, is_file = m, False
    else:
        raise InvalidField("model is required: a name or a config.json object")
    gpu_count = integer(q.get("gpu_count"), "gpu_count", 1, 1, 64)
    d = DEFAULT_WORKLOAD
    kv = text(q.get("kv_cache_type"), "kv_cache_type", limit=32) or d.kv_cache_type
    context_auto = q.get("context_tokens") == "auto"
    workload = Workload(
        context_tokens=integer(None if context_auto else q.get("context_tokens"), "context_tokens",
                               d.context_tokens, 1, MAX_TOKENS),
        depth_tokens=integer(q.get("depth_tokens"), "depth_tokens", d.depth_tokens, 0, MAX_TOKENS),
        prompt_tokens=integer(q.get("prompt_tokens"), "prompt_tokens", d.prompt_tokens, 1, MAX_TOKENS),
        parallel=integer(q.get("parallel"), "parallel", d.parallel, 1, 4096),
        kv_cache_type=kv.lower(), flash_attention=flag(q.get("flash_attention"), "flash_attention"),
        build_date=_date(q.get("build_date"), "build_date"))
    return Question(
        id=q.get("id"), model=model, model_is_file=is_file, hardware=_hardware(q.get("hardware")),
        gpu_count=gpu_count, ram_gb=number(q.get("ram_gb"), "ram_gb", 0, MAX_MEMORY_GB, above=True),
        runtime=text(q.get("runtime"), "runtime", limit=100), quant=text(q.get("quant"), "quant", limit=100),
        workload=workload, image=_media(q.get("image"), "image", q.get("offload")),
        video=_media(q.get("video"), "video", q.get("offload")),
        use_published_sizes=flag(q.get("use_published_sizes"), "use_published_sizes") is not False,
        backend=_backend(q.get("backend")), context_auto=context_auto, assumptions=asm, given=given,
        ignored=ignored)
