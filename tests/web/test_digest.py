"""The digest sign-up end to end: a real SMTP server on loopback (aiosmtpd), a temporary SQLite database, the
site through Starlette's TestClient. Double opt-in, no enumeration, GET never changes anything, dead links are
404, mail trouble is 503 with nothing kept."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import os
import re
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update
from starlette.testclient import TestClient

from runlocal.service import digest as service
from runlocal.service import mail, site
from runlocal.service.database import set_database
from runlocal.store import tables, users
from runlocal.store.db import Store, open_store
from runlocal.web.app import create_app

BASE = "http://testserver"
LINK = re.compile(r"http://testserver(/digest/(confirm|unsubscribe)\?token=([A-Za-z0-9_-]+))")
JSON = {"accept": "application/json"}


class Collect:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.envelopes.append(envelope)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Collect]:
    handler = Collect()
    port = _free_port()
    ctl = Controller(handler, hostname="127.0.0.1", port=port)
    ctl.start()
    for k in ("RUNLOCAL_SMTP_USER", "RUNLOCAL_SMTP_PASSWORD", "RUNLOCAL_SMTP_STARTTLS"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("RUNLOCAL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("RUNLOCAL_SMTP_PORT", str(port))
    monkeypatch.setenv("RUNLOCAL_MAIL_FROM", "digest@runlocal.test")
    monkeypatch.setenv("RUNLOCAL_BASE_URL", BASE + "/")
    try:
        yield handler
    finally:
        ctl.stop()


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store("sqlite:///" + str(tmp_path / "t.db"))
    set_database(s)
    try:
        yield s
    finally:
        set_database(None)
        s.engine.dispose()


@pytest.fixture()
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


def _rows(store: Store) -> list[Any]:
    with store.engine.connect() as conn:
        return list(conn.execute(select(tables.subscribers)).all())


def _link(msg: EmailMessage, action: str) -> tuple[str, str]:
    body = msg.get_content()
    found = [(m.group(1), m.group(3)) for m in LINK.finditer(body) if m.group(2) == action]
    assert len(found) == 1, body
    return found[0]


def _h1(html: str) -> str:
    m = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert m, html
    return m.group(1).strip()


def _signup(client: TestClient, smtp: Collect, addr: str) -> str:
    """Sign up and confirm `addr`; its token."""
    n = len(smtp.messages)
    assert client.post("/digest/subscribe", data={"email": addr}).status_code == 200
    assert len(smtp.messages) == n + 1
    path, token = _link(smtp.messages[-1], "confirm")
    assert client.post("/digest/confirm", data={"token": token}).status_code == 200
    return token


# ------------------------------------------------------------------------------------------ the whole way
def test_sign_up_confirm_receive_and_unsubscribe(client: TestClient, smtp: Collect, store: Store) -> None:
    page = client.get("/digest")
    assert page.status_code == 200
    for needle in ('<form id="digest-form" class="digest-form" method="post" action="/digest/subscribe">',
                   'id="digest-email" name="email" type="email" required maxlength="320"', 'id="digest-submit"'):
        assert needle in page.text

    r = client.post("/digest/subscribe", data={"email": "Reader@Example.COM"})
    assert r.status_code == 200
    assert _h1(r.text) == "Check your inbox"
    assert r.headers["cache-control"] == "no-store"
    [msg] = smtp.messages
    assert msg["To"] == "Reader@example.com"
    assert msg["From"] == "digest@runlocal.test"
    assert "Confirm" in msg["Subject"]
    assert smtp.envelopes[0].rcpt_tos == ["Reader@example.com"]
    path, token = _link(msg, "confirm")
    assert len(token) >= 40

    [row] = _rows(store)
    assert row.email == "Reader@example.com" and row.token == token and row.confirmed_at is None

    # GET (what a mail scanner prefetches) shows a button and changes nothing
    for _ in range(2):
        g = client.get(path)
        assert g.status_code == 200
        assert 'id="digest-confirm"' in g.text and f'value="{token}"' in g.text
        assert 'action="/digest/confirm"' in g.text
        assert "Reader@example.com" in g.text
        assert g.headers["x-robots-tag"] == "noindex"
    assert client.head(path).status_code == 200
    assert _rows(store)[0].confirmed_at is None
    assert users.count(store) == {"confirmed": 0, "pending": 1}

    c = client.post("/digest/confirm", data={"token": token})
    assert c.status_code == 200
    assert _h1(c.text) == "You are subscribed"
    assert _rows(store)[0].confirmed_at is not None
    assert client.post("/digest/confirm", data={"token": token}).status_code == 200  # twice is harmless
    assert users.count(store) == {"confirmed": 1, "pending": 0}
    assert users.confirmed(store) == [("Reader@example.com", token)]

    # the digest arrives, with the month's changes and a working unsubscribe link
    month = service.latest_month()
    assert month is not None
    assert service.send_digest(None) == 1
    digest = smtp.messages[-1]
    assert digest["To"] == "Reader@example.com"
    assert "runlocal digest" in digest["Subject"]
    body = digest.get_content()
    first = site.changes(month=month)[0]
    assert first["name"] in body
    assert f"{BASE}/pulse/{month}" in body
    upath, utoken = _link(digest, "unsubscribe")
    assert utoken == token
    assert digest["List-Unsubscribe"] == f"<{BASE}{upath}>"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    raw = smtp.envelopes[-1].content
    assert f"List-Unsubscribe: <{BASE}{upath}>\r\n".encode() in raw  # on the wire: one line, not encoded-words
    assert f"{BASE}{upath}\r\n".encode() in raw  # the link in the body is not broken by quoted-printable

    u = client.get(upath)
    assert u.status_code == 200 and 'id="digest-unsubscribe"' in u.text
    assert len(_rows(store)) == 1
    d = client.post("/digest/unsubscribe", data={"token": utoken})
    assert d.status_code == 200
    assert _h1(d.text) == "You are unsubscribed"
    assert _rows(store) == []
    assert client.get(upath).status_code == 404
    assert client.post("/digest/unsubscribe", data={"token": utoken}).status_code == 404
    assert service.send_digest(None) == 0


def test_json_clients_get_json(client: TestClient, smtp: Collect, store: Store) -> None:
    r = client.post("/digest/subscribe", json={"email": "api@example.org"})
    assert r.status_code == 200
    assert r.json() == {"ok": True, "status": "check_inbox", "message": service.NEUTRAL}
    path, token = _link(smtp.messages[-1], "confirm")
    twin = client.get(f"/digest/confirm.json?token={token}")
    assert twin.status_code == 200
    assert twin.json()["email"] == "api@example.org" and twin.json()["confirmed"] is False
    assert twin.json()["post"]["action"] == "/digest/confirm"
    c = client.post("/digest/confirm", data={"token": token}, headers=JSON)
    assert c.json()["status"] == "confirmed"
    assert client.get(f"/digest/unsubscribe.json?token={token}").json()["confirmed"] is True
    assert client.get("/digest.json").json()["subscribe"]["action"] == "/digest/subscribe"
    u = client.post("/digest/unsubscribe", data={"token": token}, headers=JSON)
    assert u.json() == {"ok": True, "status": "unsubscribed", "email": "api@example.org",
                        "message": u.json()["message"]}
    assert _rows(store) == []


def test_one_click_unsubscribe(client: TestClient, smtp: Collect, store: Store) -> None:
    token = _signup(client, smtp, "oneclick@example.net")
    service.send_digest(None)
    url = smtp.messages[-1]["List-Unsubscribe"].strip("<>")
    r = client.post(url.removeprefix(BASE), content=b"List-Unsubscribe=One-Click",
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200
    assert token in url
    assert _rows(store) == []


# ------------------------------------------------------------------------------------------ refusals
BAD = ["", "plainaddress", "two@@example.com", "a@b@example.com", "name@localhost", "name@example.",
       "name@.example.com", "name@exa mple.com", " lead@example.com", "trail@example.com ", "tab\t@example.com",
       "new@example.com\r\nBcc: victim@example.org", "nul\x00@example.com", "zw\u200b@example.com",
       "a,b@example.com", "<a@example.com>", "\"q\"@example.com", ".dot@example.com", "do..t@example.com",
       "x" * 65 + "@example.com", "a@" + "b" * 320 + ".com", "a@example.123", "a@-bad.com"]


@pytest.mark.parametrize("addr", BAD)
def test_bad_addresses_are_400_with_the_error(client: TestClient, smtp: Collect, store: Store, addr: str) -> None:
    r = client.post("/digest/subscribe", data={"email": addr})
    assert r.status_code == 400
    assert 'id="digest-error"' in r.text and 'id="digest-form"' in r.text
    j = client.post("/digest/subscribe", data={"email": addr}, headers=JSON)
    assert j.status_code == 400
    err = j.json()
    assert err["ok"] is False and err["error"]["code"] == "invalid_field"
    assert err["error"]["message"].startswith("email:")
    assert set(err["error"]) == {"code", "message", "suggestions"}
    assert smtp.messages == [] and _rows(store) == []


def test_missing_field_and_bad_bodies_are_400(client: TestClient, smtp: Collect, store: Store) -> None:
    assert client.post("/digest/subscribe").status_code == 400
    assert client.post("/digest/subscribe", data={"other": "x"}, headers=JSON).json()["error"]["code"] \
        == "invalid_field"
    assert client.post("/digest/subscribe", content=b"[1]",
                       headers={"content-type": "application/json"}).status_code == 400
    assert client.post("/digest/subscribe", content=b"{nope",
                       headers={"content-type": "application/json"}).status_code == 400
    assert client.post("/digest/subscribe", json={"email": ["a@example.com"]}).status_code == 400
    assert client.post("/digest/confirm", data={}).status_code == 400
    assert client.get("/digest/confirm").status_code == 400
    assert smtp.messages == [] and _rows(store) == []


@pytest.mark.parametrize("token", ["A" * 43, "short", "x" * 65, "bad token!", "../../etc"])
def test_unknown_token_is_404(client: TestClient, smtp: Collect, store: Store, token: str) -> None:
    for action in ("confirm", "unsubscribe"):
        g = client.get(f"/digest/{action}", params={"token": token})
        assert g.status_code == 404
        assert "<h1>" in g.text
        p = client.post(f"/digest/{action}", data={"token": token})
        assert p.status_code == 404
        j = client.post(f"/digest/{action}", data={"token": token}, headers=JSON)
        assert j.status_code == 404
        err = j.json()
        assert err["ok"] is False and err["error"]["code"] == "not_found" and err["error"]["suggestions"]
        assert client.get(f"/digest/{action}.json", params={"token": token}).status_code == 404


# ------------------------------------------------------------------------------------------ no enumeration
def test_resubscribing_a_confirmed_address_says_the_same_and_sends_nothing(client: TestClient, smtp: Collect,
                                                                           store: Store) -> None:
    fresh = client.post("/digest/subscribe", data={"email": "new@example.com"})
    fresh_json = client.post("/digest/subscribe", data={"email": "other@example.com"}, headers=JSON)
    token = _signup(client, smtp, "known@example.com")
    [before] = [r for r in _rows(store) if r.email == "known@example.com"]
    n = len(smtp.messages)

    again = client.post("/digest/subscribe", data={"email": "known@example.com"})
    again_json = client.post("/digest/subscribe", data={"email": "known@example.com"}, headers=JSON)
    assert again.status_code == fresh.status_code == 200
    assert again.text == fresh.text
    assert again_json.json() == fresh_json.json()
    assert len(smtp.messages) == n  # no new confirmation
    [after] = [r for r in _rows(store) if r.email == "known@example.com"]
    assert after.token == before.token == token and after.confirmed_at == before.confirmed_at


def test_pending_address_asking_again(client: TestClient, smtp: Collect, store: Store,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    client.post("/digest/subscribe", data={"email": "twice@example.com"})
    _, first = _link(smtp.messages[-1], "confirm")
    # within RESEND_AFTER: the same answer, no second mail, the first link still works
    r = client.post("/digest/subscribe", data={"email": "twice@example.com"})
    assert r.status_code == 200 and _h1(r.text) == "Check your inbox"
    assert len(smtp.messages) == 1
    assert client.get("/digest/confirm", params={"token": first}).status_code == 200
    # later: a new link, and the old one is dead
    monkeypatch.setattr(service, "RESEND_AFTER", dt.timedelta(0))
    client.post("/digest/subscribe", data={"email": "twice@example.com"})
    assert len(smtp.messages) == 2
    _, second = _link(smtp.messages[-1], "confirm")
    assert second != first
    assert client.post("/digest/confirm", data={"token": first}).status_code == 404
    assert client.post("/digest/confirm", data={"token": second}).status_code == 200
    assert len(_rows(store)) == 1


def test_confirmation_links_expire_and_pending_addresses_are_forgotten(client: TestClient, smtp: Collect,
                                                                       store: Store) -> None:
    client.post("/digest/subscribe", data={"email": "late@example.com"})
    _, token = _link(smtp.messages[-1], "confirm")
    old = dt.datetime.now(dt.UTC) - service.CONFIRM_TTL - dt.timedelta(hours=1)
    with store.engine.begin() as conn:
        conn.execute(update(tables.subscribers).values(created_at=old))
    assert client.get("/digest/confirm", params={"token": token}).status_code == 404
    assert client.post("/digest/confirm", data={"token": token}).status_code == 404
    assert _rows(store)[0].confirmed_at is None
    client.post("/digest/subscribe", data={"email": "someone@example.com"})  # sweeps stale pending rows
    assert [r.email for r in _rows(store)] == ["someone@example.com"]


# ------------------------------------------------------------------------------------------ mail trouble
def test_smtp_down_is_503_and_nothing_is_kept(client: TestClient, smtp: Collect, store: Store,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNLOCAL_SMTP_PORT", str(_free_port()))  # nobody listens there
    r = client.post("/digest/subscribe", data={"email": "down@example.com"})
    assert r.status_code == 503
    assert _h1(r.text) == "Sign-up not completed"
    assert r.headers["retry-after"] == "300"
    assert "could not be completed" in r.text
    assert "127.0.0.1" not in r.text  # the relay's address is logged, not shown
    j = client.post("/digest/subscribe", data={"email": "down@example.com"}, headers=JSON)
    assert j.status_code == 503
    assert j.json()["ok"] is False and j.json()["error"]["code"] == "mail_unavailable"
    assert _rows(store) == []
    assert users.confirmed(store) == []

    monkeypatch.delenv("RUNLOCAL_SMTP_HOST")
    assert client.post("/digest/subscribe", data={"email": "down@example.com"}).status_code == 503
    assert _rows(store) == [] and smtp.messages == []


def test_mail_errors_are_clear(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RUNLOCAL_SMTP_HOST", raising=False)
    with pytest.raises(mail.MailError, match="RUNLOCAL_SMTP_HOST"):
        mail.send("a@example.com", "s", "b")
    monkeypatch.setenv("RUNLOCAL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("RUNLOCAL_SMTP_PORT", "smtp")
    with pytest.raises(mail.MailError, match="RUNLOCAL_SMTP_PORT"):
        mail.send("a@example.com", "s", "b")
    port = _free_port()
    monkeypatch.setenv("RUNLOCAL_SMTP_PORT", str(port))
    with pytest.raises(mail.MailError, match=f"cannot reach the mail relay 127.0.0.1:{port}"):
        mail.send("a@example.com", "s", "b")
    monkeypatch.delenv("RUNLOCAL_SMTP_PORT")
    assert mail.settings().port == 25
    assert mail.base_url() == os.environ.get("RUNLOCAL_BASE_URL", mail.DEFAULT_BASE_URL).rstrip("/")


def test_non_ascii_mail_is_7bit_safe(smtp: Collect) -> None:
    mail.send("a@example.com", "Qwen3 30B-A3B — schnell", "Größe: 24 GB\nnächste Zeile\n")
    [msg] = smtp.messages
    assert msg["Subject"] == "Qwen3 30B-A3B — schnell"
    assert msg.get_content().replace("\r\n", "\n") == "Größe: 24 GB\nnächste Zeile\n"
    assert all(b < 128 for b in smtp.envelopes[0].content)


def test_smtp_login_and_starttls_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNLOCAL_SMTP_HOST", "mail.example.com")
    monkeypatch.setenv("RUNLOCAL_SMTP_PORT", "587")
    monkeypatch.setenv("RUNLOCAL_SMTP_USER", "u")
    monkeypatch.setenv("RUNLOCAL_SMTP_PASSWORD", "p")
    monkeypatch.setenv("RUNLOCAL_SMTP_STARTTLS", "1")
    monkeypatch.delenv("RUNLOCAL_MAIL_FROM", raising=False)
    s = mail.settings()
    assert (s.host, s.port, s.user, s.password, s.starttls, s.sender) == \
        ("mail.example.com", 587, "u", "p", True, "runlocal@localhost")


# ------------------------------------------------------------------------------------------ sending, CLI
def test_send_digest_reaches_every_confirmed_subscriber_only(client: TestClient, smtp: Collect,
                                                              store: Store) -> None:
    tokens = {a: _signup(client, smtp, a) for a in ("one@example.com", "two@example.com")}
    client.post("/digest/subscribe", data={"email": "pending@example.com"})
    n = len(smtp.messages)
    month = site.months()[-1]["month"]
    assert service.send_digest(month) == 2
    sent = smtp.messages[n:]
    assert sorted(m["To"] for m in sent) == ["one@example.com", "two@example.com"]
    for m in sent:
        assert _link(m, "unsubscribe")[1] == tokens[m["To"]]  # each gets only its own link
        assert str(m["Subject"]).endswith(f"{len(site.changes(month=month))} change"
                                          + ("" if len(site.changes(month=month)) == 1 else "s"))
    with pytest.raises(Exception, match="nothing to send"):
        service.send_digest("1999-01")
    with pytest.raises(Exception, match="YYYY-MM"):
        service.send_digest("January")


def test_cli_digest_count_and_send(client: TestClient, smtp: Collect, store: Store,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    from runlocal.cli.main import main

    _signup(client, smtp, "cli@example.com")
    client.post("/digest/subscribe", data={"email": "wait@example.com"})
    capsys.readouterr()
    assert main(["digest", "count", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"ok": True, "confirmed": 1, "pending": 1}
    assert main(["digest", "count"]) == 0
    assert "confirmed: 1" in capsys.readouterr().out
    month = service.latest_month()
    assert main(["digest", "send", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True and out["month"] == month and out["sent"] == 1 and out["refused"] == 0
    assert main(["digest", "send", "--month", str(month)]) == 0
    assert "sent to 1 of 1" in capsys.readouterr().out
    assert main(["digest", "send", "--month", "1999-01", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "not_found"


# ------------------------------------------------------------------------------------------ the store alone
def _store_urls(tmp_path: Path) -> list[str]:
    urls = ["sqlite:///" + str(tmp_path / "s.db")]
    if os.environ.get("RUNLOCAL_TEST_POSTGRES_URL"):  # e.g. postgresql://localhost/runlocal_test
        urls.append(os.environ["RUNLOCAL_TEST_POSTGRES_URL"])
    return urls


def test_store_functions(tmp_path: Path) -> None:
    from runlocal.store.migrations import migrate

    for url in _store_urls(tmp_path):
        s = open_store(url)
        migrate(s)
        with s.engine.begin() as conn:
            conn.execute(tables.subscribers.delete())
        try:
            t1 = users.add_pending(s, "a@example.com")
            assert t1 and users.lookup(s, t1) == ("a@example.com", False)
            t2 = users.add_pending(s, "a@example.com")
            assert t2 and t2 != t1 and users.lookup(s, t1) is None
            assert users.add_pending(s, "a@example.com", resend_after=dt.timedelta(minutes=5)) is None
            assert users.confirm(s, t1) is None
            assert users.confirm(s, t2) == "a@example.com"
            assert users.add_pending(s, "a@example.com") is None  # confirmed: unchanged
            assert users.confirmed(s) == [("a@example.com", t2)]
            t3 = users.add_pending(s, "b@example.com")
            assert t3 and users.count(s) == {"confirmed": 1, "pending": 1}
            week = dt.timedelta(days=7)
            assert users.lookup(s, t3, max_age=week) == ("b@example.com", False)
            with s.engine.begin() as conn:
                conn.execute(update(tables.subscribers).values(created_at=dt.datetime.now(dt.UTC) - 2 * week))
            assert users.lookup(s, t3, max_age=week) is None and users.confirm(s, t3, max_age=week) is None
            assert users.lookup(s, t2, max_age=week) == ("a@example.com", True)  # confirmed rows never expire
            assert users.add_pending(s, "b@example.com", resend_after=week) not in (None, t3)  # old: resent
            assert users.purge_pending(s, dt.timedelta(0)) == 1
            assert users.discard_pending(s, t2) is False  # confirmed rows are not discarded
            assert users.unsubscribe(s, t2) == "a@example.com"
            assert users.unsubscribe(s, t2) is None
            assert users.count(s) == {"confirmed": 0, "pending": 0}
        finally:
            s.engine.dispose()


def test_sign_ups_are_rate_limited_per_client_address(client: TestClient, smtp: Collect) -> None:
    from runlocal.service.digest import SIGNUPS_PER_HOUR

    for i in range(SIGNUPS_PER_HOUR):
        assert client.post("/digest/subscribe", json={"email": f"r{i}@example.com"}).status_code == 200
    r = client.post("/digest/subscribe", json={"email": "one-more@example.com"})
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
    page = client.post("/digest/subscribe", data={"email": "one-more@example.com"})
    assert page.status_code == 429 and "<html" in page.text
    assert len(smtp.messages) == SIGNUPS_PER_HOUR  # nothing mailed past the limit
