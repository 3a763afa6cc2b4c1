"""What the web site's pages show, as plain JSON-ready results built from the catalog and the engine: the
HTML page and its `.json` twin both render these, so they cannot disagree."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from ..catalog.load import Entity
from ..catalog.resolve import resolve_hardware, resolve_model
from ..errors import NotFound, RunlocalError
from .api import answer
from .question import MAX_NAME
from .resolve import catalog

WELL_DECODE_TOKENS_PER_S = 10.0
"""Below this a chat reply is slower than most people read aloud: the answer "runs with trade-offs"."""
WELL_SECONDS_PER_IMAGE = 60.0
"""An image that takes longer than a minute is a trade-off for interactive use."""
LADDER = {
    "runs-well": "Runs well",
    "trade-offs": "Runs, with trade-offs",
    "does-not-run": "Does not run",
}
"""The one verdict scale used on every page (the engine decides the step, prose never overrides it)."""
QUESTION_KEYS = ("model", "hardware", "quant", "context", "gpu_count", "runtime", "kv_cache_type", "parallel",
                 "ram_gb", "width", "height", "steps", "frames", "offload", "use")
"""Query parameters of /will-it-run (the page URL is the question)."""


def verdict_ladder(ans: dict[str, Any]) -> dict[str, Any]:
    """The step on the one scale for a contract answer, with the reasons that put it there."""
    fits = ans.get("fits")
    speed = ans.get("speed") or {}
    reasons: list[str] = []
    if fits == "no":
        return {"level": "does-not-run", "label": LADDER["does-not-run"],
                "reasons": ["the model and its cache do not fit in this machine's memory"]}
    level = "runs-well"
    if fits == "gpu+cpu":
        level = "trade-offs"
        reasons.append("part of the model sits in system RAM, which is read far more slowly")
    elif fits == "cpu":
        level = "trade-offs"
        reasons.append("it runs on the CPU from system RAM")
    dec = speed.get("decode_tokens_per_s")
    if isinstance(dec, int | float) and dec < WELL_DECODE_TOKENS_PER_S:
        level = "trade-offs"
        reasons.append(f"about {dec:.1f} tokens/s, slower than {WELL_DECODE_TOKENS_PER_S:.0f} tokens/s")
    spi = speed.get("seconds_per_image")
    if isinstance(spi, int | float) and spi > WELL_SECONDS_PER_IMAGE:
        level = "trade-offs"
        reasons.append(f"about {spi:.0f} s per image")
    if level == "runs-well":
        reasons.append("everything fits on the accelerator at a usable speed")
    return {"level": level, "label": LADDER[level], "reasons": reasons}


def question_from_params(params: dict[str, str]) -> dict[str, Any]:
    """A contract question from /will-it-run's query parameters (validation stays in service.question)."""
    q: dict[str, Any] = {}
    ints = {"context": "context_tokens", "gpu_count": "gpu_count", "parallel": "parallel", "width": "width",
            "height": "height", "steps": "steps", "frames": "frames"}
    for key in QUESTION_KEYS:
        v = params.get(key)
        if v is None or v == "":
            continue
        if len(v) > MAX_NAME:
            v = v[: MAX_NAME + 1]  # the question's validator names the bound
        if key in ints:
            q[ints[key]] = _num(v, key)
        elif key == "ram_gb":
            q["ram_gb"] = _num(v, key)
        else:
            q[key] = v
    media = {k: q.pop(k) for k in ("width", "height", "steps", "frames", "offload") if k in q}
    if media:
        q["image" if "frames" not in media else "video"] = media
    return q


def _num(v: str, key: str) -> Any:
    try:
        f = float(v)
    except ValueError:
        return v  # the validator reports "must be a number" with the field's name
    return int(f) if f.is_integer() and abs(f) < 1e15 else f


def benchmarks_for(model_id: str | None, hardware_id: str | None) -> list[dict[str, Any]]:
    """Measured runs of this model on this hardware, newest first."""
    out = []
    for e in catalog().benchmarks.values():
        d = e.data
        if d.get("model") == model_id and d.get("hardware") == hardware_id:
            out.append(_bench(e))
    return sorted(out, key=lambda b: b["date"], reverse=True)


def _bench(e: Entity) -> dict[str, Any]:
    d = e.data
    keys = ("runtime", "quant", "context_tokens", "prompt_tokens", "decode_tokens_per_s", "prefill_tokens_per_s",
            "seconds_per_image", "peak_vram_gb", "command", "notes")
    return {"id": e.id, "model": d.get("model"), "hardware": d.get("hardware"), "date": str(d.get("date")),
            **{k: d.get(k) for k in keys if k in d},
            "sources": [{"title": s.get("title"), "url": s.get("url"), "accessed": str(s.get("accessed"))}
                        for s in d.get("sources", [])]}


def nearest_benchmark(ans: dict[str, Any]) -> dict[str, Any] | None:
    """The measured run closest to this question (same quant and runtime first), with how far apart they are."""
    runs = benchmarks_for(ans.get("model_id"), ans.get("hardware_id"))
    if not runs:
        return None
    runs.sort(key=lambda b: (b.get("quant") != ans.get("quant"), b.get("runtime") != ans.get("runtime")))
    best = runs[0]
    speed = ans.get("speed") or {}
    for key in ("decode_tokens_per_s", "prefill_tokens_per_s", "seconds_per_image"):
        m, est = best.get(key), speed.get(key)
        if isinstance(m, int | float) and isinstance(est, int | float) and m > 0:
            best["compared"] = {"metric": key, "measured": m, "estimated": est,
                                "difference_pct": round((est - m) / m * 100, 1)}
            break
    best["same_settings"] = best.get("quant") == ans.get("quant") and best.get("runtime") == ans.get("runtime")
    return best


