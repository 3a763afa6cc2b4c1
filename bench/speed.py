#!/usr/bin/env python3
"""Speed of the tool itself: 1,000 batch questions through `runlocal estimate --jsonl`, and
`runlocal check` from a cold start, and `runlocal fit` ranking every catalog model on an RTX 4090 (new
process each run). Prints min / median / max seconds."""

from __future__ import annotations

import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time

MODELS = ["llama-3.1-8b", "qwen3-30b-a3b", "gemma-3-27b", "gpt-oss-20b", "llama-3.3-70b", "qwen2.5-7b",
          "deepseek-r1-distill-qwen-32b", "mistral-7b-v0.3"]
HARDWARE = ["rtx-4090", "rtx-3060-12gb", "M2 Max 64GB", "apple-m4-max-40c", "ddr5-5600-2ch", "rtx-5090",
            "rx-7900-xtx", "a100-sxm4-80gb"]
QUANTS = ["Q4_K_M", "Q8_0", "Q5_K_M", "IQ4_XS", "F16"]
CONTEXTS = [4096, 8192, 32768, 131072]


def questions(n: int) -> str:
    rows = []
    combos = itertools.cycle(itertools.product(MODELS, HARDWARE, QUANTS, CONTEXTS))
    for i in range(n):
        m, h, q, c = next(combos)
        rows.append(json.dumps({"id": str(i), "model": m, "hardware": h, "quant": q, "context_tokens": c}))
    return "\n".join(rows) + "\n"


def timed(cmd: list[str], stdin: str | None = None, runs: int = 5) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True)
        out.append(time.perf_counter() - t)
    return out


def show(label: str, xs: list[float]) -> None:
    print(f"{label:<55} min {min(xs):.3f} s  median {statistics.median(xs):.3f} s  max {max(xs):.3f} s")


def main() -> int:
    exe = [sys.executable, "-m", "runlocal.cli.main"]
    subprocess.run([*exe, "data", "check"], capture_output=True)  # warm the compiled catalog cache
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as fh:
        fh.write(questions(1000))
        path = fh.name
    show("runlocal estimate --jsonl (1,000 questions)", timed([*exe, "estimate", "--jsonl", path]))
    show("runlocal check llama-3.1-8b --hardware rtx-4090", timed([*exe, "check", "llama-3.1-8b",
                                                                    "--hardware", "rtx-4090"], runs=10))
    show("runlocal fit --hardware rtx-4090 --json", timed([*exe, "fit", "--hardware", "rtx-4090", "--json"], runs=3))
    show("runlocal --help", timed([*exe, "--help"], runs=10))
    show("python -c pass (interpreter floor)", timed([sys.executable, "-c", "pass"], runs=10))
    return 0


if __name__ == "__main__":
    sys.exit(main())
