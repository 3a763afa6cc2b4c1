"""The HTTP examples in docs/api.md are run: each `http` block is sent to the app, and the `json` block after it
must be contained in the answer (the fields shown, with their values)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
BLOCK = re.compile(r"```http\n(.*?)\n```\s*```json\n(.*?)\n```", re.S)


def contained(small: Any, big: Any) -> bool:
    if isinstance(small, dict):
        return isinstance(big, dict) and all(k in big and contained(v, big[k]) for k, v in small.items())
    if isinstance(small, list):
        return isinstance(big, list) and len(small) == len(big) and all(map(contained, small, big))
    return bool(small == big)


def test_every_http_example_runs(client: TestClient) -> None:
    text = DOC.read_text(encoding="utf-8")
    examples = BLOCK.findall(text)
    assert len(examples) >= 6
    for request, expected in examples:
        first, _, body = request.partition("\n")
        method, path = first.split(" ", 1)
        r = client.request(method, path, content=body.encode() if body else None,
                           headers={"content-type": "application/json"} if body else None)
        want = json.loads(expected)
        ok = want.get("ok", True) if isinstance(want, dict) else True
        assert (r.status_code < 300) == ok, (first, r.status_code, r.text[:300])
        assert contained(want, r.json()), (first, r.text[:500])
