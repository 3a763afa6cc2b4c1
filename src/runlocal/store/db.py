"""Where the database lives and how to reach it: one Store per URL."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

from ..errors import DataError

URL_ENV = "RUNLOCAL_DATABASE_URL"


def data_dir() -> Path:
    """The user's data folder for runlocal ($RUNLOCAL_HOME, else $XDG_DATA_HOME/runlocal, else ~/.local/share)."""
    env = os.environ.get("RUNLOCAL_HOME")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "runlocal"


def default_url() -> str:
    """$RUNLOCAL_DATABASE_URL, or an SQLite file in the user's data folder."""
    url = os.environ.get(URL_ENV)
    if url:
        return url
    return f"sqlite:///{data_dir() / 'runlocal.db'}"


@dataclass
class Store:
    """An open database: the SQLAlchemy engine and which dialect it speaks."""

    url: str
    engine: Engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name  # "sqlite" or "postgresql"

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"


def open_store(url: str | None = None) -> Store:
    """Connect to `url` (default: default_url()), creating the SQLite folder; nothing is built here."""
    url = url or default_url()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    elif not url.startswith("postgresql+psycopg://"):
        raise DataError(f"{URL_ENV}: unsupported database URL {url.split(':', 1)[0]!r}; use sqlite:///PATH or "
                        "postgresql://USER@HOST/DB")
    try:
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
    except Exception as exc:  # noqa: BLE001 - a bad URL or a missing driver becomes one clear message
        raise DataError(f"cannot open the database {url!r}: {exc}") from None
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # SQLAlchemy's BEGIN below, so DDL is transactional too
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")  # readers never wait for the one writer
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # A writer that must not race another (the catalog build, a migration) asks for the write lock up
            # front; everything else begins deferred, so readers never wait for each other.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("immediate") else "BEGIN")
    return Store(url=url, engine=engine)


def writer(store: Store) -> Any:
    """A connection whose transaction holds the database's write lock from its start (SQLite BEGIN IMMEDIATE;
    PostgreSQL callers add an advisory lock), for work that checks and then writes."""
    return store.engine.connect().execution_options(immediate=True)
