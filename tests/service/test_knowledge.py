"""Tools, troubleshooting, search, pages and glossary rendering over the real catalog."""

from __future__ import annotations

import json

import pytest

from runlocal.cli.main import main
from runlocal.errors import InvalidField, NotFound
from runlocal.service import catalog
from runlocal.service.knowledge import (
    explain,
    fits_by_memory,
    list_tools,
    match_errors,
    render_page,
    render_template,
    search,
    sizing_advice,
    troubleshoot,
)


def test_catalog_lists_at_least_25_runtimes_and_40_error_messages() -> None:
    cat = catalog()
    assert len(cat.runtimes) >= 25
    assert len(cat.errors) >= 40


def test_tools_filters() -> None:
    mac = list_tools(platform="macos")
    assert any(t["id"] == "mlx" for t in mac)
    assert all("macos" in [p.lower() for p in t["platforms"]] for t in mac)
    assert any(t["id"] == "llama-cpp" for t in list_tools(fmt="gguf"))


@pytest.mark.parametrize(("text", "expected"), [
    ("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB", "out-of-memory"),
    ("Error: model requires more system memory (12.3 GiB) than is available (8.0 GiB)", "system-memory"),
    ("ggml_backend_cuda_buffer_type_alloc_buffer: allocating 10240.00 MiB on device 0: cudaMalloc failed: "
     "out of memory", "alloc"),
])
def test_troubleshoot_matches(text: str, expected: str) -> None:
    hits = match_errors(text)
    assert hits, text
    assert expected in hits[0][0].id


def test_troubleshoot_makes_the_fix_concrete() -> None:
    r = troubleshoot("CUDA out of memory", model="llama-3.1-70b", hardware="rtx-4090", context_tokens=8192)
    assert r["matches"]
    adv = r["advice"]
    assert "GiB" in adv["summary"] and adv["estimate"]["model_id"] == "llama-3.1-70b"
    assert adv["options"], "a 70B model on a 24 GB card should get a smaller quant or context suggestion"


def test_sizing_advice_when_it_fits() -> None:
    adv = sizing_advice("qwen3-8b", "rtx-4090")
    assert adv["estimate"]["fits"] == "gpu" and adv["options"] == []


def test_troubleshoot_needs_text() -> None:
    with pytest.raises(InvalidField):
        troubleshoot("  ")


def test_search_finds_every_kind() -> None:
    kinds = {r["kind"] for r in search("llama")}
    assert "models" in kinds and "runtimes" in kinds
    assert search("4090")[0]["id"] == "rtx-4090"
    with pytest.raises(InvalidField):
        search("")


def test_page_table_is_generated_by_the_engine() -> None:
    rows = fits_by_memory(per_tier=3)
    assert [r["memory_gb"] for r in rows] == [8, 12, 16, 24, 32, 48, 96, 128]
    counts = [r["count"] for r in rows]
    assert counts[0] < counts[3] <= counts[6]  # more memory runs more models
    page = render_page("what-is-local-ai")
    assert "{{" not in page["text"] and "| 24 GB |" in page["text"]


def test_template_rendering() -> None:
    text = render_template("KV {{memory.kv_cache_bytes|gib}}, speed {{speed.decode_tokens_per_s|tps}}, "
                           "{{nope.nothing}}", {"model": "llama-3.1-8b", "hardware": "rtx-4090",
                                                "context_tokens": 32768})
    assert "KV 4.0 GiB" in text and "tokens/s" in text and "[unknown field nope.nothing]" in text


def test_explain_unknown_term_suggests() -> None:
    with pytest.raises(NotFound):
        explain("no-such-term-xyz")


def test_cli_knowledge_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tools", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) >= 25
    assert main(["troubleshoot", "CUDA out of memory", "--model", "llama-3.1-70b", "--hardware", "4090"]) == 0
    out = capsys.readouterr().out
    assert "For your model and machine" in out
    assert main(["search", "gguf", "--json"]) == 0
    assert main(["page"]) == 0
    assert "What runs comfortably" in capsys.readouterr().out


def test_every_glossary_entry_renders_with_engine_numbers() -> None:
    cat = catalog()
    assert len(cat.glossary) >= 80
    for term_id in cat.glossary:
        text = explain(term_id)["text"]
        assert "[unknown field" not in text, term_id
        assert "{{" not in text, term_id


def test_glossary_defines_every_core_term() -> None:
    required = ["generative-model", "generative-ai", "diffusion-model", "llm", "transformer", "token",
                "parameters", "quantization", "gguf", "k-quants", "q4-k-m", "imatrix", "safetensors", "kv-cache",
                "context-length", "vram", "unified-memory", "memory-bandwidth", "offloading",
                "tokens-per-second", "prefill", "time-to-first-token", "moe", "grouped-query-attention",
                "flash-attention", "speculative-decoding", "batching", "tensor-parallelism", "lora", "qlora",
                "fine-tuning", "sampler", "guidance-scale", "denoising-steps", "vae", "latent-diffusion",
                "text-encoder", "dit", "ollama", "llama-cpp", "vllm", "lm-studio", "mlx", "comfyui", "cuda",
                "rocm", "metal", "vulkan"]
    missing = [t for t in required if t not in catalog().glossary]
    assert missing == []


def test_catalog_breadth_counts() -> None:
    cat = catalog()
    assert len(cat.hardware) >= 250
    assert len([m for m in cat.models.values() if m.data["kind"] == "text"]) >= 150
    assert len([m for m in cat.models.values() if m.data["kind"] in ("image", "video")]) >= 25


def test_verdicts_are_dated_and_shown_next_to_the_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    from runlocal.service import answer
    from runlocal.service.knowledge import verdicts_for

    vs = verdicts_for()
    assert len(vs) >= 40 and all(v["date"] and v["summary"] for v in vs)
    v = vs[0]
    r = answer({"model": v["model"], "hardware": v["hardware"]})
    assert r["verdict"]["summary"] == v["summary"]
    assert main(["check", v["model"], "--hardware", v["hardware"]]) == 0
    assert "Verdict (" in capsys.readouterr().out
