"""runlocal tools | explain | troubleshoot | search."""

from __future__ import annotations

import argparse
import json
import sys

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
