"""Choose my GPU: the cheapest hardware that runs these models at this speed and context, with the reasons each
cheaper option fails. Candidates are single cards, Macs and unified-memory PCs in each memory size, CPU boxes,
and two of the same card; prices come from the dated, cited price table (an unpriced machine is listed apart)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import InvalidField
from .api import answer
from .prices import Price, price_of
from .question import MAX_TOKENS
from .resolve import catalog

MAX_MODELS = 4
PAIR_MAX_GB = 48
"""Two of the same card are considered for cards up to this size (larger pairs are servers, not desks)."""
BIG = {"gpus": [{"name": "sizing", "memory_gb": 10_000, "memory_bandwidth_gb_s": 1000}], "ram_gb": 64}


@dataclass(frozen=True)
class Candidate:
    hardware: str  # the name given to the engine ('rtx-4090', 'apple-m4-max-40c 128GB')
    hardware_id: str
    label: str
    gpu_count: int
    memory_gb: float  # total memory that can hold the model
    price: Price | None


def candidates(*, used: bool) -> list[Candidate]:
    """Every machine the catalog can size, each memory size of a Mac or unified PC separately, plus pairs."""
    out: list[Candidate] = []
    for e in sorted(catalog().hardware.values(), key=lambda e: e.id):
        d = e.data
        if d.get("kind") == "gpu" and d.get("memory_gb"):
            gb = float(d["memory_gb"])
            out.append(Candidate(e.id, e.id, e.name, 1, gb, _times(price_of(e.id, used=used), 1)))
            if gb <= PAIR_MAX_GB:
                out.append(Candidate(e.id, e.id, f"2x {e.name}", 2, 2 * gb, _times(price_of(e.id, used=used), 2)))
        else:
            for gb in d.get("memory_options_gb") or []:
                out.append(
                    Candidate(
                        f"{e.id} {gb:g}GB",
                        e.id,
                        f"{e.name} {gb:g} GB",
                        1,
                        float(gb),
                        price_of(e.id, used=used, memory_gb=float(gb)),
                    )
                )
    return out


def _times(p: Price | None, n: int) -> Price | None:
    if p is None or n == 1:
        return p
    return Price(
        usd=p.usd * n,
        condition=p.condition,
        date=p.date,
        source_title=p.source_title,
        source_url=p.source_url,
        memory_gb=p.memory_gb,
    )


@lru_cache(maxsize=256)
def _need_bytes(model: str, context: int) -> int:
    """Memory the model needs at this context in its usual quant (a lower bound to skip hopeless candidates)."""
    a = answer({"model": model, "hardware": BIG, "context_tokens": context})
    if not a.get("ok"):
        raise InvalidField(a["error"]["message"], a["error"].get("suggestions") or [])
    return int(a["memory"]["total_bytes"])


def _judge(c: Candidate, models: list[str], context: int, min_speed: float) -> dict[str, Any]:
    """Whether one candidate meets the target, and why not."""
    runs: list[dict[str, Any]] = []
    why = None
    for m in models:
        if c.memory_gb * 2**30 < _need_bytes(m, context):
            why = (
                why
                or f"{m} needs {_need_bytes(m, context) / 2**30:.0f} GB at {context:,} tokens; it has "
                f"{c.memory_gb:g} GB"
            )
            runs.append({"model": m, "fits": "no"})
            continue
        a = answer({"model": m, "hardware": c.hardware, "gpu_count": c.gpu_count, "context_tokens": context})
        if not a.get("ok"):
            why = why or a["error"]["message"]
            runs.append({"model": m, "fits": "no"})
            continue
        dec = a["speed"].get("decode_tokens_per_s") or 0.0
        usable = (a.get("basis") or {}).get("usable_accelerator_bytes_per_gpu")
        headroom = usable * c.gpu_count - a["memory"]["accelerator_bytes"] if usable else None
        runs.append(
            {"model": m, "fits": a["fits"], "quant": a["quant"], "decode_tokens_per_s": dec, "headroom_bytes": headroom}
        )
        if a["fits"] == "no":
            why = why or f"{m} does not fit in its memory"
        elif dec < min_speed:
            why = why or (
                f"{m} runs at about {dec:.1f} tokens/s, below {min_speed:g}"
                + (" (part of it in system RAM)" if a["fits"] != "gpu" else "")
            )
    speed = min((r.get("decode_tokens_per_s") or 0.0 for r in runs), default=0.0)
    heads = [r["headroom_bytes"] for r in runs if r.get("headroom_bytes") is not None]
    return {
        "hardware": c.hardware,
        "hardware_id": c.hardware_id,
        "label": c.label,
        "gpu_count": c.gpu_count,
        "memory_gb": c.memory_gb,
        "price": c.price.as_dict() if c.price else None,
        "meets": why is None,
        "why_not": why,
        "runs": runs,
        "slowest_tokens_per_s": round(speed, 2),
        "headroom_bytes": min(heads) if heads else None,
        "usd_per_token_per_s": round(c.price.usd / speed, 2) if c.price and speed else None,
    }


def choose(
    models: list[str],
    *,
    min_speed: float = 20.0,
    context: int = 8192,
    budget: float | None = None,
    used: bool = False,
    limit: int = 10,
) -> dict[str, Any]:
    """The cheapest machines that run every model at `min_speed` tokens/s or more with `context` tokens."""
    if not 1 <= len(models) <= MAX_MODELS:
        raise InvalidField(f"choose takes 1 to {MAX_MODELS} models, got {len(models)}")
    if not 0 < min_speed <= 10_000:
        raise InvalidField(f"min_speed must be above 0 and at most 10,000 tokens/s, got {min_speed}")
    if not 1 <= context <= MAX_TOKENS:
        raise InvalidField(f"context must be from 1 to {MAX_TOKENS:,} tokens, got {context}")
    if budget is not None and not 0 < budget <= 10_000_000:
        raise InvalidField(f"budget must be above 0 and at most 10,000,000 dollars, got {budget}")
    from ..catalog.resolve import resolve_model

    ids = [resolve_model(catalog(), m).entity.id for m in models]
    for m in ids:
        if catalog().models[m].data.get("kind") != "text":
            raise InvalidField(f"{m} is an image/video model: choose sizes language models by tokens/s")
    judged = [_judge(c, ids, context, min_speed) for c in candidates(used=used)]
    priced = sorted((j for j in judged if j["price"]), key=lambda j: (j["price"]["usd"], -j["slowest_tokens_per_s"]))
    meet = [j for j in priced if j["meets"] and (budget is None or j["price"]["usd"] <= budget)]
    best = meet[0] if meet else None
    cheaper = [j for j in priced if not j["meets"] and (best is None or j["price"]["usd"] < best["price"]["usd"])]
    cheaper = sorted(cheaper, key=lambda j: -j["price"]["usd"])[:8]
    unpriced = [j for j in judged if j["meets"] and not j["price"]]
    unpriced.sort(key=lambda j: -j["slowest_tokens_per_s"])
    over_budget = [j for j in priced if j["meets"] and budget is not None and j["price"]["usd"] > budget][:3]
    chart = [
        {"label": j["label"], "usd": j["price"]["usd"], "tokens_per_s": j["slowest_tokens_per_s"], "meets": j["meets"]}
        for j in priced
        if j["slowest_tokens_per_s"] > 0
    ][:200]
    notes = [
        "Pairs are two of the same card with the model split by layers (llama.cpp); pairs of different cards "
        "are not modelled yet.",
        "Prices are the newest dated street price in the catalog (used prices with --used), else the launch "
        "price; a machine with neither is listed as unpriced.",
    ]
    return {
        "target": {
            "models": ids,
            "min_tokens_per_s": min_speed,
            "context_tokens": context,
            "budget_usd": budget,
            "used": used,
        },
        "picks": meet[:limit],
        "cheaper_that_fail": cheaper,
        "over_budget": over_budget,
        "unpriced_that_meet": unpriced[:limit],
        "chart": chart,
        "candidates": len(judged),
        "notes": notes,
    }
