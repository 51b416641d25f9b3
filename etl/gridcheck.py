"""A grid file must tile its community: invalid polygons, overlaps and gaps stop the load, with their locations."""

from __future__ import annotations

import psycopg

from gridgov.errors import InputError

# Below this area (m²) an overlap or a hole is floating-point noise along a shared edge.
_TOLERANCE_M2 = 1.0

# The grids the file would leave in its communities: its own, and those already loaded that it does not replace.
_CANDIDATES = """
    CREATE TEMP TABLE g ON COMMIT DROP AS
    SELECT grid_code, community_name, mgeom AS geom FROM stage WHERE reason IS NULL AND ST_IsValid(mgeom)
    UNION ALL
    SELECT grid_code, community_name, geom FROM grids
    WHERE grid_code NOT IN (SELECT grid_code FROM stage WHERE grid_code IS NOT NULL)
      AND community_name IN (SELECT community_name FROM stage)
"""


def check(conn: psycopg.Connection, source_file: str) -> None:
    """Raise InputError listing every problem of the staged grids; nothing is loaded then."""
    problems: list[str] = []
    conn.execute("DROP TABLE IF EXISTS g, parts")
    conn.execute(_CANDIDATES)
    conn.execute("CREATE INDEX ON g USING gist (geom)")  # the overlap test joins every grid with its neighbours
    conn.execute("ANALYZE g")
    for row, code, why, x, y in conn.execute(
        "SELECT source_row, grid_code, (d).reason, ST_X((d).location), ST_Y((d).location) "
        "FROM (SELECT source_row, grid_code, ST_IsValidDetail(mgeom) AS d FROM stage "
        "      WHERE reason IS NULL AND NOT ST_IsValid(mgeom)) v ORDER BY source_row"
    ):
        where = f" around {x:.6f}, {y:.6f}" if x is not None else ""
        problems.append(f"feature {row} (grid {code}) is not a valid polygon: {why}{where}")
    for a, b, area, x, y in conn.execute(
        """
        SELECT a.grid_code, b.grid_code, ST_Area(i::geography), ST_X(ST_PointOnSurface(i)), ST_Y(ST_PointOnSurface(i))
        FROM g a JOIN g b ON a.grid_code < b.grid_code AND ST_Intersects(a.geom, b.geom)
        CROSS JOIN LATERAL ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3) AS i
        WHERE ST_Area(i::geography) > %s
        ORDER BY 1, 2
        """,
        [_TOLERANCE_M2],
    ):
        problems.append(f"grids {a} and {b} overlap by {area:.0f} m² around {x:.6f}, {y:.6f}")
    # each community's grids merged: a hole is a gap inside it, more than one piece a gap across it
    conn.execute(
        "CREATE TEMP TABLE parts ON COMMIT DROP AS "
        "SELECT community_name, (ST_Dump(ST_Union(geom))).geom AS part FROM g GROUP BY community_name"
    )
    for community, area, x, y in conn.execute(
        """
        SELECT community_name, ST_Area(hole::geography), ST_X(ST_PointOnSurface(hole)), ST_Y(ST_PointOnSurface(hole))
        FROM parts
        CROSS JOIN LATERAL generate_series(1, ST_NumInteriorRings(part)) AS n
        CROSS JOIN LATERAL ST_MakePolygon(ST_InteriorRingN(part, n)) AS hole
        WHERE ST_Area(hole::geography) > %s
        ORDER BY 1, 3, 4
        """,
        [_TOLERANCE_M2],
    ):
        problems.append(f"gap of {area:.0f} m² between the grids of {community} around {x:.6f}, {y:.6f}")
    for community, pieces, x, y in conn.execute(
        """
        SELECT community_name, count(*) OVER (PARTITION BY community_name),
               ST_X(ST_PointOnSurface(part)), ST_Y(ST_PointOnSurface(part))
        FROM parts ORDER BY 1, ST_Area(part)
        """
    ):
        # a strip between grids that cuts the community in two is a gap no hole test finds
        if pieces > 1 and not any(p.startswith(f"the grids of {community} ") for p in problems):
            problems.append(
                f"the grids of {community} form {pieces} separate pieces, with a gap between them; "
                f"the smallest piece is around {x:.6f}, {y:.6f}"
            )
    conn.execute("DROP TABLE g, parts")
    if problems:
        listing = "\n  ".join(problems)
        raise InputError(f"{source_file}: the grids do not tile their community; nothing was loaded:\n  {listing}")
