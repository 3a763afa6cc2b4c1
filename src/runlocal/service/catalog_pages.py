"""Index and detail pages of the catalog (models, hardware, tools, glossary, errors): facts with their sources,
and what the engine says about them in memory tiers. Results are JSON-ready and cached per catalog."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from ..catalog.load import Entity
from ..catalog.resolve import index
from ..errors import InvalidField, NotFound
from .api import answer
from .resolve import catalog
from .site import benchmarks_for, verdict_ladder

TIERS: tuple[tuple[str, str], ...] = (
    ("8 GB", "rtx-4060"), ("12 GB", "rtx-3060-12gb"), ("16 GB", "rtx-4060-ti-16gb"), ("24 GB", "rtx-4090"),
    ("32 GB", "rtx-5090"), ("48 GB", "rtx-6000-ada"), ("128 GB", "rtx-pro-6000-blackwell"),
    ("Mac 16 GB", "M4 16GB"), ("Mac 48 GB", "M4 Pro 48GB"), ("Mac 128 GB", "M4 Max 128GB"),
)
"""One representative machine per memory tier for "what runs it how fast" (the 128 GB GPU tier is a 96 GB card,
the largest single workstation card in the catalog)."""
TIER_CONTEXT = 8192
REFERENCE_MODELS = ("llama-3.2-3b", "qwen3-8b", "gemma-3-12b", "qwen3-14b", "gpt-oss-20b", "gemma-3-27b",
                    "qwen3-30b-a3b", "qwen3-32b", "llama-3.3-70b", "gpt-oss-120b", "qwen3-235b-a22b", "flux.1-dev",
                    "sdxl-base-1.0")
"""Models every hardware page is sized against: popular, and spread from 3B to 235B."""
CONTEXT_POINTS = (2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144)
CHART_CARDS = ("rtx-4060", "rtx-3060-12gb", "rtx-4060-ti-16gb", "rtx-4090", "rtx-5090")
HUGE = {"gpus": [{"name": "sizing", "memory_gb": 10_000, "memory_bandwidth_gb_s": 1000}], "ram_gb": 64}
"""An inline machine big enough for any model: its answers give the memory a model needs, not what fits."""
MAX_FILTER = 200


def _sources(e: Entity) -> list[dict[str, str]]:
    return [{"id": str(s.get("id")), "title": str(s.get("title", "")), "url": str(s.get("url", "")),
             "accessed": str(s.get("accessed", ""))} for s in e.data.get("sources", [])]


def _get(kind: str, eid: str) -> Entity:
    cat = catalog()
    e = cat.kind(kind).get(eid)
    if e is None:
        found = index(cat).get(kind, eid) if len(eid) <= MAX_FILTER else None
        if found is not None:
            return found
        what = {"models": "model", "hardware": "hardware", "runtimes": "tool", "glossary": "glossary entry",
                "errors": "error", "pages": "page"}.get(kind, kind)
        raise NotFound(f"no {what} '{eid[:MAX_FILTER]}'", index(cat).suggest(kind, eid[:MAX_FILTER]))
    return e


def _jsonable(v: Any) -> Any:
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items() if not k.startswith("_")}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    return v


def _num_filter(v: str | None, name: str) -> float | None:
    if v in (None, ""):
        return None
    try:
        f = float(str(v))
    except ValueError:
        raise InvalidField(f"{name} must be a number, got {str(v)[:40]!r}") from None
    if f != f or f < 0 or f > 1e15:
        raise InvalidField(f"{name} must be a number from 0 to 10^15, got {v}")
    return f


# ------------------------------------------------------------------------------------------ models
def model_index(params: dict[str, str]) -> dict[str, Any]:
    """/models: every model, filtered by family, kind, licence, size (billions) and context."""
    fam = (params.get("family") or "").lower()[:MAX_FILTER]
    kind = params.get("kind") or ""
    lic = (params.get("license") or "").lower()[:MAX_FILTER]
    text = (params.get("q") or "").lower()[:MAX_FILTER]
    lo, hi = _num_filter(params.get("min_b"), "min_b"), _num_filter(params.get("max_b"), "max_b")
    ctx = _num_filter(params.get("min_context"), "min_context")
    if kind and kind not in ("text", "image", "video"):
        raise InvalidField(f"kind must be text, image or video, got {kind[:40]!r}")
    rows = []
    families: set[str] = set()
    licenses: set[str] = set()
    for e in sorted(catalog().models.values(), key=lambda e: e.name.lower()):
        d = e.data
        families.add(str(d.get("family", "")))
        licenses.add(str(d.get("license", "")))
        b = (d.get("params") or 0) / 1e9
        if fam and fam != str(d.get("family", "")).lower():
            continue
        if kind and d.get("kind") != kind or lic and lic != str(d.get("license", "")).lower():
            continue
        if lo is not None and b < lo or hi is not None and b > hi:
            continue
        if ctx is not None and (d.get("context_length") or 0) < ctx:
            continue
        if text and text not in (e.id + " " + e.name + " " + " ".join(e.aliases)).lower():
            continue
        rows.append({"id": e.id, "name": e.name, "family": d.get("family"), "kind": d.get("kind"),
                     "params": d.get("params"), "active_params": d.get("active_params"),
                     "context_length": d.get("context_length"), "license": d.get("license"),
                     "release_date": _jsonable(d.get("release_date")), "moe": bool(d.get("arch", {}).get("n_experts"))})
    return {"filters": {k: params.get(k, "") for k in ("q", "family", "kind", "license", "min_b", "max_b",
                                                          "min_context")},
            "families": sorted(f for f in families if f), "licenses": sorted(x for x in licenses if x),
            "count": len(rows), "models": rows}


@lru_cache(maxsize=256)
def _model_detail(eid: str, key: int) -> dict[str, Any]:
    e = _get("models", eid)
    d = e.data
    facts = {k: _jsonable(d.get(k)) for k in ("family", "kind", "org", "params", "active_params", "context_length",
                                              "license", "release_date", "default_quant") if d.get(k) is not None}
    quants = [{"format": a.get("format"), "quant": a.get("quant"), "file_bytes": a.get("file_bytes"),
               "repo": a.get("repo"), "file": a.get("file"), "source": a.get("source")}
              for a in d.get("artifacts", [])]
    out: dict[str, Any] = {"id": e.id, "name": e.name, "path": e.path, "aliases": e.aliases, "facts": facts,
                           "arch": _jsonable(d.get("arch", {})), "components": _jsonable(d.get("components", [])),
                           "diffusion": _jsonable(d.get("diffusion", {})), "quants": quants,
                           "derivatives": [{"name": v.get("name"), "url": v.get("url"), "relation": v.get("relation")}
                                           for v in d.get("derivatives", []) if isinstance(v, dict)],
                           "sources": _sources(e)}
    out["quant_sizes"] = _quant_sizes(e) if d.get("kind") == "text" else []
    out["tiers"] = [_tier(e.id, label, hw) for label, hw in TIERS]
    out["memory_by_context"] = _memory_by_context(e) if d.get("kind") == "text" else None
    runs = [run for h in _bench_hardware(e.id) for run in benchmarks_for(e.id, h)]
    out["benchmarks"] = sorted(runs, key=lambda r: str(r["date"]), reverse=True)
    out["verdicts"] = [{"id": v.id, "hardware": v.data.get("hardware"), "date": _jsonable(v.data.get("date")),
                        "summary": v.data.get("summary")}
                       for v in catalog().verdicts.values() if v.data.get("model") == e.id]
    return out


SIZE_QUANTS = ("Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16")
"""The GGUF quants whose file size the model page lists (estimated per tensor when no file is published)."""


def _quant_sizes(e: Entity) -> list[dict[str, Any]]:
    published = {str(a.get("quant")).upper(): a.get("file_bytes") for a in e.data.get("artifacts", [])
                 if a.get("format") == "gguf"}
    rows = []
    for q in SIZE_QUANTS:
        a = answer({"model": e.id, "hardware": HUGE, "quant": q, "use_published_sizes": False})
        if not a.get("ok"):
            continue
        rows.append({"quant": q, "estimated_file_bytes": a.get("file_bytes"), "published_file_bytes": published.get(q),
                     "weights_bytes": a["memory"]["weights_bytes"]})
    return rows


def _bench_hardware(model_id: str) -> list[str]:
    return sorted({str(b.data.get("hardware")) for b in catalog().benchmarks.values()
                   if b.data.get("model") == model_id})


def model_detail(eid: str) -> dict[str, Any]:
    """/models/{id}: facts with sources, quants with file sizes, memory against context, speed in tiers."""
    return _model_detail(eid, id(catalog()))


def _tier(model: str, label: str, hardware: str) -> dict[str, Any]:
    a = answer({"model": model, "hardware": hardware, "context_tokens": TIER_CONTEXT})
    if not a.get("ok"):
        return {"tier": label, "hardware": hardware, "ok": False, "error": a["error"]["message"]}
    sp = a.get("speed") or {}
    return {"tier": label, "hardware": hardware, "hardware_id": a.get("hardware_id"), "ok": True,
            "quant": a.get("quant"), "fits": a.get("fits"), "ladder": verdict_ladder(a),
            "decode_tokens_per_s": sp.get("decode_tokens_per_s"), "seconds_per_image": sp.get("seconds_per_image"),
            "total_bytes": (a.get("memory") or {}).get("total_bytes")}


def _memory_by_context(e: Entity) -> dict[str, Any]:
    """Memory needed (weights + KV + buffers) per quant at growing contexts, and the usable memory of common
    cards: where each line crosses a card is where that quant stops fitting there."""
    limit = int(e.data.get("context_length") or 131072)
    points = [c for c in CONTEXT_POINTS if c <= limit] or [limit]
    quants = [a.get("quant") for a in e.data.get("artifacts", []) if a.get("format") == "gguf"]
    quants = list(dict.fromkeys([q for q in quants if q] + ["Q4_K_M", "Q8_0", "F16"]))[:4]
    series = []
    for q in quants:
        pts = []
        for c in points:
            a = answer({"model": e.id, "hardware": HUGE, "quant": q, "context_tokens": c})
            if a.get("ok"):
                pts.append([c, a["memory"]["total_bytes"]])
        if pts:
            series.append({"quant": q, "points": pts})
    cards = []
    for hw in CHART_CARDS:
        a = answer({"model": e.id, "hardware": hw, "context_tokens": 4096})
        usable = ((a.get("basis") or {}).get("usable_accelerator_bytes_per_gpu")) if a.get("ok") else None
        if usable:
            cards.append({"hardware": hw, "name": _get("hardware", hw).name, "usable_bytes": usable})
    return {"contexts": points, "series": series, "cards": cards}


# ---------------------------------------------------------------------------------------- hardware
def hardware_index(params: dict[str, str]) -> dict[str, Any]:
    """/hardware: every machine, filtered by vendor, kind, memory and launch price."""
    vendor = (params.get("vendor") or "").lower()[:MAX_FILTER]
    kind = params.get("kind") or ""
    text = (params.get("q") or "").lower()[:MAX_FILTER]
    mem = _num_filter(params.get("min_memory_gb"), "min_memory_gb")
    price = _num_filter(params.get("max_price_usd"), "max_price_usd")
    if kind and kind not in ("gpu", "apple", "unified", "cpu"):
        raise InvalidField(f"kind must be gpu, apple, unified or cpu, got {kind[:40]!r}")
    rows = []
    vendors: set[str] = set()
    for e in sorted(catalog().hardware.values(), key=lambda e: e.name.lower()):
        d = e.data
        vendors.add(str(d.get("vendor")))
        top = d.get("memory_gb") or max(d.get("memory_options_gb") or [0])
        if vendor and d.get("vendor") != vendor or kind and d.get("kind") != kind:
            continue
        if mem is not None and top < mem:
            continue
        if price is not None and not (d.get("launch_price_usd") and d["launch_price_usd"] <= price):
            continue
        if text and text not in (e.id + " " + e.name + " " + " ".join(e.aliases)).lower():
            continue
        rows.append({"id": e.id, "name": e.name, "vendor": d.get("vendor"), "kind": d.get("kind"),
                     "memory_gb": d.get("memory_gb"), "memory_options_gb": d.get("memory_options_gb"),
                     "memory_bandwidth_gb_s": d.get("memory_bandwidth_gb_s"),
                     "fp16_tensor_tflops": d.get("fp16_tensor_tflops"), "launch_price_usd": d.get("launch_price_usd"),
                     "launch_date": _jsonable(d.get("launch_date"))})
    return {"filters": {k: params.get(k, "") for k in ("q", "vendor", "kind", "min_memory_gb", "max_price_usd")},
            "vendors": sorted(vendors), "count": len(rows), "hardware": rows}


SPEC_KEYS = ("vendor", "kind", "segment", "backend", "architecture", "memory_gb", "memory_options_gb", "memory_type",
             "memory_bandwidth_gb_s", "fp16_tensor_tflops", "bf16_tensor_tflops", "int8_tensor_tops",
             "fp8_tensor_tflops", "fp32_tflops", "tdp_w", "launch_date", "launch_price_usd", "pcie", "interconnect",
             "gpu_cores", "cpu_cores", "memory_channels", "memory_mt_s")


@lru_cache(maxsize=256)
def _hardware_detail(eid: str, key: int) -> dict[str, Any]:
    e = _get("hardware", eid)
    d = e.data
    specs = {k: _jsonable(d[k]) for k in SPEC_KEYS if k in d}
    runs = []
    for m in REFERENCE_MODELS:
        if m not in catalog().models:
            continue
        a = answer({"model": m, "hardware": e.id, "context_tokens": TIER_CONTEXT})
        if a.get("ok"):
            sp = a.get("speed") or {}
            runs.append({"model": m, "name": catalog().models[m].name, "quant": a.get("quant"), "fits": a.get("fits"),
                         "ladder": verdict_ladder(a), "decode_tokens_per_s": sp.get("decode_tokens_per_s"),
                         "seconds_per_image": sp.get("seconds_per_image"),
                         "total_bytes": a["memory"]["total_bytes"],
                         "usable_bytes": (a.get("basis") or {}).get("usable_accelerator_bytes_per_gpu")})
    bench = sorted((_b for m in {str(b.data.get("model")) for b in catalog().benchmarks.values()
                                  if b.data.get("hardware") == e.id} for _b in benchmarks_for(m, e.id)),
                   key=lambda b: b["date"], reverse=True)
    verdicts = [{"id": v.id, "model": v.data.get("model"), "date": _jsonable(v.data.get("date")),
                 "summary": v.data.get("summary")} for v in catalog().verdicts.values()
                if v.data.get("hardware") == e.id]
    return {"id": e.id, "name": e.name, "path": e.path, "aliases": e.aliases, "specs": specs,
            "notes": d.get("notes"), "sources": _sources(e), "runs": runs, "context_tokens": TIER_CONTEXT,
            "benchmarks": bench, "verdicts": verdicts}


def hardware_detail(eid: str) -> dict[str, Any]:
    """/hardware/{id}: specs with sources, what runs on it how fast, measured benchmarks, verdicts."""
    return _hardware_detail(eid, id(catalog()))


# ------------------------------------------------------------------------- tools, glossary, errors
def tool_detail(eid: str) -> dict[str, Any]:
    e = _get("runtimes", eid)
    return {"id": e.id, "name": e.name, "path": e.path, **_jsonable(e.data), "sources": _sources(e)}


def glossary_term(eid: str) -> dict[str, Any]:
    """/glossary/{id}: the entry with its numbers filled in by the engine."""
    from .knowledge import explain

    e = _get("glossary", eid)
    return _jsonable({k: v for k, v in explain(e.id).items()})


def glossary_index() -> dict[str, Any]:
    rows = [{"id": e.id, "term": e.data.get("term"), "category": e.data.get("category"),
             "summary": _first_paragraph(e.body)} for e in sorted(catalog().glossary.values(), key=lambda e: e.id)]
    return {"count": len(rows), "terms": rows}


def errors_index() -> dict[str, Any]:
    rows = [{"id": e.id, "title": e.data.get("title"), "runtime": e.data.get("runtime"),
             "category": e.data.get("category")} for e in sorted(catalog().errors.values(), key=lambda e: e.id)]
    return {"count": len(rows), "errors": rows}


def error_detail(eid: str) -> dict[str, Any]:
    e = _get("errors", eid)
    return {"id": e.id, "title": e.data.get("title"), "runtime": e.data.get("runtime"),
            "category": e.data.get("category"), "patterns": e.data.get("patterns", []), "text": e.body,
            "path": e.path, "sources": _sources(e)}


def _first_paragraph(body: str) -> str:
    for block in body.split("\n\n"):
        b = block.strip()
        if b and not b.startswith("#"):
            return b if len(b) <= 280 else b[:277].rsplit(" ", 1)[0] + "..."
    return ""


def pages_in(section: str) -> list[dict[str, Any]]:
    """The pages of one section (learn, start, site), in their order."""
    rows = [{"id": e.id, "title": e.data.get("title"), "summary": e.data.get("summary"),
             "platform": e.data.get("platform"), "order": e.data.get("order", 99)}
            for e in catalog().pages.values() if e.data.get("section") == section]
    return sorted(rows, key=lambda r: (r["order"], r["id"]))


def page_in(section: str, key: str) -> dict[str, Any]:
    """One page of a section by id (or, for start pages, by platform)."""
    from .knowledge import render_page

    for e in catalog().pages.values():
        if e.data.get("section") == section and (e.id == key or e.data.get("platform") == key):
            out = render_page(e.id)
            out.update({"section": section, "platform": e.data.get("platform"),
                        "updated": _jsonable(e.data.get("updated")), "sources": _sources(e)})
            return out
    raise NotFound(f"no {section} page '{key[:MAX_FILTER]}'", [p["platform"] or p["id"] for p in pages_in(section)])
