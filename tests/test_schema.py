from __future__ import annotations

import psycopg

from gridgov import migrations


def test_migrations_recorded_and_idempotent(conn: psycopg.Connection) -> None:
    versions = {m.version for m in migrations.available()}
    assert migrations.applied(conn) == versions
    assert migrations.upgrade(conn) == []  # nothing pending: a second upgrade is a no-op


def test_grid_geometry_is_multipolygon_4326_with_gist(conn: psycopg.Connection) -> None:
    row = conn.execute(
        "SELECT type, srid FROM geometry_columns WHERE f_table_name = 'grids' AND f_geometry_column = 'geom'"
    ).fetchone()
    assert row == ("MULTIPOLYGON", 4326)
    idx = conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'grids' AND indexdef ILIKE '%gist%'").fetchone()
    assert idx is not None


def test_every_fact_table_carries_its_grid(conn: psycopg.Connection) -> None:
    for table in ("buildings", "households", "facilities", "complaints", "hazards", "visits"):
        row = conn.execute(
            "SELECT is_nullable FROM information_schema.columns WHERE table_name = %s AND column_name = 'grid_code'",
            [table],
        ).fetchone()
        assert row == ("NO",), table
