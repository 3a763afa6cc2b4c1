"""Helpers for the end-to-end tests: the chromium binary, free ports, the mailbox the local SMTP server fills,
and the running site."""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

CHROMIUM = os.environ.get("RUNLOCAL_CHROMIUM", "/usr/bin/chromium")


def chromium_binary() -> str | None:
    path = shutil.which(CHROMIUM) or (CHROMIUM if os.access(CHROMIUM, os.X_OK) else None)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    """Every mail the local SMTP server accepted, parsed."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def add(self, raw: bytes) -> None:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        with self._cond:
            self.messages.append(msg)
            self._cond.notify_all()

    def wait_for(self, to: str, timeout: float = 15.0) -> EmailMessage:
        """The first mail to `to`, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for m in self.messages:
                    if to in str(m.get("To", "")):
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no mail to {to} within {timeout:.0f} s (got {len(self.messages)} others)")
                self._cond.wait(left)


@dataclass
class Site:
    url: str
    log: Path
    proc: subprocess.Popen[bytes]

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-n:]
        except OSError:
            return ""
