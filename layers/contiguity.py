"""Which grids neighbour which: contiguity from the grid polygons, built once per version of the grids, kept in PostGIS.

Two grids are neighbours when their polygons lie within TOLERANCE_M metres of
each other: a shared edge or corner (queen contiguity), allowing for the slivers
and gaps of an edge digitised once per grid. A grid with no such neighbour (an
island: a detached block, or a gap wider than the tolerance) is joined to its
nearest grid, both ways, so that its Gi* still compares a neighbourhood and not
its own count alone; only a study area of one grid keeps an island.

Why kept, and when it is built. Contiguity depends on the grid polygons only,
and on real boundaries it is costly (214 street polygons of 152,000 vertices:
146 s with ST_DWithin on geography at every request). The rows live in
`grid_neighbours` with, in `grid_neighbours_state`, the version of the grids
table they were built from (`data_version_grids`, migration 013) and the
transactions that were writing grids then (migration 014's `grids_stamp()`).
`neighbours` returns them while that version is still the current one and each
of those writers is still in progress (their changes were invisible to the
build; once one ends, its change may be in the grids: build again). Otherwise
the first reader builds them, in its own transaction, under a transaction-level
advisory lock: a second reader waits for it, then finds them built. Built
lazily here rather than by whoever writes the grids: the loader (etl/) must not
depend on layers/ (the import contracts), a trigger would add the build to
every statement that touches grids (a load, a repair, a rename) whether or not
anyone asks for hot spots, and cannot run the fast build below; and a
statement writing grids never waits for a build, as it would behind a table
lock. A rolled-back change to the grids moves the version too: one needless
rebuild, never a stale answer.

How: the polygons are read once (WKB), projected to a transverse Mercator
centred on the grids (pyproj's +approx: within nanometres of the exact one
over a city; metres, so the tolerance is a distance on the ground, like
ST_DWithin on geography), and paired with shapely 2's STRtree
`query(predicate="dwithin")`, which tests each candidate pair on prepared,
indexed edges. Islands take their nearest grid from the same tree. On the 214
polygons above this takes 0.15 s; PostGIS on the same projection with
ST_Subdivide pieces and a GiST index took 0.8-2.2 s (bench/RESULTS.md compares
it with libpysal's fuzzy_contiguity).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import psycopg
import pyproj
import shapely

TOLERANCE_M = 1.0  # grids this close count as touching: slivers and gaps from digitising
METHOD = "dwithin on a local transverse Mercator (shapely STRtree); islands joined to the nearest grid"
_LOCK = (7313, 14)  # pg_advisory_xact_lock key of the builders (7313, 12 is the writers' of migration 012)

_STORED = """
SELECT s.grids_version, s.grid_writers, s.tolerance_m, s.method,
       coalesce(array_agg(n.grid_code) FILTER (WHERE n.grid_code IS NOT NULL), '{}'),
       coalesce(array_agg(n.neighbour) FILTER (WHERE n.grid_code IS NOT NULL), '{}')
FROM grid_neighbours_state AS s
LEFT JOIN grid_neighbours AS n ON true
GROUP BY s.only_row
"""
_SAVE_STATE = """
INSERT INTO grid_neighbours_state AS s
    (grids_version, grid_writers, tolerance_m, method, grids, pairs, islands, built_at, build_seconds)
VALUES (%(version)s, %(writers)s, %(tolerance)s, %(method)s, %(grids)s, %(pairs)s, %(islands)s, now(), %(seconds)s)
ON CONFLICT (only_row) DO UPDATE SET
    grids_version = excluded.grids_version, grid_writers = excluded.grid_writers,
    tolerance_m = excluded.tolerance_m, method = excluded.method, grids = excluded.grids, pairs = excluded.pairs,
    islands = excluded.islands, built_at = excluded.built_at, build_seconds = excluded.build_seconds
