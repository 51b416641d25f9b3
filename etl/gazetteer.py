"""The building gazetteer, held in memory during a load: exact compound + building matches in bulk.

A gazetteer building was placed in its grid (ST_Covers) when the buildings
were loaded; a row matched to it inherits that grid and point.
"""

from __future__ import annotations

import pandas as pd
import psycopg


class Gazetteer:
    """Unambiguous match keys → building id, grid and point; a key two buildings share matches neither."""

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table

    @classmethod
    def load(cls, conn: psycopg.Connection) -> Gazetteer:
        rows = conn.execute(
            "SELECT match_key, building_id, grid_code, ST_X(geom), ST_Y(geom) FROM buildings "
            "WHERE match_key IN (SELECT match_key FROM buildings GROUP BY 1 HAVING count(*) = 1)"
        ).fetchall()
        frame = pd.DataFrame(rows, columns=["match_key", "building_id", "grid_code", "lon", "lat"])
        return cls(frame.set_index("match_key"))

    def match(self, out: pd.DataFrame) -> None:
        """Fill building, grid and point of good rows without coordinates whose key the gazetteer knows."""
        todo = out["reason"].isna() & out["lon"].isna() & out["match_key"].notna()
        if not todo.any() or self.table.empty:
            return
        found = self.table.reindex(out.loc[todo, "match_key"].to_numpy())
        hit = found["building_id"].notna().to_numpy()
        idx = out.index[todo][hit]
        for col in ("building_id", "grid_code", "lon", "lat"):
            out.loc[idx, col] = found[col].to_numpy()[hit]
        out.loc[idx, "geocoded_by"] = "gazetteer"
