"""The decision tools in a real Chromium: each form filled and submitted, the answer read from the page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def test_compare_form(page: Page) -> None:
    page.goto("/compare")
    page.fill("#cmp-hardware", "rtx-4090, 2x rtx-3090")
    page.click("#cmp-submit")
    page.wait_for_url(re.compile(r"/compare\?"))
    expect(page.locator("#verdicts")).to_contain_text("fastest")
    expect(page.locator("#speeds svg").first).to_be_attached()


def test_choose_gpu_form(page: Page) -> None:
    page.goto("/choose-gpu")
    page.fill("#choose-model", "qwen3-32b")
    page.fill("#choose-speed", "20")
    page.click("#choose-submit")
    page.wait_for_url(re.compile(r"/choose-gpu\?"))
    assert page.locator("tr.pick").count() >= 1
    expect(page.locator("#fails")).to_contain_text("Cheaper, but")


def test_cost_form(page: Page) -> None:
    page.goto("/cost")
    page.fill("#cost-model", "gpt-oss-20b")
    page.fill("#cost-hardware", "rtx-3090")
    page.click("#cost-submit")
    page.wait_for_url(re.compile(r"/cost\?"))
    expect(page.locator("#cost-answer")).to_contain_text("per million tokens")


def test_ask_box_on_home_and_guides(page: Page) -> None:
    page.goto("/")
    page.fill("#ask-q", "can I run qwen3 30b on a 3060 with 32k context?")
    page.click("#ask-submit")
    page.wait_for_url(re.compile(r"/ask\?"))
    expect(page.locator("#ask-result")).to_contain_text("Qwen3 30B A3B")
    page.click("#ask-full")
    page.wait_for_url(re.compile(r"/will-it-run\?"))
    expect(page.locator("#verdict")).to_be_visible()
    page.goto("/guides")
    page.click("text=The best GPU for local AI")
    expect(page.locator("#bottom-line")).to_contain_text("runs up to")


def test_prompting_kit_form(page: Page) -> None:
    page.goto("/prompting-kits")
    page.click("text=Qwen3")
    page.fill("#kit-hardware", "rtx-4090")
    page.click("#kit-submit")
    page.wait_for_url(re.compile(r"/prompting-kits/qwen3\?"))
    expect(page.locator("#ollama")).to_contain_text("PARAMETER num_ctx")
    expect(page.locator("#llama-server")).to_contain_text("--jinja")
