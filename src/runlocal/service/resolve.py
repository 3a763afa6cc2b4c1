"""Names in a Question -> the catalog entities and engine specs they mean, resolved once per question."""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass

from ..catalog import build
from ..catalog.load import Catalog, Entity, load
from ..catalog.resolve import (
    ModelMatch,
    estimated_runtimes,
    resolve_hardware,
    resolve_model,
    resolve_runtime,
    runtime_key,
)
from ..errors import InvalidField, NotFound, RunlocalError, UnknownModel, UnsupportedQuestion
from ..estimate.diffusion import PRECISION_BYTES, DiffusionModel
from ..estimate.engine import RuntimeSpec
from ..estimate.specs import Machine, ModelSpec
from ..estimate.weights import UnknownQuant, known_quants, normalize_quant
from ..formats.arch_defaults import NO_LLAMACPP_ARCHS
from .question import HardwareObject, Kind, Question, looks_like_file

_CATALOG: Catalog | None = None


def catalog() -> Catalog:
    """The loaded catalog (once per process)."""
    global _CATALOG
    if _CATALOG is None:
        _CATALOG = load()
    return _CATALOG


def set_catalog(cat: Catalog | None) -> None:
    """Use `cat` for every later question (tests install a fixture catalog); None reloads data/ on demand."""
    global _CATALOG
    _CATALOG = cat


@dataclass(frozen=True, kw_only=True)
class ResolvedMachine:
    """The question's hardware as an engine Machine, with its catalog entry when it was named."""

    machine: Machine
    entity: Entity | None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Resolved:
    """Everything a question names, resolved: model, machine, runtime and quant."""

    kind: Kind
    model_entity: Entity | None
    model: ModelSpec | None
    """The language model's engine spec (None for image/video models)."""
    diffusion: DiffusionModel | None
    """The image/video model's engine spec (None for language models)."""
    hw: ResolvedMachine
    runtime: str
    """The runtime's engine key: 'llama.cpp', 'ollama', 'vllm', 'mlx' ... or 'comfyui', 'diffusers' ..."""
    runtime_spec: RuntimeSpec | None
    quant: str
    notes: tuple[str, ...] = ()
    command_entity: Entity | None = None
    """What launch commands name: a derivative's own repos and tags (ModelMatch.command_entity), else model_entity."""

    @property
    def machine(self) -> Machine:
        return self.hw.machine

    @property
    def hardware_entity(self) -> Entity | None:
        return self.hw.entity


def named_gpu_count(hardware: object) -> int:
    """GPUs a hardware name itself gives ("8x H100", "a2-highgpu-8g"), 1 when it gives none or is not a name; a name
    that does not resolve is left to the question's own resolution to report."""
    if not isinstance(hardware, str):
        return 1
    try:
        return resolve_hardware(catalog(), hardware).count or 1
    except RunlocalError:
        return 1


def resolve_machine(q: Question) -> ResolvedMachine:
    """The question's hardware (a name or a contract hardware object) as an engine Machine."""
    cat = catalog()
    asm = q.assumptions
    h = q.hardware
    if isinstance(h, str):
        hm = resolve_hardware(cat, h)
        count = q.gpu_count
        if hm.count and not 1 <= hm.count <= 64:
            raise InvalidField(f"hardware names {hm.count} GPUs; gpu_count must be between 1 and 64")
        if hm.count and "gpu_count" not in q.given:
            count = hm.count  # "2x RTX 3090": the name says how many
        elif hm.count and hm.count != q.gpu_count:
            raise InvalidField(f"hardware names {hm.count} GPUs but gpu_count is {q.gpu_count}")
        machine, notes = build.machine(hm.entity, memory_gb=hm.memory_gb, gpu_count=count, asm=asm,
                                       ram_gb=q.ram_gb)
        if hm.how == "cloud instance":
            notes = [f"{h.strip()[:60]}: {count} x {hm.entity.name}", *notes]
        machine, more = _with_backend(machine, q.backend)
        return ResolvedMachine(machine=machine, entity=hm.entity, notes=tuple(notes) + more)
    if not isinstance(h, HardwareObject):
        raise InvalidField("hardware is required: a name or an object")
    base = None
    gname = h.gpus[0].name if h.gpus else None
    if gname:
        try:
            hm = resolve_hardware(cat, gname)
            base, _ = build.machine(hm.entity, memory_gb=None, gpu_count=1, asm=asm)
        except RunlocalError:
            base = None
    return ResolvedMachine(machine=build.inline_machine(h.raw, gpu_count=q.gpu_count, asm=asm, base=base),
                           entity=None)


