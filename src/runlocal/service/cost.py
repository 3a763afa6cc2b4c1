"""Cost vs cloud: what a million tokens costs on your own hardware (the machine amortised over its life and the
hours it is used, electricity at your price) against hosted API prices for the same open model, the break-even
point, and when the answer flips. Every assumption is a parameter with its default shown."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..errors import InvalidField
from .api import answer
from .prices import api_prices, price_of
from .resolve import catalog, named_gpu_count

DAYS_PER_YEAR = 365.0
DAYS_PER_MONTH = DAYS_PER_YEAR / 12


@dataclass(frozen=True)
class CostSettings:
    """The assumptions of a cost answer (all can be changed)."""

    tokens_per_day: float = 1_000_000.0
    """Tokens processed per day, prompt and output together."""
    input_share: float = 0.75
    """Share of those tokens that are prompt (read) rather than output (written): chat and RAG read more."""
    kwh_price: float = 0.16
    """Electricity price per kWh in dollars (the US residential average is near this)."""
    years: float = 3.0
    """Years over which the hardware is paid off (no resale value)."""
    hours_per_day: float = 8.0
    """Hours per day the machine is on (idle when not working)."""
    host_w: float = 60.0
    """Power of the rest of a PC (CPU, board, drives) under load, for discrete GPUs; 0 for Macs and unified PCs,
    whose rated power is the whole machine."""
    idle_fraction: float = 0.1
    """Idle power as a share of rated power when the catalog has no measured idle figure."""
    price_usd: float | None = None
    """The hardware price to use instead of the catalog's."""
    used: bool = False
    """Reckon with the used price where the catalog has one."""

    def check(self) -> None:
        bounds = {
            "tokens_per_day": (1, 1e12),
            "input_share": (0, 1),
            "kwh_price": (0, 100),
            "years": (0.1, 50),
            "hours_per_day": (0.1, 24),
            "host_w": (0, 10_000),
            "idle_fraction": (0, 1),
        }
        for name, (lo, hi) in bounds.items():
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | float) or v != v or not lo <= v <= hi:
                raise InvalidField(f"{name} must be a number from {lo:g} to {hi:g}, got {v!r}")
        if self.price_usd is not None and not 0 < self.price_usd <= 10_000_000:
            raise InvalidField(f"price_usd must be above 0 and at most 10,000,000, got {self.price_usd}")


