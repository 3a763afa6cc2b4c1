"""The digest sign-up, double opt-in by email.

    GET  /digest                     the sign-up page (JSON twin /digest.json)
    POST /digest/subscribe           form field `email` (or a JSON body {"email": ...}): "check your inbox"
    GET  /digest/confirm?token=      a page with a button; changes nothing (mail scanners prefetch links)
    POST /digest/confirm             form field `token`: confirms
    GET  /digest/unsubscribe?token=  a page with a button; changes nothing
    POST /digest/unsubscribe         form field `token`, or ?token= with List-Unsubscribe=One-Click (RFC 8058)

A POST answers JSON when the client sends Accept: application/json, each GET page has a .json twin. Errors are
the site's one shape: a dead link is 404, a bad address 400, mail that cannot be sent 503 (nothing kept)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import InvalidField, NotFound, RunlocalError
from ..service import digest as service
from ..service import site
from ..service.jsonin import loads
from ..service.mail import MailError
from .render import render
from .responses import StrictJSON, error_body

log = logging.getLogger(__name__)

NO_STORE = {"cache-control": "no-store", "x-robots-tag": "noindex"}
"""Pages holding a token are neither cached nor indexed."""
UNAVAILABLE = ("The sign-up could not be completed: the confirmation mail could not be sent. Nothing was "
               "stored. Please try again later.")
MAX_FORM_FIELDS = 8


def _wants_json(request: Request) -> bool:
    if request.url.path.endswith(".json") or request.headers.get("content-type", "").startswith("application/json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _page(request: Request, template: str, title: str, data: dict[str, Any], status: int = 200,
          json_path: str | None = None, **extras: Any) -> Response:
    body = render(template, title=title, description="", page_path=request.url.path, json_path=json_path,
                  request=request, **data, **extras)
    return HTMLResponse(body, status_code=status, headers=NO_STORE)


def _status(exc: RunlocalError) -> int:
    if isinstance(exc, MailError):
        return 503
    if isinstance(exc, service.RateLimited):
        return 429
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, InvalidField):
        return 400
    return 422


def _error(request: Request, exc: RunlocalError) -> Response:
    status = _status(exc)
    if isinstance(exc, MailError):
        log.warning("digest: mail could not be sent: %s", exc.message)
        if _wants_json(request):
            return StrictJSON(error_body(exc.code, UNAVAILABLE), status_code=503,
                              headers={**NO_STORE, "retry-after": "300"})
        resp = _page(request, "digest_unavailable.html", "Sign-up not completed", {"message": UNAVAILABLE},
                     status=503)
        resp.headers["retry-after"] = "300"
        return resp
    if _wants_json(request):
        return StrictJSON(error_body(exc.code, exc.message, list(exc.suggestions)), status_code=status,
                          headers=NO_STORE)
    # the site's error page (app.html_error draws the same; app imports this module, so not imported here)
    body = render("error.html", title="Not found" if status == 404 else "Cannot answer that", status=status,
                  message=exc.message, suggestions=list(exc.suggestions), kind=None, path=request.url.path,
                  page_path=request.url.path, json_path=None)
    return HTMLResponse(body, status_code=status, headers=NO_STORE)


async def _fields(request: Request) -> dict[str, Any]:
    """The POSTed fields: a form (urlencoded or multipart, no files) or one JSON object."""
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json"):
        raw = await request.body()
        try:
            data = loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise InvalidField("the request body is not UTF-8") from None
        if not isinstance(data, dict):
            raise InvalidField("the body must be one JSON object")
        return data
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        try:
            form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
        except Exception:  # noqa: BLE001 - a malformed body is the client's error, whatever the parser says
            raise InvalidField("the form could not be read") from None
        return {k: v for k, v in form.items() if isinstance(v, str)}
    return {}


# ------------------------------------------------------------------------------------------ handlers
async def signup(request: Request) -> Response:
    data = {"ok": True, "subscribe": {"method": "POST", "action": "/digest/subscribe", "fields": ["email"]},
            "months": [m["month"] for m in await run_in_threadpool(_months)]}
    if _wants_json(request):
        return StrictJSON(data)
    return _page(request, "digest_signup.html", "The monthly digest", data, json_path="/digest.json")


def _months() -> list[dict[str, Any]]:
    return site.months()[:3]


async def subscribe(request: Request) -> Response:
    email: Any = None
    try:
        fields = await _fields(request)
        email = fields.get("email")
        result = await run_in_threadpool(service.subscribe, email,
                                         request.client.host if request.client else "?")
    except InvalidField as exc:
        if _wants_json(request):
            return _error(request, exc)
        return _page(request, "digest_signup.html", "The monthly digest", {"ok": False, "months": []}, status=400,
                     digest_error=exc.message, digest_email=email if isinstance(email, str) else "")
    except RunlocalError as exc:
        return _error(request, exc)
    if _wants_json(request):
        return StrictJSON(result, headers=NO_STORE)
    return _page(request, "digest_sent.html", "Check your inbox", result)


def _ask(action: str, template: str, title: str) -> Callable[[Request], Any]:
    """GET: the page with the button (or its JSON twin); reads, never writes."""

    async def handler(request: Request) -> Response:
        token = request.query_params.get("token")
        try:
            data = await run_in_threadpool(service.check, token, action)
        except RunlocalError as exc:
            return _error(request, exc)
        data["post"] = {"method": "POST", "action": f"/digest/{action}", "fields": ["token"]}
        if _wants_json(request):
            return StrictJSON(data, headers=NO_STORE)
        return _page(request, template, title, data, json_path=f"/digest/{action}.json?{request.url.query}")

    return handler


def _act(fn: Callable[[Any], dict[str, Any]], title: str) -> Callable[[Request], Any]:
    """POST: do it (confirm, unsubscribe)."""

    async def handler(request: Request) -> Response:
        try:
            fields = await _fields(request)
            token = fields.get("token") or request.query_params.get("token")
            result = await run_in_threadpool(fn, token)
        except RunlocalError as exc:
            return _error(request, exc)
        if _wants_json(request):
            return StrictJSON(result, headers=NO_STORE)
        return _page(request, "digest_done.html", title, result)

    return handler


def routes() -> list[BaseRoute]:
    get = ["GET", "HEAD"]
    return [
        Route("/digest.json", signup, methods=get), Route("/digest", signup, methods=get),
        Route("/digest/subscribe", subscribe, methods=["POST"]),
        Route("/digest/confirm.json", _ask("confirm", "digest_confirm.html", "Confirm your subscription"),
              methods=get),
        Route("/digest/confirm", _ask("confirm", "digest_confirm.html", "Confirm your subscription"), methods=get),
        Route("/digest/confirm", _act(service.confirm, "You are subscribed"), methods=["POST"]),
        Route("/digest/unsubscribe.json", _ask("unsubscribe", "digest_unsubscribe.html", "Unsubscribe"),
              methods=get),
        Route("/digest/unsubscribe", _ask("unsubscribe", "digest_unsubscribe.html", "Unsubscribe"), methods=get),
        Route("/digest/unsubscribe", _act(service.unsubscribe, "You are unsubscribed"),
              methods=["POST"]),
    ]