def _with_backend(machine: Machine, backend: str | None) -> tuple[Machine, tuple[str, ...]]:
    """The machine with its GPUs on another backend (a Radeon on Vulkan instead of ROCm), when asked."""
    import dataclasses

    if backend is None or not machine.gpus or machine.gpus[0].backend == backend:
        return machine, ()
    usual = machine.gpus[0].backend
    compatible = {"cuda": {"cuda", "vulkan"}, "rocm": {"rocm", "vulkan"}, "metal": {"metal", "vulkan"},
                  "sycl": {"sycl", "vulkan"}, "vulkan": {"vulkan"}}
    vendor = machine.gpus[0].vendor
    if usual == "vulkan" and vendor in ("amd", "intel"):  # Radeon iGPUs (Strix Halo) also run ROCm; Arc iGPUs SYCL
        compatible["vulkan"] = {"vulkan", "rocm" if vendor == "amd" else "sycl"}
    if backend != "cpu" and backend not in compatible.get(usual, {usual}):
        raise InvalidField(f"{backend} does not run on this hardware (its backend is {usual})",
                           sorted(compatible.get(usual, {usual})))
    if backend == "cpu":
        raise InvalidField("backend cpu: ask for the machine's CPU (a CPU-only hardware entry) instead")
    gpus = tuple(dataclasses.replace(g, backend=backend) for g in machine.gpus)
    return dataclasses.replace(machine, gpus=gpus), (f"backend: {backend} instead of the usual {usual}",)


def inline_model(obj: dict[str, object]) -> ModelSpec:
    """A model given as the fields of a Hugging Face config.json (plus `params`)."""
    from ..formats.hfconfig import arch_from_config

    try:
        arch, params, active = arch_from_config(obj)
    except KeyError as exc:
        raise InvalidField(f"model object is missing {exc.args[0]!r} (config.json fields: hidden_size, "
                           "num_attention_heads, num_hidden_layers, vocab_size, ...)") from exc
    except (TypeError, ValueError, ZeroDivisionError, OverflowError) as exc:
        raise InvalidField(f"model object has a value that cannot be used: {exc}") from exc
    problems = arch.problems()
    if problems:
        raise InvalidField("model object: " + "; ".join(problems))
    return ModelSpec(None, str(obj.get("name") or obj.get("_name_or_path") or "custom model"), arch,
                     params, active)


def _text_runtime(cat: Catalog, name: str | None, quant_in: str | None) -> Entity:
    """The runtime named, or the one that reads this quant (the first runtime of its data file's list)."""
    if name is not None:
        try:
            e = resolve_runtime(cat, name)
        except NotFound as exc:
            raise InvalidField(f"unknown runtime {name!r}", exc.suggestions) from exc
        placement = (e.data.get("estimate") or {}).get("placement")
        if placement == "diffusion":
            raise UnsupportedQuestion(f"{runtime_key(e)} runs image/video models; this model is a language model")
        if placement is None and e.data.get("loads_through"):
            return _loader(cat, e, quant_in)
        if placement is None:
            raise InvalidField(f"runtime {e.name!r} is in the catalog, but the engine does not estimate it yet",
                               [runtime_key(r) for r in estimated_runtimes(cat, diffusion=False)])
        if runtime_key(e) == "lmstudio" and quant_in and quant_in.upper().startswith("MLX"):
            by_key, _ = _runtime_tables(cat)
            if "mlx" in by_key:  # LM Studio on a Mac runs MLX files on its MLX engine (mlx-engine, MLX itself)
                return by_key["mlx"]
        return e
    by_key, by_quant = _runtime_tables(cat)
    if quant_in:
        try:
            qn = normalize_quant(quant_in)
        except UnknownQuant:
            qn = ""
        if qn in by_quant:
            return by_quant[qn]
        for fam, keys in (("EXL2", ("tabbyapi", "exllamav2")), ("EXL3", ("tabbyapi", "exllamav3"))):
            if qn.startswith(f"{fam}-"):
                hit = next((by_key[k] for k in keys if k in by_key), None)
                if hit is not None:
                    return hit
    return by_key["llama.cpp"]


