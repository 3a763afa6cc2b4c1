"""What runs here: for every catalog model, the best quant and context that fit, the expected speed,
and why the others do not. Called by `runlocal fit` (and later the web site's "Choose my model")."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from ..catalog.load import Entity
from ..errors import InvalidField, RunlocalError
from .llm import _answer, catalog

# Best quality first; the first that fits fully on the accelerator (and is fast enough) wins.
QUANT_LADDER = ["Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "IQ4_XS", "Q3_K_M", "IQ3_XXS", "Q2_K"]
USE_WORDS = {
    "coding": ("coder", "code", "devstral", "starcoder", "codestral", "codegemma", "replit", "stable-code"),
    "reasoning": ("r1", "qwq", "reasoning", "magistral", "gpt-oss", "qwen3", "thinking", "phi-4", "glm-z1"),
    "vision": ("vl", "vision", "pixtral", "gemma-3-", "llava", "mistral-small-3.2", "llama-4", "qwen3.5"),
}


def uses_of(e: Entity) -> list[str]:
    """Use cases a model suits, from its names (documented heuristic; chat suits every text model)."""
    hay = " ".join([e.id, e.name, *e.aliases]).lower()
    out = ["chat"]
    for use, words in USE_WORDS.items():
        if any(w in hay for w in words):
            out.append(use)
    if use_has_vision(e) and "vision" not in out:
        out.append("vision")
    return out


def use_has_vision(e: Entity) -> bool:
    return int(e.data.get("arch", {}).get("extra_params", 0) or 0) > 0


def _try(model: str, hardware: str | dict[str, Any], quant: str | None, context: int,
         extra: dict[str, Any]) -> dict[str, Any] | None:
    q: dict[str, Any] = {"model": model, "hardware": hardware, "context_tokens": context, **extra}
    if quant:
        q["quant"] = quant
    try:
        return _answer(q)
    except RunlocalError:
        return None


def best_for(e: Entity, hardware: str | dict[str, Any], *, context: int, min_speed: float,
             extra: dict[str, Any]) -> dict[str, Any]:
    """The best configuration of one model on this machine, or why none works."""
    is_oss = e.data.get("arch", {}).get("arch") == "gpt-oss"
    ladder = ["MXFP4"] if is_oss else QUANT_LADDER
    ctx = min(context, int(e.data.get("context_length", context)))
    fallback: dict[str, Any] | None = None
    for quant in ladder:
        r = _try(e.id, hardware, quant, ctx, extra)
        if r is None:
            continue
        dec = r["speed"]["decode_tokens_per_s"] or 0.0
        if r["fits"] == "gpu" and dec >= min_speed:
            return _row(e, r, ctx, "runs fully on the accelerator")
        if r["fits"] in ("gpu+cpu", "cpu") and dec >= min_speed and fallback is None:
            fallback = r
    if fallback is not None:
        return _row(e, fallback, ctx, "runs with part of the model in system RAM (slower)")
    smallest = _try(e.id, hardware, ladder[-1], ctx, extra)
    why = "does not fit in this machine's memory even at the smallest quant"
    if smallest is not None and smallest["fits"] != "no":
        why = f"slower than {min_speed:g} tokens/s at every quant"
    elif smallest is not None:
        need = smallest["memory"]["total_bytes"] / 2**30
        why = f"needs {need:.1f} GiB at {ladder[-1]} and {ctx:,} tokens; too big for this machine"
    return {"id": e.id, "name": e.name, "params": e.data.get("params"), "fits": "no", "quant": None,
            "context_tokens": ctx, "decode_tokens_per_s": None, "prefill_tokens_per_s": None,
            "total_bytes": None, "why": why, "uses": uses_of(e)}


def _row(e: Entity, r: dict[str, Any], ctx: int, why: str) -> dict[str, Any]:
    return {"id": e.id, "name": e.name, "params": e.data.get("params"), "active_params": e.data.get("active_params"),
            "fits": r["fits"], "quant": r["quant"], "context_tokens": ctx,
            "max_context_tokens": r["max_context_tokens"],
            "decode_tokens_per_s": r["speed"]["decode_tokens_per_s"],
            "prefill_tokens_per_s": r["speed"]["prefill_tokens_per_s"],
            "total_bytes": r["memory"]["total_bytes"], "command": r["commands"].get("llama.cpp"),
            "why": why, "uses": uses_of(e)}


def quality_score(row: dict[str, Any]) -> float:
    """A rough quality proxy for sorting: log of parameters (MoE counted between active and total), less for
    low-bit quants. Documented as a proxy; benchmark-based quality is future work."""
    p = float(row.get("params") or 1)
    act = float(row.get("active_params") or p)
    eff = math.sqrt(p * act)
    penalty = {"Q8_0": 0.0, "Q6_K": 0.01, "Q5_K_M": 0.02, "Q4_K_M": 0.04, "IQ4_XS": 0.05, "Q3_K_M": 0.1,
               "IQ3_XXS": 0.14, "Q2_K": 0.25}.get(str(row.get("quant")), 0.03)
    return math.log10(eff) - penalty


def rank(hardware: str | dict[str, Any], *, kind: str = "text", min_speed: float = 0.0, context: int = 8192,
         use: str | None = None, sort: str = "size", only: Iterable[str] | None = None,
         extra: dict[str, Any] | None = None,
         progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Rank catalog models on `hardware` (a catalog name or a contract hardware object)."""
    if kind in ("image", "video"):
        return rank_media(hardware, kind=kind, sort=sort, progress=progress)
    if kind != "text":
        raise InvalidField(f"unknown kind {kind!r}", ["text", "image", "video"])
    if context < 1:
        raise InvalidField(f"context must be at least 1 token, got {context}")
    if min_speed < 0:
        raise InvalidField("min-speed cannot be negative")
    if sort not in ("quality", "speed", "size", "context"):
        raise InvalidField(f"unknown sort key {sort!r}", ["quality", "speed", "size", "context"])
    cat = catalog()
    wanted = set(only) if only is not None else None
    models = [e for e in sorted(cat.models.values(), key=lambda e: e.id)
              if e.data.get("kind") == kind and "arch" in e.data and (wanted is None or e.id in wanted)]
    if use:
        models = [e for e in models if use in uses_of(e)]
    rows = []
    for i, e in enumerate(models):
        rows.append(best_for(e, hardware, context=context, min_speed=min_speed, extra=extra or {}))
        if progress:
            progress(i + 1, len(models))
    runs = [r for r in rows if r["fits"] != "no"]
    rest = [r for r in rows if r["fits"] == "no"]
    keys = {
        "size": lambda r: (r["fits"] != "gpu", -(r["params"] or 0)),
        "quality": lambda r: (r["fits"] != "gpu", -quality_score(r)),
        "speed": lambda r: -(r["decode_tokens_per_s"] or 0),
        "context": lambda r: -(r.get("max_context_tokens") or 0),
    }
    runs.sort(key=keys[sort])
    rest.sort(key=lambda r: r["params"] or 0)
    return {"hardware": hardware, "context_tokens": context, "min_speed": min_speed, "use": use, "sort": sort,
            "runs": runs, "does_not_run": rest}


