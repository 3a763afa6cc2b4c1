"""Prices from the catalog's dated, cited price tables (data/prices, data/api_prices) and the launch prices in the
hardware files. A machine with no price is unpriced: nothing here guesses one."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from .resolve import catalog


@dataclass(frozen=True)
class Price:
    """One price with where and when it was seen."""

    usd: float
    condition: str  # new (street), used, or launch (the maker's price at launch)
    date: str
    source_title: str
    source_url: str
    memory_gb: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _source(e_data: dict[str, Any], sid: str) -> tuple[str, str]:
    for s in e_data.get("sources", []):
        if s.get("id") == sid:
            return str(s.get("title", "")), str(s.get("url", ""))
    return "", ""


def offers(hardware_id: str) -> list[Price]:
    """Every dated offer for a machine, newest first."""
    e = catalog().prices.get(hardware_id)
    if e is None:
        return []
    out = []
    for o in e.data.get("offers", []):
        title, url = _source(e.data, str(o.get("source")))
        out.append(
            Price(
                usd=float(o["usd"]),
                condition=str(o["condition"]),
                date=str(o["date"]),
                source_title=title,
                source_url=url,
                memory_gb=o.get("memory_gb"),
            )
        )
    return sorted(out, key=lambda p: (p.date, -p.usd), reverse=True)


def price_of(hardware_id: str, *, used: bool = False, memory_gb: float | None = None) -> Price | None:
    """The price to reckon with: the newest used offer when `used` (else new), for the memory size asked where the
    machine comes in several; without a street price, the launch price; None when the catalog has no price."""
    rows = offers(hardware_id)
    if memory_gb is not None and any(p.memory_gb is not None for p in rows):
        rows = [p for p in rows if p.memory_gb is not None and abs(float(p.memory_gb) - memory_gb) < 0.5]
    for want in ("used", "new") if used else ("new",):
        mine = [p for p in rows if p.condition == want]
        if mine:
            newest = mine[0].date
            return min((p for p in mine if p.date == newest), key=lambda p: p.usd)
    hw = catalog().hardware.get(hardware_id)
    if hw is None or not hw.data.get("launch_price_usd"):
        return None
    if memory_gb is not None and hw.data.get("memory_options_gb") and memory_gb != min(hw.data["memory_options_gb"]):
        return None  # the launch price is for the base configuration only
    title, url = (
        (hw.data.get("sources") or [{}])[0].get("title", ""),
        (hw.data.get("sources") or [{}])[0].get("url", ""),
    )
    date = hw.data.get("launch_date")
    return Price(
        usd=float(hw.data["launch_price_usd"]),
        condition="launch",
        date=date.isoformat() if isinstance(date, dt.date) else "",
        source_title=str(title),
        source_url=str(url),
        memory_gb=memory_gb,
    )


@dataclass(frozen=True)
class ApiPrice:
    provider: str
    model: str
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    date: str
    source_title: str
    source_url: str
    note: str = ""

    def blended(self, input_share: float) -> float:
        """Dollars per million tokens for a mix with `input_share` of the tokens read and the rest written."""
        return self.input_usd_per_mtok * input_share + self.output_usd_per_mtok * (1 - input_share)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def api_prices(model_id: str) -> list[ApiPrice]:
    """Hosted API prices for one open model, cheapest output first."""
    out = []
    for e in catalog().api_prices.values():
        for p in e.data.get("prices", []):
            if p.get("model") != model_id:
                continue
            title, url = _source(e.data, str(p.get("source")))
            out.append(
                ApiPrice(
                    provider=str(e.data.get("provider")),
                    model=model_id,
                    input_usd_per_mtok=float(p["input_usd_per_mtok"]),
                    output_usd_per_mtok=float(p["output_usd_per_mtok"]),
                    date=str(p["date"]),
                    source_title=title,
                    source_url=url,
                    note=str(p.get("note", "")),
                )
            )
    return sorted(out, key=lambda a: (a.output_usd_per_mtok, a.input_usd_per_mtok, a.provider))
