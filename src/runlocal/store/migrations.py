"""Ordered, recorded migrations of the user-owned tables. Each is a plain function run once, in order, in a
transaction, and recorded in schema_migrations; a new one is appended, never edited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Connection, select

from . import tables
from .db import Store, writer


def _m1_digest_subscribers(conn: Connection) -> None:
    tables.subscribers.create(conn, checkfirst=True)


def _m2_bench_runs(conn: Connection) -> None:
    tables.bench_runs.create(conn, checkfirst=True)


def _m3_settings_and_rates(conn: Connection) -> None:
    tables.settings.create(conn, checkfirst=True)
    tables.rate_events.create(conn, checkfirst=True)


MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "digest subscribers", _m1_digest_subscribers),
    (2, "bench runs", _m2_bench_runs),
    (3, "site settings and rate events", _m3_settings_and_rates),
]


def migrate(store: Store) -> list[int]:
    """Apply every migration not yet recorded; the ids applied now (empty when up to date)."""
    applied: list[int] = []
    with writer(store) as conn, conn.begin():
        if store.dialect == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
        tables.migrations.create(conn, checkfirst=True)
    for mid, name, fn in MIGRATIONS:
        with writer(store) as conn, conn.begin():
            if store.dialect == "postgresql":  # one instance migrates at a time
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
            done = conn.execute(select(tables.migrations.c.id).where(tables.migrations.c.id == mid)).first()
            if done:
                continue
            fn(conn)
            conn.execute(tables.migrations.insert().values(id=mid, name=name, applied_at=dt.datetime.now(dt.UTC)))
            applied.append(mid)
    return applied
