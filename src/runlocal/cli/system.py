"""runlocal system: what this machine has, matched to the catalog."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .render import gib as _gib


def run(args: argparse.Namespace) -> int:
    from ..service.machine import describe, measure_and_save

    if args.measure:
        measure_and_save()
    d = describe()
    if args.json:
        print(json.dumps(d, indent=2, default=str))
        return 0
    print(f"OS:      {d['os']} {d['os_release']}")
    print(f"CPU:     {d['cpu_model'] or 'unknown'} ({d['cpu_cores']} logical cores)"
          + (f"; {' '.join(d['cpu_flags'])}" if d["cpu_flags"] else ""))
    print(f"RAM:     {_gib(d['ram_total_bytes'])} total, {_gib(d['ram_available_bytes'])} available")
    if d["gpu_wired_limit_bytes"]:
        print(f"GPU working-set limit: {_gib(d['gpu_wired_limit_bytes'])}")
    if not d["gpus"]:
        print("GPUs:    none found (CPU only)")
    for g, m in zip(d["gpus"], d["matches"], strict=False):
        cat = m.get("catalog_id") or "not in catalog"
        print(f"GPU:     {g['name']} ({g['vendor']}): {_gib(g['memory_total_bytes'])} total, "
              f"{_gib(g['memory_free_bytes'])} free, driver {g['driver'] or '?'} -> {cat}")
    for n in d["notes"]:
        print(f"note:    {n}")
    bw = d["ram_bandwidth"]
    if bw["basis"] == "measured":
        print(f"RAM bandwidth: {bw['all_threads_gb_s']:.1f} GB/s read on {bw['cpu_cores']} threads, "
              f"{bw['one_thread_gb_s']:.1f} on one (measured {bw['measured_at']}; {bw['method']}); estimates "
              "take it as 75 % of the memory's theoretical rate, as the catalog gives it")
    else:
        print(f"RAM bandwidth: {bw['all_threads_gb_s']:.0f} GB/s assumed ({bw['note']})")
    hw = d["hardware_for_estimates"]
    print(f"\nEstimates use: {hw if isinstance(hw, str) else json.dumps(hw)}")
    return 0


def register(sub: Any) -> None:
    """Add this module's command(s) to the `runlocal` parser."""
    sy = sub.add_parser("system", help="detect this machine's GPUs, memory and CPU")
    sy.add_argument("--measure", action="store_true",
                    help="measure RAM read bandwidth here (about a second) and use it in later estimates")
    sy.add_argument("--json", action="store_true")
    sy.set_defaults(run=run)
