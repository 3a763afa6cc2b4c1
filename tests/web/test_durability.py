"""Nothing is lost: real `runlocal serve` processes on one database (SQLite in WAL mode, and PostgreSQL), two of
them taking bench submissions from several threads at once, one killed with SIGKILL in the middle of the stream:
every submission a server acknowledged (201) is in the database afterwards. And `runlocal db export` / `import`
round-trips every user row on both backends."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pg_support import PG_URL, pg_schema_url

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="no PostgreSQL"))]


@contextmanager
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'site.db'}"
        return
    with pg_schema_url("d") as url:
        yield url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, home: Path, smtp_port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "RUNLOCAL_HOME": str(home), "RUNLOCAL_BENCH_RATE_LIMIT": "100000",
           "RUNLOCAL_SIGNUP_RATE_LIMIT": "100000", "RUNLOCAL_SMTP_HOST": "127.0.0.1",
           "RUNLOCAL_SMTP_PORT": str(smtp_port), "RUNLOCAL_MAIL_FROM": "digest@runlocal.test"}
    for k in ("RUNLOCAL_SMTP_USER", "RUNLOCAL_SMTP_PASSWORD", "RUNLOCAL_SMTP_STARTTLS"):
        env.pop(k, None)
    log = home / f"server-{port}.log"  # a file, not a pipe: a pipe nobody reads would stop the server when full
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "runlocal.cli.main", "serve", "--port", str(port),
                                 "--database", url, "--quiet"], env=env, stdout=subprocess.DEVNULL, stderr=out)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("server did not start")


def run_body(i: int, tag: str) -> bytes:
    return json.dumps({
        "model_id": "smollm2-135m", "hardware_id": "ddr4-3200-2ch",
        "model": {"sha256": f"{i:064x}", "quant": "Q4_1"},
        "measured": {"decode_tokens_per_s": 50 + i / 100, "prefill_tokens_per_s": 200.0},
        "settings": {"threads": 2, "reps": 1, "pp": 512, "tg": 128}, "versions": {"test": tag}}).encode()


def post(port: int, body: bytes, path: str = "/api/v1/bench") -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body,
                                 headers={"content-type": "application/json", "accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw or b"{}")
        except ValueError:
            return exc.code, {"not_json": raw[:300].decode(errors="replace")}


class Sink:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        return "250 OK"


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_instances_concurrent_submissions_survive_sigkill(backend: str, tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller
    from sqlalchemy import select

    from runlocal.store import tables
    from runlocal.store.db import open_store

    smtp_port = free_port()
    relay = Controller(Sink(), hostname="127.0.0.1", port=smtp_port)
    relay.start()
    with database_url(backend, tmp_path) as url:
        ports = [free_port(), free_port()]
        servers = [start_server(url, p, tmp_path, smtp_port) for p in ports]
        acked: list[tuple[int, str]] = []  # (id, sha256) of every 201
        signed: list[str] = []  # every sign-up answered "check your inbox"
        refused: list[str] = []  # the surviving instance must answer every request
        errors: list[str] = []
        lock = threading.Lock()
        killed = threading.Event()

        def writer(w: int) -> None:
            for k in range(40):
                i = w * 1000 + k
                port = ports[k % 2]
                address = f"reader{i}@example.com"
                status, body, retried = 0, {}, False
                for attempt in (port, ports[1]):  # like a proxy: a refused connection goes to the other one
                    retried = attempt != port
                    try:
                        if k % 4 == 3:  # every fourth: a digest sign-up instead of a bench run
                            status, body = post(attempt, json.dumps({"email": address}).encode(),
                                                "/digest/subscribe")
                        else:
                            status, body = post(attempt, run_body(i, f"w{w}"))
                        port = attempt
                        break
                    except (OSError, http.client.HTTPException) as exc:  # the killed server (refused, reset, or
                        # cut off between the status line and the body): not acknowledged, so nothing is promised
                        if attempt == ports[1]:
                            with lock:
                                refused.append(f"{attempt}: {exc}")
                        continue
                if not status:
                    continue
                with lock:
                    if status == 201:
                        acked.append((body["id"], f"{i:064x}"))
                    elif status == 200 and body.get("status") == "check_inbox":
                        signed.append(address)
                    elif status == 409 and retried:  # the killed server stored it, then died before answering
                        pass
                    elif not (killed.is_set() and port == ports[0]):
                        errors.append(f"{status} {body}")
                if len(acked) >= 40 and not killed.is_set():
                    with lock:
                        if not killed.is_set():
                            servers[0].send_signal(signal.SIGKILL)
                            killed.set()

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        elapsed = time.monotonic() - t0
        for s in servers:
            if s.poll() is None:
                s.terminate()
                s.wait(30)
        relay.stop()
        assert killed.is_set() and servers[0].returncode == -signal.SIGKILL, (len(acked), len(signed), errors[:3],
                                                                              refused[:3])
        logs = "".join(p.read_text(errors="replace") for p in tmp_path.glob("server-*.log"))
        assert not errors, (errors[:5], logs[-3000:])
        assert not refused, (refused[:5], logs[-3000:])
        store = open_store(url)
        with store.engine.begin() as conn:
            rows = {(r.id, r.model_sha256) for r in conn.execute(
                select(tables.bench_runs.c.id, tables.bench_runs.c.model_sha256)).all()}
            emails = {r.email for r in conn.execute(select(tables.subscribers.c.email)).all()}
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar() if store.is_sqlite else None
        store.engine.dispose()
        missing = [a for a in acked if a not in rows]
        lost = [a for a in signed if a not in emails]
        print(f"{backend}: {len(acked)} bench runs and {len(signed)} sign-ups acknowledged from 4 writers over 2 "
              f"instances in {elapsed:.1f} s, instance 1 SIGKILLed after 40; {len(rows)} runs and {len(emails)} "
              f"addresses stored; acknowledged but missing: {len(missing)} runs, {len(lost)} sign-ups")
        assert not missing and not lost
        assert len(acked) + len(signed) > 100  # the surviving instance took the rest
        assert mode in (None, "wal")


@pytest.mark.parametrize("backend", BACKENDS)
def test_db_export_import_round_trips_every_user_row(backend: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from runlocal.cli.main import main
    from runlocal.service.database import set_database
    from runlocal.store import bench, security, users
    from runlocal.store.db import open_store

    with database_url(backend, tmp_path) as src_url, database_url("sqlite", tmp_path / "b") as dst_url:
        src = open_store(src_url)
        set_database(src)
        try:
            t1 = users.add_pending(src, "a@example.com")
            users.add_pending(src, "b@example.com")
            assert t1 and users.confirm(src, t1)
            for i in range(3):
                bench.add(src, {"status": "pending", "origin": "submitted", "model_id": "smollm2-135m",
                                "hardware_id": "ddr4-3200-2ch", "runtime": "llama.cpp", "quant": "Q4_1",
                                "model_sha256": f"{i:064x}", "decode_tokens_per_s": 10.0 + i,
                                "prefill_tokens_per_s": 100.0, "peak_memory_bytes": None,
                                "est_decode_tokens_per_s": 11.0, "est_prefill_tokens_per_s": 90.0,
                                "command": "runlocal bench x", "body": json.dumps({"i": i, "text": "é <b>"}),
                                "dedupe": f"d{i}", "client": "c", "reason": None})
            security.form_secret(src)
            security.hit(src, "subscribe", "c", limit=5, window=__import__("datetime").timedelta(hours=1))
            out = tmp_path / "users.jsonl"
            assert main(["db", "export", "-o", str(out), "--database", src_url]) == 0
            capsys.readouterr()
            lines = out.read_text(encoding="utf-8").splitlines()
            assert {json.loads(x)["table"] for x in lines} == {"digest_subscribers", "bench_runs", "site_settings",
                                                               "rate_events"}
            assert main(["db", "import", str(out), "--database", dst_url, "--json"]) == 0
            counts = json.loads(capsys.readouterr().out)["tables"]
            assert counts["bench_runs"] == {"added": 3, "skipped": 0}
            again = tmp_path / "again.jsonl"
            assert main(["db", "export", "-o", str(again), "--database", dst_url]) == 0
            capsys.readouterr()
            assert sorted(again.read_text(encoding="utf-8").splitlines()) == sorted(lines)
            assert main(["db", "import", str(out), "--database", dst_url, "--json"]) == 0
            counts = json.loads(capsys.readouterr().out)["tables"]
            assert all(c["added"] == 0 for c in counts.values())
            bad = tmp_path / "bad.jsonl"
            bad.write_text(lines[0] + "\n{not json\n", encoding="utf-8")
            assert main(["db", "import", str(bad), "--database", dst_url]) == 2
            err = capsys.readouterr().err
            assert "bad.jsonl:2: not JSON" in err and "Traceback" not in err
        finally:
            set_database(None)
            src.engine.dispose()
