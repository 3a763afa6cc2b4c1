"""The site's user data and its admin: export and import of every user row, and the admin token (edges reach the
store only through here)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import DataError


def user_store(url: str | None = None) -> Any:
    """The database at `url` (else $RUNLOCAL_DATABASE_URL or the user's SQLite file), its user tables migrated; the
    catalog tables are not needed for user data and not built."""
    from ..store.db import open_store
    from ..store.migrations import migrate

    store = open_store(url)
    migrate(store)
    return store


def export_rows(url: str | None = None) -> Iterator[dict[str, Any]]:
    from ..store.userdata import export_rows as rows

    yield from rows(user_store(url))


def import_file(path: str, url: str | None = None) -> dict[str, dict[str, int]]:
    """Check the whole export first (a bad line is named and nothing is written), then write it."""
    from ..store.userdata import import_rows, parse_lines

    p = Path(path)
    if not p.is_file():
        raise DataError(f"{path}: no such file (an export of runlocal db export)")
    try:
        with p.open(encoding="utf-8") as f:
            items = list(parse_lines(f, str(p)))
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text") from None
    return import_rows(user_store(url), items)


def new_admin_token(url: str | None = None) -> str:
    from ..store.security import new_admin_token as make

    return make(user_store(url))


def is_admin(token: str | None) -> bool:
    """Whether `token` is the site's admin token (compared by hash, in constant time)."""
    from ..store.security import is_admin as check
    from .database import database

    return check(database(), token)
