"""runlocal.store on both backends: SQLite (a temp file) and PostgreSQL ($RUNLOCAL_TEST_PG_URL, a fresh schema per
test; skipped when the variable is unset, which CI never leaves it). Only the store's public functions are used."""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, func, inspect, select, text

from runlocal.catalog.load import Catalog, load
from runlocal.errors import DataError
from runlocal.store import tables
from runlocal.store.build import SEARCH_TABLE, built_fingerprint, ensure_built, fingerprint
from runlocal.store.db import Store, open_store
from runlocal.store.migrations import MIGRATIONS, migrate
from runlocal.store.search import search

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "catalog"
PG_ENV = "RUNLOCAL_TEST_PG_URL"
PG_URL = os.environ.get(PG_ENV, "")
NO_PG = f"{PG_ENV} is not set (CI sets it; locally: eval \"$(.ci/postgres.sh start DIR)\")"
MARKER = "zanzibarquux"
"""A word in no fixture file: the modified catalog adds it to the glossary."""

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason=NO_PG))]

StoreFactory = Callable[[], Store]


def _sqlalchemy_pg(url: str) -> str:
    return "postgresql+psycopg://" + url.removeprefix("postgresql://").removeprefix("postgresql+psycopg://")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load(FIXTURE, use_cache=False)


@pytest.fixture(scope="module")
def changed_catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The fixture catalog with one more paragraph in the glossary's batching entry."""
    root = tmp_path_factory.mktemp("catalog") / "catalog"
    shutil.copytree(FIXTURE, root)
    term = root / "glossary" / "batching.md"
    term.write_text(term.read_text(encoding="utf-8") + f"\n\nThe {MARKER} test paragraph.\n", encoding="utf-8")
    return load(root, use_cache=False)


@contextmanager
def fresh_db(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: a new SQLite file in tmp_path, or a new PostgreSQL schema dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_sqlalchemy_pg(PG_URL))
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        sep = "&" if "?" in PG_URL else "?"
        yield PG_URL + sep + "options=" + quote(f"-csearch_path={schema}")
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture()
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    with fresh_db(backend, tmp_path) as url:
        yield url


@pytest.fixture()
def new_store(db_url: str) -> Iterator[StoreFactory]:
    """open_store(db_url) as often as a test needs (each a separate engine, like separate app instances)."""
    opened: list[Store] = []

    def make() -> Store:
        s = open_store(db_url)
        opened.append(s)
        return s

    yield make
    for s in opened:
        s.engine.dispose()


