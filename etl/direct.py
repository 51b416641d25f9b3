"""COPY straight into the dataset's table, for rows that are certainly new.

A good row the gazetteer placed while parsing (point, building and grid known)
needs nothing more from PostGIS, and when its id is not in the table yet the
upsert could only insert it. Such rows skip the staging table and the upsert:
one COPY writes them where they belong, with exactly the values the upsert would
have written. Everything else (rows to update or leave alone, rows still to be
placed, rejected rows) goes through the staging table as before.

Ids repeat in no two good rows of one file (etl.checks quarantines the later
ones), so what decides "new" is the table as it was when the load began: when it
was empty, every good row is new; otherwise the ids of each chunk are looked up.
The load holds the advisory lock, so no other gridgov load writes meanwhile.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
from psycopg import sql

from etl.datasets import Dataset
from etl.stage import as_text, copy_csv
from etl.street_keys import COLUMN as STREET_KEY
from etl.street_keys import street_keys
from etl.upsert import table_columns


class DirectCopy:
    """Decides which rows of a chunk are certainly new, and COPYs them into the dataset's table."""

    def __init__(self, conn: psycopg.Connection, dataset: Dataset, *, run_id: int, source_file: str,
                 types: dict[str, str]) -> None:
        self.conn = conn
        self.dataset = dataset
        self.run_id = run_id
        self.source_file = source_file
        self.types = types  # the staging table's column types: the target's own, and the working columns
        self.columns = [c for c in table_columns(conn, dataset.table)
                        if c in types or c in _LINEAGE_AND_GEOM or c == STREET_KEY]
        # each grid's street key (etl.street_keys), read once: a row here has its grid from the gazetteer
        self.street_keys = street_keys(conn)
        tbl = sql.Identifier(dataset.table)
        self.table_was_empty = not _fetch_bool(conn, sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(tbl))
        # Quarantine entries from other files of this dataset that a row of this file resolves
        # (etl.upsert.resolve_quarantine); this load adds entries only under its own file name.
        self.resolves = _fetch_bool(
            conn, sql.SQL("SELECT EXISTS (SELECT 1 FROM quarantine WHERE dataset = {} AND source_file <> {})").format(
                sql.Literal(dataset.name), sql.Literal(source_file)
            )
        )

    def new_rows(self, out: pd.DataFrame) -> pd.Series:
        """Good rows, placed already, whose id the table does not hold."""
        if "grid_code" not in out:
            return pd.Series(False, index=out.index)
        new = out["reason"].isna() & out["grid_code"].notna() & out["lon"].notna() & out["lat"].notna()
        if not self.table_was_empty and new.any():
            key = self.dataset.key
            ids = out.loc[new, key].astype(str).tolist()
            held = [r[0] for r in self.conn.execute(
                sql.SQL("SELECT {key} FROM {tbl} WHERE {key} = ANY(%s)").format(
                    key=sql.Identifier(key), tbl=sql.Identifier(self.dataset.table)
                ),
                [ids],
            )]
            if held:
                new &= ~out[key].isin(held)
        return new

    def copy(self, rows: pd.DataFrame) -> int:
        """Insert the rows with one COPY, as the upsert would; returns how many."""
        cells: dict[str, pd.Series | pa.Array] = {}
        for c in self.columns:
            if c == "geom":
                cells[c] = _ewkb_points(rows["lon"], rows["lat"])
            elif c == "load_run_id":
                cells[c] = pd.Series(self.run_id, index=rows.index, dtype="int64")
            elif c == "extra":
                cells[c] = rows["extra"].astype("object").where(rows["extra"].notna(), "{}").astype("str")
            elif c == STREET_KEY:
                cells[c] = rows["grid_code"].map(self.street_keys).fillna("").astype("str")
            elif c in rows:
                cells[c] = as_text(rows[c], self.types[c])
            else:  # a staged column this dataset never fills: NULL, as the upsert inserts it
                cells[c] = pd.Series(None, index=rows.index, dtype="str")
        copy_csv(self.conn, self.dataset.table, cells)
        if self.resolves:
            key = self.dataset.key
            self.conn.execute(
                "DELETE FROM quarantine WHERE dataset = %s AND source_file <> %s AND record_key = ANY(%s)",
                [self.dataset.name, self.source_file, rows[key].astype(str).tolist()],
            )
        return len(rows)


_LINEAGE_AND_GEOM = ("geom", "load_run_id", "extra")


def _ewkb_points(lon: pd.Series, lat: pd.Series) -> pa.Array:
    """Points as hex EWKB text: the same geometry as ST_SetSRID(ST_MakePoint(lon, lat), 4326).

    Each is 0101000020E6100000 (little-endian point with SRID 4326) and then x and y as
    little-endian doubles, the bytes in hex: built for the whole column at once. shapely's
    to_wkb(hex=True, include_srid=True) writes the same bytes, one GEOS call per point: ~25 times
    slower here, 7 s more of the loading process's CPU at city scale (bench/RESULTS.md)."""
    n = len(lon)
    xy = np.empty((n, 2), dtype="<f8")
    xy[:, 0] = lon.to_numpy(dtype=np.float64)
    xy[:, 1] = lat.to_numpy(dtype=np.float64)
    cells = np.empty(n, dtype=[("head", "S18"), ("xy", "S32")])
    cells["head"] = _EWKB_POINT_4326
    cells["xy"] = np.frombuffer(xy.tobytes().hex().upper().encode("ascii"), dtype="S32")
    offsets = np.arange(0, 50 * n + 1, 50, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(cells.tobytes()))


_EWKB_POINT_4326 = b"0101000020E6100000"


def _fetch_bool(conn: psycopg.Connection, query: sql.Composed) -> bool:
    row = conn.execute(query).fetchone()
    return bool(row and row[0])
