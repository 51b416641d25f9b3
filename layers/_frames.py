"""Small helpers shared by layer modules: SQL results as frames, and grid filters."""

from __future__ import annotations

from typing import Any

import pandas as pd
import psycopg
from psycopg import sql


def frame(conn: psycopg.Connection, query: str | sql.Composed, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """The rows of `query` as a frame indexed by its first column (grid_code)."""
    with conn.cursor() as cur:
        cur.execute(query, params)
        columns = [d.name for d in cur.description or ()]
        rows = cur.fetchall()
    table = pd.DataFrame.from_records(rows, columns=columns)
    return table.astype({columns[0]: "string"}).set_index(columns[0])


GRIDS_CLAUSE = "(cardinality(%(grids)s::text[]) = 0 OR g.grid_code = ANY(%(grids)s::text[]))"
"""A WHERE condition on grids aliased `g`, true for the grids of Filters.grids (all when empty)."""