def _count(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def _n_entities(cat: Catalog) -> int:
    return sum(len(v) for v in cat.entities.values())


def _assert_one_build(store: Store, cat: Catalog) -> None:
    """The tables hold exactly one build of `cat`: every entity once, in both tables, and its fingerprint."""
    n = _n_entities(cat)
    assert _count(store, "catalog_entities") == n
    assert _count(store, SEARCH_TABLE) == n
    with store.engine.connect() as conn:
        keys = {(r.kind, r.id) for r in conn.execute(select(tables.entities.c.kind, tables.entities.c.id))}
        meta = dict(conn.execute(select(tables.meta.c.key, tables.meta.c.value)).all())
    assert keys == {(kind, eid) for kind, ents in cat.entities.items() for eid in ents}
    assert set(meta) == {"fingerprint", "built_at"}
    assert meta["fingerprint"] == fingerprint(cat)
    assert built_fingerprint(store) == fingerprint(cat)


def _ids(store: Store, query: str) -> set[tuple[str, str]]:
    return {(h.kind, h.id) for h in search(store, query)}


def test_open_store(backend: str, new_store: StoreFactory) -> None:
    store = new_store()
    assert store.dialect == backend
    assert store.is_sqlite == (backend == "sqlite")
    if backend == "postgresql":
        assert store.url.startswith("postgresql+psycopg://")
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
    assert built_fingerprint(store) is None  # nothing is built by opening


def test_open_store_creates_the_sqlite_folder(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "runlocal.db"
    store = open_store(f"sqlite:///{path}")
    try:
        assert path.parent.is_dir()
    finally:
        store.engine.dispose()


@pytest.mark.parametrize("url", ["mysql://u@h/db", "mongodb://h/db", "not a url"])
def test_open_store_rejects_other_databases(url: str) -> None:
    with pytest.raises(DataError):
        open_store(url)


def test_migrate_applies_once(new_store: StoreFactory) -> None:
    store = new_store()
    assert migrate(store) == [mid for mid, _, _ in MIGRATIONS]
    assert migrate(store) == []
    assert migrate(new_store()) == []  # another instance on the same database finds it done
    assert inspect(store.engine).has_table("digest_subscribers")
    with store.engine.connect() as conn:
        rows = conn.execute(select(tables.migrations.c.id, tables.migrations.c.name)).all()
    assert [(r.id, r.name) for r in sorted(rows)] == [(1, "digest subscribers"), (2, "bench runs"),
                                                     (3, "site settings and rate events")]
    assert inspect(store.engine).has_table("bench_runs")


def test_migrate_first_is_migration_1(new_store: StoreFactory) -> None:
    assert migrate(new_store())[0] == 1


def test_ensure_built_only_when_the_data_changed(new_store: StoreFactory, catalog: Catalog,
                                                 changed_catalog: Catalog) -> None:
    store = new_store()
    assert fingerprint(catalog) != fingerprint(changed_catalog)
    assert ensure_built(store, catalog) is True
    _assert_one_build(store, catalog)
    assert ensure_built(store, catalog) is False
    assert ensure_built(new_store(), catalog) is False  # a restart with the same data builds nothing
    assert _ids(store, MARKER) == set()

    assert ensure_built(store, changed_catalog) is True
    _assert_one_build(store, changed_catalog)
    assert _ids(store, MARKER) == {("glossary", "batching")}
    assert ensure_built(store, changed_catalog) is False

    assert ensure_built(store, catalog) is True  # back to the original data
    _assert_one_build(store, catalog)
    assert _ids(store, MARKER) == set()


def test_search_finds_qwen(new_store: StoreFactory, catalog: Catalog) -> None:
    store = new_store()
    ensure_built(store, catalog)
    hits = search(store, "qwen")
    assert ("models", "qwen3-30b-a3b") in {(h.kind, h.id) for h in hits}
    assert hits[0].id == "qwen3-30b-a3b"  # the name match ranks first
    assert all(h.rank >= 0 for h in hits)
    assert search(store, "qwen", kind="models") == [h for h in hits if h.kind == "models"]
    assert len(search(store, "qwen", limit=1)) == 1


def test_search_before_build_and_of_nothing(new_store: StoreFactory, catalog: Catalog) -> None:
    store = new_store()
    ensure_built(store, catalog)
    assert search(store, "") == []
    assert search(store, "   ") == []
    assert search(store, "nosuchwordanywhere") == []


QUERIES = ["qwen", "rtx 4090", "llama", "gpt oss", "batching", "apple", "memory", "allocation", "Qwen3 30B"]
STOP_WORD_QUERIES = ["out of memory", "the qwen", "qwen of", "what is batching"]
"""Queries with English stop words, which PostgreSQL's 'english' configuration drops and FTS5 keeps."""


def _ids_on_both(tmp_path: Path, cat: Catalog, queries: list[str]) -> dict[str, dict[str, set[tuple[str, str]]]]:
    found: dict[str, dict[str, set[tuple[str, str]]]] = {}
    for backend in ("sqlite", "postgresql"):
        with fresh_db(backend, tmp_path) as url:
            store = open_store(url)
            try:
                ensure_built(store, cat)
                found[backend] = {q: _ids(store, q) for q in queries}
            finally:
                store.engine.dispose()
    return found


@pytest.mark.skipif(not PG_URL, reason=NO_PG)
def test_search_finds_the_same_ids_on_both_backends(tmp_path: Path, catalog: Catalog) -> None:
    found = _ids_on_both(tmp_path, catalog, QUERIES)
    assert ("models", "qwen3-30b-a3b") in found["sqlite"]["qwen"]
    assert found["sqlite"]["qwen"] == found["postgresql"]["qwen"]
    differ = {q: (found["sqlite"][q], found["postgresql"][q]) for q in QUERIES
              if found["sqlite"][q] != found["postgresql"][q]}
    assert not differ, f"sqlite vs postgresql: {differ}"


@pytest.mark.skipif(not PG_URL, reason=NO_PG)
def test_search_with_stop_words_finds_the_same_ids_on_both_backends(tmp_path: Path, catalog: Catalog) -> None:
    """store/build.py promises "the same words find the same entries on both", and people type whole phrases."""
    found = _ids_on_both(tmp_path, catalog, STOP_WORD_QUERIES)
    differ = {q: {"sqlite": sorted(found["sqlite"][q]), "postgresql": sorted(found["postgresql"][q])}
              for q in STOP_WORD_QUERIES if found["sqlite"][q] != found["postgresql"][q]}
    assert not differ, f"sqlite vs postgresql: {differ}"


HOSTILE = ['"', "*", "AND", "(", "'", ":", "qwen AND", "qwen OR llama", "NOT qwen", "(qwen", "qwen)", '"qwen',
           "qwen*", "qw*en", "name:qwen", "kind:models", "a:b:c", "qwen:*", "-qwen", "!qwen", "qwen & llama",
           "qwen | llama", "qwen <-> 30b", "NEAR(qwen llama)", "^qwen", "'qwen'", "''", '""', "\\", "%", "_", "?",
           "qwen\x00", "{qwen}", "[qwen]", "qwen; DROP TABLE catalog_entities; --", "the", "a an the of",
           "AND OR NOT", "é ñ ü", "量子", "qwen " * 500, "x" * 5000]


def test_query_syntax_never_raises(new_store: StoreFactory, catalog: Catalog) -> None:
    store = new_store()
    ensure_built(store, catalog)
    raised: dict[str, str] = {}
    for query in HOSTILE:
        try:
            hits = search(store, query)
        except Exception as exc:  # noqa: BLE001 - collected, so one run names every query that raises
            raised[query[:40]] = repr(exc)[:300]
        else:
            assert isinstance(hits, list)
    assert not raised, raised
    assert _count(store, "catalog_entities") == _n_entities(catalog)  # nothing was dropped


def test_syntax_characters_are_plain_separators(new_store: StoreFactory, catalog: Catalog) -> None:
    store = new_store()
    ensure_built(store, catalog)
    plain = _ids(store, "qwen")
    for q in ['"qwen"', "(qwen)", "qwen*", "'qwen'", "qwen:", ":qwen"]:
        assert _ids(store, q) == plain, q


def _race(stores: list[Store], cat: Catalog) -> list[bool]:
    barrier = threading.Barrier(len(stores))
    results: list[bool] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(store: Store) -> None:
        try:
            barrier.wait(timeout=30)
            built = ensure_built(store, cat)
            with lock:
                results.append(built)
        except BaseException as exc:  # noqa: B036 - reported to the test thread
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "ensure_built did not finish"
    assert not errors, f"ensure_built raised: {errors!r}"
    return results


FRESH_ROUNDS = 3
"""Races on fresh databases: the first build (tables created concurrently) is the likeliest to collide."""


def test_two_threads_building_at_once_leave_one_build(backend: str, tmp_path: Path, catalog: Catalog,
                                                      changed_catalog: Catalog) -> None:
    for round_ in range(FRESH_ROUNDS):
        (tmp_path / str(round_)).mkdir()
        with fresh_db(backend, tmp_path / str(round_)) as url:
            stores = [open_store(url), open_store(url)]  # two app instances starting at once
            try:
                for cat in (catalog, changed_catalog) if round_ == 0 else (catalog,):
                    results = _race(stores, cat)
                    assert len(results) == 2 and True in results
                    if backend == "postgresql":  # the advisory lock makes the second wait, then find it built
                        assert sorted(results) == [False, True]
                    for s in stores:
                        _assert_one_build(s, cat)
                        assert ensure_built(s, cat) is False
                    assert _ids(stores[0], "qwen") == _ids(stores[1], "qwen") != set()
            finally:
                for s in stores:
                    s.engine.dispose()


def test_two_threads_on_one_store(backend: str, tmp_path: Path, catalog: Catalog) -> None:
    for round_ in range(FRESH_ROUNDS):
        (tmp_path / str(round_)).mkdir()
        with fresh_db(backend, tmp_path / str(round_)) as url:
            store = open_store(url)
            try:
                results = _race([store, store], catalog)
                assert True in results
                _assert_one_build(store, catalog)
            finally:
                store.engine.dispose()


def test_user_rows_survive_a_rebuild(new_store: StoreFactory, catalog: Catalog, changed_catalog: Catalog) -> None:
    import datetime as dt

    store = new_store()
    migrate(store)
    ensure_built(store, catalog)
    with store.engine.begin() as conn:
        conn.execute(tables.subscribers.insert().values(email="a@example.org", token="t" * 32,
                                                        created_at=dt.datetime.now(dt.UTC)))
    assert ensure_built(store, changed_catalog) is True
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(tables.subscribers)).scalar_one() == 1
