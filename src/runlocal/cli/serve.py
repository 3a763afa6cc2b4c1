"""runlocal serve: the web site and the JSON API on this machine (127.0.0.1 unless told otherwise)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def run(args: argparse.Namespace) -> int:
    import os

    if args.database:
        os.environ["RUNLOCAL_DATABASE_URL"] = args.database
    from ..errors import InvalidField
    from ..service.database import database

    if not 1 <= args.port <= 65535:
        raise InvalidField(f"--port must be from 1 to 65535, got {args.port}")
    store = database()  # built from the catalog now (and only when the data changed), not on the first request
    where = store.url.split("///", 1)[-1] if store.is_sqlite else store.url.split("@")[-1]
    if args.json:
        print(json.dumps({"url": f"http://{args.host}:{args.port}/", "database": where, "dialect": store.dialect}))
    else:
        print(f"runlocal: serving http://{args.host}:{args.port}/ (database: {store.dialect} {where}); Ctrl-C stops",
              file=sys.stderr)
    import uvicorn

    from ..web.app import create_app

    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="warning" if args.quiet else "info",
                workers=1)
    return 0


def register(sub: Any) -> None:
    """Add this module's command(s) to the `runlocal` parser."""
    p = sub.add_parser("serve", help="start the web site and the JSON API",
                       description="Serve the site and /api/v1 from an embedded SQLite database built from the catalog "
                                   "(or $RUNLOCAL_DATABASE_URL: sqlite:///PATH or postgresql://USER@HOST/DB).")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--database", metavar="URL", help="database URL (overrides $RUNLOCAL_DATABASE_URL)")
    p.add_argument("--quiet", action="store_true", help="log only warnings")
    p.add_argument("--json", action="store_true", help="print where it serves as JSON, then serve")
    p.set_defaults(run=run)
