"""The tables. Catalog tables are rebuilt from the data files whenever they change; user tables are created and
changed only by migrations (migrations.py)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, Index, Integer, MetaData, String, Table, Text, UniqueConstraint

metadata = MetaData()

meta = Table(
    "catalog_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
"""fingerprint of the data files the catalog tables were built from, and when."""

entities = Table(
    "catalog_entities", metadata,
    Column("kind", String(32), primary_key=True),
    Column("id", String(200), primary_key=True),
    Column("name", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("summary", Text, nullable=False, default=""),
    Column("body", Text, nullable=False, default=""),
    Column("date", String(10)),  # the entity's own date (release, launch, measurement, verdict), ISO
)

migrations = Table(
    "schema_migrations", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

subscribers = Table(
    "digest_subscribers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False),
    Column("token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("confirmed_at", DateTime(timezone=True)),
    UniqueConstraint("email", name="uq_digest_subscribers_email"),
    UniqueConstraint("token", name="uq_digest_subscribers_token"),
)

bench_runs = Table(
    "bench_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),  # local | pending | accepted | rejected
    Column("origin", String(16), nullable=False),  # local (runlocal bench here) | submitted (POST /api/v1/bench)
    Column("model_id", String(200)),  # the catalog model, when known
    Column("hardware_id", String(200)),  # the catalog machine, when known
    Column("runtime", String(64), nullable=False),
    Column("quant", String(64)),
    Column("model_sha256", String(64), nullable=False),
    Column("decode_tokens_per_s", Float),
    Column("prefill_tokens_per_s", Float),
    Column("peak_memory_bytes", Float),
    Column("est_decode_tokens_per_s", Float),
    Column("est_prefill_tokens_per_s", Float),
    Column("command", Text, nullable=False),
    Column("body", Text, nullable=False),  # the whole run as JSON (measured, estimated, settings, versions, ...)
    Column("dedupe", String(64), nullable=False),  # sha256 of what makes two runs the same run
    Column("client", String(64)),  # a submitter's address, hashed (the rate limit); never shown
    Column("reason", Text),  # why a run was rejected
    UniqueConstraint("dedupe", name="uq_bench_runs_dedupe"),
    Index("ix_bench_runs_status", "status", "created_at"),
    Index("ix_bench_runs_client", "client", "created_at"),
)
"""Benchmark runs: measured next to estimated, from `runlocal bench` here or submitted to the Bench API."""

settings = Table(
    "site_settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
"""The deployment's own values, shared by every app instance: the form-token secret, the admin token's hash."""

rate_events = Table(
    "rate_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("action", String(32), nullable=False),
    Column("client", String(64), nullable=False),  # the address, hashed
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_rate_events_lookup", "action", "client", "at"),
)
"""One row per rate-limited action (a digest sign-up), for limits that hold across app instances."""

CATALOG_TABLES = (meta, entities)
USER_TABLES = (subscribers, bench_runs, settings, rate_events)