def _loader(cat: Catalog, front: Entity, quant_in: str | None) -> Entity:
    """The engine a front end (a UI that runs no model itself: text-generation-webui, Open WebUI, Msty) loads this
    quant through: the first of its data file's `loads_through` engines whose own quant list reads it (the first
    one when no quant is asked)."""
    by_key, _ = _runtime_tables(cat)
    engines = [by_key[k] for k in front.data["loads_through"] if k in by_key]
    if not engines:
        raise InvalidField(f"runtime {front.name!r} loads models through engines the catalog does not estimate")
    if not quant_in:
        return engines[0]
    qn = normalize_quant_safe(quant_in)
    for eng in engines:
        if qn and qn in {normalize_quant_safe(x) for x in eng.data.get("quants", [])}:
            return eng
        if qn.startswith("EXL2-") and runtime_key(eng) == "exllamav2" or \
                qn.startswith("EXL3-") and runtime_key(eng) == "exllamav3":
            return eng
    raise InvalidField(f"{front.name} has no loader for quant {quant_in!r}",
                       sorted({str(x) for eng in engines for x in eng.data.get("quants", [])})[:12])


_TABLES: dict[int, tuple[Catalog, dict[str, Entity], dict[str, Entity]]] = {}


def _runtime_tables(cat: Catalog) -> tuple[dict[str, Entity], dict[str, Entity]]:
    """Per catalog, built once: engine key -> text runtime, and quant -> the first estimated runtime its data
    file lists (the runtime that reads that quant when the question names none)."""
    hit = _TABLES.get(id(cat))
    if hit is None or hit[0] is not cat:
        by_key = {runtime_key(e): e for e in estimated_runtimes(cat, diffusion=False)}
        by_quant: dict[str, Entity] = {}
        for qe in sorted(cat.quants.values(), key=lambda e: e.id):
            runtime = next((by_key[r] for r in qe.data.get("runtimes", []) if r in by_key), None)
            for spelling in (qe.name, *qe.aliases):
                qn = normalize_quant_safe(spelling)
                if qn and runtime is not None:
                    by_quant.setdefault(qn, runtime)
        hit = (cat, by_key, by_quant)
        _TABLES.clear()
        _TABLES[id(cat)] = hit
    return hit[1], hit[2]


def normalize_quant_safe(name: str) -> str:
    try:
        return normalize_quant(name)
    except UnknownQuant:
        return ""


def _default_quant(rt: Entity, ment: Entity | None) -> str:
    """The model's own usual quant where this runtime reads it, else the runtime's default (data files)."""
    pref = str(ment.data.get("default_quant")) if ment and ment.data.get("default_quant") else None
    placement = rt.data["estimate"]["placement"]
    if pref and placement == "llamacpp":
        return pref
    if pref and pref.upper() == "MXFP4" and runtime_key(rt) in ("vllm", "transformers"):
        return "MXFP4"  # gpt-oss ships in MXFP4 for every runtime
    return str(rt.data.get("default_quant") or "Q4_K_M")


