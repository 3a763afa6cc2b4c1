"""Calibration tests: the engine against third-party measurements in ../shared/data/measured/queries.

That data lives outside the repository (beside it, or wherever $RUNLOCAL_MEASURED points); without it this
module is skipped. The held-out measurements inside the repository are scored by test_benchmarks.py.

Targets: file size median error <= 1.5 %, KV cache exact to the MiB, compute buffer within
15 %, decode median error <= 12 %, prefill median <= 25 %
(at the sources' build dates). Each test prints its worst cases.
"""

from __future__ import annotations

import statistics

import pytest

from runlocal.service.accuracy import Point, measured_dir, score, worst

MIB = 2**20

ROOT = measured_dir()
if ROOT is None or not ROOT.is_dir():
    pytest.skip(f"measured questions not found ({ROOT or '../shared/data/measured/queries'}); "
                "set RUNLOCAL_MEASURED to the measured data folder", allow_module_level=True)
assert ROOT is not None

# Measured runs the engine calls "does not fit", so they get no speed. Until 2026-12-03 these were the 2 decode
# and 5 prefill runs of Meta-Llama-3-8B Q4_K_M on an 8 GB M1 (measured at about 10 tokens/s): the engine kept a
# flat 3 GiB for the OS; with the reserve scaled to the machine (os_reserve_fraction, 1 GiB on 8 GB) they are
# answered, within 7-23 %. None is refused now.
REFUSED: set[str] = set()


@pytest.fixture(scope="module")
def points() -> list[Point]:
    return score(["llm_file_size", "llm_memory", "llm_decode", "llm_prefill"], ROOT)


@pytest.fixture(scope="module")
def dated() -> dict[str, Point]:
    """The dev set's decode and prefill questions asked at their sources' build dates, by question id."""
    return {p.qid: p for p in score(["llm_decode", "llm_prefill"], ROOT, source_dates=True)}


def _moved(points: list[Point], dated: dict[str, Point], metric: str) -> list[Point]:
    """The answers (as asked) of `metric` that the sources' build dates change."""
    moved = [p for p in points if p.metric == metric and p.estimated is not None
             and dated[p.qid].estimated != p.estimated]
    assert moved
    return moved


def _abs(points: list[Point], metric: str) -> list[float]:
    errs = [abs(p.pct_error) for p in points if p.metric == metric and p.pct_error is not None]
    assert errs, metric
    return errs


def _show(points: list[Point], metric: str) -> None:
    for p in worst(points, metric, 5):
        print(f"{p.pct_error:+8.2f}%  {p.qid}  measured {p.measured:g}  estimated {p.estimated:g}")


def test_every_question_is_answered(points: list[Point]) -> None:
    unanswered = [p for p in points if p.error]
    assert unanswered == [], [f"{p.qid}: {p.error}" for p in unanswered[:5]]


def test_only_the_known_runs_get_no_estimate(points: list[Point]) -> None:
    refused = {p.qid for p in points if p.estimated is None}
    assert refused == REFUSED, sorted(refused ^ REFUSED)


def test_file_size_median_within_1_5_pct(points: list[Point]) -> None:
    _show(points, "file_bytes")
    errs = _abs(points, "file_bytes")
    assert statistics.median(errs) <= 1.5
    assert sorted(errs)[int(0.9 * len(errs))] <= 3.0


def test_kv_cache_exact_to_the_mib(points: list[Point]) -> None:
    for p in points:
        if p.metric == "memory.kv_cache_bytes":
            assert p.estimated is not None and abs(p.estimated - p.measured) < MIB, p.qid


def test_weights_match_llamacpp_logs(points: list[Point]) -> None:
    _show(points, "memory.weights_bytes")
    assert max(_abs(points, "memory.weights_bytes")) <= 1.0


def test_compute_buffer_within_15_pct(points: list[Point]) -> None:
    _show(points, "memory.compute_bytes")
    assert max(_abs(points, "memory.compute_bytes")) <= 15.0


def test_decode_median_within_12_pct_at_the_sources_build_dates(dated: dict[str, Point]) -> None:
    # The dev set's NVIDIA decode rows come from 2023 and early-May 2024 llama.cpp builds, which launched every
    # kernel of a token one by one; today's builds replay them as one CUDA graph on Ampere and later. Its questions
    # carry no date, so as asked they are answered for today's build; the fit and this target see them as measured.
    _show(list(dated.values()), "speed.decode_tokens_per_s")
    assert statistics.median(_abs(list(dated.values()), "speed.decode_tokens_per_s")) <= 12.0


def test_the_build_date_moves_decode_only_through_cuda_graphs_and_metal_concurrency(
        points: list[Point], dated: dict[str, Point]) -> None:
    moved = _moved(points, dated, "speed.decode_tokens_per_s")
    for p in moved:
        nvidia_one_gpu = "NVIDIA" in p.hardware_class and int(p.question.get("gpu_count", 1)) == 1
        apple_llama_cpp = p.hardware_class == "Apple Silicon" and p.question["runtime"] == "llama.cpp"
        assert nvidia_one_gpu or apple_llama_cpp, p.qid
        # graphs and concurrent Metal dispatch cut the per-layer cost: today's build is never slower
        assert p.estimated >= dated[p.qid].estimated  # type: ignore[operator]
    assert any(p.hardware_class == "Apple Silicon" for p in moved)


def test_prefill_median_within_25_pct_at_the_sources_build_dates(dated: dict[str, Point]) -> None:
    # The dev set's NVIDIA prompt rows come from 2023 and May 2024 llama.cpp builds (FP16 cuBLAS for quantized
    # weights); its questions carry no date, so as asked they are answered for today's INT8 (MMQ) kernels, about
    # 1.5x faster. The fit and this target see them as they were measured (service.accuracy.source_build_date).
    _show(list(dated.values()), "speed.prefill_tokens_per_s")
    assert statistics.median(_abs(list(dated.values()), "speed.prefill_tokens_per_s")) <= 25.0


def test_the_build_date_only_moves_nvidia_llama_cpp_rows_of_quantized_weights(points: list[Point],
                                                                             dated: dict[str, Point]) -> None:
    moved = _moved(points, dated, "speed.prefill_tokens_per_s")
    for p in moved:
        assert p.question["runtime"] == "llama.cpp" and p.question["quant"] not in ("F16", "BF16"), p.qid
        assert "NVIDIA" in p.hardware_class, p.qid
    # today's kernels are faster on most cards (not on HBM datacenter ones, whose FP16 tensor rate cuBLAS used is
    # more than MMQ's per-SM ceiling)
    assert statistics.median(p.estimated / dated[p.qid].estimated for p in moved) > 1.2  # type: ignore[operator]


def test_diffusion_seconds_per_image_median_within_20_pct() -> None:
    pts = score(["diffusion"], ROOT)
    _show(pts, "speed.seconds_per_image")
    assert statistics.median(_abs(pts, "speed.seconds_per_image")) <= 20.0
