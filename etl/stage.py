"""The staging table: a temporary copy of the target's columns plus working columns, filled by COPY."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from etl.datasets import Dataset

# Working columns every staging table has, besides the dataset's own.
_WORK = {
    "source_row": "integer",
    "raw": "text[]",  # the row's cells as read; the headers are in load_runs
    "extra": "jsonb",
    "reason": "text",
    "match_key": "text",
    "lon": "float8",
    "lat": "float8",
    "wkb": "bytea",
    "geocoded_by": "text",
    "unmatched": "text",  # why the gazetteer did not match, kept until an optional geocoder has tried
    "building_id": "text",
    "grid_code": "text",
    "geom": "geometry(Point, 4326)",
    "mgeom": "geometry(MultiPolygon, 4326)",
}
_COPIED_WORK = ("source_row", "raw", "extra", "reason", "match_key", "lon", "lat", "wkb", "geocoded_by")


class Stage:
    """A staging table for one load, in the load's transaction."""

    def __init__(self, conn: psycopg.Connection, dataset: Dataset) -> None:
        self.conn = conn
        self.dataset = dataset
        own = list(dataset.columns)
        conn.execute("DROP TABLE IF EXISTS stage")
        conn.execute(
            sql.SQL("CREATE TEMP TABLE stage ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
                sql.SQL(", ").join(map(sql.Identifier, own)), sql.Identifier(dataset.table)
            )
        )
        added = [c for c in _WORK if c not in own]
        conn.execute(
            sql.SQL("ALTER TABLE stage {}").format(
                sql.SQL(", ").join(sql.SQL("ADD COLUMN {} {}").format(sql.Identifier(c), sql.SQL(_WORK[c])) for c in added)
            )
        )
        self.columns = own + [c for c in _COPIED_WORK if c not in own]
        self._types: list[int] = [
            r[0]
            for r in conn.execute(
                "SELECT atttypid FROM pg_attribute WHERE attrelid = 'stage'::regclass AND attname = ANY(%s) "
                "ORDER BY array_position(%s, attname::text)",
                [self.columns, self.columns],
            )
        ]
        self._copy_sql = sql.SQL("COPY stage ({}) FROM STDIN (FORMAT BINARY)").format(
            sql.SQL(", ").join(map(sql.Identifier, self.columns))
        )

    def copy(self, records: list[dict[str, Any]]) -> None:
        """Append records to the staging table with one COPY."""
        cols = self.columns
        with self.conn.cursor().copy(self._copy_sql) as cp:
            cp.set_types(self._types)
            for rec in records:
                row = [rec.get(c) for c in cols]
                extra = rec.get("extra")
                if extra is not None:
                    row[cols.index("extra")] = Jsonb(extra)
                cp.write_row(row)

    def finish(self) -> None:
        """Index what the set-based steps join on."""
        self.conn.execute("CREATE INDEX ON stage (source_row)")
        self.conn.execute("ANALYZE stage")

    def count(self, where: sql.Composable) -> int:
        row = self.conn.execute(sql.SQL("SELECT count(*) FROM stage WHERE {}").format(where)).fetchone()
        return int(row[0]) if row else 0

    def drop(self) -> None:
        # ON COMMIT DROP does not fire when the caller holds an outer transaction
        self.conn.execute("DROP TABLE stage")
