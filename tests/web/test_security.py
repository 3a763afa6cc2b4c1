"""No one gets in where they should not: hostile text in every field a person can write comes back escaped on every
page that shows it; the security headers are on every response; forms posted from another site are refused;
moderation needs the admin token, of which only a hash is kept."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

HOSTILE = [
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "'><svg/onload=alert(1)>",
    "javascript:alert(1)", "</textarea><script>x</script>", "{{7*7}}{% raw %}", "<!--", "&lt;script&gt;",
]
RAW_MARKERS = ("<script>alert", "<img src=x", "<svg/onload", "</textarea><script>")


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[TestClient]:
    from runlocal.service.database import set_database
    from runlocal.store.db import open_store
    from runlocal.web import app as web_app

    store = open_store(f"sqlite:///{tmp_path / 'site.db'}")
    set_database(store)
    try:
        with TestClient(web_app.create_app(), raise_server_exceptions=False) as c:
            yield c
    finally:
        set_database(None)
        store.engine.dispose()


def assert_escaped(html: str, where: str) -> None:
    for m in RAW_MARKERS:
        assert m not in html, f"{where}: unescaped {m!r}"


def test_hostile_text_is_escaped_everywhere_it_is_shown(site: TestClient) -> None:
    from runlocal.service import benchruns
    from runlocal.web import app as web_app

    ids = []
    for i, h in enumerate(HOSTILE):
        body = {"model_id": "smollm2-135m", "hardware_id": "ddr4-3200-2ch",
                "model": {"sha256": f"{i + 7:064x}", "quant": h[:60], "path": h},
                "measured": {"decode_tokens_per_s": 90.0 + i, "prefill_tokens_per_s": 250.0},
                "settings": {"threads": 2}, "versions": {h[:40]: h, "runlocal": h},
                "hardware": {"cpu": h, "os": h, "gpus": [h]}}
        r = site.post("/api/v1/bench", json=body)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
        benchruns.moderate(ids[-1], "accepted", h)
    web_app._BENCH_KEY[0] = 0.0
    pages = ["/bench", "/models/smollm2-135m", "/hardware/ddr4-3200-2ch", *[f"/bench/{i}" for i in ids]]
    shown = 0
    for p in pages:
        r = site.get(p)
        assert r.status_code == 200, p
        assert_escaped(r.text, p)
        shown += sum(r.text.count(x) for x in ("&lt;script&gt;alert", "&#34;&gt;&lt;img", "&#39;&gt;&lt;svg"))
    assert shown > 0  # the text is there, escaped
    assert "bench-decode" in site.get("/bench").text  # the estimated-against-measured chart of the shown runs
    # text a person types into the site's own forms and URLs, echoed back
    for h in HOSTILE:
        q = quote(h)
        for p in (f"/search?q={q}", f"/will-it-run?model={q}&hardware=rtx-4090", f"/ask?q={q}",
                  f"/models/{q}", f"/bench?model={q}", f"/compare?a={q}&b=rtx-4090", f"/nothing-{q}"):
            r = site.get(p)
            assert r.status_code < 500, p
            assert_escaped(r.text, p)
        r = site.post("/digest/subscribe", data={"email": h})
        assert r.status_code == 400 and r.status_code < 500
        assert_escaped(r.text, "/digest/subscribe")
        j = site.get(f"/bench.json?model={q}")
        assert j.headers["content-type"].startswith("application/json")


def test_security_headers_on_every_response(site: TestClient) -> None:
    for p in ("/", "/bench", "/api/v1/estimate?model=qwen3-8b&hardware=rtx-4090", "/no-such-page",
              "/static/style.css", "/openapi.json"):
        r = site.get(p)
        h = r.headers
        assert "default-src 'self'" in h["content-security-policy"] and "frame-ancestors 'none'" in \
            h["content-security-policy"], p
        assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY", p
        assert h["referrer-policy"] == "same-origin", p


def test_forms_posted_from_another_site_are_refused(site: TestClient) -> None:
    evil = [{"origin": "https://evil.example"}, {"origin": "null"}, {"sec-fetch-site": "cross-site"}]
    for headers in evil:
        for path, data in (("/digest/subscribe", {"email": "a@example.com"}), ("/digest/confirm", {"token": "x" * 20}),
                           ("/digest/unsubscribe", {"token": "x" * 20})):
            r = site.post(path, data=data, headers=headers)
            assert r.status_code == 403, (path, headers)
            assert r.json()["error"]["code"] == "cross_site"
    # the same form from this site goes through to the handler (400 here: no mail relay is configured... or a
    # bad token), and so does a client that sends no Origin (curl, a script)
    same = site.post("/digest/confirm", data={"token": "x" * 20},
                     headers={"origin": "http://testserver", "sec-fetch-site": "same-origin"})
    assert same.status_code in (400, 404)
    assert site.post("/digest/confirm", data={"token": "x" * 20}).status_code in (400, 404)
    # JSON bodies need a CORS preflight, which the site never answers with an allow
    pre = site.options("/api/v1/bench", headers={"origin": "https://evil.example",
                                                 "access-control-request-method": "POST"})
    assert "access-control-allow-origin" not in pre.headers


def test_moderation_needs_the_admin_token_kept_hashed(site: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    from sqlalchemy import select

    from runlocal.cli.main import main
    from runlocal.service.database import database
    from runlocal.store import tables

    body = {"model_id": "smollm2-135m", "hardware_id": "ddr4-3200-2ch", "model": {"sha256": "f" * 64},
            "measured": {"decode_tokens_per_s": 99.0, "prefill_tokens_per_s": 250.0}}
    rid = site.post("/api/v1/bench", json=body).json()["id"]
    assert site.get("/api/v1/admin/bench").status_code == 401
    r = site.post(f"/api/v1/admin/bench/{rid}", json={"status": "accepted"},
                  headers={"authorization": "Bearer wrong"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized" and r.headers["www-authenticate"]
    assert main(["db", "admin-token", "--json", "--database", database().url]) == 0
    token = json.loads(capsys.readouterr().out)["token"]
    with database().engine.begin() as conn:
        stored = [row.value for row in conn.execute(select(tables.settings.c.value)).all()]
    assert token not in stored and any(len(v) == 64 for v in stored)
    auth = {"authorization": f"Bearer {token}"}
    pending = site.get("/api/v1/admin/bench", headers=auth).json()
    assert [x["id"] for x in pending["runs"]] == [rid]
    assert site.post(f"/api/v1/admin/bench/{rid}", json={"status": "maybe"}, headers=auth).status_code == 400
    assert site.post("/api/v1/admin/bench/999999", json={"status": "accepted"}, headers=auth).status_code == 404
    ok = site.post(f"/api/v1/admin/bench/{rid}", json={"status": "accepted", "reason": "looks right"}, headers=auth)
    assert ok.status_code == 200 and ok.json()["run"]["status"] == "accepted"
    assert [x["id"] for x in site.get("/api/v1/bench").json()["runs"]] == [rid]


def test_the_server_binds_loopback_unless_told() -> None:
    from runlocal.cli.main import build_parser

    assert build_parser().parse_args(["serve"]).host == "127.0.0.1"
    assert build_parser().parse_args(["serve", "--host", "0.0.0.0"]).host == "0.0.0.0"
