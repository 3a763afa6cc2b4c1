"""The monthly digest: sign-up with double opt-in by email, confirmation, unsubscribe, and sending the month's
catalog changes (site.changes) to every confirmed address.

Nothing here reveals whether an address is subscribed: subscribe() answers the same for a new, a pending and a
confirmed address. A confirmation link is valid for CONFIRM_TTL; an address that never confirms is forgotten
after that. Unsubscribing deletes the row."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import textwrap
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from ..errors import InvalidField, NotFound, RunlocalError
from ..store import users
from . import mail, site
from .database import database

MAX_EMAIL = 320
"""The longest address accepted (RFC 3696: 64 for the local part, @, 255 for the domain)."""
MAX_LOCAL = 64
CONFIRM_TTL = dt.timedelta(days=7)
"""How long a confirmation link works; pending addresses older than this are deleted."""
RESEND_AFTER = dt.timedelta(minutes=2)
"""A pending address asking again within this gets no new mail (the last link still works): the form cannot
be used to flood someone's inbox."""
MAX_ITEMS = 60
"""Changes listed in one digest mail; the rest are on the month's pulse page."""
BATCH = 100
"""Messages sent over one SMTP connection."""
NEUTRAL = ("If this address can receive mail, a confirmation link is on its way to it. Nothing is sent to it "
           "until the link is followed; an unconfirmed address is forgotten after 7 days.")
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
LOCAL_CHARS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+")
LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


# ------------------------------------------------------------------------------------------ addresses
def normalize_email(raw: Any) -> str:
    """A checked address (domain lower-cased, IDN domains as punycode), or InvalidField saying what is wrong."""
    if not isinstance(raw, str) or not raw:
        raise InvalidField("email: an email address is required")
    if len(raw) > MAX_EMAIL:
        raise InvalidField(f"email: longer than {MAX_EMAIL} characters")
    if any(c.isspace() or unicodedata.category(c).startswith("C") for c in raw):
        raise InvalidField("email: must not contain spaces, line breaks or control characters")
    if raw.count("@") != 1:
        raise InvalidField("email: must contain exactly one @, as in name@example.com")
    local, domain = raw.split("@")
    if not local or len(local) > MAX_LOCAL:
        raise InvalidField(f"email: the part before @ must be 1 to {MAX_LOCAL} characters")
    if not LOCAL_CHARS.fullmatch(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        raise InvalidField("email: the part before @ holds characters a mail address cannot use here")
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise InvalidField("email: the part after @ is not a valid domain name") from None
    labels = domain.split(".")
    if len(labels) < 2 or len(domain) > 253 or not all(LABEL.fullmatch(x) for x in labels) or labels[-1].isdigit():
        raise InvalidField("email: the part after @ must be a domain name with a dot, as in example.com")
    return f"{local}@{domain}"


def _token(token: Any) -> str:
    if not isinstance(token, str) or not token:
        raise InvalidField("token: the link is missing its token")
    if not TOKEN.fullmatch(token):
        raise _gone()
    return token


def _gone() -> NotFound:
    return NotFound("This link is not valid any more: it may have been used already, the address may be "
                    "unsubscribed, or the confirmation expired (links work for 7 days).",
                    ["sign up again at /digest"])


def link(action: str, token: str) -> str:
    """The absolute link for `action` ("confirm" or "unsubscribe") with this token."""
    return f"{mail.base_url()}/digest/{action}?token={token}"


# ------------------------------------------------------------------------------------------ sign-up
SIGNUPS_PER_HOUR = 10
"""Sign-ups accepted from one client address an hour (over every app instance); more get 429
($RUNLOCAL_SIGNUP_RATE_LIMIT changes it: behind a proxy every client has its address)."""


def signup_limit() -> int:
    import os

    v = os.environ.get("RUNLOCAL_SIGNUP_RATE_LIMIT", "")
    return int(v) if v.isdigit() else SIGNUPS_PER_HOUR


class RateLimited(RunlocalError):
    code = "rate_limited"


def subscribe(email: Any, client: str | None = None) -> dict[str, Any]:
    """Record the address as pending and mail it a confirmation link. The answer is the same whether the address
    was new, pending or already confirmed. MailError when mail cannot be sent (nothing is then kept); RateLimited
    past SIGNUPS_PER_HOUR from one client address."""
    addr = normalize_email(email)
    mail.settings()  # no relay configured: fail the same way for every address
    store = database()
    if client is not None:
        from ..store.security import hit
        from .benchruns import client_key

        limit = signup_limit()
        if not hit(store, "subscribe", client_key(client), limit=limit, window=dt.timedelta(hours=1)):
            raise RateLimited(f"at most {limit} sign-ups an hour from one address; try again later")
    users.purge_pending(store, CONFIRM_TTL)
    token = users.add_pending(store, addr, resend_after=RESEND_AFTER)
    if token is not None:
        try:
            mail.send(addr, "Confirm your runlocal digest subscription", _confirmation_body(token))
        except mail.MailError:
            users.discard_pending(store, token)
            raise
    return {"ok": True, "status": "check_inbox", "message": NEUTRAL}


def _confirmation_body(token: str) -> str:
    base = mail.base_url()
    return (f"Someone, probably you, asked for the runlocal monthly digest at this address ({base}).\n\n"
            f"To confirm, open this link and press the button:\n\n{link('confirm', token)}\n\n"
            "If you did not ask for it, ignore this mail: nothing more will be sent, and the address is "
            f"forgotten after {CONFIRM_TTL.days} days.\n")


def check(token: Any, action: str) -> dict[str, Any]:
    """What the confirm or unsubscribe page shows before its button is pressed (changes nothing)."""
    tok = _token(token)
    found = users.lookup(database(), tok, max_age=CONFIRM_TTL)
    if found is None:
        raise _gone()
    email, confirmed = found
    return {"ok": True, "action": action, "email": email, "confirmed": confirmed, "token": tok}


def confirm(token: Any) -> dict[str, Any]:
    """Confirm the address behind a confirmation link (pressing twice is harmless); NotFound for a dead link."""
    email = users.confirm(database(), _token(token), max_age=CONFIRM_TTL)
    if email is None:
        raise _gone()
    return {"ok": True, "status": "confirmed", "email": email,
            "message": "You will get the digest once a month. Every digest has a link to unsubscribe."}


def unsubscribe(token: Any) -> dict[str, Any]:
    """Delete the address behind an unsubscribe link; NotFound for a dead link."""
    email = users.unsubscribe(database(), _token(token))
    if email is None:
        raise _gone()
    return {"ok": True, "status": "unsubscribed", "email": email,
            "message": "The address is deleted: no more digests will be sent to it."}


def count() -> dict[str, int]:
    """How many addresses are confirmed and pending."""
    return users.count(database())


# ------------------------------------------------------------------------------------------ sending
def latest_month() -> str | None:
    """The newest month with catalog changes ('YYYY-MM'), or None."""
    ms = site.months()
    return str(ms[0]["month"]) if ms else None


def _month_name(month: str) -> str:
    y, m = month.split("-")
    return f"{calendar.month_name[int(m)]} {y}"


def compose(month: str, rows: list[dict[str, Any]]) -> tuple[str, str]:
    """(subject, body) of the digest for `month`; the body's unsubscribe footer is added per recipient."""
    base = mail.base_url()
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r["what"]] = kinds.get(r["what"], 0) + 1
    counts = ", ".join(f"{n} {w}{'' if n == 1 or w in ('hardware',) else 's'}" for w, n in kinds.items())
    lines = [f"What changed in the runlocal catalog in {_month_name(month)}: {counts}.", ""]
    for r in rows[:MAX_ITEMS]:
        lines.append(f"- {r['date']}  {r['what']}: {r['name']}")
        if r.get("summary"):
            lines += textwrap.wrap(r["summary"], 76, initial_indent="  ", subsequent_indent="  ")
    if len(rows) > MAX_ITEMS:
        lines += ["", f"... and {len(rows) - MAX_ITEMS} more."]
    lines += ["", f"All of them, with links: {base}/pulse/{month}", ""]
    n = len(rows)
    return f"runlocal digest, {_month_name(month)}: {n} change{'' if n == 1 else 's'}", "\n".join(lines)


