#!/usr/bin/env python3
"""Write data/benchmarks files from mac-llm-bench's raw llama.cpp results.

mac-llm-bench (github.com/enescingoz/mac-llm-bench) runs `llama-bench -m <file> -ngl 99 -p 128,256,512 -n 128,256
-fa 1 -o json` on Q4_K_M GGUF files of some forty models and keeps one JSON file per Mac and model under
results/<chip>/<tier>/raw/<machine>/gguf/, with the Mac's model name, chip, GPU cores, memory and macOS version.
This script reads a local copy of that folder (`git archive <commit> results | tar -x`) and writes one benchmark per
Mac and model (pp512 and tg128). The llama.cpp build is not recorded (the tool installs it from Homebrew); the date
is the run's timestamp. Models or Macs the catalog does not know are listed and skipped.

    python scripts/import_mac_llm_bench.py path/to/results [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from runlocal.catalog.resolve import resolve_hardware, resolve_model
from runlocal.errors import RunlocalError
from runlocal.service.resolve import catalog

COMMIT = "5e9194811173ce32a2be067f781a67da153af734"
ROOT = Path(__file__).resolve().parents[1] / "data" / "benchmarks"
MODELS = {  # mac-llm-bench's model ids -> names the catalog resolves
    "deepseek-r1-distill-7b": "deepseek-r1-distill-qwen-7b",
    "deepseek-r1-distill-14b": "deepseek-r1-distill-qwen-14b",
    "deepseek-r1-distill-32b": "deepseek-r1-distill-qwen-32b",
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    unknown: set[str] = set()
    written = 0
    for f in sorted(Path(args.results).glob("*/*/raw/*/gguf/*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        h, m, sp = d["hardware"], d["model"], d.get("speed", {})
        if "pp512" not in sp or "tg128" not in sp or m.get("quant") != "Q4_K_M":
            continue
        try:
            hw = resolve_hardware(catalog(), f"{h['chip']} {h['gpu_cores']} GPU cores").entity.id
        except RunlocalError:
            unknown.add(f"{h['chip']} {h['gpu_cores']}c")
            continue
        try:
            model = resolve_model(catalog(), MODELS.get(m["id"], m["id"])).entity.id
        except RunlocalError:
            unknown.add(m["id"])
            continue
        date = d["timestamp"][:10]
        rel = f.relative_to(Path(args.results)).as_posix()
        fanless = " (a fanless MacBook Air: sustained runs may throttle)" if "Air" in h["model"] else ""
        notes = (f"mac-llm-bench raw result results/{rel}: {h['model']}{fanless}, {h['chip']} with "
                 f"{h['gpu_cores']} GPU cores and {h['total_ram_gb']} GB, macOS {h['os_version']}, on "
                 f"{h.get('power_source', 'unknown power')}; {m['name']} {m['quant']} ({m.get('file_size_gb')} GB), "
                 f"llama-bench with flash attention, all layers on the GPU, {d['parameters'].get('threads', 0)} "
                 f"threads (0: llama-bench's default): pp512 {sp['pp512']} and tg128 {sp['tg128']} t/s (also pp128 "
                 f"{sp.get('pp128')}, pp256 {sp.get('pp256')}, tg256 {sp.get('tg256')}). The llama.cpp version is "
                 "recorded as 'unknown' (installed from Homebrew); the date is the run's timestamp.")
        stem = f"{date}-{model}-llama-cpp-mac-llm-bench-{hw}"
        path = ROOT / hw / f"{stem}.toml"
        text = f'''model = "{model}"
hardware = "{hw}"
runtime = "llama.cpp"
quant = "Q4_K_M"
date = {date}
gpu_count = 1
memory_gb = {h["total_ram_gb"]}
prompt_tokens = 512
decode_tokens_per_s = {sp["tg128"]}
prefill_tokens_per_s = {sp["pp512"]}
command = "llama-bench -m <{m['id']} Q4_K_M GGUF> -ngl 99 -p 128,256,512 -n 128,256 -fa 1 -o json"
backend = "metal"
notes = "{notes}"

[[sources]]
id = "mac-llm-bench"
url = "https://github.com/enescingoz/mac-llm-bench/blob/{COMMIT}/results/{rel}"
title = "enescingoz/mac-llm-bench: raw llama-bench result ({h['chip']}, {m['name']} Q4_K_M)"
accessed = 2026-12-04
'''
        written += 1
        if args.write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    print(f"{written} benchmarks {'written' if args.write else 'ready (use --write)'}; unknown: "
          f"{', '.join(sorted(unknown)) or 'none'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
