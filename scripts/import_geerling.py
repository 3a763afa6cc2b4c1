#!/usr/bin/env python3
"""Write data/benchmarks files from Jeff Geerling's ai-benchmarks results, as collected in willitrun's file.

geerlingguy/ai-benchmarks publishes Ollama eval rates (generated tokens/s, `ollama run --verbose`) for a few Q4_K_M
models on many machines, from desktops to Raspberry Pis driving a graphics card over PCIe. smoothyy3/willitrun
collected them (2026-04-17) into data/normalized/geerlingguy.jsonl; this script reads that file (a local copy:
`git show <commit>:data/normalized/geerlingguy.jsonl`) and writes one benchmark per row whose machine the table below
names unambiguously. A Pi or another Arm host driving an AMD or Intel card runs Ollama's Vulkan backend (ROCm and
SYCL do not run there): those rows say backend = "vulkan".

    python scripts/import_geerling.py geerlingguy.jsonl [--write]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

COMMIT = "22bb93d719fec39afa10fcb0b69e32cfa5852109"
MODELS = {"deepseek-ai/DeepSeek-R1-Distill-Qwen-14B": "deepseek-r1-distill-qwen-14b",
          "meta-llama/Llama-3.2-3B": "llama-3.2-3b", "meta-llama/Llama-3-70B": "llama-3.1-70b",
          "deepseek-ai/DeepSeek-R1-685B": "deepseek-r1"}
"""willitrun's model ids for the README's tables: DeepSeek R1 14b, Llama 3.2 3b, Llama 3.1 70b, DeepSeek R1 671b."""
GPUS = {"Nvidia 4090": "rtx-4090", "Nvidia 5090": "rtx-5090", "Nvidia RTX 2080 Ti": "rtx-2080-ti",
        "Nvidia RTX 3060": "rtx-3060-12gb", "Nvidia RTX 3080 Ti": "rtx-3080-ti", "Nvidia RTX 4070 Ti": "rtx-4070-ti",
        "Nvidia RTX 4090": "rtx-4090", "Nvidia RTX A4000": "rtx-a4000", "Nvidia A4000": "rtx-a4000",
        "Nvidia A400": "rtx-a400", "Nvidia 4070": "rtx-4070", "Nvidia 4070 Ti Super": "rtx-4070-ti-super",
        "Nvidia 4080": "rtx-4080", "AMD 7900 XT": "rx-7900-xt", "AMD RX 7900 XT": "rx-7900-xt",
        "AMD RX 9070 XT": "rx-9070-xt", "AMD RX 6700 XT": "rx-6700-xt", "AMD RX 7600": "rx-7600",
        "AMD AI Pro R9700": "radeon-ai-pro-r9700", "Intel Arc B580": "arc-b580", "Intel Arc Pro B50": "arc-pro-b50"}
MACHINES = {"Mac Studio (M3 Ultra 512GB)": ("apple-m3-ultra-80c", 512.0),
            "M1 Ultra (64 GPU Core) 128GB": ("apple-m1-ultra-64c", 128.0),
            "M1 Ultra (48 GPU Core) 64GB": ("apple-m1-ultra-48c", 64.0),
            "M4 Mac mini (10 core - 32GB)": ("apple-m4-10c", 32.0),
            "Framework Desktop Mainboard (395+)": ("ryzen-ai-max-plus-395", 128.0)}
"""Whole machines. Left out: "M1 Max Mac Studio (10 core - 64GB)" (10 CPU cores; its GPU had 24 or 32)."""
ARM_HOSTS = ("Pi 5", "Pi 500", "Pi CM5", "Radxa Orion", "Thelio Astra")
ROOT = Path(__file__).resolve().parents[1] / "data" / "benchmarks"
NOTES = ("Jeff Geerling's ai-benchmarks table row '{system}': Ollama eval rate (generated tokens/s) of {tag}, Q4_K_M, "
         "as collected by willitrun on 2026-04-17 (the run itself is no later); prompt, context and Ollama version are "
         "not recorded.{extra}")
TITLE = ("smoothyy3/willitrun data/normalized/geerlingguy.jsonl (geerlingguy/ai-benchmarks README tables, collected "
         "2026-04-17)")
TAGS = {"deepseek-r1-distill-qwen-14b": "deepseek-r1:14b", "llama-3.2-3b": "llama3.2:3b",
        "llama-3.1-70b": "llama3.1:70b", "deepseek-r1": "deepseek-r1:671b"}


def machine(system: str) -> tuple[str, float | None, str | None] | None:
    """(hardware id, memory, backend) for a table's System cell, or None when it does not say which machine."""
    if system in MACHINES:
        hw, mem = MACHINES[system]
        return hw, mem, None
    m = re.search(r"\(([^)]*)\)", system)
    if not m or m.group(1) not in GPUS:
        return None
    gpu = m.group(1)
    arm = system.startswith(ARM_HOSTS)
    return GPUS[gpu], None, "vulkan" if arm and not gpu.startswith("Nvidia") else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("jsonl")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    seen: dict[str, int] = defaultdict(int)
    skipped: set[str] = set()
    written = 0
    for line in Path(args.jsonl).read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        system = r["notes"].split("·")[1].strip()
        found = machine(system)
        model = MODELS.get(r.get("model_id", ""))
        if found is None or model is None or r.get("metric") != "tok_s_tg":
            skipped.add(system)
            continue
        hw, mem, backend = found
        host = re.sub(r"[^a-z0-9]+", "-", system.split("(")[0].lower()).strip("-")
        stem = f"2026-04-17-{model}-ollama-geerling-{hw}-{host}"
        seen[stem] += 1
        path = ROOT / hw / (stem + (f"-{seen[stem]}" if seen[stem] > 1 else "") + ".toml")
        extra = (" An Arm host driving this card: Ollama's Vulkan backend." if backend else "")
        lines = [f'model = "{model}"', f'hardware = "{hw}"', 'runtime = "ollama"', 'quant = "Q4_K_M"',
                 "date = 2026-04-17", "gpu_count = 1"]
        if mem:
            lines.append(f"memory_gb = {mem:g}")
        if backend:
            lines.append(f'backend = "{backend}"')
        lines += [f"decode_tokens_per_s = {float(r['value'])}",
                  f'command = "ollama run {TAGS[model]} --verbose"',
                  f'notes = "{NOTES.format(system=system, tag=TAGS[model], extra=extra)}"', "",
                  "[[sources]]", 'id = "willitrun-geerling"',
                  f'url = "https://github.com/smoothyy3/willitrun/blob/{COMMIT}/data/normalized/geerlingguy.jsonl"',
                  f'title = "{TITLE}"', "accessed = 2026-12-04", "",
                  "[[sources]]", 'id = "geerling-ai-benchmarks"', 'url = "https://github.com/geerlingguy/ai-benchmarks"',
                  'title = "geerlingguy/ai-benchmarks: LLM benchmarks on many machines (README tables)"',
                  "accessed = 2026-12-04", ""]
        written += 1
        if args.write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(lines), encoding="utf-8")
    print(f"{written} benchmarks {'written' if args.write else 'ready (use --write)'}; left out: "
          f"{', '.join(sorted(skipped)) or 'none'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