def cost(model: str, hardware: str, *, gpu_count: int | None = None,
         settings: CostSettings | None = None) -> dict[str, Any]:
    """Local cost per million tokens against the cheapest hosted API for the same model, with break-even. Without
    gpu_count, one GPU or the count the hardware name gives ("2x RTX 3090", a cloud instance)."""
    s = settings or CostSettings()
    s.check()
    a = answer({"model": model, "hardware": hardware, "context_tokens": 8192,
                **({"gpu_count": gpu_count} if gpu_count else {})})
    gpu_count = gpu_count or named_gpu_count(hardware)
    if not a.get("ok"):
        err = a["error"]
        from ..errors import NotFound

        raise (NotFound if err["code"].startswith("unknown") else InvalidField)(
            err["message"], err.get("suggestions") or []
        )
    cat = catalog()
    hw = cat.hardware[a["hardware_id"]]
    sp = a["speed"]
    dec, pre = sp.get("decode_tokens_per_s"), sp.get("prefill_tokens_per_s")
    if not dec or not pre or a["fits"] == "no":
        raise InvalidField(f"{a['model_id']} does not run on {hw.name}: no local cost to reckon")
    memory_gb = None
    from ..catalog.resolve import resolve_hardware

    memory_gb = resolve_hardware(cat, hardware).memory_gb
    price = price_of(hw.id, used=s.used, memory_gb=memory_gb)
    hw_usd = s.price_usd if s.price_usd is not None else (price.usd * gpu_count if price else None)
    if hw_usd is None:
        raise InvalidField(f"the catalog has no dated price for {hw.name}: give the price you would pay (price_usd)")
    tdp = hw.data.get("tdp_w")
    if not tdp:
        raise InvalidField(f"the catalog has no rated power for {hw.name}")
    unified = hw.data.get("kind") in ("apple", "unified")
    load_w = tdp * gpu_count + (0.0 if unified else s.host_w)
    idle_w = (hw.data.get("idle_w") or tdp * s.idle_fraction) * gpu_count + (0.0 if unified else s.host_w * 0.5)
    # hours of work per token: output at the decode rate, prompt at the prefill rate
    hours_per_token = ((1 - s.input_share) / dec + s.input_share / pre) / 3600
    busy = s.tokens_per_day * hours_per_token
    notes: list[str] = []
    if busy > s.hours_per_day:
        notes.append(
            f"{s.tokens_per_day:,.0f} tokens a day take {busy:.1f} hours here, more than the "
            f"{s.hours_per_day:g} hours it is on: the machine cannot keep up (reckoned as always busy)"
        )
    on = max(s.hours_per_day, busy)
    kwh_day = (load_w * busy + idle_w * max(0.0, on - busy)) / 1000
    energy_day = kwh_day * s.kwh_price
    hw_day = hw_usd / (s.years * DAYS_PER_YEAR)
    local_day = hw_day + energy_day
    mtok_day = s.tokens_per_day / 1e6
    apis = api_prices(a["model_id"])
    best = min(apis, key=lambda p: p.blended(s.input_share)) if apis else None
    api_day = best.blended(s.input_share) * mtok_day if best else None
    out: dict[str, Any] = {
        "model_id": a["model_id"],
        "hardware_id": hw.id,
        "hardware": hw.name + (f" {memory_gb:g} GB" if memory_gb else ""),
        "gpu_count": gpu_count,
        "settings": asdict(s),
        "quant": a["quant"],
        "decode_tokens_per_s": dec,
        "prefill_tokens_per_s": pre,
        "hardware_price": {
            "usd": hw_usd,
            "given": s.price_usd is not None,
            **({k: v for k, v in price.as_dict().items() if k != "usd"} if price and s.price_usd is None else {}),
        },
        "power": {
            "load_w": load_w,
            "idle_w": round(idle_w, 1),
            "rated_w": tdp * gpu_count,
            "idle_measured": bool(hw.data.get("idle_w")),
            "busy_hours_per_day": round(busy, 3),
        },
        "local": {
            "usd_per_day": round(local_day, 4),
            "hardware_usd_per_day": round(hw_day, 4),
            "energy_usd_per_day": round(energy_day, 4),
            "kwh_per_day": round(kwh_day, 3),
            "usd_per_mtok": round(local_day / mtok_day, 4),
            "energy_usd_per_mtok": round(energy_day / mtok_day, 4),
        },
        "api": None,
        "break_even_days": None,
        "flips": [],
        "cumulative": [],
        "notes": notes,
        "other_apis": [p.as_dict() for p in apis[:6]],
    }
    if best is None or api_day is None:
        out["notes"].append("no hosted API price for this model in the catalog: only the local cost is shown")
        return out
    out["api"] = {
        **best.as_dict(),
        "usd_per_mtok": round(best.blended(s.input_share), 4),
        "usd_per_day": round(api_day, 4),
    }
    if api_day > energy_day:
        out["break_even_days"] = round(hw_usd / (api_day - energy_day), 1)
    out["break_even_within_life"] = bool(out["break_even_days"] and out["break_even_days"] <= s.years * DAYS_PER_YEAR)
    out["cheaper"] = "local" if local_day < api_day else "api"
    out["flips"] = _flips(s, hw_usd, load_w, idle_w, hours_per_token, best.blended(s.input_share), out)
    months = int(round(s.years * 12))
    out["cumulative"] = [
        {
            "month": m,
            "local_usd": round(hw_usd + energy_day * DAYS_PER_MONTH * m, 2),
            "api_usd": round(api_day * DAYS_PER_MONTH * m, 2),
        }
        for m in range(0, months + 1)
    ]
    return out


def _flips(
    s: CostSettings, hw_usd: float, load_w: float, idle_w: float, hpt: float, api_mtok: float, out: dict[str, Any]
) -> list[str]:
    """Where the answer turns: the daily tokens, the electricity price and the API price at which local and API
    cost the same over the machine's life."""
    k = s.kwh_price
    fixed = hw_usd / (s.years * DAYS_PER_YEAR) + k * idle_w * s.hours_per_day / 1000
    per_token_energy = k * hpt * (load_w - idle_w) / 1000  # extra energy cost of one token above idling
    denom = api_mtok / 1e6 - per_token_energy
    lines = []
    if denom <= 0:
        lines.append(
            "the API is cheaper at any volume: each token's electricity here already costs more than the "
            "API charges for it"
        )
    else:
        t = fixed / denom
        capacity = 24.0 / hpt  # tokens a day when it never stops
        if t > capacity:
            lines.append(f"local never becomes cheaper: it would take about {t:,.0f} tokens a day, and running "
                         f"around the clock this machine makes at most about {capacity:,.0f}")
        else:
            lines.append(f"local becomes cheaper above about {t:,.0f} tokens a day (you set {s.tokens_per_day:,.0f}; "
                         f"it can make about {capacity:,.0f} running around the clock)")
    mtok = s.tokens_per_day / 1e6
    busy = min(s.tokens_per_day * hpt, 24.0)
    kwh_day = (load_w * busy + idle_w * max(0.0, max(s.hours_per_day, busy) - busy)) / 1000
    if kwh_day > 0:
        k_flip = (api_mtok * mtok - hw_usd / (s.years * DAYS_PER_YEAR)) / kwh_day
        if k_flip > 0:
            lines.append(
                f"at this volume local stays cheaper while electricity costs less than ${k_flip:.2f} per kWh "
                f"(you set ${k:.2f})"
            )
        else:
            lines.append(
                "at this volume the API stays cheaper even with free electricity: the hardware alone costs "
                "more per day than the API"
            )
    local_mtok = out["local"]["usd_per_mtok"]
    lines.append(
        f"the API would have to charge more than ${local_mtok:.2f} per million tokens (blended) for local "
        f"to win at this volume; the cheapest listed charges ${api_mtok:.2f}"
    )
    return lines
