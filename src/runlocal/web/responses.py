"""The one JSON shape of the site and the API: strict JSON (no NaN or Infinity) and one error object."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import JSONResponse


def error_body(code: str, message: str, suggestions: list[str] | None = None) -> dict[str, Any]:
    """{"ok": false, "error": {"code", "message", "suggestions"}}: every error of the site and the API."""
    return {"ok": False, "error": {"code": code, "message": message, "suggestions": suggestions or []}}


def dumps(data: Any) -> bytes:
    """Strict JSON (no NaN or Infinity), compact, UTF-8."""
    return json.dumps(data, allow_nan=False, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class StrictJSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return dumps(content)