def _footer(token: str) -> str:
    return ("--\nYou get this because you subscribed to the runlocal digest. "
            f"Unsubscribe (one click, nothing is kept):\n{link('unsubscribe', token)}\n")


def deliver(month: str | None = None) -> dict[str, Any]:
    """Mail the month's changes (default: the latest month) to every confirmed subscriber, each with its own
    unsubscribe link and List-Unsubscribe header; what was sent. NotFound when the month has no changes."""
    if month is not None and not re.fullmatch(r"\d{4}-\d{2}", month):
        raise InvalidField(f"month: {month!r} is not a month; use YYYY-MM")
    m = month or latest_month()
    if m is None:
        raise NotFound("the catalog has no dated changes: nothing to send")
    rows = site.changes(month=m)
    if not rows:
        raise NotFound(f"no catalog changes in {m}: nothing to send",
                       [str(x["month"]) for x in site.months()[:6]])
    settings = mail.settings()
    subject, body = compose(m, rows)
    subs = users.confirmed(database())
    list_id = "digest." + (urlsplit(mail.base_url()).hostname or "localhost")
    refused: list[str] = []
    for i in range(0, len(subs), BATCH):
        msgs = [mail.compose(email, subject, body + "\n" + _footer(token), sender=settings.sender,
                             headers={"List-Unsubscribe": f"<{link('unsubscribe', token)}>",
                                      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                                      "List-Id": f"runlocal digest <{list_id}>",
                                      "Precedence": "bulk"})
                for email, token in subs[i:i + BATCH]]
        refused += mail.send_all(msgs, settings)
    return {"ok": True, "month": m, "changes": len(rows), "subscribers": len(subs),
            "sent": len(subs) - len(refused), "refused": len(refused)}


def send_digest(month: str | None = None) -> int:
    """Mail the month's digest to every confirmed subscriber; how many mails went."""
    return int(deliver(month)["sent"])
