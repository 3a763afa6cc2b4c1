"""The questions users ask, answered from the catalog and the engine. Every edge (CLI, web, API) calls
these functions; they return plain JSON-ready dicts and raise RunlocalError subclasses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..catalog import build
from ..catalog.load import Catalog, Entity, load
from ..catalog.resolve import resolve_hardware, resolve_model
from ..errors import InvalidField, RunlocalError, UnsupportedQuestion
from ..estimate.assumptions import DEFAULT, Assumptions
from ..estimate.engine import RUNTIMES, Estimate, Query, Unsupported, default_quant, estimate
from ..estimate.memory import UnknownKVType
from ..estimate.specs import Machine, ModelSpec
from ..estimate.weights import UnknownQuant, known_quants, normalize_quant
from .commands import commands

_CATALOG: Catalog | None = None

QUESTION_FIELDS = {
    "id", "model", "hardware", "gpu_count", "runtime", "quant", "context_tokens", "depth_tokens",
    "prompt_tokens", "kv_cache_type", "parallel", "image", "video", "flash_attention", "assume",
    "ram_gb", "use_published_sizes", "offload",
}
RUNTIME_ALIASES = {"llamacpp": "llama.cpp", "llama-cpp": "llama.cpp", "llama_cpp": "llama.cpp",
                   "llama-server": "llama.cpp", "lm-studio": "lmstudio", "lm studio": "lmstudio",
                   "mlx-lm": "mlx", "mlx_lm": "mlx", "hf": "transformers"}


def catalog() -> Catalog:
    """The loaded catalog (once per process)."""
    global _CATALOG
    if _CATALOG is None:
        _CATALOG = load()
    return _CATALOG


def set_catalog(cat: Catalog | None) -> None:
    global _CATALOG
    _CATALOG = cat


@dataclass
class Resolved:
    model: ModelSpec
    model_entity: Entity | None
    machine: Machine
    hardware_entity: Entity | None
    quant: str
    runtime: str
    notes: list[str]


def parse_assumptions(assume: dict[str, Any] | None) -> Assumptions:
    if not assume:
        return DEFAULT
    if not isinstance(assume, dict):
        raise InvalidField("assume must be an object of name: value pairs")
    try:
        return DEFAULT.replace(**assume)
    except KeyError as exc:
        raise InvalidField(f"unknown assumption {exc.args[0]!r}",
                           sorted(DEFAULT.as_dict())) from exc
    except (TypeError, ValueError) as exc:
        raise InvalidField(f"bad assumption value: {exc}") from exc


def _int_field(q: dict[str, Any], name: str, default: int, lo: int = 0, hi: int = 10_000_000) -> int:
    v = q.get(name, default)
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, int | float) or int(v) != v:
        raise InvalidField(f"{name} must be an integer, got {v!r}")
    if not lo <= int(v) <= hi:
        raise InvalidField(f"{name} must be between {lo} and {hi}, got {v}")
    return int(v)


def _num_field(v: Any, name: str, lo: float, hi: float) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or v != v:
        raise InvalidField(f"{name} must be a number, got {v!r}")
    if not lo < float(v) <= hi:
        raise InvalidField(f"{name} must be above {lo:g} and at most {hi:g}, got {v}")
    return float(v)


def _check_hardware_object(h: dict[str, Any]) -> None:
    gpus = h.get("gpus", [])
    if gpus is not None and (not isinstance(gpus, list) or len(gpus) > 64):
        raise InvalidField("hardware.gpus must be a list of at most 64 objects")
    for g in gpus or []:
        if not isinstance(g, dict):
            raise InvalidField("each hardware.gpus entry must be an object")
        _num_field(g.get("memory_gb"), "hardware.gpus[].memory_gb", 0, 100_000)
        _num_field(g.get("memory_bandwidth_gb_s"), "hardware.gpus[].memory_bandwidth_gb_s", 0, 1_000_000)
        _num_field(g.get("fp16_tflops"), "hardware.gpus[].fp16_tflops", 0, 1_000_000)
        if g.get("name") is not None and not isinstance(g.get("name"), str):
            raise InvalidField("hardware.gpus[].name must be a string")
    _num_field(h.get("ram_gb"), "hardware.ram_gb", 0, 1_000_000)
    _num_field(h.get("ram_bandwidth_gb_s"), "hardware.ram_bandwidth_gb_s", 0, 1_000_000)
    _int_field(h, "cpu_cores", 8, 1, 4096)


def _looks_like_file(m: str) -> bool:
    import os

    if m.startswith("hf:"):
        return True
    low = m.lower()
    return (low.endswith((".gguf", ".safetensors", "/")) or os.sep in m) and os.path.exists(m)


def resolve_machine(q: dict[str, Any], asm: Assumptions) -> tuple[Machine, Entity | None, list[str]]:
    """The question's hardware (a name or a contract hardware object) as an engine Machine."""
    cat = catalog()
    notes: list[str] = []
    gpu_count = _int_field(q, "gpu_count", 1, 1, 64)
    h = q.get("hardware")
    hent: Entity | None = None
    if isinstance(h, str) and h.strip():
        hm = resolve_hardware(cat, h)
        hent = hm.entity
        machine, mnotes = build.machine(hent, memory_gb=hm.memory_gb, gpu_count=gpu_count, asm=asm,
                                        ram_gb=_num_field(q.get("ram_gb"), "ram_gb", 0, 1_000_000))
        notes += mnotes
    elif isinstance(h, dict):
        _check_hardware_object(h)
        base = None
        gpus = h.get("gpus") or []
        gname = gpus[0].get("name") if gpus and isinstance(gpus[0], dict) else None
        if gname:
            try:
                hm = resolve_hardware(cat, str(gname))
                hent = hm.entity
                base, _ = build.machine(hent, memory_gb=None, gpu_count=1, asm=asm)
            except RunlocalError:
                base = None
        machine = build.inline_machine(h, gpu_count=gpu_count, asm=asm, base=base)
        hent = None
    else:
        raise InvalidField("hardware is required: a name or an object")

    return machine, hent, notes


