"""The decision tools in a real Chromium: each form filled and submitted, the answer read from the page."""

from __future__ import annotations

import re

from e2e_support import Site
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


def test_bench_pages_in_a_browser(page: Page, site: Site) -> None:
    """Runs submitted to the real server's Bench API and accepted with the admin token show on /bench (table and
    chart), filter with the form, and open on /bench/{id} with the command that reproduces them."""
    import json
    import urllib.request

    from runlocal.service.admin import new_admin_token

    token = new_admin_token(f"sqlite:///{site.log.parent / 'e2e.db'}")

    def call(path: str, body: dict[str, object], headers: dict[str, str] | None = None) -> dict[str, object]:
        req = urllib.request.Request(site.url + path, data=json.dumps(body).encode(),
                                     headers={"content-type": "application/json", **(headers or {})})
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - loopback only
            return dict(json.loads(resp.read()))

    ids = []
    for i, (hw, tps) in enumerate((("ddr4-3200-2ch", 92.0), ("ryzen-7-7840hs", 160.0))):
        r = call("/api/v1/bench", {"model_id": "smollm2-135m", "hardware_id": hw,
                                   "model": {"sha256": f"{i + 900:064x}", "quant": "Q4_1"},
                                   "measured": {"decode_tokens_per_s": tps, "prefill_tokens_per_s": 300.0},
                                   "settings": {"threads": 2, "reps": 3, "pp": 512, "tg": 128}})
        ids.append(r["id"])
        call(f"/api/v1/admin/bench/{r['id']}", {"status": "accepted"}, {"authorization": f"Bearer {token}"})
    page.goto("/bench")
    expect(page.locator("table.bench-runs")).to_contain_text("ryzen-7-7840hs")
    expect(page.locator("#bench-summary")).to_contain_text("2 runs")
    expect(page.locator(".chartbox svg").first).to_be_attached()
    page.fill("#bench-filter input[name=hardware]", "ddr4-3200-2ch")
    page.click("#bench-filter button")
    page.wait_for_url(re.compile(r"/bench\?.*hardware=ddr4-3200-2ch"))
    expect(page.locator("table.bench-runs")).not_to_contain_text("ryzen-7-7840hs")
    page.click(f"a[href='/bench/{ids[0]}']")
    page.wait_for_url(re.compile(rf"/bench/{ids[0]}$"))
    expect(page.locator("#bench-command")).to_contain_text("runlocal bench smollm2-135m")
    expect(page.locator("#bench-figures")).to_contain_text("Generation")
