"""Every user row out and back in: `runlocal db export` writes the user tables (digest subscribers, bench runs,
settings, rate events) as JSON Lines, one {"table", "row"} object per row; `runlocal db import` writes them into
a database (empty for a restore, or one that already holds some of them: a row whose natural key is already
there is skipped, so importing twice changes nothing). Plain SQLAlchemy Core: SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import DateTime, Table, select, text
from sqlalchemy.exc import IntegrityError

from ..errors import DataError
from . import tables
from .db import Store

NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "digest_subscribers": ("email",), "bench_runs": ("dedupe",), "site_settings": ("key",),
    "rate_events": ("id",),
}
"""What makes a row the same row when it is imported again (beside its id)."""
MAX_LINE = 1 << 20


def _tables() -> dict[str, Table]:
    return {t.name: t for t in tables.USER_TABLES}


def _plain(v: Any) -> Any:
    if isinstance(v, dt.datetime):  # UTC always (SQLite hands back naive UTC, PostgreSQL an aware one)
        return (v.replace(tzinfo=dt.UTC) if v.tzinfo is None else v.astimezone(dt.UTC)).isoformat()
    return v


def export_rows(store: Store) -> Iterator[dict[str, Any]]:
    """Every row of every user table, table by table, by id (one read transaction per table)."""
    for name, t in _tables().items():
        order = t.c.id if "id" in t.c else list(t.primary_key.columns)[0]
        with store.engine.begin() as conn:
            rows = conn.execute(select(t).order_by(order)).mappings().all()
        for r in rows:
            yield {"table": name, "row": {k: _plain(v) for k, v in r.items()}}


def _typed(t: Table, row: dict[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in row.items():
        if k not in t.c:
            raise DataError(f"{where}: table {t.name} has no column {k!r}")
        if isinstance(t.c[k].type, DateTime) and isinstance(v, str):
            try:
                v = dt.datetime.fromisoformat(v)
            except ValueError:
                raise DataError(f"{where}: {k} is not an ISO date and time: {v[:40]!r}") from None
        out[k] = v
    return out


def parse_lines(lines: Iterable[str], source: str) -> Iterator[tuple[Table, dict[str, Any], str]]:
    """(table, typed row, where) per line of an export; DataError naming the line for anything else."""
    known = _tables()
    for n, line in enumerate(lines, 1):
        where = f"{source}:{n}"
        if len(line) > MAX_LINE:
            raise DataError(f"{where}: line longer than {MAX_LINE:,} characters")
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{where}: not JSON ({exc.msg})") from None
        except ValueError:
            raise DataError(f"{where}: not JSON") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("row"), dict) or obj.get("table") not in known:
            raise DataError(f"{where}: expected {{\"table\": one of {', '.join(known)}, \"row\": {{...}}}}")
        t = known[obj["table"]]
        yield t, _typed(t, obj["row"], where), where


def import_rows(store: Store, items: Iterable[tuple[Table, dict[str, Any], str]]) -> dict[str, dict[str, int]]:
    """Insert each row (its own transaction), keeping its id when free; skip a row already there by its natural
    key. {table: {"added", "skipped"}}."""
    counts: dict[str, dict[str, int]] = {}
    touched: set[str] = set()
    for t, row, _where in items:
        c = counts.setdefault(t.name, {"added": 0, "skipped": 0})
        keys = NATURAL_KEYS.get(t.name, ())
        with store.engine.begin() as conn:
            if keys and all(k in row for k in keys):
                cond = [t.c[k] == row[k] for k in keys]
                if conn.execute(select(t.c[keys[0]]).where(*cond)).first() is not None:
                    c["skipped"] += 1
                    continue
        try:
            with store.engine.begin() as conn:
                conn.execute(t.insert().values(**row))
        except IntegrityError:  # its id is taken by another row: a new id, same content
            if "id" not in row:
                c["skipped"] += 1
                continue
            with store.engine.begin() as conn:
                conn.execute(t.insert().values(**{k: v for k, v in row.items() if k != "id"}))
        c["added"] += 1
        touched.add(t.name)
    if store.dialect == "postgresql":  # ids written explicitly: move each sequence past them
        with store.engine.begin() as conn:
            for name in touched:
                if "id" in _tables()[name].c:
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                      f"COALESCE((SELECT MAX(id) FROM {name}), 1))"))
    return counts
