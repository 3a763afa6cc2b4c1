"""Compare two to four machines: specs with sources, what each runs and how fast over a fixed set of reference
models, price and watts per token/s, where each stops, and computed sentences on which wins for what."""

from __future__ import annotations

import re
from typing import Any

from ..catalog.resolve import resolve_hardware
from ..errors import InvalidField
from .api import answer
from .prices import price_of
from .question import MAX_NAME, parse
from .resolve import catalog, resolve_machine
from .site import verdict_ladder

REFERENCE_MODELS = (
    "llama-3.2-3b",
    "qwen3-8b",
    "qwen3-14b",
    "gpt-oss-20b",
    "qwen3-30b-a3b",
    "gemma-3-27b",
    "qwen3-32b",
    "llama-3.3-70b",
    "gpt-oss-120b",
    "qwen3-235b-a22b",
)
"""The models every comparison is drawn over (popular, 3B to 235B, dense and MoE), each in its runtime's usual
quant at REFERENCE_CONTEXT tokens."""
REFERENCE_CONTEXT = 8192
PRICE_MODELS = ("qwen3-8b", "llama-3.1-8b")
"""Price and watts per token/s are reckoned on the first of these the catalog has (every machine runs them)."""
CONTEXT_MODEL = "llama-3.1-8b"
"""Where each machine stops for context: the largest context this 128K-token model fits on the accelerator."""
MAX_MACHINES = 4
_COUNT = re.compile(r"^\s*(\d{1,2})\s*[x×*]\s*(.+)$", re.IGNORECASE)


def parse_machine(text: str) -> tuple[str, int]:
    """'2x RTX 3090' -> ('RTX 3090', 2); a plain name -> (name, 1)."""
    if len(text) > MAX_NAME:
        raise InvalidField(f"hardware is longer than {MAX_NAME:,} characters")
    m = _COUNT.match(text)
    if m:
        n = int(m.group(1))
        if not 1 <= n <= 8:
            raise InvalidField(f"from 1 to 8 GPUs of one kind, got {n}")
        return m.group(2).strip(), n
    return text.strip(), 1


def _machine_facts(name: str, count: int, used: bool) -> dict[str, Any]:
    hm = resolve_hardware(catalog(), name)
    e = hm.entity
    d = e.data
    rm = resolve_machine(parse({"model": "-", "hardware": name, "gpu_count": count}))
    m = rm.machine
    if m.gpus and not m.unified_memory:
        mem = sum(g.memory_bytes for g in m.gpus)
        bw = m.gpus[0].bandwidth_bytes_per_s
    else:
        mem = m.ram_bytes
        bw = m.gpus[0].bandwidth_bytes_per_s if m.gpus else m.ram_bandwidth_bytes_per_s
    flops = sum(g.fp16_flops or 0 for g in m.gpus) or None
    price = price_of(e.id, used=used, memory_gb=hm.memory_gb)
    tdp = d.get("tdp_w")
    return {
        "input": f"{count}x {name}" if count > 1 else name,
        "hardware_id": e.id,
        "name": e.name,
        "gpu_count": count,
        "memory_gb": hm.memory_gb,
        "kind": d.get("kind"),
        "memory_bytes": mem,
        "memory_total_gb": round(mem / 2**30, 1),
        "bandwidth_gb_s": round(bw / 1e9, 1),
        "fp16_tflops": round(flops / 1e12, 1) if flops else None,
        "power_w": tdp * count if tdp else None,
        "idle_w": d.get("idle_w"),
        "price": ({**price.as_dict(), "usd": price.usd * count} if price else None),
        "sources": [
            {"title": s.get("title"), "url": s.get("url"), "accessed": str(s.get("accessed"))}
            for s in d.get("sources", [])
        ],
    }


def _run(model: str, name: str, count: int) -> dict[str, Any]:
    a = answer({"model": model, "hardware": name, "gpu_count": count, "context_tokens": REFERENCE_CONTEXT})
    if not a.get("ok"):
        return {"model": model, "ok": False, "error": a["error"]["message"]}
    sp = a["speed"]
    return {
        "model": model,
        "name": catalog().models[model].name,
        "ok": True,
        "quant": a["quant"],
        "fits": a["fits"],
        "ladder": verdict_ladder(a),
        "decode_tokens_per_s": sp.get("decode_tokens_per_s"),
        "total_bytes": a["memory"]["total_bytes"],
    }


