"""The calibration in force: user-level assumption overrides that `runlocal calibrate` (service/calibrate.py)
wrote for one machine, applied to the questions about that machine (and named in their notes)."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from ..errors import RunlocalError

FILE = "calibration.json"
OFF_ENV = "RUNLOCAL_NO_CALIBRATION"


def path() -> Path:
    from ..store.db import data_dir

    return data_dir() / FILE


# ------------------------------------------------------------------------------------------ applying
_CACHE: dict[str, Any] = {"key": None, "data": None}
_LOCK = threading.Lock()


def current() -> dict[str, Any] | None:
    """The calibration in force (re-read when the file changes); None when there is none or it is switched off."""
    if os.environ.get(OFF_ENV):
        return None
    p = path()
    try:
        st = p.stat()
    except OSError:
        return None
    key = (str(p), st.st_mtime_ns, st.st_size)
    with _LOCK:
        if _CACHE["key"] != key:
            try:
                data = json.loads(p.read_text(encoding="utf-8"))
                ok = isinstance(data, dict) and isinstance(data.get("overrides"), dict)
            except (OSError, ValueError):
                ok, data = False, None
            _CACHE.update(key=key, data=data if ok else None)
        return _CACHE["data"]


def backend_of(hardware: Any) -> str | None:
    """The backend of a catalog machine named by `hardware` (cuda, rocm, metal, vulkan, cpu, ...), if it is one."""
    if not isinstance(hardware, str):
        return None
    from ..catalog.resolve import resolve_hardware
    from .resolve import catalog

    try:
        return str(resolve_hardware(catalog(), hardware).entity.data.get("backend") or "") or None
    except RunlocalError:
        return None


def _hardware_matches(scope: dict[str, Any], hardware: Any) -> bool:
    if "backend" in scope:
        return backend_of(hardware) == scope["backend"]
    if "hardware_id" in scope:
        if not isinstance(hardware, str):
            return False
        if hardware == scope["hardware_id"]:
            return True
        from ..catalog.resolve import resolve_hardware
        from .resolve import catalog

        try:
            return resolve_hardware(catalog(), hardware).entity.id == scope["hardware_id"]
        except RunlocalError:
            return False
    machine = scope.get("machine")
    if not isinstance(machine, dict):
        return False
    if isinstance(hardware, str):
        return hardware == machine.get("name")
    if not isinstance(hardware, dict):
        return False
    gpus = sorted(str(g.get("name")) for g in hardware.get("gpus") or [] if isinstance(g, dict))
    if gpus != machine.get("gpus"):
        return False
    if not gpus:  # a CPU-only machine: a RAM bandwidth this one reaches (with one thread up to all of them)
        bw = hardware.get("ram_bandwidth_gb_s")
        lo, hi = machine.get("ram_bandwidth_gb_s_range") or [machine.get("ram_bandwidth_gb_s")] * 2
        return (isinstance(bw, int | float) and isinstance(lo, int | float) and isinstance(hi, int | float)
                and lo * 0.99 <= bw <= hi * 1.01)
    return True


def apply(q: Any) -> tuple[Any, str | None]:
    """The question with the calibration's overrides under its own `assume` (the question's win), and the note
    to add to the answer's basis; unchanged when no calibration applies to its hardware."""
    cal = current()
    if cal is None or not isinstance(q, dict) or not _hardware_matches(cal.get("scope") or {}, q.get("hardware")):
        return q, None
    raw = q.get("assume")
    if raw is not None and not isinstance(raw, dict):
        return q, None  # the question's own error is reported as it stands
    own: dict[str, Any] = raw or {}
    merged = {**cal["overrides"], **own}
    changed = ", ".join(f"{k} {v:g}" for k, v in cal["overrides"].items() if k not in own)
    note = (f"calibrated for {cal.get('scope_label', 'this machine')} by runlocal calibrate on "
            f"{str(cal.get('fitted_at', '?'))[:10]} from {len(cal.get('runs') or [])} run(s): {changed} "
            f"({OFF_ENV}=1 or runlocal calibrate --reset to ignore)")
    return {**q, "assume": merged}, note if changed else None
