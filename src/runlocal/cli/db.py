"""runlocal db: the site's user data out and back in (export / import), and the admin token for moderation."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def export(args: argparse.Namespace) -> int:
    from ..service.admin import export_rows

    n: dict[str, int] = {}
    out = Path(args.output).open("w", encoding="utf-8") if args.output else sys.stdout
    try:
        for item in export_rows(args.database):
            out.write(json.dumps(item, sort_keys=True, ensure_ascii=False) + "\n")
            n[item["table"]] = n.get(item["table"], 0) + 1
    finally:
        if out is not sys.stdout:
            out.close()
    summary = {"ok": True, "rows": n, "output": args.output or "-"}
    print(json.dumps(summary) if args.json else f"exported {sum(n.values())} rows "
          f"({', '.join(f'{k} {v}' for k, v in n.items()) or 'none'})", file=sys.stderr if not args.output else
          sys.stdout)
    return 0


def import_(args: argparse.Namespace) -> int:
    from ..service.admin import import_file

    counts = import_file(args.file, args.database)
    if args.json:
        print(json.dumps({"ok": True, "tables": counts}))
    else:
        for t, c in counts.items():
            print(f"{t}: {c['added']} added, {c['skipped']} already there")
        if not counts:
            print("nothing to import")
    return 0


def admin_token(args: argparse.Namespace) -> int:
    from ..service.admin import new_admin_token

    token = new_admin_token(args.database)
    if args.json:
        print(json.dumps({"ok": True, "token": token}))
    else:
        print(token)
        print("the admin token for /api/v1/admin (Authorization: Bearer ...): shown once, only its SHA-256 is "
              "kept; any earlier token no longer works", file=sys.stderr)
    return 0


def register(sub: Any) -> None:
    """Add this module's command(s) to the `runlocal` parser."""
    d = sub.add_parser("db", help="export and import the site's user data; the admin token",
                       description="The user rows of the site's database ($RUNLOCAL_DATABASE_URL or --database): "
                                   "digest subscribers, bench runs, settings and rate events.")
    dsub = d.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    e = dsub.add_parser("export", help="every user row as JSON Lines")
    e.add_argument("--output", "-o", help="write to this file (default: standard output)")
    i = dsub.add_parser("import", help="write an export into the database (rows already there are skipped)")
    i.add_argument("file", help="a file written by runlocal db export")
    t = dsub.add_parser("admin-token", help="make a new admin token for moderation over the API (shown once)")
    for p, fn in ((e, export), (i, import_), (t, admin_token)):
        p.add_argument("--database", help="a database URL instead of $RUNLOCAL_DATABASE_URL")
        p.add_argument("--json", action="store_true")
        p.set_defaults(run=fn)
