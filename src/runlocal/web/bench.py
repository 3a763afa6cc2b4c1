"""The Bench API and pages: runs measured by people on their own machines, next to the engine's estimates.

    POST /api/v1/bench          a run (the JSON of `runlocal bench --json` plus model_id and hardware_id): 201,
                                stored for moderation; 400 a bad field, 404 unknown model or hardware (with
                                suggestions), 409 already stored, 413 too large, 429 too many from one address
    GET  /api/v1/bench          shown runs (this machine's own and accepted ones), filterable: model, hardware,
                                runtime, limit
    GET  /api/v1/bench/{id}     one shown run
    GET  /bench, /bench/{id}    the same as pages (JSON twins at .json), each run with its reproduction command

The pages read the database on every request (they change whenever a run is accepted), so they bypass the page
cache; every error is the site's one shape."""

from __future__ import annotations

import statistics
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import InvalidField, NotFound, RunlocalError, UnknownHardware, UnknownModel
from ..service import benchruns
from ..service.jsonin import loads
from .render import render
from .responses import StrictJSON, error_body

FILTERS = ("model", "hardware", "runtime")
PAGE_LIMIT = 200


def _status(exc: RunlocalError) -> int:
    if isinstance(exc, benchruns.RateLimited):
        return 429
    if isinstance(exc, benchruns.Duplicate):
        return 409
    if isinstance(exc, NotFound | UnknownModel | UnknownHardware):
        return 404
    if isinstance(exc, InvalidField):
        return 400
    return 422


def _err(exc: RunlocalError) -> Response:
    status = _status(exc)
    headers = {"retry-after": "3600"} if status == 429 else {}
    return StrictJSON(error_body(exc.code, exc.message, list(exc.suggestions)), status_code=status, headers=headers)


async def submit(request: Request) -> Response:
    raw = await request.body()
    if len(raw) > benchruns.MAX_BODY_BYTES:
        return StrictJSON(error_body("invalid_field", f"a run is at most {benchruns.MAX_BODY_BYTES:,} bytes"),
                          status_code=413)
    if not request.headers.get("content-type", "").startswith("application/json"):
        return StrictJSON(error_body("invalid_field", "send the run as application/json"), status_code=415)
    try:
        try:
            body = loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise InvalidField("the request body is not UTF-8") from None
        result = await run_in_threadpool(benchruns.submit, body, request.client.host if request.client else None)
    except RunlocalError as exc:
        return _err(exc)
    return StrictJSON(result, status_code=201, headers={"location": result["url"]})


def _filters(request: Request) -> dict[str, Any]:
    q = request.query_params
    out: dict[str, Any] = {k: (q.get(k) or None) for k in FILTERS}
    for k, v in out.items():
        if v is not None and (len(v) > 200 or not v.isprintable()):
            raise InvalidField(f"{k}: at most 200 printable characters")
    lim = q.get("limit") or str(PAGE_LIMIT)
    if not lim.isdigit() or not 1 <= int(lim) <= 1000:
        raise InvalidField("limit: a whole number from 1 to 1,000")
    out["limit"] = int(lim)
    return out


def _summary(rs: list[dict[str, Any]]) -> dict[str, Any]:
    """How far the estimates were from these runs: median and worst of estimated / measured."""
    out: dict[str, Any] = {"runs": len(rs)}
    for k in ("decode_tokens_per_s", "prefill_tokens_per_s"):
        errs = [abs(r["ratio"][k] - 1) for r in rs if (r.get("ratio") or {}).get(k)]
        out[k] = ({"median_error": statistics.median(errs), "worst_error": max(errs), "n": len(errs)}
                  if errs else None)
    return out


def listing(f: dict[str, Any]) -> dict[str, Any]:
    rs = benchruns.runs(model_id=f["model"], hardware_id=f["hardware"], runtime=f["runtime"], limit=f["limit"])
    return {"ok": True, "filters": {k: f[k] for k in FILTERS}, "summary": _summary(rs),
            "runs": [public(r) for r in rs], "submit": {"method": "POST", "action": "/api/v1/bench"}}


def public(r: dict[str, Any]) -> dict[str, Any]:
    """A run as shown: what was measured and estimated, the settings, versions and the command (not the path of
    the submitter's file)."""
    model = {k: v for k, v in (r.get("model") or {}).items() if k != "path"}
    keep = ("id", "status", "origin", "model_id", "hardware_id", "runtime", "created_at", "measured", "estimated",
            "ratio", "settings", "versions", "command")
    out = {k: r.get(k) for k in keep}
    out["model"] = model
    out["settings"] = {k: v for k, v in (r.get("settings") or {}).items() if k != "hardware"}
    out["url"] = f"/bench/{r['id']}"
    return out


async def api_list(request: Request) -> Response:
    try:
        data = await run_in_threadpool(listing, _filters(request))
    except RunlocalError as exc:
        return _err(exc)
    return StrictJSON(data)


async def api_one(request: Request) -> Response:
    try:
        r = await run_in_threadpool(benchruns.run, request.path_params["id"])
    except RunlocalError as exc:
        return _err(exc)
    return StrictJSON({"ok": True, "run": public(r)})


def _html(request: Request, template: str, title: str, data: dict[str, Any], json_path: str) -> Response:
    from ..service.resolve import catalog

    cat = catalog()
    body = render(template, title=title, meta_description="Benchmark runs measured on people's own machines, "
                  "next to the engine's estimates.", page_path=request.url.path, json_path=json_path,
                  model_ids=sorted(cat.models), hardware_ids=sorted(cat.hardware),
                  site_url=str(request.base_url).rstrip("/"), **data)
    return HTMLResponse(body, headers={"cache-control": "no-cache"})


