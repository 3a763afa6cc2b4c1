"""A test client on a fresh SQLite database built from the real catalog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient


@pytest.fixture(scope="session")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from runlocal.service.database import set_database
    from runlocal.store.db import open_store
    from runlocal.web.app import create_app

    db = Path(tmp_path_factory.mktemp("web")) / "site.db"
    set_database(open_store(f"sqlite:///{db}"))
    try:
        with TestClient(create_app(), raise_server_exceptions=False) as c:
            yield c
    finally:
        set_database(None)
