"""Schemathesis against the served OpenAPI document: property-based requests to every documented operation (valid
and invalid ones, within and beyond the schema), through the real app in process. No response is a 5xx, and
every error is the one error shape {"ok": false, "error": {"code", "message", "suggestions"}}."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

EXAMPLES = 40
"""Examples per operation (the suite's time; a longer run: SCHEMATHESIS_EXAMPLES=500)."""


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from runlocal.service.database import set_database
    from runlocal.store.db import open_store
    from runlocal.web.app import create_app

    store = open_store(f"sqlite:///{Path(tmp_path_factory.mktemp('st')) / 'site.db'}")
    set_database(store)
    try:
        yield schemathesis.openapi.from_asgi("/openapi.json", create_app())
    finally:
        set_database(None)
        store.engine.dispose()


schema = schemathesis.pytest.from_fixture("api_schema")


def _examples() -> int:
    import os

    v = os.environ.get("SCHEMATHESIS_EXAMPLES", "")
    return int(v) if v.isdigit() else EXAMPLES


@schema.parametrize()
@settings(max_examples=_examples(), deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_one_error_shape(case: Any) -> None:
    response = case.call(headers={"accept": "application/json"})
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
    if response.status_code >= 400:
        body = json.loads(response.text)
        assert body["ok"] is False, body
        err = body["error"]
        assert set(err) == {"code", "message", "suggestions"}, body
        assert isinstance(err["code"], str) and isinstance(err["message"], str)
        assert isinstance(err["suggestions"], list)
