"""One function per page: read the request, call the service, return a Page (template, title, data). The data
is the JSON twin, so every figure on a page is in its .json too."""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..errors import InvalidField, NotFound
from ..service import catalog_pages as cp
from ..service import site
from ..service.resolve import catalog
from . import charts_view
from . import tools as decision
from .page import Page

SITE_PAGES = ("about", "editorial-policy", "trust", "how-we-make-money", "privacy", "terms", "contact")
MAX_TEXT = 20_000


def _q(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items()}


def url_for_hit(kind: str, eid: str, row: dict[str, Any] | None = None) -> str:
    """The page of a catalog entry (the site's URL map)."""
    row = row or {}
    if kind == "models":
        return f"/models/{eid}"
    if kind == "hardware":
        return f"/hardware/{eid}"
    if kind == "runtimes":
        return f"/tools/{eid}"
    if kind == "glossary":
        return f"/glossary/{eid}"
    if kind == "errors":
        return f"/errors/{eid}"
    if kind in ("verdicts", "benchmarks") and row.get("model") and row.get("hardware"):
        return f"/will-it-run?model={row['model']}&hardware={row['hardware']}"
    if kind == "pages":
        section = row.get("section") or "learn"
        if section == "site":
            return f"/{eid}"
        if section == "start":
            return f"/start/{row.get('platform') or eid}"
        return f"/learn/{eid}"
    return "/search?q=" + eid


def home(request: Request) -> Page:
    cat = catalog()
    data = {"counts": {k: len(v) for k, v in sorted(cat.entities.items())},
            "popular": site.popular_questions(), "changes": _linked(site.changes(limit=8))}
    return Page("home.html", "Will it run? Local AI models, hardware and tools", data,
                "Will this model run on this machine, in how much memory, and how fast? Estimates from a physics "
                "engine, checked against published measurements.",
                extras={"model_ids": sorted(cat.models), "hardware_ids": sorted(cat.hardware)})


def will_it_run(request: Request) -> Page:
    params = _q(request)
    data = site.will_it_run(params)
    ans = data.get("answer")
    if ans and not ans.get("ok"):
        err = ans["error"]
        code = err["code"]
        exc_type = NotFound if code in ("unknown_model", "unknown_hardware", "not_found") else InvalidField
        exc = exc_type(err["message"], err.get("suggestions") or [])
        exc.code = code
        raise exc
    cat = catalog()
    extras = {"charts": charts_view.will_it_run(data) if ans else {}, "model_ids": sorted(cat.models),
              "hardware_ids": sorted(cat.hardware), "variants": _variants(params, ans) if ans else [],
              "request_query": {k: v for k, v in params.items() if k in site.QUESTION_KEYS}}
    title = "Will it run?"
    if ans:
        m = cat.models.get(ans.get("model_id") or "")
        h = cat.hardware.get(ans.get("hardware_id") or "")
        title = f"{m.name if m else 'This model'} on {h.name if h else 'this machine'}: {data['ladder']['label']}"
    return Page("will_it_run.html", title, data, extras=extras)


VARIANT_QUANTS = ("Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16")
VARIANT_CONTEXTS = (8192, 32768, 131072)


def _variants(params: dict[str, str], ans: dict[str, Any]) -> list[dict[str, Any]]:
    """Links to the same question with one setting changed (quant, context, a second GPU)."""
    base = {k: v for k, v in params.items() if k in site.QUESTION_KEYS}
    groups: list[dict[str, Any]] = []
    if ans.get("speed", {}).get("decode_tokens_per_s") is not None and ans.get("runtime") in ("llama.cpp", "ollama"):
        groups.append({"label": "Quant", "links": [
            {"text": q, "query": {**base, "quant": q}, "current": q == ans.get("quant")} for q in VARIANT_QUANTS]})
        ctx = int(params.get("context") or 4096) if (params.get("context") or "4096").isdigit() else 4096
        groups.append({"label": "Context", "links": [
            {"text": f"{c // 1024}K", "query": {**base, "context": c}, "current": c == ctx} for c in VARIANT_CONTEXTS]})
    gpus = params.get("gpu_count") or "1"
    if ans.get("hardware_id") and gpus.isdigit() and ans.get("fits") != "gpu":
        groups.append({"label": "GPUs", "links": [{"text": f"{int(gpus) + 1} of these", "current": False,
                                                   "query": {**base, "gpu_count": int(gpus) + 1}}]})
    return groups


def models(request: Request) -> Page:
    return Page("models.html", "Models", cp.model_index(_q(request)), "Every model in the catalog, filterable.")


def model(request: Request) -> Page:
    from .bench import runs_for

    d = cp.model_detail(request.path_params["id"])
    d = {**d, "bench_runs": runs_for(model_id=d["id"])}
    return Page("model.html", d["name"], d, f"{d['name']}: memory, quants and speed on common hardware.",
                extras={"charts": charts_view.model(d)})


def hardware_list(request: Request) -> Page:
    return Page("hardware_list.html", "Hardware", cp.hardware_index(_q(request)),
                "GPUs, Macs, unified-memory PCs and CPUs in the catalog.")