def will_it_run(params: dict[str, str]) -> dict[str, Any]:
    """The /will-it-run page: the contract answer (identical to `runlocal estimate`), its place on the verdict
    ladder, the nearest measurement and the hand-written verdict."""
    q = question_from_params(params)
    use = q.pop("use", None)
    if "model" not in q or "hardware" not in q:
        return {"question": q, "answer": None, "ladder": None, "benchmark": None, "verdict": None,
                "needs": [k for k in ("model", "hardware") if k not in q]}
    if use:
        from .resolve import model_kind
        from .tasks import apply_use

        q = apply_use(q, str(use), kind=model_kind(str(q["model"])))
    ans = answer(q)
    if not ans.get("ok"):
        return {"question": q, "answer": ans, "ladder": None, "benchmark": None, "verdict": None, "needs": []}
    verdict = None
    for e in catalog().verdicts.values():
        if e.data.get("model") == ans.get("model_id") and e.data.get("hardware") == ans.get("hardware_id"):
            verdict = {"date": str(e.data.get("date")), "summary": e.data.get("summary"), "text": e.body}
    task = None
    if use:
        from .tasks import task_time

        task = task_time(ans, str(use))
    return {"question": q, "answer": ans, "ladder": verdict_ladder(ans), "benchmark": nearest_benchmark(ans),
            "verdict": verdict, "needs": [], "task": task, "use": use}


# ------------------------------------------------------------------------------------------ pulse
PULSE_KINDS = {"models": "model", "hardware": "hardware", "benchmarks": "measurement", "verdicts": "verdict",
               "pages": "page"}


@lru_cache(maxsize=4)
def _changes(key: int) -> tuple[dict[str, Any], ...]:
    cat = catalog()
    out: list[dict[str, Any]] = []
    for kind, what in PULSE_KINDS.items():
        for e in cat.kind(kind).values():
            d = e.data
            date = None
            for k in ("date", "updated", "release_date", "launch_date"):
                if isinstance(d.get(k), dt.date):
                    date = d[k]
                    break
            if date is None:
                accessed = [s.get("accessed") for s in d.get("sources", []) if isinstance(s.get("accessed"), dt.date)]
                date = max(accessed) if accessed else None
            if date is None:
                continue
            row = {"date": date.isoformat(), "kind": kind, "what": what, "id": e.id, "name": e.name,
                   "summary": _short(d)}
            for k in ("model", "hardware", "section", "platform"):
                if isinstance(d.get(k), str):
                    row[k] = d[k]
            out.append(row)
    out.sort(key=lambda c: (c["date"], c["kind"], c["id"]), reverse=True)
    return tuple(out)


def _short(d: dict[str, Any]) -> str:
    for k in ("summary", "description", "notes", "verdict"):
        v = d.get(k)
        if isinstance(v, str) and v:
            return v if len(v) <= 240 else v[:237].rsplit(" ", 1)[0] + "..."
    return ""


def changes(*, month: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """What changed in the catalog, newest first, dated from the data files (one month: 'YYYY-MM')."""
    rows = list(_changes(id(catalog())))
    if month is not None:
        try:
            dt.date.fromisoformat(month + "-01")
        except ValueError:
            raise NotFound(f"no month {month!r}: use YYYY-MM") from None
        rows = [r for r in rows if r["date"].startswith(month)]
    return rows[:limit] if limit else rows


def months() -> list[dict[str, Any]]:
    """Months with changes, newest first, with counts per kind."""
    by: dict[str, dict[str, int]] = {}
    for r in changes():
        by.setdefault(r["date"][:7], {}).setdefault(r["kind"], 0)
        by[r["date"][:7]][r["kind"]] += 1
    return [{"month": m, "counts": c, "total": sum(c.values())} for m, c in sorted(by.items(), reverse=True)]


def popular_questions() -> list[dict[str, str]]:
    """The questions people ask most, as links: each pair exists in the catalog (checked by the tests)."""
    pairs = [("llama-3.1-8b", "rtx-4060", "Llama 3.1 8B on an 8 GB RTX 4060"),
             ("qwen3-30b-a3b", "rtx-4090", "Qwen3 30B-A3B on an RTX 4090"),
             ("gpt-oss-20b", "rtx-3060-12gb", "gpt-oss 20B on a 12 GB RTX 3060"),
             ("llama-3.3-70b", "M4 Max 128GB", "Llama 3.3 70B on a 128 GB M4 Max"),
             ("gpt-oss-120b", "rtx-5090", "gpt-oss 120B on an RTX 5090"),
             ("qwen3-8b", "ddr5-5600-2ch", "Qwen3 8B on a CPU with DDR5"),
             ("flux.1-dev", "rtx-4070", "FLUX.1 dev on an RTX 4070"),
             ("gemma-3-27b", "rtx-3090", "Gemma 3 27B on an RTX 3090")]
    out = []
    for m, h, label in pairs:
        try:
            out.append({"model": resolve_model(catalog(), m).entity.id, "hardware": h,
                        "hardware_id": resolve_hardware(catalog(), h).entity.id, "label": label})
        except RunlocalError:
            continue
    return out