def resolve(q: dict[str, Any], asm: Assumptions) -> Resolved:
    """Names in a question -> engine specs, with the defaults the contract sets."""
    cat = catalog()
    notes: list[str] = []
    m = q.get("model")
    name_quant: str | None = None
    ment: Entity | None = None
    if isinstance(m, str) and _looks_like_file(m):
        # A local GGUF/safetensors file or folder, or hf:ORG/REPO[:FILE]: exact tensor table.
        from ..formats.load import model_spec_from_path

        model = model_spec_from_path(m)
        name_quant = model.file_quant
    elif isinstance(m, str) and m.strip():
        match = resolve_model(cat, m)
        ment = match.entity
        name_quant = match.quant
        model = build.model_spec(ment)
    elif isinstance(m, dict):
        model = build.inline_model(m)
    else:
        raise InvalidField("model is required: a name or a config.json object")

    machine, hent, mnotes = resolve_machine(q, asm)
    notes += mnotes

    runtime = q.get("runtime")
    if runtime is not None:
        if not isinstance(runtime, str):
            raise InvalidField("runtime must be a string")
        runtime = RUNTIME_ALIASES.get(runtime.lower(), runtime.lower())
        if runtime in ("diffusers", "comfyui", "automatic1111"):
            raise UnsupportedQuestion(f"{runtime} runs image/video models; this model is a language model")
        if runtime not in RUNTIMES:
            raise InvalidField(f"unknown runtime {q.get('runtime')!r}", list(RUNTIMES))
    quant_in = q.get("quant") or name_quant
    if quant_in is not None and not isinstance(quant_in, str):
        raise InvalidField("quant must be a string")
    if runtime is None:
        if quant_in:
            try:
                qn = normalize_quant(quant_in)
            except UnknownQuant:
                qn = ""
            runtime = ("mlx" if qn.startswith("MLX") else
                       "vllm" if qn in ("AWQ-INT4", "GPTQ-INT4", "GPTQ-INT8", "FP8") else "llama.cpp")
        else:
            runtime = "llama.cpp"
    if quant_in is None:
        pref = ment.data.get("default_quant") if ment else None
        quant_in = default_quant(runtime, model, pref)
        if pref and pref.upper() == "MXFP4" and runtime in ("vllm", "transformers"):
            quant_in = "MXFP4"  # gpt-oss ships in MXFP4 for every runtime
    try:
        quant = normalize_quant(quant_in)
    except UnknownQuant as exc:
        import difflib

        close = difflib.get_close_matches(quant_in.upper(), known_quants(), n=5, cutoff=0.4)
        raise InvalidField(f"unknown quant {quant_in!r}", close or known_quants()) from exc
    if runtime == "mlx" and quant in ("MXFP4_MOE",):
        quant = "MLX-MXFP4"
    return Resolved(model, ment, machine, hent, quant, runtime, notes)


