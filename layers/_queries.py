"""SQL text of the layers, kept in `layers/sql/*.sql` and read once per process."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import psycopg


@cache
def load(name: str) -> str:
    """The text of `layers/sql/<name>.sql`."""
    return files("layers").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


def fetch_json(conn: psycopg.Connection, name: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The single JSON value that the query `name` builds in PostGIS."""
    row = conn.execute(load(name), params).fetchone()
    if row is None:  # the queries aggregate, so this means a broken query file
        raise RuntimeError(f"layers/sql/{name}.sql returned no row")
    value: dict[str, Any] = row[0]
    return value
