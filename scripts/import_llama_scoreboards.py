#!/usr/bin/env python3
"""Write data/benchmarks files from llama.cpp's backend scoreboards, as collected in willitrun's normalised file.

llama.cpp keeps one discussion per backend where contributors post the same fixed run, `llama-bench -m
llama-2-7b.Q4_0.gguf -ngl 99 -fa 0,1` (pp512 and tg128, one GPU, every layer offloaded), and the thread's opening
post keeps a table of them: CUDA (#15013), ROCm (#15021) and Vulkan (#10879). smoothyy3/willitrun scraped those
tables (collected 2026-04-05) into data/normalized/llama_cpp_cuda.jsonl: per row the chip, backend, flash-attention
setting, mean, ± and commit. This script reads a local copy of that file (`git show <commit>:<path>`) and writes one
benchmark per chip, backend and flash-attention setting that the catalog does not already have (same hardware,
backend, commit and setting). The Apple table (#4167) is left out: the scrape drops the chips' GPU-core counts and
misassigns rows. Chips the catalog does not know are listed and skipped.

    python scripts/import_llama_scoreboards.py llama_cpp_cuda.jsonl [--write]
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
from runlocal.service.resolve import catalog

COMMIT = "22bb93d719fec39afa10fcb0b69e32cfa5852109"
ROOT = Path(__file__).resolve().parents[1] / "data" / "benchmarks"
THREADS = {
    "15013": ("CUDA", "cuda", "llama-cpp-cuda-scoreboard", "Performance of llama.cpp on Nvidia CUDA", "2025-07-30",
              "the thread was opened at the end of July 2025 (its number lies just after issue #14966, opened "
              "2025-07-30)"),
    "15021": ("ROCm", "rocm", "llama-cpp-rocm-scoreboard", "Performance of llama.cpp with ROCm", "2025-07-30",
              "the thread was opened at the end of July 2025 (its number lies just after issue #14966, opened "
              "2025-07-30)"),
    "10879": ("Vulkan", "vulkan", "llama-cpp-vulkan-scoreboard", "Performance of llama.cpp with Vulkan",
              "2024-12-11", "the thread was opened in December 2024 (its number lies between PR #10788, opened "
              "2024-12-11, and PR #10897, opened 2024-12-19)"),
}
CHIPS = {
    # the scoreboard's wording -> catalog id, where the name alone does not resolve (said in the notes)
    "AMD Ryzen Al Max+ 395": "ryzen-ai-max-plus-395",  # the scrape reads "AI" as "Al"
    # the Vulkan table names some integrated GPUs by their processor series: the series' usual iGPU
    "AMD Ryzen 6000 Series": "ryzen-7-6800h",  # Radeon 680M (12 CUs)
    "AMD Ryzen 8000 Series": "ryzen-7-8845hs",  # Radeon 780M (12 CUs)
    "AMD Ryzen AI 9 300 Series": "ryzen-ai-9-hx-370",  # Radeon 890M (16 CUs; the AI 9 365's 880M has 12)
    "AMD Ryzen Z1 Extreme": "ryzen-z1-extreme",
    "Intel Core Ultra 100 Series": "core-ultra-7-155h",  # Meteor Lake's Arc iGPU (8 Xe cores on the H parts)
    "Nvidia GTX 1660 Ti Mobile": "gtx-1660-ti-laptop",
}
SERIES = {"AMD Ryzen 6000 Series", "AMD Ryzen 8000 Series", "AMD Ryzen AI 9 300 Series", "Intel Core Ultra 100 Series"}


def _existing() -> set[tuple[str, str, str, str]]:
    """(hardware, backend, commit, fa) of the scoreboard rows already in the catalog."""
    out = set()
    for e in catalog().benchmarks.values():
        d = e.data
        m = re.search(r"\(fa ([01])\)", str(d.get("notes", "")))
        if "scoreboard" in str(d.get("notes", "")) and m:
            out.add((d["hardware"], str(d.get("backend", "")), str(d.get("build", "")).split(" ")[0], m.group(1)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("jsonl")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    runs: dict[tuple[str, str, str, str, str], dict[str, tuple[float, str]]] = defaultdict(dict)
    for line in Path(args.jsonl).read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        thread = r["source"]["url"].rsplit("/", 1)[-1]
        if thread not in THREADS:
            continue
        notes = r["notes"]
        chip = re.search(r"chip=(.+)$", notes).group(1).strip()  # type: ignore[union-attr]
        cm = re.search(r"commit=([0-9a-f]+)", notes)
        commit = cm.group(1) if cm else ""
        sd = re.search(r"stddev=±([0-9.]+)", notes)
        fa = "0" if "without Flash Attention" in notes else "1"
        test = "tg" if "text generation" in notes else "pp"
        runs[(thread, chip, commit, fa, r["device"])][test] = (float(r["value"]), sd.group(1) if sd else "")
    have = _existing()
    unknown: set[str] = set()
    written = skipped = 0
    planned: set[Path] = set()
    for (thread, chip, commit, fa, _dev), vals in sorted(runs.items()):
        if "pp" not in vals or "tg" not in vals:
            continue
        name, backend, src_id, title, date, date_why = THREADS[thread]
        try:
            hw = CHIPS.get(chip) or resolve_hardware(catalog(), chip).entity.id
        except RunlocalError:
            unknown.add(f"{chip} ({name})")
            continue
        if (hw, backend, commit, fa) in have:
            skipped += 1
            continue
        mapped = (f" The table names only the processor series ('{chip}'): taken as its usual integrated GPU, this "
                  "entry's." if chip in SERIES else
                  f" The scrape spells the chip '{chip}'; it is this catalog entry." if chip in CHIPS else "")
        launch = str(catalog().hardware[hw].data.get("launch_date", ""))[:10]
        if launch > date:  # the card cannot have run before it was sold
            date = launch
            date_why = f"{date_why}, and the {chip} was launched on {launch}"
        pp, pps = vals["pp"]
        tg, tgs = vals["tg"]
        pm = f"± {pps}" if pps else "(no ± printed)"
        tm = f"± {tgs}" if tgs else "(no ± printed)"
        cnote = f"commit {commit}" if commit else "no commit printed"
        build = f'build = "{commit}"\n' if commit else ""
        notes = (f"llama.cpp {name} scoreboard (ggml-org/llama.cpp discussion #{thread}), row '{chip}', "
                 f"{'without' if fa == '0' else 'with'} flash attention (fa {fa}): pp512 {pp} {pm} t/s, tg128 "
                 f"{tg} {tm} t/s, {cnote}. Every scoreboard row comes from the thread's one fixed run, "
                 "llama-bench -m llama-2-7b.Q4_0.gguf -ngl 99 -fa 0,1, single GPU, all layers offloaded; the "
                 "transcription keeps neither the contributor nor any driver or OS detail. Read from the "
                 "smoothyy3/willitrun scrape of the scoreboard (collected 2026-04-05), which keeps the printed "
                 "mean, the ± and the commit for each row." + mapped + " The scoreboard lists no dates, so the "
                 f"date here is a lower bound, not the comment's date: {date_why}, so the run was posted then or "
                 "later.")
        stem = f"{date}-llama-2-7b-llama-cpp-{backend}-fa{fa}-{hw}"  # ids are unique across the catalog
        path, n = ROOT / hw / f"{stem}.toml", 1
        while path.exists() or path in planned:
            n += 1
            path = ROOT / hw / f"{stem}-{n}.toml"
        planned.add(path)
        text = f'''model = "llama-2-7b"
hardware = "{hw}"
runtime = "llama.cpp"
quant = "Q4_0"
date = {date}
gpu_count = 1
prompt_tokens = 512
decode_tokens_per_s = {tg}
prefill_tokens_per_s = {pp}
command = "llama-bench -m llama-2-7b.Q4_0.gguf -ngl 99 -fa 0,1"
{build}backend = "{backend}"
notes = "{notes}"

[[sources]]
id = "{src_id}"
url = "https://github.com/ggml-org/llama.cpp/discussions/{thread}"
title = "ggml-org/llama.cpp discussion #{thread}: {title} (scoreboard; llama-bench, Llama 2 7B Q4_0, pp512/tg128)"
accessed = 2026-12-04

[[sources]]
id = "willitrun-llama-cpp-scoreboards"
url = "https://github.com/smoothyy3/willitrun/blob/{COMMIT}/data/normalized/llama_cpp_cuda.jsonl"
title = "smoothyy3/willitrun data/normalized/llama_cpp_cuda.jsonl (scrape of the llama.cpp CUDA/ROCm/Vulkan/Apple \
scoreboards, collected 2026-04-05)"
accessed = 2026-12-04
'''
        written += 1
        if args.write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    print(f"{written} benchmarks {'written' if args.write else 'ready (use --write)'}, {skipped} already in the "
          f"catalog; unknown chips: {', '.join(sorted(unknown)) or 'none'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
