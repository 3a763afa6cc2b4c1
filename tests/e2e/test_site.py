"""The site in a real headless Chromium against a real server process: the forms people use, the links between
pages, the my-machine picker, the digest's double opt-in through a real SMTP server, and full-page screenshots
(saved in tests/e2e/screenshots/, checked not to be blank)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from e2e_png import pixel_stats
from e2e_support import Mailbox, Site
from playwright.sync_api import Page, expect

MIN_DISTINCT_PIXELS = 200
"""A rendered page (anti-aliased text, borders, charts) has hundreds of distinct colours; a blank one has one."""
MAX_BACKGROUND_SHARE = 0.995


def _path(page: Page) -> str:
    return urlsplit(page.url).path


def test_will_it_run_form_on_home(page: Page) -> None:
    page.goto("/")
    page.fill("#wir-model", "qwen3-8b")
    page.fill("#wir-hardware", "rtx-4090")
    page.click("#wir-submit")
    page.wait_for_url(re.compile(r"/will-it-run\?"))
    query = parse_qs(urlsplit(page.url).query)
    assert query.get("model") == ["qwen3-8b"] and query.get("hardware") == ["rtx-4090"], page.url
    expect(page.locator("#verdict")).to_contain_text("Runs well")
    svg = page.locator("#memory svg")
    expect(svg.first).to_be_attached()
    assert svg.count() >= 1
    assert page.locator("#memory svg").first.evaluate("e => e.namespaceURI") == "http://www.w3.org/2000/svg"


def test_model_page_links_to_hardware(page: Page) -> None:
    page.goto("/models/qwen3-8b")
    expect(page.locator("h1")).not_to_be_empty()
    link = page.locator("a.hw-link").first
    expect(link).to_be_visible()
    href = link.get_attribute("href") or ""
    link.click()
    page.wait_for_url(re.compile(r"/hardware/[^/?#]+"))
    assert _path(page) == urlsplit(href).path
    h1 = page.locator("h1")
    expect(h1).to_have_count(1)
    expect(h1).not_to_be_empty()


def test_header_search(page: Page) -> None:
    page.goto("/")
    page.fill("#site-q", "gpt-oss")
    page.press("#site-q", "Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    expect(page.locator(".result a").first).to_be_visible()
    hrefs = page.locator(".result a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert any(h and h.startswith("/models/") for h in hrefs), hrefs


def test_troubleshoot_finds_the_error(page: Page) -> None:
    page.goto("/troubleshoot")
    page.fill("#ts-q", "CUDA error: out of memory")
    page.click("#ts-submit")
    page.wait_for_url(re.compile(r"/troubleshoot\?"))
    expect(page.locator(".match").first).to_be_visible()
    assert page.locator(".match").count() >= 1


def test_my_machine_picker(page: Page) -> None:
    page.goto("/will-it-run")
    page.click("#my-machine > summary")
    page.click("#detect-machine")
    guess = page.locator("#machine-guess")
    expect(guess).not_to_be_empty()
    text = guess.inner_text().strip()
    links = guess.locator("a")
    adapter = page.evaluate("async () => !!(navigator.gpu && navigator.gpu.requestAdapter"
                            " && await navigator.gpu.requestAdapter().catch(() => null))")
    if not adapter:
        assert "WebGPU" in text, f"this browser gives no WebGPU adapter and #machine-guess does not say so: {text!r}"
    assert links.count() >= 1 or re.search(r"[A-Za-z]{3,}.*[.!]", text), text
    if links.count():  # a suggestion link fills the hardware field
        first = links.first
        label = first.inner_text().strip()
        first.click()
        expect(page.locator("#wir-hardware")).to_have_value(label)
    page.select_option("#machine-select", "rtx-4090")
    expect(page.locator("#wir-hardware")).to_have_value("rtx-4090")
    options = page.locator("#machine-select option").evaluate_all("els => els.map(e => e.value).filter(Boolean)")
    other = next(v for v in options if v != "rtx-4090")
    page.select_option("#machine-select", other)
    expect(page.locator("#wir-hardware")).to_have_value(other)


SCREENSHOT_PAGES = {
    "home": "/",
    "will-it-run": "/will-it-run?model=qwen3-8b&hardware=rtx-4090",
    "model-qwen3-8b": "/models/qwen3-8b",
    "hardware-rtx-4090": "/hardware/rtx-4090",
    "methodology": "/methodology",
    "compare": "/compare?hardware=rtx-4090,2x+rtx-3090,M4+Max+128GB",
    "choose-gpu": "/choose-gpu?model=qwen3-32b&context=16384",
    "cost": "/cost?model=gpt-oss-20b&hardware=rtx-3090&tokens_per_day=5000000",
    "best-gpu": "/best-gpu",
    "quick-answers": "/quick-answers",
    "prompting-kit": "/prompting-kits/qwen3?model=qwen3-30b-a3b&hardware=rtx-3060-12gb",
    "ask": "/ask?q=can+I+run+qwen3+30b+on+a+3060+with+32k+context",
}


@pytest.mark.parametrize("name", list(SCREENSHOT_PAGES))
def test_screenshot_is_not_blank(page: Page, screenshots: Path, name: str) -> None:
    response = page.goto(SCREENSHOT_PAGES[name])
    assert response is not None and response.status == 200, f"{SCREENSHOT_PAGES[name]}: {response and response.status}"
    out = screenshots / f"{name}.png"
    page.screenshot(path=str(out), full_page=True)
    stats = pixel_stats(out)
    assert out.stat().st_size > 10_000, f"{out}: {out.stat().st_size} bytes"
    assert stats.width == 1280 and stats.height >= 900, stats
    assert stats.distinct >= MIN_DISTINCT_PIXELS, f"{out} looks blank: {stats}"
    assert stats.background_share <= MAX_BACKGROUND_SHARE, f"{out} is nearly one colour: {stats}"


def test_digest_double_opt_in(page: Page, site: Site, mailbox: Mailbox) -> None:
    address = "reader@example.org"
    page.goto("/pulse")
    page.fill("#digest-email", address)
    page.click("#digest-submit")
    expect(page.locator("#digest-status")).to_be_visible()
    mail = mailbox.wait_for(address)
    body = mail.get_body(preferencelist=("plain", "html"))
    assert body is not None, mail
    text = body.get_content()
    links = re.findall(r"https?://[^\s<>\"')]+", text)
    confirm = [u for u in links if "/digest/confirm" in u]
    assert confirm, f"no confirmation link in the mail: {text!r}"
    assert confirm[0].startswith(site.url + "/"), f"the link does not point at RUNLOCAL_BASE_URL: {confirm[0]}"
    page.goto(confirm[0])
    page.click("#digest-confirm")
    page.wait_for_load_state()
    h1 = page.locator("h1")
    expect(h1).to_have_count(1)
    expect(h1).not_to_be_empty()
    assert re.search(r"subscrib|confirm", h1.inner_text(), re.I), h1.inner_text()