def _quant(quant_in: str) -> str:
    try:
        return normalize_quant(quant_in)
    except UnknownQuant as exc:
        close = difflib.get_close_matches(quant_in.upper(), known_quants(), n=5, cutoff=0.4)
        raise InvalidField(f"unknown quant {quant_in!r}", close or known_quants()) from exc


def model_match(q: Question) -> ModelMatch | None:
    """The catalog match of a question's model name (None for files and config objects): the entry, a quant in the
    name, and for a derivative (a fine-tune answered as its base) its note and any context of its own."""
    if isinstance(q.model, str) and not q.model_is_file:
        cat = catalog()
        name = q.model.strip()
        if (q.runtime or "").lower() == "ollama" and name and not any(c in name for c in ":/\\ "):
            # a bare Ollama name pulls its `latest` tag, which can be a smaller model than the family's namesake
            # (`deepseek-r1` is the 8B distill there, not the 671B model)
            try:
                latest = resolve_model(cat, f"{name}:latest")
            except UnknownModel:
                latest = None
            if latest is not None:
                bare = resolve_model(cat, name)
                if bare.entity.id != latest.entity.id:
                    note = (f"Ollama's `{name}` is its `{name}:latest` tag, {latest.entity.name}: answered as that, "
                            f"not {bare.entity.name}")
                    return dataclasses.replace(latest, derivative=latest.derivative or note)
                return bare
        return resolve_model(cat, q.model)
    return None


def resolve(q: Question, *, hw: ResolvedMachine | None = None) -> Resolved:
    """Resolve a question once: model, machine (or the one given, reused across questions), runtime, quant."""
    cat = catalog()
    match = model_match(q)
    ment, name_quant, derived = (match.entity, match.quant, match.derivative) if match else (None, None, None)
    kind = str(ment.data.get("kind", "text")) if ment else "text"
    if kind in ("image", "video"):
        media = _resolve_media(q, ment, kind, hw)  # type: ignore[arg-type]
        return dataclasses.replace(media, notes=(derived, *media.notes)) if derived else media
    if q.image is not None or q.video is not None:
        raise InvalidField("image/video settings were given for a language model")
    if ment is not None:
        model = build.model_spec(ment)
        if match is not None and match.context_length:  # a derivative with a context of its own
            model = dataclasses.replace(model, arch=dataclasses.replace(model.arch,
                                                                        context_length=match.context_length))
    elif isinstance(q.model, str):
        from ..formats.load import model_spec_from_path

        model = model_spec_from_path(q.model)
        name_quant = model.file_quant
    else:
        model = inline_model(q.model)
    hw = hw or resolve_machine(q)
    extra_notes: tuple[str, ...] = (derived,) if derived else ()
    if model.arch.arch in NO_LLAMACPP_ARCHS:
        extra_notes += (f"llama.cpp has no {model.arch.arch} architecture (no GGUF conversion): the figures are what "
                        f"its shapes would cost; run it with transformers or vLLM"
                        + (" (Ollama runs it with its own engine)" if model.arch.arch == "mllama" else ""),)
    if isinstance(q.model, dict):
        from ..formats.hfconfig import known_architecture

        named = q.model.get("architectures") or q.model.get("model_type")
        if known_architecture(q.model) is None and named:
            shown = named[0] if isinstance(named, list) and named else named
            extra_notes = (f"architecture {str(shown)[:80]!r} is not one the engine models: read as a plain "
                           "llama-style transformer from its sizes, so treat the figures as approximate",)
    quant_in = q.quant or name_quant
    rt = _text_runtime(cat, q.runtime, quant_in)
    quant = _quant(quant_in or _default_quant(rt, ment))
    key = runtime_key(rt)
    if key == "mlx" and q.runtime and q.runtime.strip().lower().replace(" ", "") in ("lmstudio", "lm-studio"):
        extra_notes += ("LM Studio runs MLX files on its MLX engine: answered for MLX",)
    if q.runtime and rt.data.get("estimate") and not resolve_runtime(cat, q.runtime).data.get("estimate"):
        front = resolve_runtime(cat, q.runtime)
        extra_notes += (f"{front.name} runs no model itself: answered for {rt.name}, the engine it loads "
                        f"{quant} files through",)
    if key == "mlx" and quant == "MXFP4_MOE":
        quant = "MLX-MXFP4"  # MXFP4 weights on MLX are mlx-community's MXFP4 conversion
    return Resolved(kind="text", model_entity=ment, command_entity=match.command_entity() if match else ment,
                    model=model, diffusion=None, hw=hw, runtime=key,
                    runtime_spec=build.runtime_spec(rt), quant=quant, notes=hw.notes + extra_notes)