def hardware(request: Request) -> Page:
    from .bench import runs_for

    d = cp.hardware_detail(request.path_params["id"])
    d = {**d, "bench_runs": runs_for(hardware_id=d["id"])}
    return Page("hardware.html", d["name"], d, f"{d['name']}: specs, and what runs on it how fast.",
                extras={"charts": charts_view.hardware(d)})


def tools(request: Request) -> Page:
    from ..service.knowledge import list_tools

    rows = list_tools()
    return Page("tools.html", "Tools", {"count": len(rows), "tools": rows}, "Runtimes and apps for local AI.")


def tool(request: Request) -> Page:
    d = cp.tool_detail(request.path_params["id"])
    return Page("tool.html", d["name"], d, str(d.get("description", ""))[:160])


def glossary(request: Request) -> Page:
    return Page("glossary.html", "Glossary", cp.glossary_index(), "Local-AI terms, with numbers from the engine.")


def term(request: Request) -> Page:
    d = cp.glossary_term(request.path_params["id"])
    return Page("term.html", str(d.get("term", d["id"])), d)


def errors(request: Request) -> Page:
    return Page("errors.html", "Error messages", cp.errors_index(), "What an error message means and how to fix it.")


def error(request: Request) -> Page:
    d = cp.error_detail(request.path_params["id"])
    return Page("error_entry.html", str(d["title"]), d)


def troubleshoot(request: Request) -> Page:
    from ..service.knowledge import troubleshoot as ts

    p = _q(request)
    text = (p.get("q") or "")[:MAX_TEXT]
    data: dict[str, Any] = {"q": text, "model": p.get("model", ""), "hardware": p.get("hardware", ""), "result": None}
    if text.strip():
        data["result"] = _plain(ts(text, model=p.get("model") or None, hardware=p.get("hardware") or None))
    return Page("troubleshoot.html", "Troubleshoot an error", data,
                extras={"model_ids": sorted(catalog().models), "hardware_ids": sorted(catalog().hardware)})


def learn(request: Request) -> Page:
    return Page("section.html", "Learn", {"section": "learn", "pages": cp.pages_in("learn")},
                "What local AI is, quantization, context, hardware, offloading.")


def learn_page(request: Request) -> Page:
    d = cp.page_in("learn", request.path_params["id"])
    return Page("page.html", d["title"], d, d["summary"])


def start(request: Request) -> Page:
    return Page("section.html", "Get started", {"section": "start", "pages": cp.pages_in("start")},
                "Set up local AI on Windows, macOS or Linux, with NVIDIA, AMD, Apple or just a CPU.")


def start_page(request: Request) -> Page:
    d = cp.page_in("start", request.path_params["platform"])
    return Page("page.html", d["title"], d, d["summary"])


def site_page(page_id: str) -> Any:
    def handler(request: Request) -> Page:
        d = cp.page_in("site", page_id)
        return Page("page.html", d["title"], d, d["summary"])

    return handler


def methodology(request: Request) -> Page:
    from ..service.methodology import methodology as m

    return Page("methodology.html", "Methodology and measured accuracy", m(),
                "How runlocal estimates memory and speed, every assumption, and the measured error.")


def search(request: Request) -> Page:
    from ..service.database import search as fts

    q = (request.query_params.get("q") or "")[:1000]
    kind = request.query_params.get("kind") or None
    if kind and kind not in catalog().entities:
        raise InvalidField(f"kind must be one of {', '.join(sorted(catalog().entities))}")
    hits = fts(q, kind=kind, limit=50) if q.strip() else []
    for h in hits:
        h["url"] = url_for_hit(str(h["kind"]), str(h["id"]), h)
    return Page("search.html", f"Search: {q}" if q else "Search", {"q": q, "kind": kind, "count": len(hits),
                                                                    "results": hits})


def pulse(request: Request) -> Page:
    data = {"months": site.months(), "changes": _linked(site.changes(limit=60))}
    return Page("pulse.html", "Pulse: what changed", data,
                "New models, hardware, measurements and verdicts, dated.")


def pulse_month(request: Request) -> Page:
    month = request.path_params["month"]
    rows = _linked(site.changes(month=month))
    return Page("pulse.html", f"Pulse: {month}", {"month": month, "months": site.months(), "changes": rows})


def sitemap(request: Request) -> Page:
    return Page("sitemap.html", "Site map", {"sections": _sitemap()})


