"""The database: built from the catalog (never its source) for listing and full-text search, plus the user-owned
rows (digest subscribers) in migrated tables. SQLite by default, PostgreSQL for a shared deployment, one code path
(SQLAlchemy Core)."""
