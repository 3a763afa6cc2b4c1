"""The charts of each page, drawn from the page's own data (so a chart never shows what the JSON does not)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from . import charts
from .render import tokens


def _safe(fn: Any, *args: Any, **kw: Any) -> Markup | None:
    try:
        return Markup(fn(*args, **kw))
    except ValueError:  # an empty or degenerate series: the page shows the table instead
        return None


def will_it_run(data: dict[str, Any]) -> dict[str, Markup | None]:
    ans = data.get("answer") or {}
    mem = ans.get("memory") or {}
    usable = (ans.get("basis") or {}).get("usable_accelerator_bytes_per_gpu")
    out: dict[str, Markup | None] = {}
    if mem and usable:
        gpus = max(1, int((data.get("question") or {}).get("gpu_count") or 1))
        parts = [("weights", mem.get("weights_bytes", 0)), ("KV cache", mem.get("kv_cache_bytes", 0)),
                 ("compute", mem.get("compute_bytes", 0)), ("overhead", mem.get("overhead_bytes", 0))]
        out["memory"] = _safe(charts.memory_bar, parts, int(usable) * gpus,
                              title="Memory needed against the accelerator's usable memory")
    return out


def model(d: dict[str, Any]) -> dict[str, Markup | None]:
    out: dict[str, Markup | None] = {}
    mbc = d.get("memory_by_context")
    if mbc and mbc.get("series"):
        series = [charts.Series(s["quant"], tuple((float(c), b / 1e9) for c, b in s["points"])) for s in mbc["series"]]
        hlines = [(f"{c['name'].replace('NVIDIA GeForce ', '')} ({c['usable_bytes'] / 1e9:.1f} GB usable)",
                   c["usable_bytes"] / 1e9) for c in mbc["cards"]]
        out["memory_by_context"] = _safe(charts.line_chart, series, title="Memory needed against context length",
                                         x_label="context (tokens)", y_label="memory (GB)", hlines=hlines, log_x=True,
                                         x_format=lambda x: tokens(int(x)))
    rows = []
    for t in d.get("tiers", []):
        if not t.get("ok"):
            continue
        v = t.get("decode_tokens_per_s") if t.get("decode_tokens_per_s") is not None else t.get("seconds_per_image")
        if t.get("fits") == "no" or v is None:
            rows.append((f"{t['tier']} ({t['hardware']})", 0.0, "does not fit"))
        else:
            rows.append((f"{t['tier']} ({t['hardware']})", float(v), t["ladder"]["label"].lower() + ", estimated"))
    if rows:
        unit = "tok/s" if any(t.get("decode_tokens_per_s") is not None for t in d.get("tiers", [])) else "s/image"
        out["tiers"] = _safe(charts.bar_chart, rows, title="Estimated speed by memory tier", unit=unit)
    return out


def hardware(d: dict[str, Any]) -> dict[str, Markup | None]:
    rows = []
    for r in d.get("runs", []):
        if r.get("decode_tokens_per_s") is None:
            continue
        if r.get("fits") == "no":
            rows.append((r["name"], 0.0, "does not fit"))
        else:
            rows.append((r["name"], float(r["decode_tokens_per_s"]), r["ladder"]["label"].lower()))
    return {"runs": _safe(charts.bar_chart, rows, title="Estimated decode speed of reference models",
                          unit="tok/s")} if rows else {}
