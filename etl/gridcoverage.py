"""Does a grid file tile its communities: gaps and holes inside each, and communities in separate pieces.

Part of the grid check (etl.gridcheck), on the grids as repaired: each connection of the check
(etl.gridsplit) merges the grids of its communities and finds their holes and pieces; the load's
connection orders what all found, so the problems come in the same order however the work was shared.
"""

from __future__ import annotations

import psycopg

from etl.gridproblems import (
    ERROR_GAP,
    ERROR_PIECES,
    REFUSED,
    WARNING_GAP,
    WARNING_HOLE,
    WARNING_PIECES,
    GridProblem,
    GridRules,
    location,
)
from etl.gridsplit import Split

# Below this area (m²) a hole is floating-point noise along a shared edge: never reported.
REPORT_M2 = 1.0

_HOLE_COLUMNS = ("community_name", "area", "x", "y", "grids", "smallest")
_PIECE_COLUMNS = ("community_name", "pieces", "area", "x", "y", "grids")


def coverage(on: Split, rules: GridRules) -> list[GridProblem]:
    """Gaps and holes inside each community, and communities in separate pieces: warnings (errors in strict mode)."""
    on.each(_find)
    on.gather("hole_found", _HOLE_COLUMNS)
    on.gather("piece_found", _PIECE_COLUMNS)
    problems: list[GridProblem] = []
    for community, area, x, y, grids, smallest in on.conn.execute(
        "SELECT community_name, area, x, y, grids, smallest FROM hole_found ORDER BY 1, 2 DESC, 3, 4"
    ):
        along = f", along {', '.join(grids)}" if grids else ""
        what = f"gap of {area:,.0f} m² between the grids of {community}{location(x, y)}{along}"
        if rules.strict:
            kind, action = ERROR_GAP, REFUSED
        elif smallest and rules.repairable(area, smallest):
            kind, action = WARNING_GAP, ("left as it is: a sliver where neighbouring boundaries do not meet; "
                                         "a point in it is quarantined as outside every grid")
        else:
            kind, action = WARNING_HOLE, "left as it is: land in no grid (a river, a park?); if a grid should cover it, correct the source"
        problems.append(GridProblem(kind, what, action, tuple(grids or ()), area, x, y, community))
    for community, pieces, area, x, y, grids in on.conn.execute(
        "SELECT community_name, pieces, area, x, y, grids FROM piece_found ORDER BY 1, 3 DESC"
    ):
        # a strip between grids that cuts the community in two is a gap no hole test finds
        with_grids = f" with grid{'s' if len(grids or ()) > 1 else ''} {', '.join(grids)}" if grids else ""
        what = (f"the grids of {community} form {pieces} separate pieces; this one ({area:,.0f} m²{with_grids}) "
                f"lies apart from the rest{location(x, y)}")
        kind, action = (ERROR_PIECES, REFUSED) if rules.strict else (
            WARNING_PIECES, "left as it is: fine for an island or an exclave; if it should join the rest, "
                            "the boundaries between leave a gap")
        problems.append(GridProblem(kind, what, action, tuple(grids or ()), area, x, y, community))
    return problems


def _find(conn: psycopg.Connection) -> None:
    """The holes and pieces of the communities this connection judges (`mine`), into hole_found and piece_found."""
    # each community's grids merged: a hole is a gap inside it, more than one piece a gap across it (or an island)
    conn.execute(
        "CREATE TEMP TABLE parts ON COMMIT DROP AS "
        "SELECT community_name, (ST_Dump(ST_Union(geom))).geom AS part FROM g "
        "WHERE grid_code IN (SELECT grid_code FROM mine WHERE judged) GROUP BY community_name"
    )
    # every ring of a part but its outline, once (ST_DumpRings reads the part once, not once per ring)
    conn.execute(
        "CREATE TEMP TABLE holes ON COMMIT DROP AS "
        "SELECT row_number() OVER () AS id, community_name, hole, area, ST_PointOnSurface(hole) AS pt FROM ("
        "  SELECT p.community_name, r.geom AS hole, ST_Area(r.geom::geography) AS area"
        "  FROM parts p CROSS JOIN LATERAL ST_DumpRings(p.part) AS r WHERE r.path[1] > 0) h "
        "WHERE area >= %s",
        [REPORT_M2],
    )
    conn.execute("CREATE INDEX ON holes USING gist (hole)")
    # the grids along each hole: each grid (outer) against the holes near it, so PostGIS prepares the grid's
    # polygon once for all its holes instead of testing thousands of vertices afresh for each hole
    conn.execute(
        """
        CREATE TEMP TABLE hole_found ON COMMIT DROP AS
        SELECT h.community_name, h.area, ST_X(h.pt) AS x, ST_Y(h.pt) AS y, nb.grids, nb.smallest
        FROM holes h
        LEFT JOIN (SELECT n.id, array_agg(g.grid_code ORDER BY g.grid_code) AS grids, min(ar.area) AS smallest
                   FROM g JOIN area ar USING (grid_code) CROSS JOIN LATERAL (SELECT n.id FROM holes n
                                              WHERE n.hole && g.geom AND n.community_name = g.community_name
                                                AND ST_Intersects(g.geom, n.hole)) n
                   GROUP BY n.id) nb USING (id)
        """
    )
    conn.execute(
        """
        CREATE TEMP TABLE piece_found ON COMMIT DROP AS
        SELECT p.community_name, p.pieces, ST_Area(p.part::geography) AS area, ST_X(pt) AS x, ST_Y(pt) AS y, nb.grids
        FROM (SELECT community_name, part, ST_PointOnSurface(part) AS pt,
                     count(*) OVER (PARTITION BY community_name) AS pieces,
                     row_number() OVER (PARTITION BY community_name ORDER BY ST_Area(part) DESC) AS rank
              FROM parts) p
        CROSS JOIN LATERAL (SELECT array_agg(g.grid_code ORDER BY g.grid_code) AS grids FROM g
                            WHERE g.community_name = p.community_name AND g.geom && p.part
                              AND ST_Relate(g.geom, p.part, '2********')) nb
        WHERE p.pieces > 1 AND p.rank > 1
        """
    )
