"""The site: every HTML page at PATH has a JSON twin at PATH.json (the home page's is /index.json), both made
from the same service result; one error shape; security headers; bounded requests."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import InvalidField, NotFound, RunlocalError, UnsupportedQuestion
from . import pages
from .page import Page
from .render import HERE, render
from .responses import StrictJSON, error_body

MAX_QUERY_BYTES = 8 * 1024
"""The longest query string accepted (a shared /will-it-run URL is under 300 bytes)."""
MAX_BODY_BYTES = 2 * 1024 * 1024
"""The largest request body (a batch of 1,000 questions is about 150 KB)."""
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


Handler = Callable[[Request], Page]


def status_of(exc: RunlocalError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, InvalidField | UnsupportedQuestion):
        return 400
    return 422


def html_error(request: Request, status: int, message: str, suggestions: list[str] | None = None,
               kind: str | None = None) -> HTMLResponse:
    body = render("error.html", title="Not found" if status == 404 else "Cannot answer that", status=status,
                  message=message, suggestions=suggestions or [], kind=kind, path=request.url.path,
                  page_path=request.url.path, json_path=None)
    return HTMLResponse(body, status_code=status)


def twin(path: str, handler: Handler, kind: str | None = None) -> list[BaseRoute]:
    """The HTML route at `path` and its JSON twin at `path`.json (/index.json for /)."""

    def call(request: Request, as_json: bool) -> Response:
        key = (request.url.path, request.url.query, as_json, catalog_key(), bench_key() if kind else "")
        hit = PAGE_CACHE.get(key)
        if hit is not None:
            return Response(hit[1], media_type=hit[0])
        resp = build(request, as_json)
        if resp.status_code == 200 and len(resp.body) <= PAGE_CACHE_MAX_BYTES:
            PAGE_CACHE.put(key, (resp.media_type or "text/html", bytes(resp.body)))
        return resp

    def build(request: Request, as_json: bool) -> Response:
        try:
            page = handler(request)
        except RunlocalError as exc:
            status = status_of(exc)
            if as_json:
                return StrictJSON(error_body(exc.code, exc.message, list(exc.suggestions)), status_code=status)
            return html_error(request, status, exc.message, list(exc.suggestions), kind)
        if as_json:
            return StrictJSON(page.data)
        json_path = "/index.json" if request.url.path == "/" else request.url.path + ".json"
        if request.url.query:
            json_path += "?" + request.url.query
        context = {**page.data, **page.extras, "title": page.title, "meta_description": page.description,
                   "page_path": request.url.path, "json_path": json_path}
        body = render(page.template, **context)
        return HTMLResponse(body)

    async def html(request: Request) -> Response:
        return call(request, False)

    async def js(request: Request) -> Response:
        return call(request, True)

    json_path = "/index.json" if path == "/" else path + ".json"
    return [Route(json_path, js, methods=["GET", "HEAD"]), Route(path, html, methods=["GET", "HEAD"])]


PAGE_CACHE_ENTRIES = 2048
"""Rendered pages kept in memory: a page depends only on its URL and the catalog, so a repeat is a lookup."""
PAGE_CACHE_MAX_BYTES = 512 * 1024


class LRU:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.data: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self.lock:
            v = self.data.get(key)
            if v is not None:
                self.data.move_to_end(key)
            return v

    def put(self, key: Any, value: Any) -> None:
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)


PAGE_CACHE = LRU(PAGE_CACHE_ENTRIES)


def catalog_key() -> int:
    """Changes when another catalog is installed (tests, a reload), so cached pages are never stale."""
    from ..service.resolve import catalog

    return id(catalog())


_BENCH_KEY: list[Any] = [0.0, ""]
BENCH_KEY_TTL_S = 2.0


def bench_key() -> str:
    """Changes when a bench run is stored or moderated (catalog pages show accepted runs), read from the database
    at most every BENCH_KEY_TTL_S seconds."""
    now = time.monotonic()
    if now - _BENCH_KEY[0] > BENCH_KEY_TTL_S:
        try:
            from ..service.benchruns import version

            _BENCH_KEY[1] = version()
        except Exception:  # noqa: BLE001 - no database: the catalog pages simply show no runs
            _BENCH_KEY[1] = ""
        _BENCH_KEY[0] = now
    return str(_BENCH_KEY[1])


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = (b"application/x-www-form-urlencoded", b"multipart/form-data", b"text/plain")


def cross_site_form(headers: dict[bytes, bytes], query: bytes) -> bool:
    """A request another site's page could make a visitor's browser send (a form post: no preflight) that says it
    came from elsewhere: Sec-Fetch-Site cross-site, or an Origin whose host is not this one (or "null"). The site
    keeps no sessions or cookies, so this is what CSRF protection means here; JSON bodies need a CORS preflight,
    which the site never grants. RFC 8058 one-click unsubscribes come from mail providers without either header.
    Clients that send neither header (curl, scripts) are not browsers acting for someone else."""
    ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    if ctype not in FORM_TYPES and ctype:
        return False
    if headers.get(b"sec-fetch-site", b"").lower() == b"cross-site":
        return True
    origin = headers.get(b"origin")
    if origin is None:
        return False
    host = headers.get(b"host", b"").lower()
    if origin.lower() == b"null":
        return True
    return origin.lower().split(b"://", 1)[-1].rstrip(b"/") != host


class Guard:
    """Bounds every request (query length, body size) and adds the security headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > MAX_QUERY_BYTES:
            resp = StrictJSON(error_body("invalid_field", f"query string longer than {MAX_QUERY_BYTES:,} bytes"),
                              status_code=414)
            await resp(scope, receive, _with_headers(send))
            return
        headers = dict(scope.get("headers", []))
        if scope.get("method") in UNSAFE_METHODS and cross_site_form(headers, scope.get("query_string", b"")):
            resp = StrictJSON(error_body("cross_site", "a form posted from another site is refused (its Origin "
                                         "or Sec-Fetch-Site header names another site)"), status_code=403)
            await resp(scope, receive, _with_headers(send))
            return
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            resp = StrictJSON(error_body("invalid_field", f"request body larger than {MAX_BODY_BYTES:,} bytes"),
                              status_code=413)
            await resp(scope, receive, _with_headers(send))
            return
        seen = 0

        async def bounded() -> Any:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > MAX_BODY_BYTES:
                    raise BodyTooLarge()
            return msg

        try:
            await self.app(scope, bounded, _with_headers(send))
        except BodyTooLarge:
            resp = StrictJSON(error_body("invalid_field", f"request body larger than {MAX_BODY_BYTES:,} bytes"),
                              status_code=413)
            await resp(scope, receive, _with_headers(send))