MEDIA_LADDER = ["FP16", "FP8", "Q8_0", "Q5_K_M", "Q4_K_M", "NF4"]


def rank_media(hardware: str | dict[str, Any], *, kind: str, sort: str = "size",
               progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Image or video models at their native settings: the best precision that runs without offload,
    else with offload; seconds per image or clip."""
    cat = catalog()
    models = [e for e in sorted(cat.models.values(), key=lambda e: e.id) if e.data.get("kind") == kind]
    runs: list[dict[str, Any]] = []
    rest: list[dict[str, Any]] = []
    for i, e in enumerate(models):
        best: dict[str, Any] | None = None
        for prec in MEDIA_LADDER:
            try:
                r = _answer({"model": e.id, "hardware": hardware, "quant": prec, kind: {}})
            except RunlocalError:
                continue
            if r["fits"] == "gpu" or (r["fits"] == "gpu+cpu" and best is None):
                best = r
                if r["fits"] == "gpu":
                    break
        if best is None or best["fits"] == "no":
            rest.append({"id": e.id, "name": e.name, "params": e.data.get("params"), "fits": "no",
                         "why": "does not fit even with offload at the smallest precision"})
        else:
            secs = best["speed"]["seconds_per_image"] or best["speed"]["seconds_per_video"]
            runs.append({"id": e.id, "name": e.name, "params": e.data.get("params"), "fits": best["fits"],
                         "quant": best["quant"], "seconds": secs,
                         "peak_bytes": best["memory"]["accelerator_bytes"],
                         "why": "runs fully on the accelerator" if best["fits"] == "gpu"
                         else "runs with weights offloaded to system RAM (slower)"})
        if progress:
            progress(i + 1, len(models))
    key = {"speed": lambda r: r["seconds"] or 1e9}.get(sort, lambda r: (r["fits"] != "gpu", -(r["params"] or 0)))
    runs.sort(key=key)
    return {"hardware": hardware, "kind": kind, "sort": sort, "runs": runs, "does_not_run": rest}