"""

Stamp = tuple[int, frozenset[str]]  # the version of grids, and the other transactions writing grids then


def neighbours(conn: psycopg.Connection) -> list[tuple[str, str]]:
    """Every pair of neighbouring grids (a, b), a < b: as stored, or built now when the grids have changed."""
    found = _stored(conn, _stamp(conn))
    if found is not None:
        return found
    with conn.transaction():  # a transaction of its own on an autocommit connection, else a savepoint
        conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", _LOCK)  # held until the caller's transaction ends
        now = _stamp(conn)  # taken again, after the wait: another builder may have stored them meanwhile
        found = _stored(conn, now)
        if found is not None:
            return found
        return build(conn, now)


def build(conn: psycopg.Connection, stamp: Stamp | None = None) -> list[tuple[str, str]]:
    """Find the neighbours of every grid in the table grids and store them; the pairs (a, b), a < b.

    In conn's transaction when it has one (committed with it), else in one of its own. `stamp` must be
    taken before the grids are read (the default takes it first); concurrent builders: see `neighbours`.
    """
    version, writers = stamp if stamp is not None else _stamp(conn)
    started = time.perf_counter()
    rows = conn.cursor(binary=True).execute("SELECT grid_code, ST_AsBinary(geom) FROM grids").fetchall()
    codes = [str(code) for code, _ in rows]
    geoms = shapely.from_wkb([bytes(wkb) for _, wkb in rows]) if rows else np.empty(0, dtype=object)
    pairs = find(codes, geoms)
    with conn.transaction():  # rows and state together, also on an autocommit connection
        conn.execute("DELETE FROM grid_neighbours")  # not TRUNCATE: readers keep the old rows until this commits
        with conn.cursor().copy("COPY grid_neighbours (grid_code, neighbour, kind) FROM STDIN") as copy:
            for row in pairs:
                copy.write_row(row)
        conn.execute(
            _SAVE_STATE,
            {
                "version": version,
                "writers": sorted(writers),
                "tolerance": TOLERANCE_M,
                "method": METHOD,
                "grids": len(codes),
                "pairs": len(pairs),
                "islands": sum(1 for *_, kind in pairs if kind == "nearest"),
                "seconds": time.perf_counter() - started,
            },
        )
    return [(a, b) for a, b, _ in pairs]


def find(codes: Sequence[str], geoms: np.ndarray, tolerance: float = TOLERANCE_M) -> list[tuple[str, str, str]]:
    """The neighbours among grids `codes` with lon/lat polygons `geoms`: (a, b, kind), a < b, sorted.

    kind is "touching" (within `tolerance` metres) or "nearest" (an island joined to its nearest grid;
    of grids at the same distance, the lowest code).
    """
    codes = list(codes)
    if len(codes) < 2:
        return []
    plane = _to_local_metres(np.asarray(geoms, dtype=object))
    tree = shapely.STRtree(plane)
    first, second = tree.query(plane, predicate="dwithin", distance=tolerance)
    other = first != second
    first, second = first[other], second[other]
    found = {_ordered(codes[i], codes[j]): "touching" for i, j in zip(first.tolist(), second.tolist(), strict=True)}
    lonely = np.setdiff1d(np.arange(len(codes)), first)
    lonely = lonely[~shapely.is_empty(plane[lonely])]
    if len(lonely):
        which, nearest = tree.query_nearest(plane[lonely], exclusive=True, all_matches=True)
        best: dict[int, str] = {}
        for i, j in zip(lonely[which].tolist(), nearest.tolist(), strict=True):
            if j != i and (i not in best or codes[j] < best[i]):
                best[i] = codes[j]
        for i, code in best.items():
            found.setdefault(_ordered(codes[i], code), "nearest")
    return sorted((a, b, kind) for (a, b), kind in found.items())


def _ordered(a: str, b: str) -> tuple[str, str]:
    # code point order, as the table's CHECK (grid_code < neighbour COLLATE "C")
    return (a, b) if a < b else (b, a)


def _to_local_metres(geoms: np.ndarray) -> np.ndarray:
    """lon/lat geometries in a transverse Mercator centred on them (metres, true to scale near the centre)."""
    west, south, east, north = shapely.total_bounds(geoms)
    if not np.isfinite([west, south, east, north]).all():
        return geoms
    local = pyproj.Transformer.from_crs(
        "EPSG:4326",
        f"+proj=tmerc +approx +lat_0={(south + north) / 2} +lon_0={(west + east) / 2} +k=1 +ellps=WGS84 +units=m",
        always_xy=True,
    )

    def project(xy: np.ndarray) -> np.ndarray:
        x, y = local.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return np.asarray(shapely.transform(geoms, project))


def _stamp(conn: psycopg.Connection) -> Stamp:
    row = conn.execute("SELECT version, writers FROM grids_stamp()").fetchone()
    return (int(row[0] or 0), frozenset(row[1] or ())) if row else (0, frozenset())


def _stored(conn: psycopg.Connection, now: Stamp) -> list[tuple[str, str]] | None:
    """The stored pairs if they were built from the grids as they are for this connection now, else None."""
    row = conn.execute(_STORED).fetchone()
    if row is None:
        return None
    version, writers, tolerance, method, first, second = row
    version_now, writers_now = now
    if version != version_now or not set(writers) <= writers_now or tolerance != TOLERANCE_M or method != METHOD:
        return None
    return list(zip(first, second, strict=True))
