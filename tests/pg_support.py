"""A fresh PostgreSQL schema on $RUNLOCAL_TEST_PG_URL for one test (tests that start their own servers or stores on
both backends); CI's .ci/run starts the cluster and sets the variable."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

PG_URL = os.environ.get("RUNLOCAL_TEST_PG_URL", "")


@contextmanager
def pg_schema_url(prefix: str = "t") -> Iterator[str]:
    """A URL whose search_path is a new schema, dropped with everything in it afterwards."""
    from sqlalchemy import create_engine

    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine("postgresql+psycopg://" + PG_URL.removeprefix("postgresql://")
                          .removeprefix("postgresql+psycopg://"))
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield PG_URL + ("&" if "?" in PG_URL else "?") + "options=" + quote(f"-csearch_path={schema}")
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.dispose()
