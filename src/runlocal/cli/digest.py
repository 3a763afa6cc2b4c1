"""runlocal digest: send the monthly digest to confirmed subscribers, and count them."""

from __future__ import annotations

import argparse
import json
from typing import Any


def send(args: argparse.Namespace) -> int:
    from ..service.digest import deliver

    r = deliver(args.month)
    if args.json:
        print(json.dumps(r, indent=2))
        return 0
    print(f"digest {r['month']} ({r['changes']} changes): sent to {r['sent']} of {r['subscribers']} subscribers"
          + (f"; the relay refused {r['refused']}" if r["refused"] else ""))
    return 0


def count(args: argparse.Namespace) -> int:
    from ..service.digest import count as how_many

    c = how_many()
    if args.json:
        print(json.dumps({"ok": True, **c}, indent=2))
        return 0
    print(f"confirmed: {c['confirmed']}\npending:   {c['pending']}")
    return 0


def register(sub: Any) -> None:
    """Add this module's command(s) to the `runlocal` parser."""
    d = sub.add_parser("digest", help="send the monthly digest mail, count subscribers",
                       description="The monthly digest mail. Mail goes through $RUNLOCAL_SMTP_HOST "
                                   "($RUNLOCAL_SMTP_PORT, $RUNLOCAL_SMTP_USER/$RUNLOCAL_SMTP_PASSWORD, "
                                   "$RUNLOCAL_SMTP_STARTTLS=1, $RUNLOCAL_MAIL_FROM); links use $RUNLOCAL_BASE_URL; "
                                   "subscribers are in $RUNLOCAL_DATABASE_URL.")
    dsub = d.add_subparsers(dest="digest_command", metavar="ACTION", required=True)
    s = dsub.add_parser("send", help="mail a month's catalog changes to every confirmed subscriber")
    s.add_argument("--month", metavar="YYYY-MM", help="the month to send (default: the latest with changes)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(run=send)
    c = dsub.add_parser("count", help="how many addresses are confirmed and pending")
    c.add_argument("--json", action="store_true")
    c.set_defaults(run=count)
