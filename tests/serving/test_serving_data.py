"""data/serving: published serving runs load, validate and are scored by runlocal capacity (the methodology's serving
tables come from the same function)."""

from __future__ import annotations

import statistics

import pytest

from runlocal.service.accuracy import serving_points, serving_table
from runlocal.service.capacity import capacity
from runlocal.service.resolve import catalog


def test_every_serving_file_loads_and_is_scored() -> None:
    runs = catalog().serving
    assert len(runs) >= 30 and not [p for p in catalog().problems if p.startswith("serving/")]
    pts = serving_points()
    plain = {e.id for e in runs.values() if not e.data.get("speculative_decoding")}
    assert {p.qid for p in pts} == {i for i in plain if runs[i].data["engine"] in ("vllm", "sglang", "llama.cpp",
                                                                                   "tensorrt-llm", "ollama")}
    answered = [p for p in pts if p.pct_error is not None]
    assert len(answered) >= 0.9 * len(pts)
    # a bound, not a target: the methodology prints the figures by engine and concurrency
    assert statistics.median(abs(p.pct_error or 0) for p in answered) < 60
    rows = serving_table(pts)
    assert {r["engine"] for r in rows} >= {"vllm", "sglang", "llama.cpp"}


def test_engines_with_slots_queue_the_rest() -> None:
    r = capacity({"model": "qwen2.5-7b", "hardware": "l20", "runtime": "ollama", "users": 20})
    assert r["typical_concurrency"] == 1 and any("OLLAMA_NUM_PARALLEL" in n for n in r["notes"])
    queued = [p for p in r["curve"] if p["concurrency"] > 1]
    one = r["curve"][0]["aggregate_tokens_per_s"]
    assert queued and all(p["bound"] == "queue" and p["aggregate_tokens_per_s"] == one for p in queued)


def test_a_run_that_prints_only_total_tokens_is_scored_on_its_output_share() -> None:
    """The SGLang cookbook prints prompt + output tokens/s: the aggregate scored is its output share, x osl/(isl + osl)
    (qwen3.6-35b-a3b on an H200, 8192 in / 1024 out: 18,708 total tokens/s at 1,024 requests -> 2,078.7 output)."""
    from runlocal.service.accuracy import serving_points

    pts = [p for p in serving_points() if p.qid == "2026-07-31-qwen3.6-35b-a3b-sglang-h200-sxm"
           and p.metric == "aggregate" and p.concurrency == 1024]
    assert len(pts) == 1
    assert abs(pts[0].measured - 18708.0 * 1024 / 9216) < 0.01


def test_a_point_with_an_fp8_cache_is_scored_with_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """TensorRT-LLM's H200 Llama 2 13B table: the 128 x 2,176-token batch fits only with an 8-bit cache (228 GB at
    FP16), so that point carries kv_cache_type = "fp8"; scored with it, as a capacity question would be."""
    d = catalog().serving["2023-11-13-llama-2-13b-tensorrt-llm-h200-sxm"].data
    pt = next(p for p in d["points"] if p["concurrency"] == 128)
    assert pt["kv_cache_type"] == "fp8" and "kv_cache_type" not in d
    scored = next(p for p in serving_points() if p.qid == "2023-11-13-llama-2-13b-tensorrt-llm-h200-sxm"
                  and p.concurrency == 128)
    q = {"model": "llama-2-13b", "hardware": "h200-sxm", "runtime": "tensorrt-llm", "quant": "FP8",
         "context_tokens": 2176, "prompt_tokens": 128, "output_tokens": 2048, "users": 128}
    fp8, f16 = capacity({**q, "kv_cache_type": "fp8"}), capacity(q)

    def at_128(r: dict) -> float:  # type: ignore[type-arg]
        return next(p["aggregate_with_prompts_tokens_per_s"] for p in r["curve"] if p["concurrency"] == 128)
    assert scored.estimated == pytest.approx(at_128(fp8), rel=0.01)
    assert at_128(fp8) > 1.3 * at_128(f16)  # the cache, read every step, is most of the bytes at this batch


def test_a_bad_kv_cache_type_in_a_serving_file_is_a_load_problem(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from runlocal.catalog.load import data_root, load

    root = tmp_path / "data"
    shutil.copytree(data_root() / "serving", root / "serving")
    f = root / "serving" / "h200-sxm" / "2023-11-13-llama-2-13b-tensorrt-llm-h200-sxm.toml"
    f.write_text(f.read_text().replace('kv_cache_type = "fp8"', 'kv_cache_type = "fp4"', 1))
    problems = load(root, use_cache=False).problems
    assert any("kv_cache_type 'fp4'" in p and "points[" in p for p in problems)


def test_a_serving_run_on_a_machine_with_memory_options_is_scored_at_its_memory() -> None:
    """Qwen3-Next 80B at Q4 needs more than the Ryzen AI Max+ 395's first memory option: the run's memory_gb (128)
    is what it is scored with."""
    runs = catalog().serving
    rid = "2026-07-13-qwen3-next-80b-a3b-llama-cpp-ryzen-ai-max-plus-395"
    assert runs[rid].data["memory_gb"] == 128
    pts = [p for p in serving_points() if p.qid == rid]
    assert pts and all(p.estimated is not None for p in pts)