class BodyTooLarge(Exception):
    pass


def _with_headers(send: Send) -> Callable[[Any], Awaitable[None]]:
    async def wrapped(message: Any) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            names = {k.lower() for k, _ in headers}
            for k, v in SECURITY_HEADERS.items():
                if k.encode() not in names:
                    headers.append((k.encode(), v.encode()))
            message = {**message, "headers": headers}
        await send(message)

    return wrapped


async def not_found(request: Request, exc: Exception) -> Response:
    if request.url.path.endswith(".json") or request.url.path.startswith("/api/"):
        return StrictJSON(error_body("not_found", f"no page at {request.url.path}"), status_code=404)
    return html_error(request, 404, f"There is no page at {request.url.path}.")


async def server_error(request: Request, exc: Exception) -> Response:
    if request.url.path.endswith(".json") or request.url.path.startswith("/api/"):
        return StrictJSON(error_body("internal", "the server could not answer this request"), status_code=500)
    return html_error(request, 500, "Something went wrong on our side while drawing this page.")


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    return StrictJSON(error_body("method_not_allowed", f"{request.method} is not allowed on {request.url.path}"),
                      status_code=405)


def routes() -> list[BaseRoute]:
    from . import api, bench, digest

    out: list[BaseRoute] = []
    for path, handler, kind in pages.PAGES:
        out += twin(path, handler, kind)
    out += api.routes()
    out += digest.routes()
    out += bench.routes()
    out += [Route("/pulse.atom", pages.pulse_atom), Route("/sitemap.xml", pages.sitemap_xml),
            Route("/robots.txt", pages.robots), Route("/healthz", health),
            Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")]
    return out


async def health(request: Request) -> Response:
    return PlainTextResponse("ok")


def create_app(*, warm: bool = False) -> Starlette:
    """The ASGI app. The database is opened (and built from the catalog when it changed) on first use."""
    from starlette.exceptions import HTTPException

    app = Starlette(routes=routes(), middleware=[Middleware(Guard)],
                    exception_handlers={404: not_found, 405: method_not_allowed, 500: server_error,
                                        HTTPException: _http_error})
    if warm:
        from ..service.database import database

        t = time.perf_counter()
        database()
        app.state.db_ready_s = round(time.perf_counter() - t, 2)
    return app


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 400)
    if status == 404:
        return await not_found(request, exc)
    if status == 405:
        return await method_not_allowed(request, exc)
    return StrictJSON(error_body("bad_request", str(getattr(exc, "detail", "bad request"))), status_code=status)


def finite(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
