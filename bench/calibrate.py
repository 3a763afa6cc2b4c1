#!/usr/bin/env python3
"""Fit the engine's efficiency assumptions to the measured questions (shared/data/measured/queries).

Coordinate descent over a handful of physical parameters (bandwidth and compute efficiencies per
backend, fixed per-layer costs, runtime factors), minimising the mean of |log(estimate / measured)|
clipped at log(3) so that a few pathological rows (2023 row-split multi-GPU builds) cannot steer the fit.
Prints the fitted values; they are copied by hand into src/runlocal/estimate/assumptions.py, where
each is marked "fitted". Run: python bench/calibrate.py [--family llm_decode|llm_prefill]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from typing import Any

from runlocal.estimate.assumptions import DEFAULT
from runlocal.service import answer
from runlocal.service.accuracy import answer_benchmark, questions, source_build_date

PARAMS = {
    # per-backend efficiencies and per-layer costs come from fit_decode_linear (--linear)
    "llm_decode": ["moe_layer_overhead_factor", "multi_gpu_token_overhead_us", "ollama_decode_factor",
                   "f16_decode_bonus"],
    # prefill_layer_overhead_us is tied to the decode per-layer cost (same kernel-launch physics), not fitted
    "llm_prefill": ["prefill_eff_cuda", "prefill_eff_cuda_mmq", "prefill_eff_hbm", "prefill_eff_metal",
                    "prefill_eff_mlx", "prefill_quant_factor_f16", "attention_cost_no_fa", "ollama_prefill_factor",
                    "prefill_request_overhead_ms"],
    "diffusion": ["diffusion_eff_cuda", "diffusion_eff_rocm", "simt_eff_factor", "diffusion_step_overhead_s",
                  "diffusion_fixed_overhead_s"],
}
CAPS = {"decode_eff_cuda": 0.98, "decode_eff_metal": 0.98, "decode_eff_mlx": 0.98, "ollama_decode_factor": 1.0,
        "ollama_prefill_factor": 1.0, "prefill_eff_cuda": 1.0, "prefill_eff_metal": 1.0, "prefill_eff_mlx": 1.0}
CLIP = math.log(3)
ROW_SPLIT = "splits weight matrices by rows"
SPLIT_SEGMENTS = True
WITH_BENCHMARKS = "--with-benchmarks" in sys.argv
DEV_WEIGHT = 2.0  # the dev set (the targets are set on it) counts twice the catalog benchmarks


def load(family: str) -> list[tuple[dict[str, Any], str, float]]:
    out = []
    for line in questions(family):
        exp = line.pop("expected")
        e = exp[0] if isinstance(exp, list) else exp
        if ROW_SPLIT in e.get("note", ""):
            continue  # 2023 builds that split every matrix across GPUs: no longer llama.cpp's default
        line["use_published_sizes"] = False
        bd = source_build_date(e)
        if bd:  # fitted under the conditions it was measured in: that build's kernels (2023-24 llama.cpp)
            line["build_date"] = bd
        out.append((line, e["metric"], float(e["value"])))
    return out


def load_benchmarks(family: str) -> list[tuple[dict[str, Any], str, float]]:
    """Catalog benchmarks (data/benchmarks) of the metric this family fits."""
    from runlocal.service.accuracy import benchmark_questions

    want = {"llm_decode": ("speed.decode_tokens_per_s",), "llm_prefill": ("speed.prefill_tokens_per_s",),
            "diffusion": ("speed.seconds_per_image", "speed.seconds_per_video")}[family]
    # only the fit share: the held-out share (service.accuracy.is_held_out) is never seen by a fit; llamafile's runs
    # have factors of their own on top (fit_llamafile)
    return [({**q, "use_published_sizes": False}, m, v) for q, m, v, _ in benchmark_questions("fit")
            if m in want and q.get("runtime") != "llamafile"]


LLAMAFILE_PARAMS = ["llamafile_layer_us", "llamafile_layer_us_amd", "llamafile_decode_nvidia", "llamafile_decode_amd",
                    "llamafile_decode_apple",
                    "llamafile_prefill_nvidia", "llamafile_prefill_amd", "llamafile_prefill_apple"]


def fit_llamafile(rounds: int = 3) -> dict[str, float]:
    """llamafile's factors from the fit share of its catalog runs (LocalScore), everything else held: coordinate
    descent on the mean clipped |log error| of decode and prefill together."""
    from runlocal.service.accuracy import benchmark_questions

    rows = [({**q, "use_published_sizes": False}, m, v) for q, m, v, _ in benchmark_questions("fit")
            if q.get("runtime") == "llamafile" and m in ("speed.decode_tokens_per_s", "speed.prefill_tokens_per_s")]
    cur = {p: float(getattr(DEFAULT, p)) for p in LLAMAFILE_PARAMS}
    best = _set_loss(rows, cur) or 9.9
    print(f"llamafile: {len(rows)} runs, start loss {best:.4f}", file=sys.stderr)
    steps = [0.5, 0.7, 0.85, 0.95, 1.05, 1.2, 1.4, 2.0]
    for rnd in range(rounds):
        for p in LLAMAFILE_PARAMS:
            for st in steps:
                trial = {**cur, p: cur[p] * st}
                v = _set_loss(rows, trial)
                if v is not None and v < best - 1e-5:
                    best, cur = v, trial
            print(f"  round {rnd} {p} = {cur[p]:.4g}  loss {best:.4f}", file=sys.stderr)
        steps = [1 + (x - 1) / 2 for x in steps]
    return cur


def _set_loss(rows: list[tuple[dict[str, Any], str, float]], assume: dict[str, float]) -> float | None:
    errs = []
    for q, metric, measured in rows:
        est, _ = answer_benchmark(q, metric, assume)
        if est:
            errs.append(min(abs(math.log(est / measured)), CLIP))
    return statistics.fmean(errs) if errs else None


def loss(sets: list[list[tuple[dict[str, Any], str, float]]], assume: dict[str, float]) -> float:
    """Mean over the data sets (dev set, catalog benchmarks) of each set's mean clipped |log error|:
    each set counts equally however many rows it has."""
    vals: list[float] = []
    weights: list[float] = []
    for i, rows in enumerate(sets):
        v = _set_loss(rows, assume) if rows else None
        if v is not None:
            vals.append(v)
            weights.append(DEV_WEIGHT if i == 0 else 1.0)
    return sum(v * w for v, w in zip(vals, weights, strict=True)) / sum(weights) if vals else 9.9


def fit(family: str, rounds: int = 3) -> dict[str, float]:
    rows = [load(family)] + ([load_benchmarks(family)] if WITH_BENCHMARKS else [])
    cur = {p: float(getattr(DEFAULT, p)) for p in PARAMS[family]}
    best = loss(rows, cur)
    print(f"{family}: start loss {best:.4f}", file=sys.stderr)
    steps = [0.6, 0.8, 0.9, 0.95, 1.05, 1.1, 1.25, 1.6]
    for rnd in range(rounds):
        for p in PARAMS[family]:
            for s in steps:
                trial = dict(cur)
                trial[p] = min(cur[p] * s, CAPS.get(p, 1e9))
                v = loss(rows, trial)
                if v < best - 1e-5:
                    best, cur = v, trial
            print(f"  round {rnd} {p} = {cur[p]:.4g}  loss {best:.4f}", file=sys.stderr)
        steps = [1 + (s - 1) / 2 for s in steps]
    return cur


def fit_decode_linear() -> dict[str, float]:
    """Per backend, fit t_token = t_roofline / eff + layers x c on single-GPU, all-on-GPU, dense runs.

    t_roofline comes from the engine itself with every efficiency at 1 and every fixed cost at 0, so the
    fit uses exactly the bytes the engine counts. Robust loss: sum of |log(estimate / measured)|.
    """
    import numpy as np

    zero = {"decode_eff_cuda": 1.0, "decode_eff_metal": 1.0, "decode_eff_mlx": 1.0, "decode_layer_us_cuda": 0.0,
            "decode_layer_us_metal": 0.0, "decode_layer_us_other": 0.0, "decode_eff_hbm": 1.0,
            "decode_layer_us_hbm": 0.0, "mlx_layer_overhead_us": 0.0, "ollama_decode_factor": 1.0,
            "multi_gpu_token_overhead_us": 0.0, "f16_decode_bonus": 1.0}
    groups: dict[str, list[tuple[float, float, float]]] = {}
    for q, _metric, measured in load("llm_decode"):
        if q.get("gpu_count", 1) != 1 or q.get("runtime") == "ollama":
            continue
        r = answer({**q, "assume": zero})
        if not r.get("ok") or r["fits"] != "gpu" or r["offload"].get("cpu_moe_layers"):
            continue
        m = r["model_id"] and r["model_id"]
        if m and ("a3b" in m or "oss" in m or "mixtral" in m):
            continue  # dense only: MoE fixed costs are fitted separately
        backend = "mlx" if r["runtime"] == "mlx" else ("metal" if "apple" in str(r["hardware_id"]) else "cuda")
        if SPLIT_SEGMENTS and backend == "cuda":
            from runlocal.service import catalog

            hw = catalog().hardware.get(str(r["hardware_id"]))
            backend = "hbm" if hw and "hbm" in str(hw.data.get("memory_type", "")).lower() else "cuda"
        t0 = 1.0 / r["speed"]["decode_tokens_per_s"]
        groups.setdefault(backend, []).append((t0, float(r["offload"]["total_layers"]), 1.0 / measured))
    out: dict[str, float] = {}
    effs = np.arange(0.30, 0.99, 0.01)
    cs = np.arange(0.0, 300.0, 2.0) * 1e-6
    for backend, rows in groups.items():
        t0, layers, tm = (np.array(x) for x in zip(*rows, strict=True))
        best = (9e9, 0.0, 0.0)
        for e in effs:
            est = t0[None, :] / e + cs[:, None] * layers[None, :]
            loss_c = np.abs(np.log(est / tm[None, :])).sum(axis=1)
            i = int(loss_c.argmin())
            if loss_c[i] < best[0]:
                best = (float(loss_c[i]), float(e), float(cs[i]))
        n = len(rows)
        print(f"  {backend}: n={n} eff={best[1]:.2f} per-layer={best[2] * 1e6:.0f} us "
              f"mean |log err|={best[0] / n:.3f}", file=sys.stderr)
        key_eff = {"metal": "decode_eff_metal", "mlx": "decode_eff_mlx"}.get(backend, f"decode_eff_{backend}")
        key_c = {"metal": "decode_layer_us_metal", "mlx": "mlx_layer_overhead_us"}.get(
            backend, f"decode_layer_us_{backend}")
        out[key_eff] = round(best[1], 3)
        out[key_c] = round(best[2] * 1e6, 1)
    return out


CURRENT_BUILDS = "2025-01-01"
"""Backend factors are fitted on runs from this date on (llama.cpp's Vulkan and SYCL backends doubled in speed
through 2024)."""
ARC_VULKAN_SINCE = "2024-12-01"
"""prefill_eff_vulkan_intel is fitted on the Arc Vulkan runs from this date on (the scoreboard's Dec 2024 rows)."""


def fit_backend_benchmarks() -> dict[str, float]:
    """decode_eff_* and prefill_eff_* for ROCm, Vulkan and SYCL from the fit share of the catalog benchmarks measured
    on those backends (llama.cpp, one GPU, all on the GPU): a grid over each efficiency with everything else held,
    minimising the mean |log(estimate / measured)|. The held-out share is never read."""
    import numpy as np

    from runlocal.service import catalog
    from runlocal.service.accuracy import benchmark_questions

    groups: dict[tuple[str, str], list[tuple[dict[str, Any], float]]] = {}
    for q, metric, measured, _ in benchmark_questions("fit"):
        if metric not in ("speed.decode_tokens_per_s", "speed.prefill_tokens_per_s"):
            continue
        if q.get("gpu_count", 1) != 1 or q.get("runtime") != "llama.cpp":
            continue
        hw = catalog().hardware.get(str(q["hardware"]))
        usual = hw.data.get("backend") if hw else None
        backend = q.get("backend") or usual
        run = catalog().benchmarks.get(str(q["id"]))
        if run is not None and str(run.data.get("date", "")) < CURRENT_BUILDS:
            continue  # the engine answers for current builds; 2024 Vulkan builds ran at half today's speed
        if backend == "vulkan" and usual == "sycl":
            backend = "vulkan_intel"  # Intel's Vulkan driver runs far below AMD's on the same kernels
        if backend == "cuda" and (hw is None or str(hw.data.get("architecture", "")).lower().startswith("pascal")
                                  or hw.data.get("memory_type", "").upper().startswith("HBM")):
            continue  # Pascal has its own factor, HBM parts their own efficiency
        if backend in ("rocm", "vulkan", "sycl", "vulkan_intel", "cuda"):
            kind = "decode" if "decode" in metric else "prefill"
            groups.setdefault((kind, str(backend)), []).append(({**q, "use_published_sizes": False}, measured))
    out: dict[str, float] = {}
    for (kind, backend), rows in sorted(groups.items()):
        key = f"{kind}_eff_{backend}"
        field = f"{kind}_tokens_per_s"
        grid = np.arange(0.30, 1.00, 0.02) if kind == "decode" else np.arange(0.02, 0.80, 0.01)
        layer_key = (f"decode_layer_us_{backend}" if kind == "decode" and backend in ("vulkan", "cuda") else None)
        layers: list[float] = [0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 67.5, 82.0] if layer_key else [0.0]
        best = (9e9, float(getattr(DEFAULT, key)), layers[0])
        for e in grid:
            for c in layers:
                assume = {key: float(e), **({layer_key: float(c)} if layer_key else {})}
                errs = []
                for q, measured in rows:
                    r = answer({**q, "assume": assume})
                    if r.get("ok") and r["fits"] == "gpu" and r["speed"][field]:
                        errs.append(abs(math.log(r["speed"][field] / measured)))
                if errs and statistics.fmean(errs) < best[0]:
                    best = (statistics.fmean(errs), float(e), float(c))
        print(f"  {kind} {backend}: n={len(rows)} {key}={best[1]:.2f}"
              + (f" {layer_key}={best[2]:g}" if layer_key else "") + f" mean |log err|={best[0]:.3f}", file=sys.stderr)
        out[key] = round(best[1], 2)
        if layer_key:
            out[layer_key] = best[2]
    return out


def fit_cuda_graphs() -> dict[str, float]:
    """decode_layer_us_cuda_graphs from the fit share of the catalog's single-GPU llama.cpp CUDA decode runs that
    replay CUDA graphs (2025+ builds, Ampere and later, all layers on the GPU): a grid over the per-layer cost with
    every efficiency held, minimising the mean |log(estimate / measured)|."""
    import numpy as np

    from runlocal.service import catalog
    from runlocal.service.accuracy import benchmark_questions

    rows: dict[str, list[tuple[dict[str, Any], float]]] = {}
    for q, metric, measured, _ in benchmark_questions("fit"):
        if metric != "speed.decode_tokens_per_s" or q.get("gpu_count", 1) != 1 or q.get("runtime") != "llama.cpp":
            continue
        hw = catalog().hardware.get(str(q["hardware"]))
        run = catalog().benchmarks.get(str(q["id"]))
        if hw is None or hw.data.get("vendor") != "nvidia" or (q.get("backend") or hw.data.get("backend")) != "cuda":
            continue
        if str(hw.data.get("architecture", "")).lower() in ("pascal", "maxwell", "kepler", "volta", "turing"):
            continue
        if run is None or str(run.data.get("date", "")) < CURRENT_BUILDS or hw.data.get("kind") == "unified":
            continue
        key = "decode_layer_us_cuda_graphs" + ("_hbm" if "hbm" in str(hw.data.get("memory_type", "")).lower() else "")
        rows.setdefault(key, []).append(({**q, "use_published_sizes": False}, measured))
    out: dict[str, float] = {}
    for key, runs in sorted(rows.items()):
        best = (9e9, 0.0)
        for c in np.arange(0.0, 140.0, 2.0):
            errs = []
            for q, measured in runs:
                r = answer({**q, "assume": {key: float(c)}})
                if r.get("ok") and r["fits"] == "gpu" and r["speed"]["decode_tokens_per_s"]:
                    errs.append(abs(math.log(r["speed"]["decode_tokens_per_s"] / measured)))
            if errs and statistics.fmean(errs) < best[0]:
                best = (statistics.fmean(errs), float(c))
        print(f"  cuda graphs: n={len(runs)} {key}={best[1]:g} mean |log err|={best[0]:.3f}", file=sys.stderr)
        out[key] = best[1]
    return out


NOT_FITTED_SOURCES = ("mac-llm-bench",)
"""Catalog runs scored but kept out of every fit until their cause is known (mac-llm-bench's M2 Max and M5 Air
decode at 0.4-0.6x what every other source measures on those chips)."""


def fit_metal_generations() -> dict[str, float]:
    """llama.cpp's Metal decode costs: decode_eff_metal (shared), and per era the per-layer cost at an M3 with its
    change per Apple generation (decode_layer_us_metal / metal_layer_generation_factor for builds with concurrent
    dispatch, the _serial pair for earlier builds and llamafile: speed.uses_metal_concurrency). Rows: the dev set's
    llama.cpp decode runs on Macs (at their build dates) and the fit share of the catalog's Metal decode runs
    (llama.cpp, Ollama, llamafile; one GPU, all layers on it); each set's mean clipped |log error| weighted as `loss`.

    Each run's time per token is split once into its parts with the engine itself (memory time at full bandwidth,
    the per-layer time at 100 us, the rest), so the grid needs no further engine calls."""
    import numpy as np

    from runlocal.estimate.speed import METAL_REFERENCE_GENERATION, uses_metal_concurrency
    from runlocal.service import catalog
    from runlocal.service.accuracy import answer_benchmark, benchmark_questions

    zero = {"decode_eff_metal": 1.0, "decode_layer_us_metal": 0.0, "decode_layer_us_metal_serial": 0.0}
    per100 = {**zero, "decode_layer_us_metal": 100.0, "decode_layer_us_metal_serial": 100.0,
              "metal_layer_generation_factor": 1.0, "metal_layer_generation_factor_serial": 1.0}

    def parts(q: dict[str, Any], metric: str) -> tuple[float, float, float] | None:
        b, r = answer_benchmark(q, metric, zero)
        if not b or not r.get("ok") or r["fits"] != "gpu":
            return None
        half, _ = answer_benchmark(q, metric, {**zero, "decode_eff_metal": 0.5})
        lay, _ = answer_benchmark(q, metric, per100)
        if not half or not lay:
            return None
        t_mem = 1 / half - 1 / b
        return 1 / b - t_mem, t_mem, 1 / lay - 1 / b  # rest, memory at eff 1, per-layer at 100 us

    # rows: rest, memory, per-layer, generation, measured, set (0 dev, 1 catalog), era (1 concurrent, 0 serial)
    rows: list[tuple[float, ...]] = []
    for q, metric, measured in load("llm_decode"):
        if q.get("runtime") != "llama.cpp" or q.get("gpu_count", 1) != 1:
            continue
        hw = catalog().hardware.get(str(answer(q).get("hardware_id") or ""))
        p = parts(q, metric) if hw is not None and hw.data.get("backend") == "metal" else None
        if p:
            era = uses_metal_concurrency("llama.cpp", q.get("build_date"))
            rows.append((*p, _generation(hw), measured, 0, float(era)))
    for q, metric, measured, path in benchmark_questions("fit"):
        if metric != "speed.decode_tokens_per_s" or q.get("gpu_count", 1) != 1 or any(
                s in str(path) for s in NOT_FITTED_SOURCES):
            continue
        if q.get("runtime") not in ("llama.cpp", "ollama", "llamafile") or q.get("backend") not in (None, "metal"):
            continue
        hw = catalog().hardware.get(str(q["hardware"]))
        p = parts({**q, "use_published_sizes": False}, metric) if hw and hw.data.get("backend") == "metal" else None
        if p:
            era = uses_metal_concurrency(str(q["runtime"]), q.get("build_date"))
            rows.append((*p, _generation(hw), measured, 1, float(era)))
    a = np.array(rows)
    steps = a[:, 3] - METAL_REFERENCE_GENERATION
    weight = np.where(a[:, 5] == 0, DEV_WEIGHT / max(1, int((a[:, 5] == 0).sum())),
                      1.0 / max(1, int((a[:, 5] == 1).sum())))
    us_grid, f_grid = np.arange(20.0, 300.0, 2.0), np.arange(0.40, 1.21, 0.02)
    best: tuple[float, float, dict[int, tuple[float, float]]] = (9e9, 0.0, {})
    for eff in np.arange(0.70, 0.99, 0.01):
        total, picks = 0.0, {}
        for era in (0, 1):
            m = a[:, 6] == era
            base = a[m, 0] + a[m, 1] / eff
            lay = a[m, 2][None, None, :] * (us_grid[:, None, None] / 100.0) * f_grid[None, :, None] ** steps[m]
            err = np.minimum(np.abs(np.log(a[m, 4] * (base + lay))), CLIP) * weight[m]
            loss_grid = err.sum(axis=2)
            i, k = np.unravel_index(int(loss_grid.argmin()), loss_grid.shape)
            total += float(loss_grid[i, k])
            picks[era] = (float(us_grid[i]), float(f_grid[k]))
        if total < best[0]:
            best = (total, float(eff), picks)
    _, eff, picks = best
    for era, name in ((1, "concurrent"), (0, "serial")):
        print(f"  metal {name}: n={int((a[:, 6] == era).sum())} per-layer={picks[era][0]:.0f} us at "
              f"M{METAL_REFERENCE_GENERATION}, x{picks[era][1]:.2f} per generation", file=sys.stderr)
    print(f"  metal: eff={eff:.2f}, dev n={int((a[:, 5] == 0).sum())}, catalog n={int((a[:, 5] == 1).sum())}",
          file=sys.stderr)
    return {"decode_eff_metal": round(eff, 3),
            "decode_layer_us_metal": picks[1][0], "metal_layer_generation_factor": round(picks[1][1], 3),
            "decode_layer_us_metal_serial": picks[0][0], "metal_layer_generation_factor_serial": round(picks[0][1], 3)}


def _generation(hw: Any) -> int:
    from runlocal.estimate.specs import Device
    from runlocal.estimate.speed import apple_generation

    return apple_generation(Device(name="", memory_bytes=0, bandwidth_bytes_per_s=0.0,
                                   architecture=str(hw.data.get("architecture", ""))))


PREFILL_EFFS = ["prefill_eff_cuda", "prefill_eff_cuda_mmq", "prefill_eff_hbm", "prefill_eff_metal", "prefill_eff_mlx",
                "prefill_eff_rocm", "prefill_eff_vulkan", "prefill_eff_sycl", "prefill_eff_vulkan_intel",
                "llamafile_prefill_nvidia", "llamafile_prefill_amd", "llamafile_prefill_apple", "ollama_prefill_factor"]
"""The prefill efficiencies --attention refits once attention_cost_no_fa moves (each on the runs it sets)."""


def fit_attention() -> dict[str, float]:
    """attention_cost_no_fa from llama.cpp's own controlled comparison (the CUDA scoreboard's fa 0 / fa 1 pairs: same
    card, build and pp512 run; fit share only, Turing and later, where both paths use the tensor cores), then each
    prefill efficiency refitted on the runs it sets (the dev set at its sources' dates, weighted DEV_WEIGHT, and the
    catalog's fit share): a grid of x0.80-1.25 on the mean clipped |log error|, the others held."""
    import re

    from runlocal.service.accuracy import benchmark_questions

    pairs: dict[str, dict[bool, tuple[dict[str, Any], float]]] = {}
    for q, metric, measured, _ in benchmark_questions("fit"):
        m = re.search(r"llama-2-7b-llama-cpp-cuda-fa([01])-", str(q["id"]))
        if m and metric == "speed.prefill_tokens_per_s":
            pairs.setdefault(str(q["hardware"]), {})[m.group(1) == "1"] = ({**q, "use_published_sizes": False},
                                                                           measured)
    from runlocal.service import catalog

    both = []
    for hw, v in pairs.items():
        e = catalog().hardware.get(hw)
        arch = str(e.data.get("architecture", "")).lower() if e else ""
        if True in v and False in v and arch not in ("pascal", "volta", "maxwell") and "gtx" not in hw:
            both.append((v[True], v[False]))

    def pair_loss(c: float) -> float:
        errs = []
        for (q1, m1), (q0, m0) in both:
            e1, _ = answer_benchmark(q1, "speed.prefill_tokens_per_s", {"attention_cost_no_fa": c})
            e0, _ = answer_benchmark(q0, "speed.prefill_tokens_per_s", {"attention_cost_no_fa": c})
            if e1 and e0:
                errs.append(abs(math.log(e1 / e0) - math.log(m1 / m0)))
        return statistics.fmean(errs)

    grid = [2.0 + 0.2 * i for i in range(60)]
    c = min(grid, key=pair_loss)
    print(f"attention_cost_no_fa = {c:.2f} from {len(both)} fa 0 / fa 1 pairs (mean |log ratio error| "
          f"{pair_loss(c):.4f}; {pair_loss(float(DEFAULT.attention_cost_no_fa)):.4f} at the current value)",
          file=sys.stderr)
    base = {"attention_cost_no_fa": c}
    dev = load("llm_prefill")
    cat = [({**q, "use_published_sizes": False}, m, v) for q, m, v, _ in benchmark_questions("fit")
           if m == "speed.prefill_tokens_per_s"]
    rows = [(q, m, v, DEV_WEIGHT) for q, m, v in dev] + [(q, m, v, 1.0) for q, m, v in cat]

    def est(q: dict[str, Any], metric: str, assume: dict[str, float]) -> float | None:
        value, _ = answer_benchmark(q, metric, assume)
        return value

    owners: dict[str, list[int]] = {p: [] for p in PREFILL_EFFS}
    for i, (q, metric, _v, _w) in enumerate(rows):
        e0 = est(q, metric, base)
        if not e0:
            continue
        run = catalog().benchmarks.get(str(q.get("id")))
        run_date = str(run.data.get("date", "")) if run is not None else "9999"
        rt = str(q.get("runtime"))
        for p in PREFILL_EFFS:
            if rt in ("llamafile", "ollama") and not p.startswith(rt):
                continue  # a runtime's runs set its own factor, not the backend's efficiency under it
            if p.endswith(("_rocm", "_vulkan", "_sycl")) and run_date < CURRENT_BUILDS:
                continue  # as fit_backend_benchmarks: 2024 Vulkan and SYCL builds ran at half today's speed
            if p.endswith("_vulkan_intel") and run_date < ARC_VULKAN_SINCE:
                continue  # as its first fit: the Arc Vulkan runs from December 2024 on
            e1 = est(q, metric, {**base, p: float(getattr(DEFAULT, p)) * 1.1})
            if e1 and math.log(e1 / e0) / math.log(1.1) > 0.5:
                owners[p].append(i)
    out = {"attention_cost_no_fa": round(c, 2)}
    cur = dict(base)
    for p, idx in owners.items():
        if not idx:
            continue
        v0 = float(getattr(DEFAULT, p))

        def loss_at(x: float, p: str = p, idx: list[int] = idx) -> float:
            tot = wsum = 0.0
            for i in idx:
                q, metric, measured, w = rows[i]
                e = est(q, metric, {**cur, p: x})
                if e:
                    tot += w * min(abs(math.log(e / measured)), CLIP)
                    wsum += w
            return tot / wsum if wsum else 9.9
        cands = [v0 * f for f in (0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.25)]
        best = min(cands, key=loss_at)
        cur[p] = best
        out[p] = round(best, 4)
        print(f"  {p}: {len(idx)} runs, {v0:.4g} -> {best:.4g} (loss {loss_at(v0):.4f} -> {loss_at(best):.4f})",
              file=sys.stderr)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--family", action="append", choices=list(PARAMS))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--linear", action="store_true", help="only the per-backend decode regression")
    ap.add_argument("--backends", action="store_true",
                    help="decode_eff_rocm/vulkan/sycl from the fit share of the catalog benchmarks on those backends")
    ap.add_argument("--with-benchmarks", action="store_true",
                    help="fit on the dev set and the catalog benchmarks together (each set weighted equally)")
    ap.add_argument("--cuda-graphs", action="store_true", help="the per-layer decode cost with CUDA graphs")
    ap.add_argument("--llamafile", action="store_true", help="llamafile's factors from its catalog runs (LocalScore)")
    ap.add_argument("--metal-generations", action="store_true",
                    help="Metal's decode efficiency and per-layer cost with its change per Apple generation")
    ap.add_argument("--params", help="comma-separated parameters to fit instead of the family's list")
    ap.add_argument("--attention", action="store_true",
                    help="attention_cost_no_fa from the fa 0 / fa 1 pairs, then the prefill efficiencies refitted")
    args = ap.parse_args()
    if args.attention:
        print(json.dumps(fit_attention(), indent=2))
        return 0
    if args.linear:
        print(json.dumps(fit_decode_linear(), indent=2))
        return 0
    if args.backends:
        print(json.dumps(fit_backend_benchmarks(), indent=2))
        return 0
    if args.cuda_graphs:
        print(json.dumps(fit_cuda_graphs(), indent=2))
        return 0
    if args.metal_generations:
        print(json.dumps(fit_metal_generations(), indent=2))
        return 0
    if args.llamafile:
        print(json.dumps({k: round(v, 4) for k, v in fit_llamafile(args.rounds).items()}, indent=2))
        return 0
    result: dict[str, float] = {}
    for fam in args.family or list(PARAMS):
        if args.params:
            PARAMS[fam] = args.params.split(",")
        result.update(fit(fam, args.rounds))
    print(json.dumps({k: round(v, 4) for k, v in result.items()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
