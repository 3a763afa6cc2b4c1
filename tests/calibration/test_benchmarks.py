"""The held-out check: every cited measurement in data/benchmarks/, answered through the public runlocal.answer.

None of these runs was used to fit an efficiency factor (bench/calibrate.py fits on the dev set outside the
repository), so their errors are the honest accuracy figure. Questions are built the way the accuracy report
builds them (service.accuracy.benchmark_questions; `bench/accuracy.py --benchmarks` prints the same numbers),
with published file sizes switched off so that the physics is scored, not a lookup.

Measured on 2026-12-02 (absolute relative error; p90 = the value 90 % of the way up the sorted list):

    metric                    n    median   p90     worst
    decode tokens/s         114    10.5 %   50.7 %  171.5 %
    prefill tokens/s         30    20.7 %   66.7 %   75.6 %

Re-measured on 2026-12-03 after prefill stopped counting the output head for every prompt token (llama.cpp
computes logits for the last prompt token only) and the prefill factors were refitted:

    prefill tokens/s         30    22.8 %   73.9 %   94.8 %

The fix is physics, not a fit to these rows: the dev set's prefill improved (24.4 % -> 23.8 %) and so did the
truly held-out cross-check (a dev-only fit scored here: 43.8 % -> 37.4 %, docs/methodology.md), while these 30
rows, which the joint fit includes, lost a little (their worst: qwen3.5-4b on a CPU, +95 %).

Re-measured on 2026-12-03 after 40 published runs were added for the classes the engine got wrong on unseen data
(RDNA 2-4 on ROCm and Vulkan, Intel Arc on SYCL and Vulkan, Apple M4/M5) and the ROCm/Vulkan/SYCL factors were
refitted on their fit share (bench/calibrate.py --backends, runs from 2025 on):

    decode tokens/s         148    12.3 %   64.5 %  519 %
    prefill tokens/s         69    20.8 %  267.0 %  2970 %

The worst rows are Intel Arc on Vulkan under Linux (Mesa 24.2): 3x over on decode and 3-20x on prefill, which one
Vulkan factor cannot fit alongside AMD's; they stay in, visible, rather than being dropped.

Added on 2026-12-04: 303 LocalScore results (llamafile, three Q4_K_M models, 100 accelerators; scripts/
import_localscore.py), each scored as the mean of the engine's answers for LocalScore's nine tests. Before llamafile
had factors of its own they were over-predicted (held-out share: decode +41 % median, prefill +33 %); with them
(bench/calibrate.py --llamafile, fit share only), over all 303: decode median 12.9 %, p90 177 %, worst 826 %;
prefill 15.9 %, 99 %, 461 %. The long tail is runs that did not use the GPU fully (a 14B model on a 6 GB laptop
GPU at 1.1 tokens/s, GTX 16 cards at a seventh of their bandwidth): LocalScore records neither backend nor offload.

Also added on 2026-12-04: 53 Ollama eval rates from Jeff Geerling's ai-benchmarks (scripts/import_geerling.py),
scored before any fit saw them: NVIDIA cards 10-39 % under (Llama 3.2 3B most), AMD cards driven by a Raspberry Pi
(Ollama on Vulkan) about 2x over, the worst an AI Pro R9700 on a Pi at 8 tokens/s on a 14B model (+585 %). Over
all cited runs now: decode median 10.7 %, p90 42 %, worst 585 %.

The tolerances below sit a little above those figures: a change that makes the engine clearly worse on
real runs fails here, and so does one that silently stops answering some of them.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import pytest

from runlocal.service.accuracy import answer_benchmark, benchmark_questions

DATA = Path(__file__).resolve().parents[2] / "data"

# (metric, group) -> (median, p90, worst) limits in % absolute error. LocalScore's community runs (one best run per
# accelerator, backend and offload not recorded: some ran partly on the CPU) are a group of their own.
TOLERANCE = {
    ("speed.decode_tokens_per_s", "runs"): (13.0, 68.0, 600.0),
    ("speed.prefill_tokens_per_s", "runs"): (22.0, 280.0, 3100.0),
    ("speed.decode_tokens_per_s", "localscore"): (15.0, 190.0, 900.0),
    ("speed.prefill_tokens_per_s", "localscore"): (18.0, 110.0, 520.0),
    # imported 2026-12-04 and not fitted: the M2 Max and fanless M5 Air runs are over-predicted (methodology §6)
    ("speed.decode_tokens_per_s", "mac-llm-bench"): (80.0, 190.0, 260.0),
    # (worst: the M5 Air's MoE prompts, 4.6x over since Metal experts fill a 32-token tile: the build, not the tile)
    ("speed.prefill_tokens_per_s", "mac-llm-bench"): (30.0, 320.0, 380.0),
}


def _get(d: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        d = d.get(part) if isinstance(d, dict) else None  # type: ignore[assignment]
    return d


def _p90(sorted_abs: list[float]) -> float:
    return sorted_abs[min(len(sorted_abs) - 1, int(0.9 * len(sorted_abs)))]


@pytest.fixture(scope="module")
def scored() -> list[dict[str, Any]]:
    """One row per measured value: file, metric, measured, estimated, signed % error, or the error."""
    rows = []
    for q, metric, measured, path in benchmark_questions():
        est, r = answer_benchmark({**q, "use_published_sizes": False}, metric)  # a suite: the mean of its tests
        pct = (est - measured) / measured * 100.0 if isinstance(est, int | float) else None
        rows.append({"path": path, "metric": metric, "measured": measured, "estimated": est, "pct": pct,
                     "error": None if r.get("ok") else r["error"], "question": q,
                     "group": str(q.get("_suite") or ("mac-llm-bench" if "-mac-llm-bench-" in str(path) else "runs"))})
    return rows


def test_every_benchmark_file_is_scored(scored: list[dict[str, Any]]) -> None:
    from runlocal.service.accuracy import UNSCORED_RUNTIMES

    on_disk = {p.relative_to(DATA).as_posix() for p in (DATA / "benchmarks").rglob("*.toml")
               if not any(f'runtime = "{r}"' in p.read_text() for r in UNSCORED_RUNTIMES)}
    scored_paths = {str(r["path"]).removeprefix("data/") for r in scored}
    assert len(on_disk) >= 126
    assert scored_paths == on_disk, sorted(on_disk ^ scored_paths)[:10]


def test_every_benchmark_is_answered_with_a_number(scored: list[dict[str, Any]]) -> None:
    missing = [f"{r['path']} {r['metric']}: {r['error'] or 'no estimate'}" for r in scored if r["pct"] is None]
    assert missing == [], missing[:10]


@pytest.mark.parametrize("metric,group", sorted(TOLERANCE))
def test_speed_error_within_tolerance(scored: list[dict[str, Any]], metric: str, group: str) -> None:
    rows = [r for r in scored if r["metric"] == metric and r["group"] == group and r["pct"] is not None]
    assert rows, metric
    absd = sorted(abs(r["pct"]) for r in rows)
    median, p90, worst = statistics.median(absd), _p90(absd), absd[-1]
    figures = f"{metric}: n={len(absd)} median {median:.2f} % p90 {p90:.2f} % worst {worst:.2f} %"
    print(figures)
    for r in sorted(rows, key=lambda r: -abs(r["pct"]))[:8]:
        print(f"  {r['pct']:+8.1f}%  {r['path']}  measured {r['measured']:g}  estimated {r['estimated']:g}")
    max_median, max_p90, max_worst = TOLERANCE[(metric, group)]
    assert median <= max_median, figures
    assert p90 <= max_p90, figures
    assert worst <= max_worst, figures


def test_benchmark_questions_follow_the_measuring_tool() -> None:
    from runlocal.service.accuracy import LLAMA_BENCH_GEN, MIN_PREFILL_PROMPT, benchmark_questions

    seen_bench = seen_short = False
    for q, metric, _measured, path in benchmark_questions():
        text = (Path(__file__).resolve().parents[2] / "data" / path).read_text()
        if "llama-bench" in text and "context_tokens" not in text and "prompt_tokens" in q:
            # llama-bench allocates the test's own tokens, not llama-server's 4,096
            assert q["context_tokens"] == q["prompt_tokens"] + LLAMA_BENCH_GEN + q["depth_tokens"]
            seen_bench = True
        if metric.endswith("prefill_tokens_per_s"):
            assert q["prompt_tokens"] >= MIN_PREFILL_PROMPT
        elif q.get("prompt_tokens", 512) < MIN_PREFILL_PROMPT:
            seen_short = True  # its decode is still scored
    assert seen_bench and seen_short


def test_pascal_decodes_at_its_own_efficiency() -> None:
    from runlocal.service import answer

    q = {"model": "llama-3.2-3b", "quant": "Q4_K_M"}
    pascal = answer({**q, "hardware": "gtx-1080-ti"})["speed"]["decode_tokens_per_s"]
    turing = answer({**q, "hardware": "rtx-2080-ti"})["speed"]["decode_tokens_per_s"]
    # 484 vs 616 GB/s: without the Pascal factor the 1080 Ti would be at about 0.8x the 2080 Ti; the CUDA
    # scoreboard (llama.cpp discussion #15013) has it at 61 against 108 tokens/s on Llama 2 7B Q4_0 (0.57x)
    assert pascal < 0.7 * turing
