"""Every path of the URL map and its JSON twin: 200 with HTML and strict JSON, 404 for unknown entities in both
forms, the security headers, and the web answer equal to the CLI's."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from starlette.testclient import TestClient

PATHS = [
    "/", "/will-it-run", "/will-it-run?model=qwen3-8b&hardware=rtx-4090",
    "/will-it-run?model=llama-3.3-70b&hardware=rtx-4090&context=8192",
    "/will-it-run?model=flux.1-dev&hardware=rtx-4070", "/will-it-run?model=qwen3-8b&hardware=M2+Max+64GB",
    "/models", "/models?family=qwen3&min_b=10", "/models?kind=image", "/models/qwen3-8b", "/models/flux.1-dev",
    "/models/gpt-oss-120b", "/hardware", "/hardware?vendor=apple", "/hardware/rtx-4090", "/hardware/apple-m4-max-40c",
    "/hardware/ddr5-5600-2ch", "/tools", "/tools/llama-cpp", "/glossary", "/glossary/kv-cache", "/errors",
    "/errors/pytorch-cuda-out-of-memory", "/troubleshoot", "/troubleshoot?q=CUDA+error%3A+out+of+memory",
    "/troubleshoot?q=CUDA+out+of+memory&model=qwen3-8b&hardware=rtx-4060", "/learn", "/learn/what-is-local-ai",
    "/start", "/methodology", "/search?q=qwen3", "/search?q=out+of+memory", "/pulse", "/pulse/2026-11", "/sitemap",
    "/compare", "/compare?hardware=rtx-4090,2x+rtx-3090,M4+Max+128GB", "/choose-gpu",
    "/choose-gpu?model=qwen3-32b&context=16384&min_speed=20", "/choose-gpu?model=qwen3-8b,gpt-oss-20b&budget=1000",
    "/cost", "/cost?model=qwen3-8b&hardware=rtx-4090", "/cost?model=gpt-oss-20b&hardware=rtx-3090&kwh_price=0.3",
    "/serving", "/serving?model=llama-3.1-8b&hardware=h100-sxm&users=50&rate=2&target_tps=20",
    "/serving?model=qwen3-8b&hardware=rtx-4090&runtime=llama.cpp&users=8",
    "/best-gpu", "/guides", "/guides/best-mac", "/guides/best-used-gpu", "/guides/budget-tiers",
    "/quick-answers", "/ask", "/ask?q=can+I+run+qwen3+30b+on+a+3060+with+32k+context", "/ask?q=on+a+4090",
    "/prompting-kits", "/prompting-kits/qwen3", "/prompting-kits/llama-3.1?model=llama-3.3-70b&hardware=2x+rtx-3090",
    "/will-it-run?model=qwen3-8b&hardware=rtx-4090&use=rag",
]
NOT_FOUND = ["/models/no-such-model", "/hardware/no-such-gpu", "/tools/nope", "/glossary/nope", "/errors/nope",
             "/learn/nope", "/start/nope", "/will-it-run?model=no-such-model&hardware=rtx-4090", "/guides/nope",
             "/prompting-kits/nope"]


def _twin(path: str) -> str:
    base, _, q = path.partition("?")
    j = "/index.json" if base == "/" else base + ".json"
    return j + ("?" + q if q else "")


@pytest.mark.parametrize("path", PATHS)
def test_page_and_its_json_twin(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200, (path, r.text[:500])
    assert r.headers["content-type"].startswith("text/html")
    assert "<h1" in r.text and "</html>" in r.text
    assert f'href="{_twin(path).replace("&", "&amp;")}"' in r.text or path == "/"  # the page links its twin
    j = client.get(_twin(path))
    assert j.status_code == 200, (path, j.text[:300])
    json.loads(j.text, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))


@pytest.mark.parametrize("path", NOT_FOUND)
def test_unknown_entities_are_404_in_both_forms(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404 and "<h1" in r.text
    j = client.get(_twin(path))
    assert j.status_code == 404
    body = j.json()
    assert body["ok"] is False and set(body["error"]) == {"code", "message", "suggestions"}


def test_suggestions_for_a_misspelt_model(client: TestClient) -> None:
    body = client.get("/models/qwen3-8.json").json()
    assert "qwen3-8b" in body["error"]["suggestions"]


def test_site_pages_feeds_and_robots(client: TestClient) -> None:
    for p in ("/about", "/editorial-policy", "/trust", "/how-we-make-money", "/privacy", "/terms", "/contact"):
        assert client.get(p).status_code in (200, 404)  # content pages land with the data; 404 is a page too
    ET.fromstring(client.get("/sitemap.xml").content)
    atom = ET.fromstring(client.get("/pulse.atom").content)
    assert atom.tag.endswith("feed") and len(atom) > 5
    assert "Sitemap:" in client.get("/robots.txt").text


def test_security_headers_on_every_response(client: TestClient) -> None:
    for p in ("/", "/models.json", "/nope", "/api/v1/estimate?model=qwen3-8b&hardware=rtx-4090"):
        h = client.get(p).headers
        assert "default-src 'self'" in h["content-security-policy"]
        assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY"


def test_unknown_path_is_a_404_page_and_a_json_404(client: TestClient) -> None:
    assert client.get("/no/such/page").status_code == 404
    j = client.get("/no/such/page.json")
    assert j.status_code == 404 and j.json()["error"]["code"] == "not_found"


def test_hostile_query_strings(client: TestClient) -> None:
    assert client.get("/search?q=" + "a" * 9000).status_code == 414
    for q in ('"*(AND OR', "<script>alert(1)</script>", "'; DROP TABLE catalog_entities; --", "\x00", "a" * 999):
        r = client.get("/search", params={"q": q})
        assert r.status_code == 200 and "<script>alert(1)</script>" not in r.text
    r = client.get("/will-it-run", params={"model": "<script>x</script>", "hardware": "rtx-4090"})
    assert r.status_code == 404 and "<script>x</script>" not in r.text
    bad = {"model": "qwen3-8b", "hardware": "rtx-4090", "context": "-1"}
    assert client.get("/will-it-run", params=bad).status_code == 400
    assert client.get("/models", params={"min_b": "nan"}).status_code == 400
    assert client.get("/pulse/2026-13").status_code == 404


def test_web_answer_equals_the_cli_answer(client: TestClient) -> None:
    q = {"model": "qwen3-8b", "hardware": "rtx-4090", "context_tokens": 8192, "quant": "Q8_0"}
    cli = subprocess.run([sys.executable, "-m", "runlocal.cli.main", "estimate"], input=json.dumps(q) + "\n",
                         capture_output=True, text=True, timeout=120, check=True)
    from_cli = json.loads(cli.stdout)
    page = client.get("/will-it-run.json", params={"model": "qwen3-8b", "hardware": "rtx-4090", "context": 8192,
                                                   "quant": "Q8_0"}).json()["answer"]
    api = client.get("/api/v1/estimate", params=q).json()
    assert page == from_cli == api


def test_the_verdict_ladder_is_the_engines(client: TestClient) -> None:
    well = client.get("/will-it-run.json?model=qwen3-8b&hardware=rtx-4090").json()
    assert well["ladder"]["level"] == "runs-well"
    slow = client.get("/will-it-run.json?model=llama-3.3-70b&hardware=rtx-4090").json()
    assert slow["answer"]["fits"] == "gpu+cpu" and slow["ladder"]["level"] == "trade-offs"
    none = client.get("/will-it-run.json?model=deepseek-v3&hardware=rtx-4060&ram_gb=16").json()
    assert none["answer"]["fits"] == "no" and none["ladder"]["level"] == "does-not-run"
    page = client.get("/will-it-run?model=qwen3-8b&hardware=rtx-4090").text
    assert 'class="ladder ladder-runs-well"' in page and "<svg" in page


def test_popular_questions_all_answer(client: TestClient) -> None:
    home = client.get("/index.json").json()
    assert len(home["popular"]) >= 6
    for p in home["popular"]:
        r = client.get("/will-it-run.json", params={"model": p["model"], "hardware": p["hardware"]}).json()
        assert r["answer"]["ok"], p


def test_search_uses_the_full_text_index(client: TestClient) -> None:
    hits = client.get("/search.json?q=gpt-oss").json()["results"]
    assert hits and any(h["kind"] == "models" and h["url"].startswith("/models/gpt-oss") for h in hits)
    hits = client.get("/search.json?q=cuda+memory").json()["results"]
    assert any(h["kind"] == "errors" for h in hits)


def test_methodology_tables_are_generated(client: TestClient) -> None:
    m = client.get("/methodology.json").json()
    rows = m["accuracy"]["benchmarks"]
    assert any(r["metric"].endswith("decode_tokens_per_s") and r["hardware_class"] == "ALL" for r in rows)
    assert len(m["assumptions"]) >= 80


def test_change_one_setting_links(client: TestClient) -> None:
    page = client.get("/will-it-run?model=llama-3.3-70b&hardware=rtx-4090").text
    assert 'class="variants"' in page and "quant=Q8_0" in page and "gpu_count=2" in page
    assert '<strong aria-current="true">Q4_K_M</strong>' in page


def test_decision_tools_refuse_bad_input_in_one_shape(client: TestClient) -> None:
    for path, status in (("/compare.json?hardware=rtx-4090", 400), ("/compare.json?hardware=nope-gpu,rtx-4090", 404),
                         ("/choose-gpu.json?model=qwen3-8b&min_speed=abc", 400),
                         ("/choose-gpu.json?model=qwen3-8b&min_speed=nan", 400),
                         ("/cost.json?model=qwen3-8b&hardware=rtx-4090&years=0", 400),
                         ("/cost.json?model=qwen3-8b&hardware=rtx-4090&gpu_count=99", 400),
                         ("/serving.json?model=qwen3-8b&hardware=rtx-4090&users=0", 400),
                         ("/serving.json?model=qwen3-8b&hardware=rtx-4090&rate=nan", 400),
                         ("/serving.json?model=qwen3-8b&hardware=nope-gpu", 404)):
        r = client.get(path)
        assert r.status_code == status, (path, r.status_code, r.text[:200])
        assert set(r.json()["error"]) == {"code", "message", "suggestions"}


def test_the_model_page_lists_its_derivatives(client: TestClient) -> None:
    html = client.get("/models/qwen2.5-14b").text
    assert 'id="derivatives"' in html and "Cogito v1 Preview Qwen 14B" in html


def test_the_serving_page_shows_the_rate_and_first_token_with_prompts(client: TestClient) -> None:
    html = client.get("/serving?model=qwen3-8b&hardware=rtx-4090&runtime=vllm&users=64").text
    assert "total with prompts" in html and "first token" in html


def test_the_serving_page_takes_a_kv_cache_type(client: TestClient) -> None:
    html = client.get("/serving?model=qwen3-8b&hardware=rtx-4090&runtime=vllm&users=64&kv_cache_type=fp8").text
    assert '<option value="fp8" selected>' in html and "--kv-cache-dtype fp8" in html
    bad = client.get("/serving?model=qwen3-8b&hardware=rtx-4090&runtime=vllm&kv_cache_type=q8_0")
    assert bad.status_code == 400 and "fp8" in bad.text


def test_the_serving_page_takes_the_gpu_count_a_cloud_instance_gives(client: TestClient) -> None:
    html = client.get("/serving?model=llama-3.1-70b&hardware=a2-highgpu-8g&runtime=vllm&gpu_count=").text
    assert "--tensor-parallel-size 8" in html
    ok = client.get("/serving?model=qwen3-8b&hardware=rtx-4090&runtime=vllm")
    assert ok.status_code == 200 and 'placeholder="1"' in ok.text
