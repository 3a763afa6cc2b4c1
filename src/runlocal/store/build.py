"""Build the catalog tables and the full-text index from a loaded Catalog, only when the data files changed.

Full-text search is SQLite's FTS5 (unicode61 words, bm25 ranking) or, on PostgreSQL, a tsvector column with a
GIN index (the 'simple' configuration, ts_rank): neither stems nor drops words of its own, every query word is a
prefix and search.py drops the same stop words on both, so the same words find the same entries on both."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import Connection, delete, select, text

from ..catalog.load import Catalog, Entity
from . import tables
from .db import Store, writer

SEARCH_TABLE = "catalog_search"
BUILD_VERSION = "2"
"""Part of the fingerprint: a change to how the tables are built rebuilds them."""
DATE_KEYS = ("date", "release_date", "launch_date", "updated", "verdict_date")


def fingerprint(cat: Catalog) -> str:
    """A hash of every entity's contents: the tables are rebuilt when it changes."""
    h = hashlib.sha256(BUILD_VERSION.encode())
    for kind in sorted(cat.entities):
        for eid in sorted(cat.entities[kind]):
            e = cat.entities[kind][eid]
            h.update(f"{kind}\0{eid}\0{e.path}\0".encode())
            h.update(json.dumps(e.data, sort_keys=True, default=str).encode())
    return h.hexdigest()[:32]


def entity_date(e: Entity) -> str | None:
    """The entity's own date: release (models), launch (hardware), measurement, verdict or page update."""
    for k in DATE_KEYS:
        v = e.data.get(k)
        if isinstance(v, dt.date):
            return v.isoformat()
    return None


def summary_of(e: Entity) -> str:
    d = e.data
    for k in ("summary", "description", "verdict", "notes", "title"):
        v = d.get(k)
        if isinstance(v, str) and v.strip():
            return v.strip()
    return ""


def _search_text(e: Entity) -> str:
    d = e.data
    parts = [e.id.replace("-", " "), " ".join(e.aliases), summary_of(e), str(d.get("family", "")),
             str(d.get("vendor", "")), str(d.get("architecture", "")), e.body]
    return "\n".join(p for p in parts if p)


def _create_search(conn: Connection, dialect: str) -> None:
    if dialect == "sqlite":
        conn.exec_driver_sql(f"CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE} USING fts5("
                             "kind UNINDEXED, id UNINDEXED, name, body, tokenize = 'unicode61')")
    else:
        conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {SEARCH_TABLE} (kind text NOT NULL, id text NOT NULL, "
                             "name text NOT NULL, body text NOT NULL, doc tsvector GENERATED ALWAYS AS ("
                             "setweight(to_tsvector('simple', name), 'A') || "
                             "setweight(to_tsvector('simple', body), 'D')) STORED, PRIMARY KEY (kind, id))")
        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {SEARCH_TABLE}_doc ON {SEARCH_TABLE} USING gin (doc)")


def built_fingerprint(store: Store) -> str | None:
    """The fingerprint the tables were last built from (None: never built)."""
    try:
        with store.engine.connect() as conn:
            row = conn.execute(select(tables.meta.c.value).where(tables.meta.c.key == "fingerprint")).first()
    except Exception:  # noqa: BLE001 - no table yet
        return None
    return str(row[0]) if row else None


def ensure_built(store: Store, cat: Catalog) -> bool:
    """Rebuild the catalog tables in one transaction when the data changed; True when it rebuilt."""
    fp = fingerprint(cat)
    if built_fingerprint(store) == fp:
        return False
    with writer(store) as conn, conn.begin():
        if store.dialect == "postgresql":  # several app instances start at once: one builds, the others wait
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727273)")
        for t in tables.CATALOG_TABLES:
            t.create(conn, checkfirst=True)
        _create_search(conn, store.dialect)
        row = conn.execute(select(tables.meta.c.value).where(tables.meta.c.key == "fingerprint")).first()
        if row and row[0] == fp:
            return False
        conn.execute(delete(tables.entities))
        conn.exec_driver_sql(f"DELETE FROM {SEARCH_TABLE}")
        rows: list[dict[str, Any]] = []
        docs: list[dict[str, Any]] = []
        for kind in sorted(cat.entities):
            for e in cat.entities[kind].values():
                rows.append({"kind": kind, "id": e.id, "name": e.name, "path": e.path, "summary": summary_of(e),
                             "body": e.body, "date": entity_date(e)})
                docs.append({"kind": kind, "id": e.id, "name": f"{e.name} {e.id}", "body": _search_text(e)})
        if rows:
            conn.execute(tables.entities.insert(), rows)
            conn.execute(text(f"INSERT INTO {SEARCH_TABLE} (kind, id, name, body) VALUES (:kind, :id, :name, :body)"),
                         docs)
        conn.execute(delete(tables.meta))
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        conn.execute(tables.meta.insert(), [{"key": "fingerprint", "value": fp}, {"key": "built_at", "value": now}])
    return True
