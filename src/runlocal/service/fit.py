"""What runs here: for every catalog model, the best quant and context that fit, the expected speed,
and why the others do not. Called by `runlocal fit` (and later the web site's "Choose my model").

The machine is resolved once per ranking and every (model, quant) pair is answered with typed results."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..catalog.load import Entity
from ..errors import InvalidField, RunlocalError
from ..estimate.units import GIB
from .answers import MediaAnswer, TextAnswer
from .api import ask
from .question import Question, parse
from .resolve import ResolvedMachine, catalog, resolve_machine

QUANT_LADDER = ("Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "IQ4_XS", "Q3_K_M", "IQ3_XXS", "Q2_K")
"""GGUF quants from best quality to smallest; the first that fits on the accelerator (and is fast enough) wins."""
QUALITY_PENALTY = {"Q8_0": 0.0, "Q6_K": 0.01, "Q5_K_M": 0.02, "Q4_K_M": 0.04, "IQ4_XS": 0.05, "Q3_K_M": 0.1,
                   "IQ3_XXS": 0.14, "Q2_K": 0.25}
"""log10-parameter penalty per quant in the quality proxy (a rough, documented ordering, not a benchmark)."""
MEDIA_LADDER = ("FP16", "FP8", "Q8_0", "Q5_K_M", "Q4_K_M", "NF4")
USE_WORDS = {
    "coding": ("coder", "code", "devstral", "starcoder", "codestral", "codegemma", "replit", "stable-code"),
    "reasoning": ("r1", "qwq", "reasoning", "magistral", "gpt-oss", "qwen3", "thinking", "phi-4", "glm-z1"),
    "vision": ("vl", "vision", "pixtral", "gemma-3-", "llava", "mistral-small-3.2", "llama-4", "qwen3.5"),
}
SORT_KEYS = ("quality", "speed", "size", "context")


@dataclass(frozen=True, kw_only=True)
class FitRow:
    """One model's best configuration on the machine (fits != 'no'), or why none works."""

    id: str
    name: str
    params: int | None
    active_params: int | None = None
    fits: str
    quant: str | None
    context_tokens: int
    max_context_tokens: int | None = None
    decode_tokens_per_s: float | None = None
    prefill_tokens_per_s: float | None = None
    total_bytes: int | None = None
    command: str | None = None
    why: str
    uses: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class MediaFitRow:
    """An image/video model at its native settings: best precision that runs, seconds per image or clip."""

    id: str
    name: str
    params: int | None
    fits: str
    quant: str | None = None
    seconds: float | None = None
    peak_bytes: int | None = None
    why: str


@dataclass(frozen=True, kw_only=True)
class Ranking:
    """The result of a ranking: models that run (sorted) and those that do not (smallest first)."""

    hardware: str | dict[str, Any]
    kind: str
    sort: str
    context_tokens: int | None = None
    min_speed: float | None = None
    use: str | None = None
    runs: tuple[FitRow | MediaFitRow, ...]
    does_not_run: tuple[FitRow | MediaFitRow, ...]

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


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


def _try(base: Question, hw: ResolvedMachine, model: str, quant: str | None, context: int) -> TextAnswer | None:
    w = dataclasses.replace(base.workload, context_tokens=context)
    q = dataclasses.replace(base, model=model, quant=quant, workload=w)
    try:
        a = ask(q, hw=hw)
    except RunlocalError:
        return None
    return a if isinstance(a, TextAnswer) else None


def _row(e: Entity, a: TextAnswer, ctx: int, why: str) -> FitRow:
    est = a.estimate
    return FitRow(id=e.id, name=e.name, params=e.data.get("params"), active_params=e.data.get("active_params"),
                  fits=est.fits, quant=est.quant, context_tokens=ctx, max_context_tokens=est.max_context_tokens,
                  decode_tokens_per_s=_r(est.speed.decode_tokens_per_s),
                  prefill_tokens_per_s=_r(est.speed.prefill_tokens_per_s), total_bytes=est.memory.total_bytes,
                  command=a.commands.get("llama.cpp"), why=why, uses=tuple(uses_of(e)))


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def ladder_for(e: Entity) -> tuple[str, ...]:
    """Quants to try for a model: its only published format when it ships in one (gpt-oss: MXFP4), else the ladder."""
    pref = str(e.data.get("default_quant") or "").upper()
    return ("MXFP4",) if pref == "MXFP4" else QUANT_LADDER


def best_for(e: Entity, base: Question, hw: ResolvedMachine, *, context: int, min_speed: float) -> FitRow:
    """The best configuration of one model on this machine, or why none works."""
    ladder = ladder_for(e)
    ctx = min(context, int(e.data.get("context_length", context)))
    fallback: TextAnswer | None = None
    for quant in ladder:
        a = _try(base, hw, e.id, quant, ctx)
        if a is None:
            continue
        dec = a.decode_tokens_per_s or 0.0
        if a.fits == "gpu" and dec >= min_speed:
            return _row(e, a, ctx, "runs fully on the accelerator")
        if a.fits in ("gpu+cpu", "cpu") and dec >= min_speed and fallback is None:
            fallback = a
    if fallback is not None:
        return _row(e, fallback, ctx, "runs with part of the model in system RAM (slower)")
    smallest = _try(base, hw, e.id, ladder[-1], ctx)
    why = "does not fit in this machine's memory even at the smallest quant"
    if smallest is not None and smallest.fits != "no":
        why = f"slower than {min_speed:g} tokens/s at every quant"
    elif smallest is not None:
        why = f"needs {smallest.total_bytes / GIB:.1f} GiB at {ladder[-1]} and {ctx:,} tokens; too big for this machine"
    return FitRow(id=e.id, name=e.name, params=e.data.get("params"), fits="no", quant=None, context_tokens=ctx,
                  why=why, uses=tuple(uses_of(e)))


