"""Numbered SQL migrations (gridgov/sql/migrations/NNN_name.sql), applied in order and recorded."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import psycopg

_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
# Any constant works; it only has to be the same for every gridgov process.
_LOCK_KEY = 7_313_001


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available() -> list[Migration]:
    """The migrations shipped with this version of gridgov, in order."""
    found = []
    for entry in resources.files("gridgov.sql.migrations").iterdir():
        m = _NAME.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


def applied(conn: psycopg.Connection) -> set[int]:
    """Versions already recorded in schema_migrations (empty on a new database)."""
    exists = conn.execute("SELECT to_regclass('public.schema_migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return set()
    return {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}


def upgrade(conn: psycopg.Connection) -> list[Migration]:
    """Apply every pending migration, each in its own transaction; return those applied."""
    done: list[Migration] = []
    conn.execute("SELECT pg_advisory_lock(%s)", [_LOCK_KEY])
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        conn.commit()
        have = applied(conn)
        for mig in available():
            if mig.version in have:
                continue
            with conn.transaction():
                conn.execute(mig.sql.encode())
                conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", [mig.version, mig.name]
                )
            done.append(mig)
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])
        conn.commit()
    return done
