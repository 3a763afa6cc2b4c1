"""/api/v1 follows the batch contract answer for answer, with one error shape and bounded requests."""

from __future__ import annotations

import json
import subprocess
import sys

from starlette.testclient import TestClient

QS = [{"id": "a", "model": "qwen3-8b", "hardware": "rtx-4090"},
      {"id": "b", "model": "no-such-model", "hardware": "rtx-4090"},
      {"id": "c", "model": "flux.1-dev", "hardware": "rtx-4070", "image": {"width": 1024, "height": 1024}},
      {"id": "d", "model": "gpt-oss-20b", "hardware": "M2 Max 64GB", "context_tokens": 32768}]


def test_batch_equals_runlocal_estimate(client: TestClient) -> None:
    cli = subprocess.run([sys.executable, "-m", "runlocal.cli.main", "estimate"],
                         input="".join(json.dumps(q) + "\n" for q in QS), capture_output=True, text=True,
                         timeout=120, check=True)
    expected = [json.loads(line) for line in cli.stdout.splitlines()]
    r = client.post("/api/v1/estimate/batch", json=QS)
    assert r.status_code == 200 and r.json() == expected
    nd = client.post("/api/v1/estimate/batch", json=QS, headers={"accept": "application/x-ndjson"})
    assert nd.headers["content-type"].startswith("application/x-ndjson")
    assert [json.loads(x) for x in nd.text.splitlines()] == expected


def test_post_and_get_one_question(client: TestClient) -> None:
    a = client.post("/api/v1/estimate", json=QS[0]).json()
    b = client.get("/api/v1/estimate", params={"id": "a", "model": "qwen3-8b", "hardware": "rtx-4090"}).json()
    assert a == b and a["ok"] and a["fits"] == "gpu"


def test_errors_have_one_shape_and_a_4xx(client: TestClient) -> None:
    cases = [
        (client.post("/api/v1/estimate", json=QS[1]), 404),
        (client.get("/api/v1/estimate", params={"model": "qwen3-8b"}), 400),
        (client.get("/api/v1/estimate", params={"model": "qwen3-8b", "hardware": "rtx-4090", "context": "x"}), 400),
        (client.post("/api/v1/estimate", content=b"{not json"), 400),
        (client.post("/api/v1/estimate", content=b'{"model": NaN}'), 400),
        (client.post("/api/v1/estimate", content=b"[" * 100 + b"]" * 100), 400),
        (client.post("/api/v1/estimate", content=b"\xff\xfe"), 400),
        (client.post("/api/v1/estimate", json=[1, 2]), 400),
        (client.post("/api/v1/estimate/batch", json={"model": "x"}), 400),
        (client.post("/api/v1/estimate/batch", json=[QS[0]] * 1001), 413),
        (client.post("/api/v1/estimate/batch", content=b"[" + b" " * (3 << 20) + b"]"), 413),
        (client.delete("/api/v1/estimate"), 405),
        (client.get("/api/v1/nope"), 404),
    ]
    for r, status in cases:
        assert r.status_code == status, (r.status_code, r.text[:200])
        body = r.json()
        assert body["ok"] is False and set(body["error"]) >= {"code", "message", "suggestions"}, body


def test_openapi_document(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.") and "/api/v1/estimate" in doc["paths"]
    assert "/api/v1/estimate/batch" in doc["paths"]
