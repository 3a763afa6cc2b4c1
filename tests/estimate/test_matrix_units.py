"""Which software reaches a GPU's matrix units (speed.matrix_units_used) and what rate the rest get (the catalog's
shader FP16 rate, Device.shader_flops): Radeon WMMA units under llamafile, Intel XMX under Vulkan."""

from __future__ import annotations

import pytest

from runlocal.catalog.build import _vector_flops
from runlocal.estimate.specs import Device
from runlocal.estimate.speed import matrix_units_used
from runlocal.service.api import answer


def _radeon(arch: str) -> Device:
    return Device(name="r", memory_bytes=1, bandwidth_bytes_per_s=1.0, vendor="amd", architecture=arch,
                  backend="rocm", fp16_flops=1e14, shader_flops=5e13)


@pytest.mark.parametrize("d, tflops", [
    ({"vendor": "amd", "architecture": "RDNA 3", "fp32_tflops": 61.39}, 61.39),  # packed FP16 without WMMA
    ({"vendor": "amd", "architecture": "RDNA 4", "fp32_tflops": 48.66}, 48.66),
    ({"vendor": "amd", "architecture": "RDNA 2", "fp32_tflops": 20.74}, None),  # its fp16 figure is the shaders'
    ({"vendor": "amd", "architecture": "CDNA 3", "fp32_tflops": 163.4}, None),
    ({"vendor": "intel", "architecture": "Xe-HPG", "fp32_tflops": 17.2}, 34.4),
    ({"vendor": "nvidia", "architecture": "Ada Lovelace", "fp32_tflops": 82.6}, None),
])
def test_shader_rate_per_vendor_and_generation(d: dict[str, object], tflops: float | None) -> None:
    got = _vector_flops(d)
    assert (got is None) if tflops is None else got == pytest.approx(tflops * 1e12)


@pytest.mark.parametrize("runtime, used", [("llamafile", False), ("llama.cpp", True), ("ollama", True)])
def test_radeon_wmma_is_left_unused_by_llamafile_only(runtime: str, used: bool) -> None:
    assert matrix_units_used(_radeon("RDNA 3"), "rocm", runtime, None) is used


def test_llamafile_prompts_on_an_rdna3_card_say_so_and_rdna2_is_unchanged() -> None:
    q = {"model": "Llama 3.1 8B", "runtime": "llamafile"}
    r3 = answer({**q, "hardware": "RX 7900 XTX"})
    assert any("WMMA matrix units unused" in n for n in r3["basis"]["notes"])
    r2 = answer({**q, "hardware": "RX 6900 XT"})
    assert not any("WMMA" in n for n in r2["basis"]["notes"])
    # LocalScore measured the RDNA 2 card prompting as fast as the RDNA 3 one (1,170 vs 850-885 tok/s, 8B):
    # against the WMMA rate the engine had put the 7900 XTX 2.4x ahead
    ratio = r3["speed"]["prefill_tokens_per_s"] / r2["speed"]["prefill_tokens_per_s"]
    assert 0.8 < ratio < 1.6
    llama_cpp = answer({**q, "hardware": "RX 7900 XTX", "runtime": "llama.cpp"})
    assert not any("WMMA" in n for n in llama_cpp["basis"]["notes"])


def test_an_m5_entry_without_a_shader_figure_gets_a_quarter_of_its_neural_accelerator_rate() -> None:
    from runlocal.catalog.build import APPLE_NA_MULTIPLE

    q = {"model": "Llama 3.1 8B", "hardware": "M5 Max 40c"}
    with_na = answer({**q, "runtime": "llama.cpp"})
    without = answer({**q, "runtime": "llamafile"})
    assert any("Neural Accelerators unused" in n for n in without["basis"]["notes"])
    # the compute-bound prompt rate falls by about the multiple (llamafile's own factor and fixed costs aside)
    ratio = with_na["speed"]["prefill_tokens_per_s"] / without["speed"]["prefill_tokens_per_s"]
    assert 0.5 * APPLE_NA_MULTIPLE < ratio < 1.5 * APPLE_NA_MULTIPLE


def test_a_benchmark_run_on_a_pr_branch_is_asked_with_the_code_it_ran() -> None:
    from runlocal.service.accuracy import benchmark_questions

    qs = {q["id"]: q for q, _m, _v, _p in benchmark_questions("all")}
    q = qs["2025-10-25-mistral-7b-v0.1-llama-cpp"]  # PR #16634's branch, Metal 4 tensor API, before its merge
    assert q["build_date"] == "2025-11-07"
    r = answer({k: v for k, v in q.items() if k != "id"})
    assert not any("Neural Accelerators unused" in n for n in r["basis"]["notes"])
    # any other run is asked with its own date, or with its build's own date where the file gives one (a commit
    # dated before the run: llama.cpp #4167's table at 8e672ef)
    import tomllib
    from pathlib import Path

    stated = {}
    for f in (Path(__file__).resolve().parents[2] / "data" / "benchmarks").rglob("*.toml"):
        d = tomllib.loads(f.read_text(encoding="utf-8"))
        if d.get("build_date"):
            stated[f.stem] = str(d["build_date"])[:10]
    assert all(q["build_date"] == stated.get(k, k[:10]) for k, q in qs.items()
               if "build_date" in q and k[:10] != "2025-10-25")
    assert all(v <= k[:10] for k, v in stated.items() if k[:10] != "2025-10-25")  # no build dated after its run