def _page_error(request: Request, exc: RunlocalError, as_json: bool) -> Response:
    if as_json:
        return _err(exc)
    status = _status(exc)  # the site's error page (app.html_error draws the same; app imports this module)
    body = render("error.html", title="Not found" if status == 404 else "Cannot answer that", status=status,
                  message=exc.message, suggestions=list(exc.suggestions), kind=None, path=request.url.path,
                  page_path=request.url.path, json_path=None)
    return HTMLResponse(body, status_code=status)


CHART_RUNS = 40


def _chart(data: dict[str, Any]) -> Any:
    """Estimated against measured decode speed of the newest shown runs (on the line y = x the estimate is right)."""
    from markupsafe import Markup

    from .charts import scatter

    pts = [(f"#{r['id']} {r.get('model_id') or ''}".strip(), float(r["measured"]["decode_tokens_per_s"]),
            float(r["estimated"]["decode_tokens_per_s"])) for r in data["runs"][:CHART_RUNS]
           if (r.get("measured") or {}).get("decode_tokens_per_s") and (r.get("estimated") or {})
           .get("decode_tokens_per_s")]
    if len(pts) < 2:
        return None
    try:
        return Markup(scatter(pts, title="Decode: estimated against measured", x_label="measured tokens/s",
                              y_label="estimated tokens/s", chart_id="bench-decode", diagonal=True))
    except ValueError:
        return None


def _index(as_json: bool) -> Any:
    async def handler(request: Request) -> Response:
        try:
            data = await run_in_threadpool(listing, _filters(request))
        except RunlocalError as exc:
            return _page_error(request, exc, as_json)
        if as_json:
            return StrictJSON(data)
        q = "?" + request.url.query if request.url.query else ""
        return _html(request, "bench.html", "Bench: measured on real machines", {**data, "chart": _chart(data)},
                     "/bench.json" + q)

    return handler


def _detail(as_json: bool) -> Any:
    async def handler(request: Request) -> Response:
        try:
            r = public(await run_in_threadpool(benchruns.run, request.path_params["id"]))
        except RunlocalError as exc:
            return _page_error(request, exc, as_json)
        if as_json:
            return StrictJSON({"ok": True, "run": r})
        title = f"Bench run {r['id']}: {r['model_id'] or 'a model'} on {r['hardware_id'] or 'a machine'}"
        return _html(request, "bench_run.html", title, {"run": r}, f"/bench/{r['id']}.json")

    return handler


def _admin(request: Request) -> Response | None:
    """None when the request carries the admin token (Authorization: Bearer ...); else the 401 to answer."""
    from ..service.admin import is_admin

    auth = request.headers.get("authorization", "")
    token = auth[7:].strip() if auth[:7].lower() == "bearer " else None
    if token and is_admin(token):
        return None
    return StrictJSON(error_body("unauthorized", "moderation needs the admin token: Authorization: Bearer TOKEN "
                                 "(runlocal db admin-token makes one)"), status_code=401,
                      headers={"www-authenticate": 'Bearer realm="runlocal admin"'})


async def admin_list(request: Request) -> Response:
    denied = await run_in_threadpool(_admin, request)
    if denied is not None:
        return denied
    status = request.query_params.get("status") or "pending"
    try:
        rs = await run_in_threadpool(lambda: benchruns.runs(status=status, limit=1000))
    except RunlocalError as exc:
        return _err(exc)
    return StrictJSON({"ok": True, "status": status, "runs": [public(r) for r in rs]})


async def admin_moderate(request: Request) -> Response:
    denied = await run_in_threadpool(_admin, request)
    if denied is not None:
        return denied
    try:
        try:
            body = loads((await request.body()).decode("utf-8"))
        except UnicodeDecodeError:
            raise InvalidField("the request body is not UTF-8") from None
        if not isinstance(body, dict):
            raise InvalidField('the body must be {"status": "accepted" | "rejected", "reason": "..."}')
        status, reason = body.get("status"), body.get("reason")
        if reason is not None and (not isinstance(reason, str) or len(reason) > 500):
            raise InvalidField("reason: a string of at most 500 characters")
        rid = request.path_params["id"]
        if not rid.isdigit() or len(rid) > 18:
            raise NotFound(f"no bench run {rid[:40]!r}")
        r = await run_in_threadpool(benchruns.moderate, int(rid), status, reason)
    except RunlocalError as exc:
        return _err(exc)
    return StrictJSON({"ok": True, "run": public(r)})


def routes() -> list[BaseRoute]:
    get = ["GET", "HEAD"]
    return [Route("/api/v1/admin/bench", admin_list, methods=get),
            Route("/api/v1/admin/bench/{id}", admin_moderate, methods=["POST"]),
            Route("/api/v1/bench", submit, methods=["POST"]), Route("/api/v1/bench", api_list, methods=get),
            Route("/api/v1/bench/{id}", api_one, methods=get),
            Route("/bench.json", _index(True), methods=get), Route("/bench", _index(False), methods=get),
            Route("/bench/{id}.json", _detail(True), methods=get), Route("/bench/{id}", _detail(False), methods=get)]


def runs_for(model_id: str | None = None, hardware_id: str | None = None) -> list[dict[str, Any]]:
    """Shown runs of a model or on a machine (for their catalog pages); empty when the database cannot say."""
    try:
        return [public(r) for r in benchruns.runs(model_id=model_id, hardware_id=hardware_id, limit=20)]
    except RunlocalError:
        return []
