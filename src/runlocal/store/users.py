"""Digest subscribers (the digest_subscribers table): pending until the address confirms, deleted outright on
unsubscribe. Each function is one transaction; plain SQLAlchemy Core, so SQLite and PostgreSQL behave alike.

One secret token per row serves first as the confirmation link and then as the unsubscribe link; it is
replaced whenever a pending address asks again, so only the newest confirmation mail works."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, true, update
from sqlalchemy.exc import IntegrityError

from . import tables
from .db import Store, writer

T = tables.subscribers


def new_token() -> str:
    """A fresh unguessable token (43 URL-safe characters, 256 bits)."""
    return secrets.token_urlsafe(32)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _fresh(max_age: dt.timedelta | None) -> ColumnElement[bool]:
    """SQL: the row is confirmed, or pending and younger than max_age (always true without max_age)."""
    if max_age is None:
        return true()
    return or_(T.c.confirmed_at.is_not(None), T.c.created_at >= _now() - max_age)


def add_pending(store: Store, email: str, *, resend_after: dt.timedelta | None = None) -> str | None:
    """Record `email` as pending and return the token to mail it; None when nothing should be mailed: the
    address is already confirmed (left unchanged), or it is pending and its last token was issued less than
    `resend_after` ago (that token stays valid). The caller must answer the same in every case."""
    for attempt in range(2):
        try:
            with writer(store) as conn, conn.begin():  # reads, then writes: the write lock from the start
                recent = (T.c.created_at > _now() - resend_after) if resend_after is not None else true()
                row = conn.execute(select(T.c.id, T.c.confirmed_at, recent.label("recent"))
                                   .where(T.c.email == email)).first()
                token = new_token()
                if row is None:
                    conn.execute(T.insert().values(email=email, token=token, created_at=_now(), confirmed_at=None))
                    return token
                if row.confirmed_at is not None:
                    return None
                if resend_after is not None and row.recent:
                    return None
                conn.execute(update(T).where(T.c.id == row.id, T.c.confirmed_at.is_(None))
                             .values(token=token, created_at=_now()))
                return token
        except IntegrityError:  # the same address signed up at the same moment elsewhere: look again
            if attempt:
                raise
    return None  # pragma: no cover - the loop returns or raises


def lookup(store: Store, token: str, *, max_age: dt.timedelta | None = None) -> tuple[str, bool] | None:
    """(email, confirmed) for a live token; None when unknown, or pending and older than max_age."""
    with store.engine.begin() as conn:
        row = conn.execute(select(T.c.email, T.c.confirmed_at).where(T.c.token == token, _fresh(max_age))).first()
    return None if row is None else (row.email, row.confirmed_at is not None)


def confirm(store: Store, token: str, *, max_age: dt.timedelta | None = None) -> str | None:
    """Mark the token's address confirmed (again is harmless); its email, or None when the token is unknown or
    pending and older than max_age."""
    with store.engine.begin() as conn:
        conn.execute(update(T).where(T.c.token == token, T.c.confirmed_at.is_(None), _fresh(max_age))
                     .values(confirmed_at=_now()))
        row = conn.execute(select(T.c.email).where(T.c.token == token, T.c.confirmed_at.is_not(None))).first()
    return None if row is None else str(row.email)


def unsubscribe(store: Store, token: str) -> str | None:
    """Delete the token's row, pending or confirmed (nothing about the address is kept); its email, or None."""
    with writer(store) as conn, conn.begin():
        row = conn.execute(select(T.c.id, T.c.email).where(T.c.token == token)).first()
        if row is None:
            return None
        conn.execute(delete(T).where(T.c.id == row.id))
    return str(row.email)


def discard_pending(store: Store, token: str) -> bool:
    """Delete a pending row by its token (its confirmation mail could not be sent); True when one went."""
    with store.engine.begin() as conn:
        n = conn.execute(delete(T).where(T.c.token == token, T.c.confirmed_at.is_(None))).rowcount
    return bool(n)


def purge_pending(store: Store, older_than: dt.timedelta) -> int:
    """Delete addresses that never confirmed within `older_than`; how many went."""
    with store.engine.begin() as conn:
        n = conn.execute(delete(T).where(and_(T.c.confirmed_at.is_(None),
                                              T.c.created_at < _now() - older_than))).rowcount
    return int(n or 0)


def confirmed(store: Store) -> list[tuple[str, str]]:
    """(email, token) of every confirmed subscriber, oldest first."""
    with store.engine.begin() as conn:
        rows = conn.execute(select(T.c.email, T.c.token).where(T.c.confirmed_at.is_not(None))
                            .order_by(T.c.confirmed_at, T.c.id)).all()
    return [(str(r.email), str(r.token)) for r in rows]


def count(store: Store) -> dict[str, int]:
    """How many addresses are confirmed and how many are pending."""
    with store.engine.begin() as conn:
        total, done = conn.execute(select(func.count(), func.count(T.c.confirmed_at)).select_from(T)).one()
    return {"confirmed": int(done), "pending": int(total) - int(done)}
