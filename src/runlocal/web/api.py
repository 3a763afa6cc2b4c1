"""/api/v1: the batch contract over HTTP (answer for answer what `runlocal estimate` prints), and its OpenAPI
document. Every error is {"ok": false, "error": {"code", "message", "suggestions"}} with a 4xx status."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..errors import InvalidField
from ..service import answer
from ..service.jsonin import loads
from .responses import StrictJSON, dumps, error_body

MAX_BATCH = 1000
"""Questions per batch request."""
GET_ALIASES = {"context": "context_tokens", "depth": "depth_tokens", "prompt": "prompt_tokens"}
INT_FIELDS = {"context_tokens", "depth_tokens", "prompt_tokens", "gpu_count", "parallel"}
FLOAT_FIELDS = {"ram_gb"}
STATUS = {"unknown_model": 404, "unknown_hardware": 404, "not_found": 404}


def _status(ans: dict[str, Any]) -> int:
    if ans.get("ok"):
        return 200
    return STATUS.get(str((ans.get("error") or {}).get("code")), 400)


def question_from_query(params: dict[str, str]) -> dict[str, Any]:
    """A contract question from GET parameters (contract field names; context= etc. accepted as aliases)."""
    q: dict[str, Any] = {}
    for k, v in params.items():
        key = GET_ALIASES.get(k, k)
        if key in INT_FIELDS | FLOAT_FIELDS:
            try:
                f = float(v)
                q[key] = int(f) if key in INT_FIELDS and f.is_integer() else f
            except ValueError:
                q[key] = v  # the question's validator names the field and the problem
        elif key == "use_published_sizes":
            q[key] = {"true": True, "false": False}.get(v.lower(), v)
        else:
            q[key] = v
    return q


async def _body(request: Request) -> Any:
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidField("the request body is not UTF-8") from None
    return loads(text)


async def estimate_get(request: Request) -> Response:
    ans = answer(question_from_query(dict(request.query_params)))
    return StrictJSON(ans, status_code=_status(ans))


async def estimate_post(request: Request) -> Response:
    try:
        q = await _body(request)
    except InvalidField as exc:
        return StrictJSON(error_body(exc.code, exc.message), status_code=400)
    if not isinstance(q, dict):
        return StrictJSON(error_body("invalid_field", "the body must be one JSON object (a contract question)"),
                          status_code=400)
    ans = answer(q)
    return StrictJSON(ans, status_code=_status(ans))


async def estimate_batch(request: Request) -> Response:
    try:
        qs = await _body(request)
    except InvalidField as exc:
        return StrictJSON(error_body(exc.code, exc.message), status_code=400)
    if not isinstance(qs, list):
        return StrictJSON(error_body("invalid_field", "the body must be a JSON array of questions"), status_code=400)
    if len(qs) > MAX_BATCH:
        return StrictJSON(error_body("invalid_field", f"at most {MAX_BATCH:,} questions per batch, got {len(qs):,}"),
                          status_code=413)
    answers = [answer(q) for q in qs]
    if "application/x-ndjson" in request.headers.get("accept", ""):
        return Response(b"".join(dumps(a) + b"\n" for a in answers), media_type="application/x-ndjson")
    return StrictJSON(answers)


async def openapi(request: Request) -> Response:
    return StrictJSON(OPENAPI)


def routes() -> list[BaseRoute]:
    return [Route("/api/v1/estimate", estimate_get, methods=["GET"]),
            Route("/api/v1/estimate", estimate_post, methods=["POST"]),
            Route("/api/v1/estimate/batch", estimate_batch, methods=["POST"]),
            Route("/openapi.json", openapi, methods=["GET"])]


_ERROR = {"type": "object", "required": ["ok", "error"], "properties": {
    "ok": {"type": "boolean", "enum": [False]},
    "error": {"type": "object", "required": ["code", "message", "suggestions"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "suggestions": {"type": "array", "items": {"type": "string"}}}}}}
_QUESTION = {"type": "object", "required": ["model", "hardware"], "properties": {
    "id": {"description": "echoed back unchanged"},
    "model": {"oneOf": [{"type": "string", "maxLength": 1000}, {"type": "object"}]},
    "hardware": {"oneOf": [{"type": "string", "maxLength": 1000}, {"type": "object"}]},
    "gpu_count": {"type": "integer", "minimum": 1}, "runtime": {"type": "string"}, "quant": {"type": "string"},
    "context_tokens": {"type": "integer", "minimum": 1}, "depth_tokens": {"type": "integer", "minimum": 0},
    "prompt_tokens": {"type": "integer", "minimum": 1}, "kv_cache_type": {"type": "string"},
    "parallel": {"type": "integer", "minimum": 1}, "ram_gb": {"type": "number", "exclusiveMinimum": 0},
    "image": {"type": "object"}, "video": {"type": "object"}, "assume": {"type": "object"},
    "use_published_sizes": {"type": "boolean"}}}
_ANSWER = {"type": "object", "required": ["id", "ok"], "description": "shared/contracts/estimate-jsonl.md: fits, "
           "file_bytes, memory, offload, max_context_tokens, speed, commands, basis; or error when ok is false"}
_ERRORS = {"400": {"description": "a field is invalid", "content": {"application/json": {"schema": _ERROR}}},
           "404": {"description": "unknown model or hardware (with suggestions)",
                   "content": {"application/json": {"schema": _ERROR}}}}
_BENCH_RUN = {"type": "object", "required": ["measured", "model", "hardware_id"], "properties": {
    "model_id": {"type": "string", "maxLength": 200}, "hardware_id": {"type": "string", "maxLength": 200},
    "runtime": {"type": "string", "enum": ["llama.cpp", "ollama"]},
    "model": {"type": "object", "required": ["sha256"], "properties": {
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}, "quant": {"type": "string", "maxLength": 200},
        "path": {"type": "string", "maxLength": 200}, "file_bytes": {"type": "number"}}},
    "measured": {"type": "object", "required": ["decode_tokens_per_s", "prefill_tokens_per_s"], "properties": {
        "decode_tokens_per_s": {"type": "number", "minimum": 0.01, "maximum": 100000},
        "prefill_tokens_per_s": {"type": "number", "minimum": 0.01, "maximum": 1000000},
        "peak_memory_bytes": {"type": "number", "minimum": 1}, "load_seconds": {"type": "number", "minimum": 0}}},
    "settings": {"type": "object", "properties": {k: {"type": "integer"} for k in
                                                   ("threads", "gpu_layers", "reps", "pp", "tg")}},
    "versions": {"type": "object"}, "hardware": {"type": "object"}}}
_BENCH_STORED = {"type": "object", "required": ["ok", "id", "status", "url"], "properties": {
    "ok": {"type": "boolean"}, "id": {"type": "integer"}, "status": {"type": "string"}, "url": {"type": "string"}}}
_BENCH_ERRORS = {str(code): {"description": what, "content": {"application/json": {"schema": _ERROR}}}
                 for code, what in ((400, "a field is invalid"), (404, "unknown model or hardware (with suggestions)"),
                                    (409, "this run is already stored"), (413, "the body is too large"),
                                    (415, "not application/json"), (429, "too many submissions from one address"))}
_PARAMS = [{"name": n, "in": "query", "required": n in ("model", "hardware"), "schema": {"type": t}}
           for n, t in (("model", "string"), ("hardware", "string"), ("quant", "string"), ("runtime", "string"),
                        ("context_tokens", "integer"), ("depth_tokens", "integer"), ("prompt_tokens", "integer"),
                        ("gpu_count", "integer"), ("parallel", "integer"), ("kv_cache_type", "string"),
                        ("ram_gb", "number"))]
OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "components": {"securitySchemes": {"admin": {"type": "http", "scheme": "bearer",
                                                 "description": "runlocal db admin-token"}}},
    "info": {"title": "runlocal API", "version": "1",
             "description": "Will this model run on this machine, in how much memory, and how fast? The batch "
                            "contract (shared/contracts/estimate-jsonl.md) over HTTP."},
    "paths": {
        "/api/v1/estimate": {
            "get": {"summary": "Answer one question given as query parameters", "parameters": _PARAMS,
                    "responses": {"200": {"description": "the answer",
                                          "content": {"application/json": {"schema": _ANSWER}}}, **_ERRORS}},
            "post": {"summary": "Answer one contract question",
                     "requestBody": {"required": True, "content": {"application/json": {"schema": _QUESTION}}},
                     "responses": {"200": {"description": "the answer",
                                           "content": {"application/json": {"schema": _ANSWER}}}, **_ERRORS}}},
        "/api/v1/estimate/batch": {
            "post": {"summary": f"Answer up to {MAX_BATCH} questions, in order",
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": {"type": "array", "maxItems": MAX_BATCH, "items": _QUESTION}}}},
                     "responses": {"200": {"description": "one answer per question, in order (JSON Lines with "
                                                          "Accept: application/x-ndjson)",
                                           "content": {"application/json": {"schema": {"type": "array",
                                                                                       "items": _ANSWER}},
                                                       "application/x-ndjson": {"schema": {"type": "string"}}}},
                                   "400": _ERRORS["400"],
                                   "413": {"description": "more than the batch limit",
                                           "content": {"application/json": {"schema": _ERROR}}}}}},
        "/api/v1/bench": {
            "post": {"summary": "Submit a benchmark run (the JSON of runlocal bench --json, with model_id and "
                                "hardware_id) for moderation",
                     "requestBody": {"required": True, "content": {"application/json": {"schema": _BENCH_RUN}}},
                     "responses": {"201": {"description": "stored as pending",
                                           "content": {"application/json": {"schema": _BENCH_STORED}}},
                                   **_BENCH_ERRORS}},
            "get": {"summary": "Shown runs (accepted, and this machine's own), newest first",
                    "parameters": [{"name": n, "in": "query", "required": False, "schema": {"type": t}}
                                   for n, t in (("model", "string"), ("hardware", "string"), ("runtime", "string"),
                                                ("limit", "integer"))],
                    "responses": {"200": {"description": "runs and the estimate's error on them",
                                          "content": {"application/json": {"schema": {"type": "object"}}}},
                                  "400": _ERRORS["400"]}}},
        "/api/v1/admin/bench": {
            "get": {"summary": "Runs of any status, for moderation (the admin token)", "security": [{"admin": []}],
                    "parameters": [{"name": "status", "in": "query", "required": False, "schema": {
                        "type": "string", "enum": ["local", "pending", "accepted", "rejected"]}}],
                    "responses": {"200": {"description": "the runs",
                                          "content": {"application/json": {"schema": {"type": "object"}}}},
                                  "401": {"description": "no or a wrong admin token",
                                          "content": {"application/json": {"schema": _ERROR}}}}}},
        "/api/v1/admin/bench/{id}": {
            "post": {"summary": "Accept or reject a run (the admin token)", "security": [{"admin": []}],
                     "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "type": "object", "required": ["status"], "properties": {
                             "status": {"type": "string", "enum": ["accepted", "rejected", "pending"]},
                             "reason": {"type": "string", "maxLength": 500}}}}}},
                     "responses": {"200": {"description": "the run as moderated",
                                           "content": {"application/json": {"schema": {"type": "object"}}}},
                                   "401": {"description": "no or a wrong admin token",
                                           "content": {"application/json": {"schema": _ERROR}}},
                                   "404": {"description": "no such run",
                                           "content": {"application/json": {"schema": _ERROR}}}}}},
        "/api/v1/bench/{id}": {
            "get": {"summary": "One shown run",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "the run",
                                          "content": {"application/json": {"schema": {"type": "object"}}}},
                                  "404": {"description": "no such shown run",
                                          "content": {"application/json": {"schema": _ERROR}}}}}},
    },
}
