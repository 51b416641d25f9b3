"""The staging table: a temporary copy of the target's columns plus working columns, filled by COPY."""

from __future__ import annotations

import io

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv
from psycopg import sql

from etl.datasets import Dataset

# Working columns every staging table has, besides the dataset's own.
_WORK = {
    "source_row": "integer",
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
    "mgeom": "geometry(MultiPolygon, 4326)",
    "grid_candidates": "integer[]",  # grids whose bounding box holds the given point (etl.place.GridBoxes)
}


class Stage:
    """A staging table for one load, in the load's transaction, filled a chunk at a time by COPY (CSV)."""

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
        self.types: dict[str, str] = dict(
            conn.execute(  # type: ignore[arg-type]
                "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute "
                "WHERE attrelid = 'stage'::regclass AND attnum > 0 AND NOT attisdropped"
            ).fetchall()
        )

    def copy(self, records: pd.DataFrame) -> None:
        """Append one parsed chunk to the staging table with one COPY (CSV written by Arrow, in C++)."""
        cols = [c for c in records.columns if c in self.types]
        copy_csv(self.conn, "stage", {c: as_text(records[c], self.types[c]) for c in cols})

    def reset(self) -> None:
        """Empty the table for the next chunk."""
        self.conn.execute("TRUNCATE stage")

    def count(self, where: sql.Composable) -> int:
        row = self.conn.execute(sql.SQL("SELECT count(*) FROM stage WHERE {}").format(where)).fetchone()
        return int(row[0]) if row else 0

    def drop(self) -> None:
        # ON COMMIT DROP does not fire when the caller holds an outer transaction
        self.conn.execute("DROP TABLE stage")


def as_text(s: pd.Series, pg_type: str) -> pd.Series:
    """A typed column as COPY reads it into a column of this PostgreSQL type."""
    if pg_type == "text[]":  # special groups: a list per row; no list means none
        return s.map(lambda v: "{" + ",".join(v) + "}" if isinstance(v, list) else "{}").astype("object")
    if pg_type == "integer[]":  # grid candidates: a list of numbers, or none asked (NULL)
        return s.map(lambda v: "{" + ",".join(map(str, v)) + "}" if isinstance(v, list) else None).astype("object")
    if pg_type == "boolean":
        return s.map({True: "t", False: "f"}).astype("object")
    if pg_type == "date":
        return s.dt.strftime("%Y-%m-%d").astype("object")
    if s.dtype == "object":  # mixed None and text: Arrow wants one type
        return s.astype("str")
    return s


def copy_csv(conn: psycopg.Connection, table: str, columns: dict[str, pd.Series | pa.Array]) -> None:
    """One COPY of these columns into the table (CSV written by Arrow, in C++; missing values are NULL)."""
    arrays = [c if isinstance(c, pa.Array) else pa.Array.from_pandas(c) for c in columns.values()]
    buf = io.BytesIO()
    pa_csv.write_csv(pa.Table.from_arrays(arrays, names=list(columns)), buf, pa_csv.WriteOptions(include_header=False))
    stmt = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with conn.cursor().copy(stmt) as cp:
        cp.write(buf.getbuffer())
