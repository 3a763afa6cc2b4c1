"""The decision tools' pages: /compare, /choose-gpu, /cost (each with its .json twin)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from starlette.requests import Request

from ..errors import InvalidField
from ..service.resolve import catalog
from . import charts
from .page import Page

MAX_PARAM = 200


def _text(request: Request, key: str, default: str = "") -> str:
    return (request.query_params.get(key) or default)[:MAX_PARAM]


def _number(request: Request, key: str, default: float | None) -> float | None:
    v = request.query_params.get(key)
    if v in (None, ""):
        return default
    try:
        f = float(v[:40])
    except ValueError:
        raise InvalidField(f"{key} must be a number, got {v[:40]!r}") from None
    if f != f or f in (float("inf"), float("-inf")):
        raise InvalidField(f"{key} must be a finite number")
    return f


def _flag(request: Request, key: str) -> bool:
    return (request.query_params.get(key) or "").lower() in ("1", "true", "on", "yes")


def _ids() -> dict[str, list[str]]:
    return {"model_ids": sorted(catalog().models), "hardware_ids": sorted(catalog().hardware)}


def compare_page(request: Request) -> Page:
    from ..service.compare import compare

    raw = _text(request, "hardware", "")
    names = [n.strip() for n in raw.split(",") if n.strip()][:5]
    data: dict[str, Any] = {"hardware": raw, "used": _flag(request, "used"), "result": None}
    extras: dict[str, Any] = {**_ids(), "chart": None}
    if names:
        data["result"] = r = compare(names, used=data["used"])
        rows = []
        for i, m in enumerate(r["reference"]["models"]):
            for mach in r["machines"]:
                run = mach["runs"][i]
                label = catalog().models[m].name if mach is r["machines"][0] else ""
                if run.get("ok") and run["fits"] != "no" and run.get("decode_tokens_per_s"):
                    rows.append((label, float(run["decode_tokens_per_s"]), mach["input"]))
                else:
                    rows.append((label, 0.0, "does not fit"))
        try:
            extras["chart"] = Markup(charts.bar_chart(rows[:100], title="Estimated decode speed by model and machine",
                                                      unit="tok/s"))
        except ValueError:
            extras["chart"] = None
    title = "Compare hardware" + (": " + " vs ".join(names) if names else "")
    return Page("compare.html", title, data, "Two to four machines side by side: what each runs, how fast, and for "
                "what price.", extras=extras)


def choose_page(request: Request) -> Page:
    from ..service.choose import choose

    models = [m.strip() for m in _text(request, "model").split(",") if m.strip()][:4]
    speed, ctx = _number(request, "min_speed", 20.0), _number(request, "context", 8192)
    min_speed = 20.0 if speed is None else speed
    context = 8192 if ctx is None else int(ctx)
    budget = _number(request, "budget", None)
    data: dict[str, Any] = {"model": ",".join(models), "min_speed": min_speed, "context": context, "budget": budget,
                            "used": _flag(request, "used"), "result": None}
    extras: dict[str, Any] = {**_ids(), "chart": None}
    if models:
        data["result"] = r = choose(models, min_speed=min_speed, context=context, budget=budget, used=data["used"])
        named = {p["label"] for p in r["picks"][:3]}  # label only the cheapest picks: hundreds of names would overlap
        pts = [(p["label"] if p["label"] in named else "", float(p["usd"]), float(p["tokens_per_s"]))
               for p in r["chart"]]
        if pts:
            try:
                svg = charts.scatter(pts[:200], title="Price against speed of every priced candidate",
                                     x_label="price (USD)", y_label="slowest model, tokens/s", target_y=min_speed,
                                     target_label=f"target {min_speed:g} tok/s")
                extras["chart"] = Markup(svg)
            except ValueError:
                extras["chart"] = None
    return Page("choose.html", "Choose my GPU", data, "The cheapest hardware that runs your models at your speed.",
                extras=extras)


def cost_page(request: Request) -> Page:
    from ..service.cost import CostSettings, cost

    model, hardware = _text(request, "model"), _text(request, "hardware")
    d = CostSettings()

    def num(key: str, default: float) -> float:
        v = _number(request, key, default)
        return default if v is None else v

    s = CostSettings(tokens_per_day=num("tokens_per_day", d.tokens_per_day),
                     input_share=num("input_share", d.input_share),
                     kwh_price=num("kwh_price", d.kwh_price), years=num("years", d.years),
                     hours_per_day=num("hours_per_day", d.hours_per_day), price_usd=_number(request, "price", None),
                     used=_flag(request, "used"))
    given = _number(request, "gpu_count", None)
    gpus = int(given) if given is not None else None
    if gpus is not None and not 1 <= gpus <= 8:
        raise InvalidField(f"gpu_count must be from 1 to 8, got {gpus}")
    data: dict[str, Any] = {"model": model, "hardware": hardware, "gpu_count": gpus, "settings": s.__dict__,
                            "result": None}
    extras: dict[str, Any] = {**_ids(), "chart": None}
    if model and hardware:
        data["result"] = r = cost(model, hardware, gpu_count=gpus, settings=s)
        if r["cumulative"]:
            series = [charts.Series("local (hardware + electricity)",
                                    tuple((float(c["month"]), c["local_usd"]) for c in r["cumulative"])),
                      charts.Series(f"API ({r['api']['provider']})",
                                    tuple((float(c["month"]), c["api_usd"]) for c in r["cumulative"]))]
            extras["chart"] = Markup(charts.line_chart(series, title="Cumulative cost", x_label="months",
                                                       y_label="dollars"))
    return Page("cost.html", "Cost vs cloud", data, "Local cost per million tokens against hosted API prices.",
                extras=extras)


def guides_index(request: Request) -> Page:
    from ..service.guides import guide_index

    return Page("guides.html", "Buyer guides", {"guides": guide_index()},
                "Best GPU, best used card, best Mac, best laptop and budget tiers, generated from the engine and the "
                "price table.")


def guide_page(request: Request) -> Page:
    from ..service.guides import guide

    d = guide(request.path_params["id"])
    return Page("guide.html", d["title"], d, d["intro"])


def best_gpu(request: Request) -> Page:
    from ..service.guides import guide

    d = guide("best-gpu")
    return Page("guide.html", d["title"], d, d["intro"])


def quick_answers_page(request: Request) -> Page:
    from ..service.phrases import quick_answers

    return Page("quick_answers.html", "Quick answers", {"answers": quick_answers()},
                "The questions people ask most about running AI locally, answered live by the engine.")


def ask_page(request: Request) -> Page:
    from ..service.phrases import ask

    q = (request.query_params.get("q") or "")[:500]
    data: dict[str, Any] = {"q": q, "result": ask(q) if q.strip() else None}
    return Page("ask.html", "Ask" + (f": {q}" if q else ""), data, "Ask in a sentence: model, hardware, context.")


def kits_page(request: Request) -> Page:
    from ..service.kits import kits_index

    return Page("kits.html", "Prompting kits", {"kits": kits_index()},
                "Chat templates, recommended sampling and ready Ollama, llama-server and LM Studio settings.")


def kit_page(request: Request) -> Page:
    from ..service.kits import find_kit, kit

    fam = request.path_params["family"]
    e, _ = find_kit(fam)
    if e.id != fam:
        from ..errors import NotFound

        raise NotFound(f"no prompting kit '{fam[:100]}'", [e.id])
    model = _text(request, "model") or None
    hardware = _text(request, "hardware") or None
    ctx = _number(request, "context", None)
    d = kit(model or fam, hardware=hardware, context=int(ctx) if ctx else None)
    if d["id"] != fam:
        raise InvalidField(f"{model} is not in the {fam} family")
    return Page("kit.html", f"{d['name']} prompting kit", d, f"Chat template and settings for {d['name']}.",
                extras={"hardware_ids": sorted(catalog().hardware)})


def serving_page(request: Request) -> Page:
    """/serving: how many users a machine serves at once and how fast each (runlocal capacity)."""
    from ..service.capacity import capacity

    model, hardware = _text(request, "model"), _text(request, "hardware")
    runtime = _text(request, "runtime", "vllm")
    quant = _text(request, "quant")

    def whole(key: str, default: int | None, lo: int, hi: int) -> int | None:
        v = _number(request, key, default)
        if v is None:
            return None
        if not float(v).is_integer() or not lo <= v <= hi:
            raise InvalidField(f"{key} must be a whole number from {lo:,} to {hi:,}, got {v:g}")
        return int(v)

    q: dict[str, Any] = {"model": model, "hardware": hardware, "runtime": runtime,
                         "gpu_count": whole("gpu_count", None, 1, 8),
                         "context_tokens": whole("context", 4096, 1, 10_000_000),
                         "output_tokens": whole("output", 256, 1, 1_000_000)}
    for key, name in (("users", "users"), ("prompt_tokens", "prompt")):
        v = whole(name, None, 1, 10_000_000)
        if v is not None:
            q[key] = v
    rate = _number(request, "rate", None)
    if rate is not None:
        q["rate_per_s"] = rate
    target = _number(request, "target_tps", None)
    if target is not None:
        q["target_tokens_per_s"] = target
    if quant:
        q["quant"] = quant
    kv = _text(request, "kv_cache_type")
    if kv and kv != "f16":
        q["kv_cache_type"] = kv
    data: dict[str, Any] = {"question": q, "result": None}
    extras: dict[str, Any] = {**_ids(), "chart": None}
    if model and hardware:
        data["result"] = r = capacity(q)
        pts = [p for p in r["curve"] if p["bound"] != "queue"]
        if len(pts) >= 2:
            series = [charts.Series("aggregate tokens/s against tokens/s per user",
                                    tuple((p["per_user_tokens_per_s"], p["aggregate_tokens_per_s"]) for p in pts))]
            extras["chart"] = Markup(charts.line_chart(series, title="Throughput against interactivity",
                                                       x_label="tokens/s each user sees",
                                                       y_label="tokens/s in total"))
    return Page("serving.html", "Serving capacity", data,
                "How many users one machine serves at once, how fast each, and what N users at M tokens/s need.",
                extras=extras)
