"""The grid check of a big file on two connections at once: each takes its share of the communities.

The check (etl.gridcheck) is PostGIS work in one backend (overlaps, cuts, unions, holes), and a
load's parse workers are idle during it, so the second core would be too. A second connection
gets a copy of the grids the file is judged with (`g`, built once on the load's connection, so both
see the same grids) and does the work of its communities; what it finds and cuts is copied back to
the load's connection, which orders the problems and writes the cut grids, as with one connection.

A community's work stays on one connection: its union (gaps, holes, pieces) needs all its grids, cut.
A grid's cut, and the overlaps it is cut for (with its lower codes, of any community), are done where
its community's are. Every statement reads `mine`, the grids its connection does the work of
(`judged`: of a community the file holds, so its coverage is checked); with one connection, all of `g`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

import psycopg
from psycopg import sql

T = TypeVar("T")

# From this many grids to judge, the check takes a second connection (copying `g` to it costs ~0.3 s a
# 3,000-grid city; the check of ~300 grids takes less than that).
SPLIT_FROM_GRIDS = 500

# What each connection's session needs, as the load's has it (etl.load._session_memory, etl.gridcheck).
_SESSION = ("SET temp_buffers = '512MB'", "SET work_mem = '128MB'", "SET jit = off")


class Split:
    """The load's connection and, for a big file, a second one: the check's work is run on each at once."""

    def __init__(self, conn: psycopg.Connection, other: psycopg.Connection | None) -> None:
        self.conn = conn
        self.other = other

    @property
    def connections(self) -> list[psycopg.Connection]:
        return [self.conn] if self.other is None else [self.conn, self.other]

    def each(self, work: Callable[[psycopg.Connection], T]) -> list[T]:
        """`work` on every connection at once (the second in a thread; psycopg waits for the server without
        the interpreter lock); the results in connection order."""
        if self.other is None:
            return [work(self.conn)]
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="gridgov-check") as pool:
            theirs = pool.submit(work, self.other)
            try:
                mine = work(self.conn)
            finally:
                theirs.exception()  # the second connection is idle again before anything else is sent to it
            return [mine, theirs.result()]

    def gather(self, table: str, columns: Sequence[str]) -> None:
        """Append the second connection's rows of a temporary table to the load connection's table."""
        if self.other is not None:
            copy_rows(self.other, self.conn, table, columns)


@contextmanager
def split(conn: psycopg.Connection, g_ddl: Sequence[str], g_columns: Sequence[str]) -> Iterator[Split]:
    """The connections the check of `g` runs on, each with its `mine`; `g` must exist on `conn`, with its
    index. A second connection is opened (and its work rolled back and closed after) for a big file."""
    row = conn.execute("SELECT count(*) FILTER (WHERE judged) FROM g").fetchone()
    if row is None or row[0] < SPLIT_FROM_GRIDS:
        conn.execute("CREATE TEMP TABLE mine ON COMMIT DROP AS SELECT grid_code, judged FROM g")
        conn.execute("ALTER TABLE mine ADD PRIMARY KEY (grid_code)")
        yield Split(conn, None)
        conn.execute("DROP TABLE mine")
        return
    ours, theirs = _shares(conn)
    with psycopg.connect(conn.info.dsn, password=conn.info.password) as other:
        for statement in (*_SESSION, *g_ddl):
            other.execute(statement)
        copy_rows(conn, other, "g", g_columns)
        other.execute("CREATE INDEX ON g USING gist (geom)")
        other.execute("ALTER TABLE g ADD PRIMARY KEY (grid_code)")
        other.execute("ANALYZE g")
        for c, share in ((conn, ours), (other, theirs)):
            c.execute("CREATE TEMP TABLE mine ON COMMIT DROP AS SELECT grid_code, judged FROM g "
                      "WHERE coalesce(community_name, '') = ANY(%s)", [share])
            c.execute("ALTER TABLE mine ADD PRIMARY KEY (grid_code)")
        yield Split(conn, other)
        other.rollback()  # its tables were copies: nothing to keep
    conn.execute("DROP TABLE mine")


def _shares(conn: psycopg.Connection) -> tuple[list[str], list[str]]:
    """The communities of `g` in two shares of about the same number of vertices (the work grows with
    them), largest first to the lighter share. Even shares: each step waits for both connections."""
    weights = conn.execute(
        "SELECT coalesce(community_name, ''), sum(ST_NPoints(geom)) FROM g GROUP BY 1 ORDER BY 2 DESC, 1"
    ).fetchall()
    shares: tuple[list[str], list[str]] = ([], [])
    total = [0.0, 0.0]
    for community, vertices in weights:
        side = 0 if total[0] <= total[1] else 1
        shares[side].append(community)
        total[side] += float(vertices)
    return shares


def copy_rows(src: psycopg.Connection, dst: psycopg.Connection, table: str, columns: Sequence[str]) -> None:
    """The rows of a table on one connection appended to the same table on the other (binary COPY, passed
    through as it comes: the same types on both sides, in the order the rows are stored)."""
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    out = sql.SQL("COPY (SELECT {} FROM {}) TO STDOUT (FORMAT binary)").format(cols, sql.Identifier(table))
    into = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT binary)").format(sql.Identifier(table), cols)
    with src.cursor().copy(out) as reading, dst.cursor().copy(into) as writing:
        for block in reading:
            writing.write(block)
