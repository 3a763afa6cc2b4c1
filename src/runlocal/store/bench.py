"""Benchmark runs (the bench_runs table). Each function is one transaction; plain SQLAlchemy Core, so SQLite and
PostgreSQL behave alike. A run is written whole (its JSON body) with the columns that lists and filters need."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from . import tables
from .db import Store

T = tables.bench_runs
STATUSES = ("local", "pending", "accepted", "rejected")
SHOWN = ("local", "accepted")
"""Runs the site shows: this machine's own, and submitted runs a moderator accepted."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def add(store: Store, row: dict[str, Any]) -> tuple[int, bool]:
    """Store one run; (its id, True) or, when the same run is already stored, (that run's id, False)."""
    now = _now()
    values = {**row, "created_at": now, "updated_at": now}
    try:
        with store.engine.begin() as conn:
            rid = conn.execute(T.insert().values(**values).returning(T.c.id)).scalar_one()
            return int(rid), True
    except IntegrityError:
        with store.engine.begin() as conn:
            old = conn.execute(select(T.c.id).where(T.c.dedupe == row["dedupe"])).scalar()
        if old is None:
            raise
        return int(old), False


def _out(r: Any) -> dict[str, Any]:
    body = json.loads(r.body)
    return {**body, "id": int(r.id), "status": r.status, "origin": r.origin, "model_id": r.model_id,
            "hardware_id": r.hardware_id, "runtime": r.runtime, "created_at": r.created_at.isoformat()
            if r.created_at else None, "reason": r.reason}


def get(store: Store, rid: int) -> dict[str, Any] | None:
    with store.engine.begin() as conn:
        r = conn.execute(select(T).where(T.c.id == rid)).first()
    return None if r is None else _out(r)


def find(store: Store, *, statuses: tuple[str, ...] = SHOWN, model_id: str | None = None,
         hardware_id: str | None = None, runtime: str | None = None, limit: int = 200,
         offset: int = 0) -> list[dict[str, Any]]:
    """Runs, newest first, filtered."""
    q = select(T).where(T.c.status.in_(statuses))
    if model_id:
        q = q.where(T.c.model_id == model_id)
    if hardware_id:
        q = q.where(T.c.hardware_id == hardware_id)
    if runtime:
        q = q.where(T.c.runtime == runtime)
    q = q.order_by(T.c.created_at.desc(), T.c.id.desc()).limit(limit).offset(offset)
    with store.engine.begin() as conn:
        return [_out(r) for r in conn.execute(q).all()]


def set_status(store: Store, rid: int, status: str, reason: str | None = None) -> bool:
    """Moderate a run; True when it exists."""
    with store.engine.begin() as conn:
        n = conn.execute(update(T).where(T.c.id == rid).values(status=status, reason=reason,
                                                                updated_at=_now())).rowcount
    return bool(n)


def recent_from(store: Store, client: str, since: dt.timedelta) -> int:
    """How many runs this (hashed) client submitted within `since`."""
    with store.engine.begin() as conn:
        n = conn.execute(select(func.count()).select_from(T)
                         .where(T.c.client == client, T.c.created_at >= _now() - since)).scalar_one()
    return int(n)


def version(store: Store) -> str:
    """Changes whenever a shown run is added or moderated (part of the page cache's key)."""
    with store.engine.begin() as conn:
        n, last = conn.execute(select(func.count(), func.max(T.c.updated_at)).select_from(T)).one()
    return f"{n}:{last}"