def compare(machines: list[str], *, used: bool = False) -> dict[str, Any]:
    """Two to four machines side by side (a name, or 'N x NAME' for several of one GPU)."""
    if not 2 <= len(machines) <= MAX_MACHINES:
        raise InvalidField(f"compare takes 2 to {MAX_MACHINES} machines, got {len(machines)}")
    cat = catalog()
    price_model = next((m for m in PRICE_MODELS if m in cat.models), None)
    models = [m for m in REFERENCE_MODELS if m in cat.models]
    if price_model and price_model not in models:
        models.insert(0, price_model)
    rows = []
    for text in machines:
        name, count = parse_machine(text)
        facts = _machine_facts(name, count, used)
        facts["runs"] = [_run(m, name, count) for m in models]
        ok = [r for r in facts["runs"] if r.get("ok") and r["ladder"]["level"] == "runs-well"]
        biggest = max(ok, key=lambda r: cat.models[r["model"]].data.get("params", 0), default=None)
        facts["largest_model_running_well"] = biggest["model"] if biggest else None
        ctx = answer({"model": CONTEXT_MODEL, "hardware": name, "gpu_count": count})
        facts["longest_context"] = {
            "model": CONTEXT_MODEL,
            "tokens": ctx.get("max_context_tokens") if ctx.get("ok") else None,
        }
        ref = next((r for r in facts["runs"] if r["model"] == price_model and r.get("ok")), None)
        tps = ref["decode_tokens_per_s"] if ref else None
        facts["reference_decode_tokens_per_s"] = tps
        facts["usd_per_token_per_s"] = round(facts["price"]["usd"] / tps, 2) if facts["price"] and tps else None
        facts["watts_per_token_per_s"] = round(facts["power_w"] / tps, 2) if facts["power_w"] and tps else None
        rows.append(facts)
    return {
        "machines": rows,
        "reference": {
            "models": models,
            "context_tokens": REFERENCE_CONTEXT,
            "price_model": price_model,
            "context_model": CONTEXT_MODEL,
            "quant": "each runtime's usual quant",
            "used_prices": used,
        },
        "summary": verdicts(rows, price_model),
    }


def _label(r: dict[str, Any]) -> str:
    name = r["name"] + (f" {r['memory_gb']:g} GB" if r.get("memory_gb") else "")
    return f"{r['gpu_count']}x {name}" if r["gpu_count"] > 1 else name


def verdicts(rows: list[dict[str, Any]], price_model: str | None) -> list[str]:
    """Which machine wins for which use, and why, from the figures (never typed)."""
    out: list[str] = []
    cat = catalog()
    fast = [r for r in rows if r["reference_decode_tokens_per_s"]]
    if len(fast) >= 2:
        fast.sort(key=lambda r: -r["reference_decode_tokens_per_s"])
        a, b = fast[0], fast[1]
        pct = (a["reference_decode_tokens_per_s"] / b["reference_decode_tokens_per_s"] - 1) * 100
        model = cat.models[str(price_model)].name
        fa, fb = a["reference_decode_tokens_per_s"], b["reference_decode_tokens_per_s"]
        ba, bb = a["bandwidth_gb_s"], b["bandwidth_gb_s"]
        if pct < 3:
            out.append(f"For models that fit everywhere, {_label(a)} and {_label(b)} are about as fast: "
                       f"{fa:.0f} and {fb:.0f} tokens/s on {model}, reading memory at {ba:.0f} and {bb:.0f} GB/s.")
        else:
            out.append(f"For models that fit everywhere, {_label(a)} is fastest: {fa:.0f} tokens/s on {model}, "
                       f"{pct:.0f}% more than {_label(b)} ({fb:.0f}), because it reads memory at {ba:.0f} GB/s "
                       f"against {bb:.0f}.")

    def size(r: dict[str, Any]) -> int:
        m = r["largest_model_running_well"]
        return int(cat.models[m].data.get("params", 0)) if m else 0

    big = sorted(rows, key=size, reverse=True)
    if big and size(big[0]) > size(big[-1]):
        top = big[0]
        out.append(
            f"For the largest models, {_label(top)} runs up to {cat.models[top['largest_model_running_well']].name} "
            f"well, with {top['memory_total_gb']:.0f} GB of memory"
            + (
                f"; {_label(big[-1])} stops at {cat.models[big[-1]['largest_model_running_well']].name}."
                if big[-1]["largest_model_running_well"]
                else f"; {_label(big[-1])} runs none of them well."
            )
        )
    priced = [r for r in rows if r["usd_per_token_per_s"]]
    if len(priced) >= 2:
        priced.sort(key=lambda r: r["usd_per_token_per_s"])
        p = priced[0]
        out.append(
            f"On price, {_label(p)} costs least per token/s: ${p['usd_per_token_per_s']:.0f} per token/s on "
            f"{cat.models[str(price_model)].name} (${p['price']['usd']:,.0f}, {p['price']['condition']} price of "
            f"{p['price']['date']})."
        )
    unpriced = [_label(r) for r in rows if not r["price"]]
    if unpriced:
        out.append(f"No dated price in the catalog for {', '.join(unpriced)}: left out of the price comparison.")
    eff = [r for r in rows if r["watts_per_token_per_s"]]
    if len(eff) >= 2:
        eff.sort(key=lambda r: r["watts_per_token_per_s"])
        out.append(
            f"On power, {_label(eff[0])} needs least: {eff[0]['watts_per_token_per_s']:.1f} W per token/s at "
            f"its rated {eff[0]['power_w']:.0f} W."
        )
    return out
