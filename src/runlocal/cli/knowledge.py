"""runlocal tools | explain | troubleshoot | search."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .render import table


def cmd_tools(args: argparse.Namespace) -> int:
    from ..service.knowledge import list_tools

    rows = list_tools(kind=args.kind, platform=args.platform, backend=args.backend, fmt=args.format)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(table([(r["id"], r["name"], r["kind"], ",".join(r["platforms"] or []), ",".join(r["formats"] or []))
                 for r in rows], ["id", "name", "kind", "platforms", "formats"]))
    print(f"\n{len(rows)} tools")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from ..service.knowledge import explain

    r = explain(" ".join(args.term))
    if args.json:
        print(json.dumps(r, indent=2))
        return 0
    print(f"# {r['term']}")
    if r["aliases"]:
        print(f"also: {', '.join(r['aliases'])}")
    print()
    print(r["text"].rstrip())
    if r["related"]:
        print(f"\nRelated: {', '.join(r['related'])}")
    if r["sources"]:
        print("\nSources:")
        for s in r["sources"]:
            print(f"  - {s.get('title', '')} <{s.get('url', '')}>")
    return 0


def cmd_troubleshoot(args: argparse.Namespace) -> int:
    from ..service.knowledge import troubleshoot

    text = sys.stdin.read() if args.error == "-" else args.error
    r = troubleshoot(text, model=args.model, hardware=args.hardware, context_tokens=args.context,
                     quant=args.quant)
    if args.json:
        print(json.dumps(r, indent=2, default=str))
        return 0
    if not r["matches"]:
        print("No known error matches that text. Try pasting the full line, or `runlocal search WORDS`.")
    for i, m in enumerate(r["matches"]):
        if i == 0:
            print(f"# {m['title']}  ({m['runtime']}, {m['category']})\n")
            print(m["text"].rstrip())
        else:
            if i == 1:
                print("\nAlso possible:")
            print(f"  - {m['title']} ({m['id']})")
    if r["advice"]:
        print("\nFor your model and machine (estimate):")
        for line in r["advice"]["lines"]:
            print(f"  - {line}")
    return 0 if r["matches"] or r["advice"] else 1


def cmd_search(args: argparse.Namespace) -> int:
    from ..service.knowledge import search

    if args.limit < 1:
        from ..errors import InvalidField

        raise InvalidField("--limit must be at least 1")
    rows = search(" ".join(args.text), limit=args.limit)
    if not rows and not args.json:
        print(f"no results for {' '.join(args.text)!r}")
        return 1
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(table([(r["kind"], r["id"], r["name"]) for r in rows], ["kind", "id", "name"]))
    return 0 if rows else 1


def cmd_page(args: argparse.Namespace) -> int:
    from ..service.knowledge import render_page

    r = render_page(args.page_id)
    if args.json:
        print(json.dumps(r, indent=2))
        return 0
    print(f"# {r['title']}\n")
    print(r["text"].rstrip())
    return 0


def register(sub: Any) -> None:
    """Add this module's command(s) to the `runlocal` parser."""
    t = sub.add_parser("tools", help="list the runtimes and apps people use to run models locally")
    t.add_argument("--kind", help="inference engine, serving engine, app, library, ui, image ui")
    t.add_argument("--platform", help="linux, windows, macos")
    t.add_argument("--backend", help="cuda, rocm, metal, vulkan, sycl, cpu")
    t.add_argument("--format", help="gguf, safetensors, mlx, awq, gptq ...")
    t.add_argument("--json", action="store_true")

    x = sub.add_parser("explain", help="explain a term (glossary), with numbers from the engine")
    x.add_argument("term", nargs="+", help="for example: kv cache, gguf, offloading")
    x.add_argument("--json", action="store_true")

    ts = sub.add_parser("troubleshoot", help="find the cause and fix of a pasted error message",
                        description="Match a pasted error against known errors; with --model and "
                                    "--hardware the fix is made concrete by the engine.")
    ts.add_argument("error", help="the error text ('-' reads standard input)")
    ts.add_argument("--model", "-m")
    ts.add_argument("--hardware", "-H")
    ts.add_argument("--context", type=int)
    ts.add_argument("--quant")
    ts.add_argument("--json", action="store_true")

    se = sub.add_parser("search", help="search models, hardware, tools, glossary, errors and verdicts")
    se.add_argument("text", nargs="+")
    se.add_argument("--limit", type=int, default=20)
    se.add_argument("--json", action="store_true")

    pg = sub.add_parser("page", help="print a catalog page, with its engine-generated tables")
    pg.add_argument("page_id", nargs="?", default="what-is-local-ai")
    pg.add_argument("--json", action="store_true")
    t.set_defaults(run=cmd_tools)
    x.set_defaults(run=cmd_explain)
    ts.set_defaults(run=cmd_troubleshoot)
    se.set_defaults(run=cmd_search)
    pg.set_defaults(run=cmd_page)
