"""End-to-end fixtures: the site as a real uvicorn process (its own SQLite database and cache in a temp folder), a
local SMTP server that keeps every mail it is sent, and a headless Chromium driven by Playwright.

The browser is Debian's chromium ($RUNLOCAL_CHROMIUM, default /usr/bin/chromium) through executable_path: there
is no `playwright install`. Without a chromium binary every test here is skipped, saying so."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from e2e_support import CHROMIUM, Mailbox, Site, chromium_binary, free_port

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
START_TIMEOUT_S = 60
ACTION_TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if chromium_binary():
        return
    skip = pytest.mark.skip(reason=f"no chromium binary at {CHROMIUM} (set RUNLOCAL_CHROMIUM, or apt-get install "
                                   "chromium): the end-to-end tests need a real browser")
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(skip)


# ------------------------------------------------------------------------------------------------ mail
class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        content = envelope.original_content or envelope.content
        self.box.add(content if isinstance(content, bytes) else str(content).encode("utf-8"))
        return "250 Message accepted for delivery"


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    box = Mailbox(host="127.0.0.1", port=free_port())
    controller = Controller(_Handler(box), hostname=box.host, port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


# ------------------------------------------------------------------------------------------------ site
def _get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - loopback only
            return int(resp.status), resp.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, mailbox: Mailbox) -> Iterator[Site]:
    """`python -m uvicorn runlocal.web.app:create_app --factory` on a free loopback port, up until the session ends."""
    tmp = tmp_path_factory.mktemp("e2e")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNLOCAL_", "PYTEST_"))}
    env.update({
        "RUNLOCAL_DATABASE_URL": f"sqlite:///{tmp / 'e2e.db'}",
        "RUNLOCAL_CACHE": str(tmp),
        "RUNLOCAL_HOME": str(tmp / "home"),
        "RUNLOCAL_SMTP_HOST": mailbox.host,
        "RUNLOCAL_SMTP_PORT": str(mailbox.port),
        "RUNLOCAL_MAIL_FROM": "digest@runlocal.test",
        "RUNLOCAL_BASE_URL": url,
        "PYTHONUNBUFFERED": "1",
    })
    log = tmp / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "runlocal.web.app:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    s = Site(url=url, log=log, proc=proc)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the site exited with {proc.returncode} before answering /healthz:\n{s.log_tail()}")
            with contextlib.suppress(OSError):
                status, _ = _get(url + "/healthz", timeout=1.0)
                if status == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"/healthz did not answer within {START_TIMEOUT_S} s:\n{s.log_tail()}")
            time.sleep(0.1)
        _get(url + "/", timeout=60.0)  # the first page builds the database; do it before any test's clock runs
        yield s
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


# --------------------------------------------------------------------------------------------- browser
@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    path = chromium_binary()
    assert path, "collection should have skipped this test"
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=["--no-sandbox"], headless=True)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Problems:
    """What went wrong inside the page: uncaught script errors and Content-Security-Policy refusals."""

    errors: list[str] = field(default_factory=list)


@pytest.fixture()
def page(browser: Browser, site: Site) -> Iterator[Page]:
    """A fresh browser context on the site (base URL set: page.goto("/models") works)."""
    context = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 900},
                                  locale="en-US", timezone_id="UTC")
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    p = context.new_page()
    problems = Problems()
    p.on("pageerror", lambda exc: problems.errors.append(f"uncaught: {exc}"))
    p.on("console", lambda msg: problems.errors.append(f"console: {msg.text}")
         if msg.type == "error" and "Content Security Policy" in msg.text else None)
    try:
        yield p
    finally:
        url = p.url
        context.close()
    assert not problems.errors, f"script problems on {url}: {problems.errors}"


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
