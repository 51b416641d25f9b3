"""The street key every fact row carries (street_code, migration 033), as the load writes and moves it.

The key is what a distributed PostgreSQL would shard the facts by (docs/SCALING.md): the grid's street
code, else its street name, else ''. The rule is SQL's (street_key_of): the load reads it from there, never
restates it. Rows placed in Python get it from `street_keys`, read once per load; rows placed in SQL take it
from a join to grids in the upsert (etl.upsert). When a grid file moves grids to another street, `GridStreets`
moves those grids' rows, in every table that carries the key, in the load's transaction.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

COLUMN = "street_code"  # the key's column in every fact table (in grids: the file's own street code)

# the tables that carry the key: every base table with a grid and the key, but grids (a reference table)
_KEYED = """
SELECT k.table_name FROM information_schema.columns AS k
JOIN information_schema.columns AS g ON g.table_schema = k.table_schema AND g.table_name = k.table_name
JOIN information_schema.tables AS t ON t.table_schema = k.table_schema AND t.table_name = k.table_name
WHERE k.table_schema = current_schema() AND k.column_name = 'street_code' AND g.column_name = 'grid_code'
  AND t.table_type = 'BASE TABLE' AND k.table_name <> 'grids'
ORDER BY k.table_name
"""


def street_keys(conn: psycopg.Connection) -> dict[str, str]:
    """Every grid's street key, by grid code."""
    return {r[0]: r[1] for r in conn.execute(
        "SELECT grid_code, street_key_of(street_code, street_name) FROM grids")}


def keyed_tables(conn: psycopg.Connection) -> list[str]:
    """The tables whose rows carry their grid's street key."""
    return [r[0] for r in conn.execute(_KEYED)]


class GridStreets:
    """The grids' street keys before a grid file is written, to move the rows of the grids it moves."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        conn.execute("DROP TABLE IF EXISTS grid_streets_before")
        conn.execute(
            "CREATE TEMP TABLE grid_streets_before ON COMMIT DROP AS"
            " SELECT grid_code, street_key_of(street_code, street_name) AS street_key FROM grids"
        )

    def follow(self) -> int:
        """Give the rows of every grid whose street key changed the new key; returns how many grids moved.

        A case's own rows (events, photos, …) follow their case (migration 033's trigger on cases)."""
        conn = self.conn
        conn.execute(
            "CREATE TEMP TABLE grid_streets_moved ON COMMIT DROP AS"
            " SELECT g.grid_code, street_key_of(g.street_code, g.street_name) AS street_key"
            " FROM grids AS g JOIN grid_streets_before AS b USING (grid_code)"
            " WHERE b.street_key <> street_key_of(g.street_code, g.street_name)"
        )
        row = conn.execute("SELECT count(*) FROM grid_streets_moved").fetchone()
        moved = int(row[0]) if row else 0
        if moved:
            conn.execute("ANALYZE grid_streets_moved")
            for table in keyed_tables(conn):
                conn.execute(sql.SQL(
                    "UPDATE {} AS t SET street_code = m.street_key FROM grid_streets_moved AS m"
                    " WHERE t.grid_code = m.grid_code AND t.street_code <> m.street_key"
                ).format(sql.Identifier(table)))
        conn.execute("DROP TABLE grid_streets_moved")
        conn.execute("DROP TABLE grid_streets_before")
        return moved
