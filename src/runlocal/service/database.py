"""The site's database, opened once per process: catalog tables rebuilt when the data changed, user tables
migrated. Edges reach the database only through the service functions that use this."""

from __future__ import annotations

import threading

from ..store.build import ensure_built
from ..store.db import Store, open_store
from ..store.migrations import migrate
from .resolve import catalog

_STORE: Store | None = None
_LOCK = threading.Lock()


def database() -> Store:
    """The open, built and migrated database ($RUNLOCAL_DATABASE_URL or SQLite in the user's data folder)."""
    global _STORE
    if _STORE is None:
        with _LOCK:
            if _STORE is None:
                store = open_store()
                prepare(store)
                _STORE = store
    return _STORE


def prepare(store: Store) -> bool:
    """Migrate the user tables and (re)build the catalog tables when the data changed; True when rebuilt."""
    migrate(store)
    return ensure_built(store, catalog())


def set_database(store: Store | None) -> None:
    """Use `store` from now on (tests, `runlocal serve --database`); None opens the default on demand."""
    global _STORE
    with _LOCK:
        if store is not None:
            prepare(store)
        _STORE = store


def search(text: str, *, limit: int = 30, kind: str | None = None) -> list[dict[str, object]]:
    """Full-text search over everything in the catalog (FTS5 on SQLite, tsvector on PostgreSQL), best first;
    verdicts and benchmarks carry their model and hardware so that an edge can link them."""
    from ..errors import InvalidField
    from ..store.search import search as fts

    if not text or not text.strip():
        raise InvalidField("search text is empty")
    if len(text) > 1000:
        raise InvalidField("search text is longer than 1,000 characters")
    cat = catalog()
    out: list[dict[str, object]] = []
    for h in fts(database(), text, limit=limit, kind=kind):
        e = cat.kind(h.kind).get(h.id)
        row: dict[str, object] = {"kind": h.kind, "id": h.id, "name": h.name, "summary": h.summary, "rank": h.rank}
        if e is not None and h.kind in ("verdicts", "benchmarks"):
            row["model"] = e.data.get("model")
            row["hardware"] = e.data.get("hardware")
        if e is not None and h.kind == "pages":
            row["section"] = e.data.get("section")
            row["platform"] = e.data.get("platform")
        out.append(row)
    return out