def answer(q: dict[str, Any]) -> dict[str, Any]:
    """One batch-contract question -> one answer object (errors become ok: false)."""
    qid = q.get("id") if isinstance(q, dict) else None
    try:
        if not isinstance(q, dict):
            raise InvalidField("each line must be a JSON object")
        return _answer(q)
    except RunlocalError as exc:
        return {"id": qid, "ok": False, "error": exc.to_dict()}
    except (TypeError, ValueError, ArithmeticError, MemoryError, RecursionError) as exc:
        # A value the validators above did not foresee: still one clear error object, never a traceback.
        return {"id": qid, "ok": False, "error": {"code": "invalid_field", "suggestions": [],
                                                   "message": f"a field has a value that cannot be used: {exc}"}}


def _answer(q: dict[str, Any]) -> dict[str, Any]:
    # Fields this version does not know are ignored (a newer client may send more) and named in the notes.
    unknown = sorted(set(q) - QUESTION_FIELDS)
    q = {k: v for k, v in q.items() if k in QUESTION_FIELDS}
    asm = parse_assumptions(q.get("assume"))
    m = q.get("model")
    if isinstance(m, str) and m.strip() and not _looks_like_file(m):
        ment = resolve_model(catalog(), m).entity
        if ment.data.get("kind") in ("image", "video"):
            from .diffusion import answer_diffusion

            res = answer_diffusion(q, ment, asm)
            if unknown:
                res["basis"]["notes"].append(f"ignored unknown field(s): {', '.join(unknown)}")
            return res
    if q.get("image") is not None or q.get("video") is not None:
        raise InvalidField("image/video settings were given for a language model")
    r = resolve(q, asm)
    est, ctx, par, kv = run(r, q, asm)
    out: dict[str, Any] = {
        "id": q.get("id"),
        "ok": True,
        "model_id": r.model_entity.id if r.model_entity else None,
        "hardware_id": r.hardware_entity.id if r.hardware_entity else None,
        "runtime": r.runtime,
        "quant": est.quant,
    }
    out.update(est.to_contract())
    out["commands"] = commands(r.model_entity, est, context=ctx, parallel=par, kv_type=kv,
                               gpu_count=r.machine.gpu_count)
    out["basis"] = basis(r, est)
    if r.model_entity and r.hardware_entity:
        v = catalog().verdicts.get(f"{r.model_entity.id}--{r.hardware_entity.id}")
        if v is not None:  # a hand-written, dated verdict next to the numbers
            out["verdict"] = {"date": str(v.data["date"]), "summary": v.data["summary"], "text": v.body.strip()}
    if unknown:
        out["basis"]["notes"].append(f"ignored unknown field(s): {', '.join(unknown)}")
    out["error"] = None
    return out


def run(r: Resolved, q: dict[str, Any], asm: Assumptions) -> tuple[Estimate, int, int, str]:
    ctx = _int_field(q, "context_tokens", 4096, 1, 100_000_000)
    depth = _int_field(q, "depth_tokens", 0, 0, 100_000_000)
    prompt = _int_field(q, "prompt_tokens", 512, 1, 100_000_000)
    par = _int_field(q, "parallel", 1, 1, 4096)
    kv = q.get("kv_cache_type") or "f16"
    if not isinstance(kv, str):
        raise InvalidField("kv_cache_type must be a string")
    fa = q.get("flash_attention")
    if fa is not None and not isinstance(fa, bool):
        raise InvalidField("flash_attention must be true or false")
    pub = q.get("use_published_sizes", True)
    if depth > ctx:
        r.notes.append(f"depth_tokens ({depth:,}) exceeds the allocated context ({ctx:,}): the speed is for that "
                       "depth, but such a run needs a larger -c")
    if prompt + depth > ctx:
        r.notes.append(f"the prompt ({prompt:,} tokens) does not fit in the allocated context ({ctx:,})")
    if par > 1:
        r.notes.append(f"context_tokens is per sequence: {par} sequences x {ctx:,} = {par * ctx:,} cells "
                       "(llama.cpp -c is the total)")
    query = Query(r.model, r.machine, r.runtime, r.quant, ctx, depth, prompt, kv.lower(), par, fa,
                  bool(pub), asm)
    try:
        est = estimate(query)
    except Unsupported as exc:
        raise UnsupportedQuestion(str(exc)) from exc
    except UnknownKVType as exc:
        raise InvalidField(f"unknown kv_cache_type {kv!r}",
                           ["f16", "bf16", "q8_0", "q4_0", "fp8"]) from exc
    return est, ctx, par, kv.lower()


