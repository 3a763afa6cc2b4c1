"""The tables. Catalog tables are rebuilt from the data files whenever they change; user tables are created and
changed only by migrations (migrations.py)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, UniqueConstraint

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

CATALOG_TABLES = (meta, entities)
USER_TABLES = (subscribers,)
