"""Shared fixtures: a fresh catalog per session, the small fixture catalog, and the reference architectures
used by hand tests."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

# Tests never touch the user's cache.
os.environ.setdefault("RUNLOCAL_CACHE", tempfile.mkdtemp(prefix="runlocal-test-cache-"))
# ... nor the user's data folder (the database runlocal bench writes to, a calibration, a measured bandwidth).
os.environ.setdefault("RUNLOCAL_HOME", tempfile.mkdtemp(prefix="runlocal-test-home-"))

from runlocal.estimate.specs import Architecture  # noqa: E402

if TYPE_CHECKING:
    from runlocal.catalog.load import Catalog

FIXTURE_CATALOG = Path(__file__).resolve().parent / "fixtures" / "catalog"

LLAMA3_8B = Architecture(arch="llama", n_layers=32, hidden_size=4096, n_heads=32, n_kv_heads=8, head_dim=128,
                         intermediate_size=14336, vocab_size=128256, context_length=131072)


@pytest.fixture()
def llama3_8b() -> Architecture:
    return LLAMA3_8B


@pytest.fixture()
def fixture_catalog() -> Iterator[Catalog]:
    """The small copied catalog in tests/fixtures/catalog, installed for every question while the test runs
    (so the answer does not move when data/ is edited); the real data/ is back afterwards."""
    from runlocal.catalog.load import load
    from runlocal.service import set_catalog

    cat = load(FIXTURE_CATALOG, use_cache=False)
    set_catalog(cat)
    try:
        yield cat
    finally:
        set_catalog(None)
