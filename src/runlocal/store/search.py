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


def words(query: str) -> list[str]:
    """The searchable words of a query: letters and digits only, so no query syntax reaches the engine."""
    return [w.lower() for w in _WORD.findall(query)][:MAX_QUERY_WORDS]


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
        sql = ("SELECT s.kind, s.id, e.name, e.summary, -ts_rank(s.doc, to_tsquery('english', :q)) AS rank "
               f"FROM {SEARCH_TABLE} s JOIN catalog_entities e ON e.kind = s.kind AND e.id = s.id "
               f"WHERE s.doc @@ to_tsquery('english', :q){where_kind} ORDER BY rank, s.kind, s.id LIMIT :limit")
        params = {"q": match, "limit": limit}
    if kind:
        params["kind"] = kind
    with store.engine.connect() as conn:
        rows = conn.execute(text(sql), params).all()
    return [Hit(kind=r[0], id=r[1], name=r[2], summary=r[3] or "", rank=round(-float(r[4]), 4)) for r in rows]
