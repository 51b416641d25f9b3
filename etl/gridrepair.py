"""The repairs a grid file gets by default: rings made valid, small overlaps given to the lower grid code.

Both work in PostGIS on the staging table (and on `g`, the grids the file is judged with:
etl.gridcheck); the check decides beforehand what is safe to repair.
"""

from __future__ import annotations

import psycopg

from etl.gridsplit import Split

# Overlaps smaller than this (m²) are floating-point noise along an edge both grids digitised alike:
# cut like the others, so no overlap at all is left, but never reported.
NOISE_M2 = 0.01

# How far beyond a losing grid's bounding box (degrees, ~10 cm) the lower grids are clipped before the cut.
_BOX_MARGIN_DEG = 1e-6

_CUT_COLUMNS = ("grid_code", "staged", "geom")

_POLYGONS = "ST_Multi(ST_CollectionExtract(ST_MakeValid({}), 3))"


def make_valid(conn: psycopg.Connection) -> dict[int, tuple[float, int]]:
    """Make every invalid staged ring valid, keeping its polygons; {feature: (area m², pieces)}, area 0 when
    nothing is left."""
    rows = conn.execute(
        f"""
        UPDATE stage SET mgeom = {_POLYGONS.format("mgeom")}
        WHERE reason IS NULL AND NOT ST_IsValid(mgeom)
        RETURNING source_row, coalesce(ST_Area(mgeom::geography), 0), ST_NumGeometries(mgeom)
        """
    ).fetchall()
    return {int(r): (float(a), int(n)) for r, a, n in rows}


def cut_overlaps(on: Split) -> None:
    """Take from each grid what it shares with lower grid codes, in `g` and where it came from.

    A grid loses to every lower code it overlaps (by more than noise): the same rule that places a
    point on a shared edge in the lowest grid code, so points are placed as they were before the cut.
    Subtracting the whole lower grids (not only the overlap found) leaves no sliver of an overlap
    behind. The check has found every overlap to be small before this runs.

    Each connection of the check cuts its grids (`mine`, whose overlaps it found) in its `g`; the load's
    connection then writes every cut grid where it came from.
    """
    on.each(_cut)
    on.gather("cut", _CUT_COLUMNS)
    conn = on.conn
    if conn.execute("SELECT EXISTS (SELECT 1 FROM cut)").fetchone() == (True,):
        conn.execute("UPDATE stage s SET mgeom = c.geom FROM cut c "
                     "WHERE c.staged AND s.reason IS NULL AND s.grid_code = c.grid_code")
        # a grid loaded earlier (from another file) that loses to a lower code of this file is cut too
        conn.execute("UPDATE grids SET geom = c.geom FROM cut c WHERE NOT c.staged AND grids.grid_code = c.grid_code")
    conn.execute("DROP TABLE cut")


def _cut(conn: psycopg.Connection) -> None:
    """Cut this connection's losing grids into `cut`, and in its `g`.

    Only what lies within the losing grid's box (widened by ~10 cm, so the clip's own edges stay clear of
    it) can be taken from it: the lower grids are clipped to that box before they are merged, which
    leaves the same difference from a fraction of their vertices.
    """
    conn.execute("CREATE TEMP TABLE cut (grid_code text, staged bool, geom geometry) ON COMMIT DROP")
    if conn.execute("SELECT EXISTS (SELECT 1 FROM overlap WHERE area > %s)", [NOISE_M2]).fetchone() == (False,):
        return  # nothing to cut: no grid to rewrite
    conn.execute(
        f"""
        INSERT INTO cut (grid_code, staged, geom)
        SELECT l.grid_code, l.staged, {_POLYGONS.format("ST_Difference(l.geom, w.geom)")}
        FROM (SELECT o.b, ST_Union(ST_Intersection(g.geom, ST_Expand(ST_Envelope(l.geom), %s))) AS geom
              FROM (SELECT DISTINCT a, b FROM overlap WHERE area > %s) o
              JOIN g ON g.grid_code = o.a JOIN g l ON l.grid_code = o.b
              GROUP BY o.b) w
        JOIN g l ON l.grid_code = w.b
        """,
        [_BOX_MARGIN_DEG, NOISE_M2],
    )
    conn.execute("UPDATE g SET geom = c.geom FROM cut c WHERE g.grid_code = c.grid_code")