def _sitemap() -> list[dict[str, Any]]:
    cat = catalog()
    return [
        {"title": "Answers", "links": [{"url": "/will-it-run", "name": "Will it run?"},
                                       {"url": "/troubleshoot", "name": "Troubleshoot"},
                                       {"url": "/search", "name": "Search"}]},
        {"title": "Learn", "links": [{"url": f"/learn/{p['id']}", "name": p["title"]} for p in cp.pages_in("learn")]},
        {"title": "Get started", "links": [{"url": f"/start/{p['platform']}", "name": p["title"]}
                                           for p in cp.pages_in("start") if p.get("platform")]},
        {"title": "Models", "links": [{"url": f"/models/{e.id}", "name": e.name}
                                      for e in sorted(cat.models.values(), key=lambda e: e.name)]},
        {"title": "Hardware", "links": [{"url": f"/hardware/{e.id}", "name": e.name}
                                        for e in sorted(cat.hardware.values(), key=lambda e: e.name)]},
        {"title": "Tools", "links": [{"url": f"/tools/{e.id}", "name": e.name} for e in cat.runtimes.values()]},
        {"title": "Glossary", "links": [{"url": f"/glossary/{e.id}", "name": str(e.data.get('term'))}
                                        for e in sorted(cat.glossary.values(), key=lambda e: e.id)]},
        {"title": "Errors", "links": [{"url": f"/errors/{e.id}", "name": str(e.data.get('title'))}
                                      for e in sorted(cat.errors.values(), key=lambda e: e.id)]},
        {"title": "About", "links": [{"url": "/methodology", "name": "Methodology"}, {"url": "/pulse", "name": "Pulse"},
                                     *({"url": f"/{p['id']}", "name": p["title"]} for p in cp.pages_in("site"))]},
    ]


def _linked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Change rows with the URL of the page each one is about."""
    return [{**r, "url": url_for_hit(r["kind"], r["id"], r)} for r in rows]


def _plain(d: Any) -> Any:
    """A service result made JSON-ready (dates as ISO strings)."""
    if isinstance(d, dict):
        return {str(k): _plain(v) for k, v in d.items()}
    if isinstance(d, list | tuple):
        return [_plain(x) for x in d]
    if isinstance(d, dt.date):
        return d.isoformat()
    return d


def base_url(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


async def pulse_atom(request: Request) -> Response:
    base = base_url(request)
    rows = site.changes(limit=50)
    updated = (rows[0]["date"] if rows else dt.date.today().isoformat()) + "T00:00:00Z"
    entries = []
    for r in rows:
        url = base + url_for_hit(r["kind"], r["id"], r)
        entries.append(f"<entry><title>{escape(r['what'])}: {escape(r['name'])}</title>"
                       f"<link href=\"{escape(url)}\"/><id>{escape(url)}#{r['date']}</id>"
                       f"<updated>{r['date']}T00:00:00Z</updated><summary>{escape(r['summary'])}</summary></entry>")
    body = ("<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">"
            f"<title>runlocal pulse</title><link href=\"{escape(base)}/pulse\"/><link rel=\"self\" "
            f"href=\"{escape(base)}/pulse.atom\"/><id>{escape(base)}/pulse</id><updated>{updated}</updated>"
            + "".join(entries) + "</feed>")
    return Response(body, media_type="application/atom+xml")


async def sitemap_xml(request: Request) -> Response:
    base = base_url(request)
    urls = ["/", "/will-it-run", "/models", "/hardware", "/tools", "/glossary", "/errors", "/troubleshoot", "/learn",
            "/start", "/methodology", "/search", "/pulse", "/sitemap"]
    for s in _sitemap():
        urls += [link["url"] for link in s["links"]]
    body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
            + "".join(f"<url><loc>{escape(base + u)}</loc></url>" for u in dict.fromkeys(urls)) + "</urlset>")
    return Response(body, media_type="application/xml")


async def robots(request: Request) -> Response:
    return PlainTextResponse(f"User-agent: *\nAllow: /\nDisallow: /api/\nSitemap: {base_url(request)}/sitemap.xml\n")


PAGES: list[tuple[str, Any, str | None]] = [
    ("/", home, None), ("/will-it-run", will_it_run, None),
    ("/models", models, None), ("/models/{id}", model, "models"),
    ("/hardware", hardware_list, None), ("/hardware/{id}", hardware, "hardware"),
    ("/tools", tools, None), ("/tools/{id}", tool, "runtimes"),
    ("/glossary", glossary, None), ("/glossary/{id}", term, "glossary"),
    ("/errors", errors, None), ("/errors/{id}", error, "errors"),
    ("/troubleshoot", troubleshoot, None), ("/learn", learn, None), ("/learn/{id}", learn_page, "pages"),
    ("/start", start, None), ("/start/{platform}", start_page, "pages"), ("/methodology", methodology, None),
    ("/search", search, None), ("/pulse", pulse, None), ("/pulse/{month}", pulse_month, None),
    ("/sitemap", sitemap, None),
    ("/compare", decision.compare_page, None), ("/choose-gpu", decision.choose_page, None),
    ("/cost", decision.cost_page, None), ("/best-gpu", decision.best_gpu, None),
    ("/serving", decision.serving_page, None),
    ("/guides", decision.guides_index, None), ("/guides/{id}", decision.guide_page, None),
    ("/quick-answers", decision.quick_answers_page, None), ("/ask", decision.ask_page, None),
    ("/prompting-kits", decision.kits_page, None), ("/prompting-kits/{family}", decision.kit_page, None),
    *((f"/{p}", site_page(p), "pages") for p in SITE_PAGES),
]
"""The site's URL map (kept stable: other tools and the tests depend on these paths)."""