def basis(r: Resolved, est: Estimate) -> dict[str, Any]:
    w = est.weights_detail
    srcs: list[str] = []
    for e in (r.model_entity, r.hardware_entity):
        if e is not None:
            srcs += [f"{e.path}#{s}" for s in e.source_ids()]
    return {
        "method": "runlocal physics engine: per-tensor weights, per-layer KV, llama.cpp-style placement, "
                  "bandwidth-bound decode and compute-bound prefill with fitted efficiencies",
        "weights": {"method": w.method, "by_type_bytes": dict(w.type_bytes)},
        "file_bytes_source": est.file_bytes_source,
        "flash_attention": est.flash_attention,
        "placement": est.reason,
        "usable_accelerator_bytes_per_gpu": est.capacity.per_gpu_bytes,
        "assumptions": est.assumptions_used,
        "sources": srcs,
        "notes": list(r.notes) + list(est.notes),
    }


def will_it_run(model: str, hardware: str, **options: Any) -> dict[str, Any]:
    """Library entry point: answer(), but raising RunlocalError instead of returning ok: false."""
    return _answer({"model": model, "hardware": hardware, **options})


def list_models(*, family: str | None = None, text: str | None = None, kind: str | None = None) -> list[dict]:
    out = []
    for e in sorted(catalog().models.values(), key=lambda e: e.id):
        d = e.data
        if family and family.lower() not in str(d.get("family", "")).lower():
            continue
        if kind and d.get("kind") != kind:
            continue
        if text and text.lower() not in (e.id + " " + e.name + " " + " ".join(e.aliases)).lower():
            continue
        arch = d.get("arch", {})
        out.append({
            "id": e.id, "name": e.name, "family": d.get("family"), "kind": d.get("kind"),
            "params": d.get("params"), "active_params": d.get("active_params"),
            "context_length": d.get("context_length"), "arch": arch.get("arch"),
            "moe": bool(arch.get("n_experts")), "license": d.get("license"),
            "release_date": str(d.get("release_date")), "path": e.path,
        })
    return out


def list_hardware(*, vendor: str | None = None, kind: str | None = None, text: str | None = None,
                  min_memory_gb: float | None = None) -> list[dict]:
    out = []
    for e in sorted(catalog().hardware.values(), key=lambda e: e.id):
        d = e.data
        if vendor and d.get("vendor") != vendor.lower():
            continue
        if kind and d.get("kind") != kind:
            continue
        if text and text.lower() not in (e.id + " " + e.name + " " + " ".join(e.aliases)).lower():
            continue
        mem = d.get("memory_gb") or max(d.get("memory_options_gb") or [0])
        if min_memory_gb and mem < min_memory_gb:
            continue
        out.append({
            "id": e.id, "name": e.name, "kind": d.get("kind"), "vendor": d.get("vendor"),
            "memory_gb": d.get("memory_gb"), "memory_options_gb": d.get("memory_options_gb"),
            "memory_bandwidth_gb_s": d.get("memory_bandwidth_gb_s"),
            "fp16_tensor_tflops": d.get("fp16_tensor_tflops"), "tdp_w": d.get("tdp_w"),
            "launch_price_usd": d.get("launch_price_usd"), "launch_date": str(d.get("launch_date", "")),
            "path": e.path,
        })
    return out
