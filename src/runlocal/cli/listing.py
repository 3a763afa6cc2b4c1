"""runlocal models | hardware | data check | assumptions."""

from __future__ import annotations

import argparse
import json
import sys

from .render import table


def _p(n: float | None) -> str:
    if not n:
        return "-"
    return f"{n / 1e9:.1f}B" if n >= 1e9 else f"{n / 1e6:.0f}M"


def cmd_models(args: argparse.Namespace) -> int:
    from ..service.llm import list_models

    rows = list_models(family=args.family, text=args.search, kind=args.kind)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(table([(r["id"], r["name"], _p(r["params"]), _p(r["active_params"]) if r["moe"] else "",
                  f"{r['context_length']:,}" if r["context_length"] else "-", r["arch"], r["license"])
                 for r in rows], ["id", "name", "params", "active", "context", "arch", "license"]))
    print(f"\n{len(rows)} models")
    return 0


def cmd_hardware(args: argparse.Namespace) -> int:
    from ..service.llm import list_hardware

    rows = list_hardware(vendor=args.vendor, kind=args.kind, text=args.search, min_memory_gb=args.min_memory)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0

    def mem(r: dict) -> str:
        if r["memory_gb"]:
            return f"{r['memory_gb']:g} GB"
        return "/".join(f"{x:g}" for x in r["memory_options_gb"] or []) + " GB"

    print(table([(r["id"], r["name"], r["kind"], mem(r), f"{r['memory_bandwidth_gb_s']:g}",
                  r["fp16_tensor_tflops"] or "-", f"${r['launch_price_usd']:,.0f}" if r["launch_price_usd"] else "-")
                 for r in rows], ["id", "name", "kind", "memory", "GB/s", "FP16 TFLOPS", "launch"]))
    print(f"\n{len(rows)} entries")
    return 0


def cmd_data_check(args: argparse.Namespace) -> int:
    from ..catalog.check import check

    problems, counts = check()
    if args.json:
        print(json.dumps({"ok": not problems, "problems": problems, "counts": counts}, indent=2))
    else:
        for p in problems:
            print(p)
        summary = ", ".join(f"{v} {k}" for k, v in counts.items())
        print(f"{len(problems)} problem(s) in {summary}", file=sys.stderr if problems else sys.stdout)
    return 1 if problems else 0


def cmd_assumptions(args: argparse.Namespace) -> int:
    from ..estimate.assumptions import DEFAULT
    from ..service.assumptions import assumption_docs

    docs = assumption_docs()
    vals = DEFAULT.as_dict()
    if args.json:
        print(json.dumps({k: {"value": v, "doc": docs.get(k, "")} for k, v in vals.items()}, indent=2))
        return 0
    for k, v in vals.items():
        print(f"{k} = {v}\n    {docs.get(k, '')}")
    return 0
