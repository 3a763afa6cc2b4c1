"""Plain-text mail through the SMTP relay named in the environment.

    RUNLOCAL_SMTP_HOST       the relay (required to send)
    RUNLOCAL_SMTP_PORT       its port (default 25)
    RUNLOCAL_SMTP_USER       log in as this user (optional) ...
    RUNLOCAL_SMTP_PASSWORD   ... with this password
    RUNLOCAL_SMTP_STARTTLS   "1": upgrade the connection with STARTTLS (certificate checked) before logging in
    RUNLOCAL_MAIL_FROM       the sender (default runlocal@localhost)
    RUNLOCAL_BASE_URL        the site's address for links in mails (default http://127.0.0.1:8000)
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from ..errors import RunlocalError

TIMEOUT_S = 10.0
"""Seconds to wait for the relay at each step (connect, each command)."""
DEFAULT_FROM = "runlocal@localhost"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
POLICY = email_policy.SMTP.clone(max_line_length=998, cte_type="7bit")
"""Lines up to SMTP's limit, so that links and List-Unsubscribe are never folded or encoded into words a mail
client cannot use; non-ASCII text quoted-printable (no 8BITMIME needed)."""


class MailError(RunlocalError):
    """Mail could not be sent: no relay configured, the relay is unreachable, or it refused the message."""

    code = "mail_unavailable"


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    user: str | None
    password: str | None
    starttls: bool
    sender: str


def base_url() -> str:
    """$RUNLOCAL_BASE_URL without a trailing slash: where links in mails point."""
    return (os.environ.get("RUNLOCAL_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def settings() -> Settings:
    """The relay from the environment, read on every call; MailError when it is missing or malformed."""
    host = (os.environ.get("RUNLOCAL_SMTP_HOST") or "").strip()
    if not host:
        raise MailError("mail is not configured: set RUNLOCAL_SMTP_HOST (and RUNLOCAL_SMTP_PORT, "
                        "RUNLOCAL_SMTP_USER/RUNLOCAL_SMTP_PASSWORD, RUNLOCAL_SMTP_STARTTLS=1 as the relay needs)")
    raw_port = (os.environ.get("RUNLOCAL_SMTP_PORT") or "25").strip()
    if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
        raise MailError(f"RUNLOCAL_SMTP_PORT must be a port number (1-65535), not {raw_port!r}")
    user = os.environ.get("RUNLOCAL_SMTP_USER") or None
    return Settings(host=host, port=int(raw_port), user=user,
                    password=(os.environ.get("RUNLOCAL_SMTP_PASSWORD") or "") if user else None,
                    starttls=os.environ.get("RUNLOCAL_SMTP_STARTTLS", "").strip() == "1",
                    sender=os.environ.get("RUNLOCAL_MAIL_FROM") or DEFAULT_FROM)


def compose(to: str, subject: str, body: str, *, headers: dict[str, str] | None = None,
            sender: str | None = None) -> EmailMessage:
    """One plain-text UTF-8 message (header values holding line breaks are refused by the email package)."""
    msg = EmailMessage(policy=POLICY)
    msg["From"] = sender or os.environ.get("RUNLOCAL_MAIL_FROM") or DEFAULT_FROM
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=msg["From"].rsplit("@", 1)[-1].strip(">") or "localhost")
    msg["Auto-Submitted"] = "auto-generated"
    for k, v in (headers or {}).items():
        msg[k] = v
    msg.set_content(body)
    return msg


def send(to: str, subject: str, body: str, *, headers: dict[str, str] | None = None) -> None:
    """Send one message now; MailError saying why when it cannot be."""
    s = settings()
    refused = send_all([compose(to, subject, body, headers=headers, sender=s.sender)], s)
    if refused:
        raise MailError(f"the mail relay refused the address {to!r}")


def send_all(messages: list[EmailMessage], s: Settings | None = None) -> list[str]:
    """Send every message over one connection; the recipients the relay refused (the rest went). MailError
    when the relay cannot be reached or fails for everyone (nothing more can be sent)."""
    s = s or settings()
    refused: list[str] = []
    sent = 0
    where = f"{s.host}:{s.port}"
    try:
        with smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_S) as smtp:
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.user:
                smtp.login(s.user, s.password or "")
            for msg in messages:
                try:
                    smtp.send_message(msg)
                    sent += 1
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPNotSupportedError):
                    refused.append(str(msg["To"]))
                    smtp.rset()
    except smtplib.SMTPAuthenticationError:
        raise MailError(f"the mail relay {where} refused the login for RUNLOCAL_SMTP_USER") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"the mail relay {where} does not support that: {exc}") from None
    except smtplib.SMTPException as exc:
        after = f" after {sent} of {len(messages)} messages" if sent else ""
        raise MailError(f"the mail relay {where} failed{after}: {_short(exc)}") from None
    except ssl.SSLError as exc:
        raise MailError(f"STARTTLS with the mail relay {where} failed: {exc.reason or exc}") from None
    except OSError as exc:  # refused, unreachable, name not found, timed out
        if sent:
            raise MailError(f"the connection to the mail relay {where} failed after {sent} of {len(messages)} "
                            f"messages: {exc.strerror or exc}") from None
        raise MailError(f"cannot reach the mail relay {where}: {exc.strerror or exc}") from None
    return refused


def _short(exc: smtplib.SMTPException) -> str:
    code = getattr(exc, "smtp_code", None)
    err = getattr(exc, "smtp_error", None)
    if isinstance(err, bytes):
        err = err.decode("utf-8", "replace")
    text = f"{code} {err}" if code and err else str(exc) or type(exc).__name__
    return " ".join(text.split())[:300]