# Precision spellings people use for diffusion weights -> the engine's names.
_PREC_ALIASES = {"F16": "FP16", "FP16": "FP16", "BF16": "BF16", "F32": "FP32", "FP32": "FP32", "FP8": "FP8",
                 "FP8_E4M3": "FP8", "Q8_0": "Q8_0", "Q6_K": "Q6_K", "Q5_K_M": "Q5_K_M", "Q5_0": "Q5_0",
                 "Q4_K_M": "Q4_K_M", "Q4_0": "Q4_0", "Q3_K_M": "Q3_K_M", "NF4": "NF4", "GGUF-Q8": "Q8_0",
                 "GGUF-Q4": "Q4_K_M", "GGUF-Q5": "Q5_K_M"}


def precision(quant: str | None, e: Entity) -> str:
    """The denoiser precision asked for (or the model's default), in the engine's spelling."""
    df = e.data.get("diffusion", {})
    prec_in = str(quant or df.get("default_precision") or "FP16").upper()
    prec = _PREC_ALIASES.get(prec_in)
    if prec is None or prec not in PRECISION_BYTES:
        raise InvalidField(f"unknown precision {prec_in!r} for a diffusion model", sorted(_PREC_ALIASES))
    return prec


def _resolve_media(q: Question, ment: Entity, kind: Kind, hw: ResolvedMachine | None) -> Resolved:
    other = q.image if kind == "video" else q.video
    if other is not None:
        raise InvalidField(f"{ment.id} is a {kind} model: use the '{kind}' field")
    cat = catalog()
    name = (q.runtime or "comfyui").lower()
    media_runtimes = estimated_runtimes(cat, diffusion=True)
    try:
        rt = resolve_runtime(cat, name)
    except NotFound:
        rt = None
    if rt is None or rt not in media_runtimes:
        raise UnsupportedQuestion(f"{name} does not run image/video models; use one of "
                                  f"{', '.join(runtime_key(r) for r in media_runtimes)}")
    quant = precision(q.quant, ment)
    hw = hw or resolve_machine(q)
    notes = hw.notes
    if runtime_key(rt) == "coreml-stable-diffusion":
        gpus = hw.machine.gpus
        if not gpus or gpus[0].backend != "metal":
            raise UnsupportedQuestion("Core ML Stable Diffusion runs on Apple silicon (Mac, iPad, iPhone) only")
        notes = notes + ("Core ML: the estimate is for the GPU; with the Neural Engine (CPU_AND_NE) and palettized "
                         "weights Apple's published runs are 3-5x faster, which the engine does not model yet",)
    return Resolved(kind=kind, model_entity=ment, model=None, diffusion=build.diffusion_model(ment), hw=hw,
                    runtime=runtime_key(rt), runtime_spec=None, quant=quant, notes=notes)


def model_kind(name: str) -> Kind:
    """'text', 'image' or 'video' for a model name; 'text' for files, config objects and unknown names
    (an unknown name then gets its error, with suggestions, when the question is answered)."""
    if looks_like_file(name):
        return "text"
    try:
        kind = str(resolve_model(catalog(), name).entity.data.get("kind", "text"))
    except RunlocalError:
        return "text"
    return "image" if kind == "image" else "video" if kind == "video" else "text"
