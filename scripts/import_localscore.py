#!/usr/bin/env python3
"""Write data/benchmarks files from LocalScore results, as collected in willitrun's normalised file.

LocalScore (localscore.ai, github.com/cjpais/LocalScore, a Mozilla Builders project) runs llamafile on three fixed
Q4_K_M models (Llama 3.2 1B, Llama 3.1 8B, Qwen2.5 14B) through nine prompt/generation tests and publishes each
run's average prompt and generation rates. smoothyy3/willitrun scraped the public results (best run per
accelerator and model, collected 2026-04-17) into data/normalized/localscore.jsonl. This script reads that file
(a local copy: `git show <commit>:data/normalized/localscore.jsonl`) and writes one benchmark per accelerator and
model with `suite = "localscore"`, which the scorer answers as the mean over the nine tests. Accelerators the catalog
does not know are listed and skipped.

    python scripts/import_localscore.py localscore.jsonl [--write]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

from runlocal.catalog.resolve import resolve_hardware
from runlocal.errors import RunlocalError
from runlocal.service import answer
from runlocal.service.resolve import catalog

COMMIT = "22bb93d719fec39afa10fcb0b69e32cfa5852109"
MODELS = {"meta-llama/Llama-3.2-1B": "llama-3.2-1b", "meta-llama/Llama-3.1-8B": "llama-3.1-8b",
          "Qwen/Qwen2.5-14B": "qwen2.5-14b"}
NOTES = ("LocalScore result for the accelerator it reports as '{dev}': its averages over the nine tests "
         "(prompt/generation 1024/16, 4096/256, 2048/256, 2048/768, 1024/1024, 1280/3072, 384/1152, 64/1024, "
         "16/1536) run by llamafile; the best run of that accelerator and model on localscore.ai, as collected by "
         "willitrun on 2026-04-17 (the run itself is no later). The backend llamafile chose and the driver are not "
         "recorded.")
TITLE = ("smoothyy3/willitrun data/normalized/localscore.jsonl (LocalScore results scraped from localscore.ai, "
         "collected 2026-04-17)")
ROOT = Path(__file__).resolve().parents[1] / "data" / "benchmarks"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("jsonl")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    pairs: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for line in Path(args.jsonl).read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r.get("precision") != "q4_k_m" or r.get("model_id") not in MODELS:
            continue
        dev = re.sub(r"\s+", " ", r["notes"].split("·")[1].strip())
        pairs[(dev, MODELS[r["model_id"]])][r["metric"]] = float(r["value"])
    unknown: set[str] = set()
    written = 0
    seen: dict[str, int] = defaultdict(int)
    for (dev, model), vals in sorted(pairs.items()):
        if "tok_s_tg" not in vals or "tok_s_pp" not in vals:
            continue
        try:
            ent = resolve_hardware(catalog(), dev).entity
        except RunlocalError:
            unknown.add(dev)
            continue
        hw = ent.id
        memory = ""
        opts = [float(x) for x in ent.data.get("memory_options_gb", [])]
        if opts:  # LocalScore does not record the machine's memory: the smallest option that held the model
            for gb in opts:
                a = answer({"model": model, "hardware": f"{hw} {gb:g}GB", "quant": "Q4_K_M", "runtime": "llamafile",
                            "context_tokens": 5120})
                if a.get("ok") and a["fits"] == "gpu":
                    if gb != opts[0]:
                        memory = (f"\nmemory_gb = {gb:g}  # not recorded: the smallest of the chip's options "
                                  "that holds the model and LocalScore's longest test")
                    break
        stem = f"2026-04-17-{model}-llamafile-localscore-{hw}"  # ids are unique across the catalog
        seen[(hw + stem)] += 1
        n = seen[(hw + stem)]
        path = ROOT / hw / (stem + (f"-{n}" if n > 1 else "") + ".toml")
        text = f'''model = "{model}"
hardware = "{hw}"
runtime = "llamafile"
quant = "Q4_K_M"
date = 2026-04-17
gpu_count = 1{memory}
suite = "localscore"
decode_tokens_per_s = {vals["tok_s_tg"]}
prefill_tokens_per_s = {vals["tok_s_pp"]}
command = "localscore -m <the LocalScore {model} Q4_K_M GGUF>"
notes = "{NOTES.format(dev=dev)}"

[[sources]]
id = "willitrun-localscore"
url = "https://github.com/smoothyy3/willitrun/blob/{COMMIT}/data/normalized/localscore.jsonl"
title = "{TITLE}"
accessed = 2026-12-04

[[sources]]
id = "localscore"
url = "https://github.com/cjpais/LocalScore"
title = "LocalScore: benchmark and public results database (tests, scoring, llamafile runner)"
accessed = 2026-12-04
'''
        written += 1
        if args.write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    print(f"{written} benchmarks {'written' if args.write else 'ready (use --write)'}; unknown accelerators: "
          f"{', '.join(sorted(unknown)) or 'none'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
