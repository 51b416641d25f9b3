"""The database side of one load, a chunk at a time: stage → place → upsert → quarantine.

Rows placed while parsing whose id the table does not hold yet skip all that: one COPY
writes them into the table (etl.direct). The rest go through the staging table.

It runs in its own thread while the next chunk is parsed, so PostgreSQL and
Python work at the same time; it alone uses the connection during the load.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql

from etl import gridcheck
from etl.datasets import Dataset
from etl.direct import DirectCopy
from etl.fuzzy import FuzzyMatcher
from etl.geocoders import Geocoder
from etl.gridproblems import GridProblem, GridRules
from etl.place import GridBoxes, place
from etl.readers import Chunk
from etl.stage import Stage
from etl.street_keys import GridStreets
from etl.upsert import quarantine, rejected_rows, resolve_quarantine, upsert


class ChunkWriter:
    """Writes parsed chunks of one file into the database, inside the load's transaction."""

    def __init__(
        self, conn: psycopg.Connection, dataset: Dataset, *, run_id: int, source_file: str, headers: list[str],
        geocoder: Geocoder | None, grid_rules: GridRules | None = None,
    ) -> None:
        self.conn = conn
        self.dataset = dataset
        self.run_id = run_id
        self.source_file = source_file
        self.headers = headers
        self.geocoder = geocoder
        self.grid_rules = grid_rules or GridRules()
        self.grid_problems: list[GridProblem] = []  # what the grid check repaired or warns about
        self.stage = Stage(conn, dataset)
        if dataset.placement == "polygon":
            # polygons of hundreds of vertices, written twice (made, then cut) and read by the grid check: stored
            # as they are, as pglz would compress and decompress each for little gain on coordinates
            conn.execute("ALTER TABLE stage ALTER wkb SET STORAGE EXTERNAL, ALTER mgeom SET STORAGE EXTERNAL")
        # a grid the file moves to another street takes its rows along (their street key, etl.street_keys)
        self.grid_streets = GridStreets(conn) if dataset.placement == "polygon" else None
        # rows placed while parsing whose id is new skip the staging table (etl.direct)
        self.direct = (DirectCopy(conn, dataset, run_id=run_id, source_file=source_file, types=self.stage.types)
                       if dataset.geocodes else None)
        self.fuzzy = FuzzyMatcher()
        self.grid_boxes: GridBoxes | None = None  # read when a chunk first has points to place
        self.inserted = self.updated = self.unchanged = 0
        self.quarantined: Counter[str] = Counter()
        self.rejected: list[int] = []

    def write(self, out: pd.DataFrame, chunk: Chunk) -> None:
        """Stage one parsed chunk, decide its rows in PostGIS, upsert the good and quarantine the rest."""
        conn, stage = self.conn, self.stage
        if self.direct is not None:
            new = self.direct.new_rows(out)
            if new.any():
                self.inserted += self.direct.copy(out[new])
                out = out[~new]
                if out.empty:
                    return
        if self.dataset.placement == "point":
            out = self._with_grid_candidates(out)
        stage.reset()
        stage.copy(out)
        if self.dataset.placement == "polygon":
            _grid_geometry(conn)
            # repairs what is safely repairable; a problem beyond that (any, when strict) stops the load
            self.grid_problems += gridcheck.check(conn, self.source_file, self.grid_rules)
        place(conn, self.dataset, fuzzy=self.fuzzy, geocoder=self.geocoder)  # fuzzy match, geocoder, ST_Covers for given points
        inserted, updated = upsert(conn, self.dataset, self.run_id)
        self.inserted += inserted
        self.updated += updated
        self.unchanged += stage.count(sql.SQL("reason IS NULL")) - inserted - updated
        rejected = rejected_rows(conn)
        raw = _raw_cells(chunk, rejected)
        self.quarantined += quarantine(conn, self.dataset, self.source_file, self.headers, raw, self.run_id)
        resolve_quarantine(conn, self.dataset, self.source_file)
        self.rejected.extend(rejected)

    def _with_grid_candidates(self, out: pd.DataFrame) -> pd.DataFrame:
        """Good rows with a point and no grid yet get the grids that can cover the point."""
        todo = out["reason"].isna() & out["lon"].notna() & out["lat"].notna()
        if "grid_code" in out:
            todo &= out["grid_code"].isna()
        if not todo.any():
            return out
        if self.grid_boxes is None:
            self.grid_boxes = GridBoxes(self.conn)
        found = self.grid_boxes.candidates(out.loc[todo, "lon"], out.loc[todo, "lat"])
        return out.assign(grid_candidates=found.reindex(out.index))

    def finish(self) -> None:
        """Drop what an earlier load of this file quarantined and this one did not; move the rows of grids that
        changed street; drop the staging table."""
        self.conn.execute(
            "DELETE FROM quarantine WHERE dataset = %s AND source_file = %s AND NOT row_number = ANY(%s)",
            [self.dataset.name, self.source_file, self.rejected],
        )
        self.stage.drop()
        if self.grid_streets is not None:
            self.grid_streets.follow()
        if self.grid_boxes is not None:
            self.conn.execute("DROP TABLE grid_boxes")


def _raw_cells(chunk: Chunk, rows: set[int]) -> dict[int, list[str | None]]:
    """The cells, as read, of the given row numbers of a chunk."""
    hit = np.isin(chunk.row_numbers, list(rows))
    return {
        int(n): [c if isinstance(c, str) else None for c in cells]
        for n, cells in zip(chunk.row_numbers[hit], chunk.frame[hit].itertuples(index=False, name=None), strict=True)
    }


def _grid_geometry(conn: psycopg.Connection) -> None:
    conn.execute(
        "UPDATE stage SET mgeom = ST_Multi(ST_CollectionExtract(ST_GeomFromWKB(wkb, 4326), 3)) WHERE reason IS NULL"
    )
    conn.execute("UPDATE stage SET reason = 'grid has no polygon' WHERE reason IS NULL AND ST_IsEmpty(mgeom)")
