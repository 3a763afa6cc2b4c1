"""Models already downloaded here (``detect.installed`` finds them), resolved to catalog ids where possible."""

from __future__ import annotations

from typing import Any

from ..catalog.resolve import resolve_model
from ..detect.installed import FoundModel, found_models
from ..errors import RunlocalError
from .resolve import catalog


def _resolve(name: str) -> tuple[str | None, str | None]:
    try:
        m = resolve_model(catalog(), name)
        return m.entity.id, m.quant
    except RunlocalError:
        return None, None


def resolve_found(m: FoundModel) -> tuple[str | None, str | None]:
    """(catalog id, quant named) of a found model: the first lookup name gives both; later ones only an id."""
    mid, quant = _resolve(m.lookup[0]) if m.lookup else (None, None)
    for name in m.lookup[1:]:
        if mid is not None:
            break
        mid, _ = _resolve(name)
    return mid, quant


def installed_models() -> list[dict[str, Any]]:
    """Every model found in the known stores, with the catalog id it resolves to (or None)."""
    out: list[dict[str, Any]] = []
    for m in found_models():
        mid, quant = resolve_found(m)
        d: dict[str, Any] = {"source": m.source, "name": m.name, "path": m.path, "exists": m.exists,
                             "size_bytes": m.size_bytes, "model_id": mid, "quant": quant}
        if m.files is not None:
            d["files"] = list(m.files)
        out.append(d)
    return out


def installed_model_ids() -> list[str]:
    """The catalog ids of the models found here, sorted."""
    return sorted({m["model_id"] for m in installed_models() if m.get("model_id")})


__all__ = ["installed_model_ids", "installed_models", "resolve_found"]