def quality_score(row: FitRow) -> float:
    """A rough quality proxy for sorting: log of parameters (MoE counted between active and total), less for
    low-bit quants. Documented as a proxy; benchmark-based quality is future work."""
    p = float(row.params or 1)
    act = float(row.active_params or p)
    return math.log10(math.sqrt(p * act)) - QUALITY_PENALTY.get(str(row.quant), 0.03)


def _base(hardware: str | dict[str, Any], extra: dict[str, Any] | None) -> tuple[Question, ResolvedMachine]:
    base = parse({"model": "-", "hardware": hardware, **(extra or {})})  # the model is set per try
    return base, resolve_machine(base)


def rank(hardware: str | dict[str, Any], *, kind: str = "text", min_speed: float = 0.0, context: int = 8192,
         use: str | None = None, sort: str = "size", only: Iterable[str] | None = None,
         extra: dict[str, Any] | None = None,
         progress: Callable[[int, int], None] | None = None) -> Ranking:
    """Rank catalog models on `hardware` (a catalog name or a contract hardware object)."""
    if kind in ("image", "video"):
        return rank_media(hardware, kind=kind, sort=sort, progress=progress)
    if kind != "text":
        raise InvalidField(f"unknown kind {kind!r}", ["text", "image", "video"])
    if context < 1:
        raise InvalidField(f"context must be at least 1 token, got {context}")
    if min_speed < 0:
        raise InvalidField("min-speed cannot be negative")
    if sort not in SORT_KEYS:
        raise InvalidField(f"unknown sort key {sort!r}", list(SORT_KEYS))
    base, hw = _base(hardware, extra)
    wanted = set(only) if only is not None else None
    models = [e for e in sorted(catalog().models.values(), key=lambda e: e.id)
              if e.data.get("kind") == kind and "arch" in e.data and (wanted is None or e.id in wanted)]
    if use:
        models = [e for e in models if use in uses_of(e)]
    rows: list[FitRow] = []
    for i, e in enumerate(models):
        rows.append(best_for(e, base, hw, context=context, min_speed=min_speed))
        if progress:
            progress(i + 1, len(models))
    runs = [r for r in rows if r.fits != "no"]
    rest = [r for r in rows if r.fits == "no"]
    keys: dict[str, Callable[[FitRow], Any]] = {
        "size": lambda r: (r.fits != "gpu", -(r.params or 0)),
        "quality": lambda r: (r.fits != "gpu", -quality_score(r)),
        "speed": lambda r: -(r.decode_tokens_per_s or 0),
        "context": lambda r: -(r.max_context_tokens or 0),
    }
    runs.sort(key=keys[sort])
    rest.sort(key=lambda r: r.params or 0)
    return Ranking(hardware=hardware, kind=kind, sort=sort, context_tokens=context, min_speed=min_speed, use=use,
                   runs=tuple(runs), does_not_run=tuple(rest))


def rank_media(hardware: str | dict[str, Any], *, kind: str, sort: str = "size",
               progress: Callable[[int, int], None] | None = None) -> Ranking:
    """Image or video models at their native settings: the best precision that runs without offload,
    else with offload; seconds per image or clip."""
    models = [e for e in sorted(catalog().models.values(), key=lambda e: e.id) if e.data.get("kind") == kind]
    hw: ResolvedMachine | None = None
    runs: list[MediaFitRow] = []
    rest: list[MediaFitRow] = []
    for i, e in enumerate(models):
        best: MediaAnswer | None = None
        for prec in MEDIA_LADDER:
            try:
                q = parse({"model": e.id, "hardware": hardware, "quant": prec, kind: {}})
                if hw is None:
                    hw = resolve_machine(q)
                a = ask(q, hw=hw)
            except RunlocalError:
                continue
            if not isinstance(a, MediaAnswer):
                continue
            if a.fits == "gpu" or (a.fits == "gpu+cpu" and best is None):
                best = a
                if a.fits == "gpu":
                    break
        if best is None or best.fits == "no":
            rest.append(MediaFitRow(id=e.id, name=e.name, params=e.data.get("params"), fits="no",
                                    why="does not fit even with offload at the smallest precision"))
        else:
            secs = best.seconds
            runs.append(MediaFitRow(id=e.id, name=e.name, params=e.data.get("params"), fits=best.fits,
                                    quant=best.quant, seconds=None if secs is None else round(secs, 3),
                                    peak_bytes=best.estimate.peak_accelerator_bytes,
                                    why="runs fully on the accelerator" if best.fits == "gpu"
                                    else "runs with weights offloaded to system RAM (slower)"))
        if progress:
            progress(i + 1, len(models))
    if sort == "speed":
        runs.sort(key=lambda r: r.seconds or 1e9)
    else:
        runs.sort(key=lambda r: (r.fits != "gpu", -(r.params or 0)))
    return Ranking(hardware=hardware, kind=kind, sort=sort, runs=tuple(runs), does_not_run=tuple(rest))
