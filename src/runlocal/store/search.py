"""Full-text search over the catalog tables: words in, ranked (kind, id, name, summary) out."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text

from .build import SEARCH_TABLE
from .db import Store

MAX_QUERY_WORDS = 12
"""Words used from a query; the rest are ignored (a pasted page must not become a 1,000-term query)."""
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    kind: str
    id: str
    name: str
    summary: str
    rank: float


STOP_WORDS = frozenset(
    "a an and are as at be but by can do does for from how i in into is it its my not of on or so than that the "
    "their then there these this to was what when where which who why will with you your".split())
"""Left out of every query on both databases (PostgreSQL's english configuration drops them; FTS5 would require
them): "out of memory" finds what "out memory" finds."""


def words(query: str) -> list[str]:
    """The searchable words of a query: letters and digits only (no query syntax reaches the engine), without
    stop words unless the query is nothing but stop words."""
    ws = [w.lower() for w in _WORD.findall(query)]
    kept = [w for w in ws if w not in STOP_WORDS] or ws
    return kept[:MAX_QUERY_WORDS]


def search(store: Store, query: str, *, limit: int = 30, kind: str | None = None) -> list[Hit]:
    """Entries matching every word (as a prefix), best first."""
    ws = words(query)
    if not ws:
        return []
    limit = max(1, min(int(limit), 200))
    where_kind = " AND s.kind = :kind" if kind else ""
    if store.is_sqlite:
        match = " ".join(f'"{w}"*' for w in ws)
        sql = (f"SELECT s.kind, s.id, e.name, e.summary, bm25({SEARCH_TABLE}, 0, 0, 10.0, 1.0) AS rank "
               f"FROM {SEARCH_TABLE} s JOIN catalog_entities e ON e.kind = s.kind AND e.id = s.id "
               f"WHERE {SEARCH_TABLE} MATCH :q{where_kind} ORDER BY rank LIMIT :limit")
        params: dict[str, object] = {"q": match, "limit": limit}
    else:
        match = " & ".join(f"{w}:*" for w in ws)
        sql = ("SELECT s.kind, s.id, e.name, e.summary, -ts_rank(s.doc, to_tsquery('simple', :q)) AS rank "
               f"FROM {SEARCH_TABLE} s JOIN catalog_entities e ON e.kind = s.kind AND e.id = s.id "
               f"WHERE s.doc @@ to_tsquery('simple', :q){where_kind} ORDER BY rank, s.kind, s.id LIMIT :limit")
        params = {"q": match, "limit": limit}
    if kind:
        params["kind"] = kind
    with store.engine.connect() as conn:
        rows = conn.execute(text(sql), params).all()
    return [Hit(kind=r[0], id=r[1], name=r[2], summary=r[3] or "", rank=round(-float(r[4]), 4)) for r in rows]
