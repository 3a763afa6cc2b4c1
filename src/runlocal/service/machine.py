"""This machine as the engine sees it: detected devices matched to catalog entries, free memory first."""

from __future__ import annotations

from typing import Any

from ..catalog.resolve import resolve_hardware
from ..detect import SystemInfo, detect
from ..errors import RunlocalError
from ..estimate.units import GIB
from .resolve import catalog

_CACHED: SystemInfo | None = None


def this_system(refresh: bool = False) -> SystemInfo:
    global _CACHED
    if _CACHED is None or refresh:
        _CACHED = detect()
    return _CACHED


def match(info: SystemInfo) -> list[dict[str, Any]]:
    """Each detected GPU with the catalog entry it matches (None, with a note, when it does not)."""
    out = []
    cat = catalog()
    for g in info.gpus:
        name = g.name
        if g.vendor == "apple" and info.apple_gpu_cores:
            name = f"{g.name} {info.apple_gpu_cores}-core GPU"
        if g.vendor == "apple" and info.ram_total_bytes:
            name += f" {round(info.ram_total_bytes / GIB)}GB"
        try:
            hm = resolve_hardware(cat, _disambiguate(name, g.memory_total_bytes))
            out.append({"gpu": g, "catalog_id": hm.entity.id, "memory_gb": hm.memory_gb, "matched_as": name})
        except RunlocalError as exc:
            out.append({"gpu": g, "catalog_id": None, "memory_gb": None, "matched_as": name,
                        "note": f"'{g.name}' is not in the catalog ({exc.message}); close: "
                                f"{', '.join(exc.suggestions[:3])}"})
    return out


def _disambiguate(name: str, total: int | None) -> str:
    """'Radeon RX 7900 XT/7900 XTX' (one PCI id, two cards): pick the variant whose VRAM matches."""
    if "/" not in name:
        return name
    head, *tails = name.split("/")
    prefix = head.rsplit(" ", 2)[0] if len(head.split()) > 2 else ""
    cands = [head] + [t if t.split()[0].isalpha() else f"{prefix} {t}".strip() for t in tails]
    cat = catalog()
    for c in cands:
        try:
            e = resolve_hardware(cat, c).entity
        except RunlocalError:
            continue
        mem = e.data.get("memory_gb")
        if total and mem and abs(float(mem) - total / GIB) < 1.5:
            return c
    return cands[0]


def in_use_notes(info: SystemInfo) -> list[str]:
    """What is already loaded: memory other processes (a desktop, another model) hold on each GPU."""
    notes = []
    for g in info.gpus:
        if g.memory_used_bytes:
            notes.append(f"{g.name}: {g.memory_used_bytes / GIB:.1f} GiB of {((g.memory_total_bytes or 0) / GIB):.1f} "
                         "GiB already in use by other processes; estimates fit against the free part")
    return notes


def describe(info: SystemInfo | None = None) -> dict[str, Any]:
    """`runlocal system` as a JSON-ready dict."""
    info = info or this_system()
    d = info.to_dict()
    d["matches"] = [{k: v for k, v in m.items() if k != "gpu"} | {"name": m["gpu"].name} for m in match(info)]
    d["hardware_for_estimates"] = detected_hardware(info)
    d["notes"] = list(info.notes) + in_use_notes(info)
    return d


def detected_hardware(info: SystemInfo | None = None) -> str | dict[str, Any]:
    """A hardware name or contract hardware object for the engine, fitted against free memory."""
    info = info or this_system()
    matches = match(info)
    ram_gb = (info.ram_available_bytes or info.ram_total_bytes or 16 * GIB) / GIB
    apple = [m for m in matches if m["gpu"].vendor == "apple"]
    if apple and apple[0]["catalog_id"]:
        return str(apple[0]["matched_as"])
    discrete = [m for m in matches if m["gpu"].vendor in ("nvidia", "amd", "intel")]
    if discrete:
        gpus = []
        for m in discrete:
            g = m["gpu"]
            free = g.memory_free_bytes if g.memory_free_bytes is not None else g.memory_total_bytes
            ent = catalog().hardware.get(m["catalog_id"]) if m["catalog_id"] else None
            gpus.append({"name": ent.name if ent else g.name, "memory_gb": round((free or 8 * GIB) / GIB, 2)})
        return {"gpus": gpus, "ram_gb": round(ram_gb, 1)}
    return {"gpus": [], "ram_gb": round(ram_gb, 1), "ram_bandwidth_gb_s": 60.0,
            "cpu_cores": info.cpu_cores or 4}
