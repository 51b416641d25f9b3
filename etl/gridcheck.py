"""Judge a grid file: what refuses it, what is repaired, what is only reported; each problem with its place.

By default a ring that crosses itself is made valid and an overlap within the tolerance is given
to the lower grid code (etl.gridrepair); gaps, holes and communities in separate pieces are
warnings. A grid code used twice, a feature without a polygon and an overlap beyond the tolerance
refuse the file. With `strict`, every problem refuses it.
"""

from __future__ import annotations

import psycopg

from etl import gridrepair
from etl.gridproblems import (
    ERROR_DUPLICATE,
    ERROR_EMPTY,
    ERROR_GAP,
    ERROR_INVALID,
    ERROR_OVERLAP,
    ERROR_PIECES,
    REFUSED,
    REPAIRED_INVALID,
    REPAIRED_OVERLAP,
    WARNING_GAP,
    WARNING_HOLE,
    WARNING_PIECES,
    GridProblem,
    GridRules,
    GridsRefused,
    location,
)

# Below this area (m²) an overlap or a hole is floating-point noise along a shared edge: never reported.
_REPORT_M2 = 1.0
# At most this many problems of one kind are listed in a refusal's message (the report file has them all).
_LISTED = 10

# The grids the file is judged with: its own, and those already loaded that it does not replace,
# of its communities (for gaps) or touching its grids (for overlaps). Stored uncompressed: the joins
# below read each polygon many times, and pglz would decompress its hundreds of vertices at every
# read, for little gain on coordinates.
_CANDIDATES = (
    "CREATE TEMP TABLE g (grid_code text, community_name text, geom geometry, staged bool, area float8) ON COMMIT DROP",
    "ALTER TABLE g ALTER geom SET STORAGE EXTERNAL",
    """
    INSERT INTO g (grid_code, community_name, geom, staged, area)
    SELECT grid_code, community_name, geom, staged, ST_Area(geom::geography) FROM (
        SELECT grid_code, community_name, mgeom AS geom, true AS staged FROM stage WHERE reason IS NULL AND ST_IsValid(mgeom)
        UNION ALL
        SELECT l.grid_code, l.community_name, l.geom, false FROM grids l
        WHERE l.grid_code NOT IN (SELECT grid_code FROM stage WHERE grid_code IS NOT NULL)
          AND (l.community_name IN (SELECT community_name FROM stage)
               OR (l.geom && (SELECT ST_SetSRID(ST_Extent(mgeom)::geometry, 4326) FROM stage WHERE reason IS NULL)
                   AND EXISTS (SELECT 1 FROM stage s WHERE s.reason IS NULL AND s.mgeom && l.geom)))) c
    """,
    "CREATE INDEX ON g USING gist (geom)",  # the overlap test joins every grid with its neighbours
    "ALTER TABLE g ADD PRIMARY KEY (grid_code)",
    "ANALYZE g",
)


def check(conn: psycopg.Connection, source_file: str, rules: GridRules | None = None) -> list[GridProblem]:
    """Repair and judge the staged grids; the problems found, or GridsRefused (nothing is loaded then)."""
    rules = rules or GridRules()
    # PostGIS functions are costed high enough that the planner JIT-compiles these queries of a few thousand
    # rows, which takes longer (half a second a query) than running them
    conn.execute("SET LOCAL jit = off")
    problems = _unusable(conn)  # a code used twice, a feature without a polygon: refused in any mode
    problems += _invalid(conn, rules)  # made valid by default: before anything is measured
    conn.execute("DROP TABLE IF EXISTS g, overlap, parts, holes")
    for statement in _CANDIDATES:
        conn.execute(statement)
    problems += _overlaps(conn, rules)
    if not rules.strict and not any(p.severity == "error" for p in problems):
        gridrepair.cut_overlaps(conn)  # before the gaps are looked for: a cut must not leave one
    problems += _coverage(conn, rules)
    conn.execute("DROP TABLE g, overlap, parts, holes")
    for p in problems:
        p.source_file = source_file
    if any(p.severity == "error" for p in problems):
        raise _refusal(source_file, problems, rules)
    return problems


def _unusable(conn: psycopg.Connection) -> list[GridProblem]:
    """Grid codes used by more than one feature, and features without a polygon."""
    problems: list[GridProblem] = []
    for code, rows, community, x, y in conn.execute(
        """
        WITH dup AS (SELECT grid_code FROM stage WHERE grid_code IS NOT NULL GROUP BY 1 HAVING count(*) > 1),
        found AS (
            SELECT s.grid_code, array_agg(s.source_row ORDER BY s.source_row) AS rows, min(s.community_name) AS community,
                   (array_agg(ST_PointOnSurface(ST_MakeValid(ST_GeomFromWKB(s.wkb, 4326)))
                              ORDER BY s.wkb IS NULL, s.source_row))[1] AS pt
            FROM stage s JOIN dup USING (grid_code) GROUP BY s.grid_code)
        SELECT grid_code, rows, community, ST_X(pt), ST_Y(pt) FROM found ORDER BY 1
        """
    ):
        features = ", ".join(map(str, rows))
        problems.append(GridProblem(
            ERROR_DUPLICATE,
            f"grid code {code} is used by {len(rows)} features ({features}){location(x, y)}: "
            "each grid needs its own code; correct the codes in the source",
            REFUSED, (code,), None, x, y, community))
    for row, code, community in conn.execute(
        "SELECT source_row, grid_code, community_name FROM stage "
        "WHERE wkb IS NULL OR ST_IsEmpty(ST_CollectionExtract(ST_GeomFromWKB(wkb, 4326), 3)) ORDER BY 1"
    ):
        problems.append(GridProblem(
            ERROR_EMPTY,
            f"feature {row} (grid {code or 'without a code'}) has no polygon: draw its boundary, or delete the feature",
            REFUSED, (code,) if code else (), None, None, None, community))
    return problems


def _invalid(conn: psycopg.Connection, rules: GridRules) -> list[GridProblem]:
    """Rings that cross themselves (or are otherwise not valid): made valid, or errors in strict mode."""
    found = conn.execute(
        "SELECT source_row, grid_code, community_name, (d).reason, ST_X((d).location), ST_Y((d).location) "
        "FROM (SELECT source_row, grid_code, community_name, ST_IsValidDetail(mgeom) AS d FROM stage "
        "      WHERE reason IS NULL AND NOT ST_IsValid(mgeom)) v ORDER BY source_row"
    ).fetchall()
    if not found:
        return []
    fixed = {} if rules.strict else gridrepair.make_valid(conn)
    problems: list[GridProblem] = []
    for row, code, community, why, x, y in found:
        what = f"feature {row} (grid {code}) is not a valid polygon: {why}{location(x, y)}"
        area, pieces = fixed.get(row, (None, 0))
        if rules.strict:
            problems.append(GridProblem(ERROR_INVALID, what, REFUSED, (code,), None, x, y, community))
        elif not area:
            conn.execute("UPDATE stage SET reason = 'grid has no polygon once made valid' WHERE source_row = %s", [row])
            problems.append(GridProblem(ERROR_EMPTY, f"{what}, and nothing of it is left once made valid: redraw it",
                                        REFUSED, (code,), 0.0, x, y, community))
        else:
            problems.append(GridProblem(
                REPAIRED_INVALID, what,
                f"made valid: {pieces} piece{'s' if pieces > 1 else ''}, {area:,.0f} m²; check its shape in the source",
                (code,), area, x, y, community))
    return problems


def _overlaps(conn: psycopg.Connection, rules: GridRules) -> list[GridProblem]:
    """Every piece two grids both cover: repairable within the tolerance, an error beyond it (or in strict mode)."""
    conn.execute(
        """
        CREATE TEMP TABLE overlap ON COMMIT DROP AS
        SELECT a.grid_code AS a, b.grid_code AS b, b.staged AS b_staged, a.community_name AS community,
               least(a.area, b.area) AS smaller, d.geom AS piece, ST_Area(d.geom::geography) AS area
        FROM g a JOIN g b ON a.grid_code < b.grid_code AND (a.staged OR b.staged) AND ST_Intersects(a.geom, b.geom)
        CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3)) AS d
        """
    )
    problems: list[GridProblem] = []
    for a, b, b_staged, community, area, smaller, x, y in conn.execute(
        "SELECT a, b, b_staged, community, area, smaller, ST_X(pt), ST_Y(pt) "
        "FROM (SELECT *, ST_PointOnSurface(piece) AS pt FROM overlap WHERE area >= %s) o ORDER BY a, b, area DESC",
        [_REPORT_M2],
    ):
        what = f"grids {a} and {b} overlap by {area:,.0f} m²{location(x, y)}"
        if rules.strict:
            problems.append(GridProblem(ERROR_OVERLAP, what, REFUSED, (a, b), area, x, y, community))
        elif rules.repairable(area, smaller):
            earlier = "" if b_staged else " (loaded earlier, from another file)"
            problems.append(GridProblem(
                REPAIRED_OVERLAP, what,
                f"given to {a}, the lower grid code (as a point on a shared edge is), and cut from {b}{earlier}",
                (a, b), area, x, y, community))
        else:
            problems.append(GridProblem(
                ERROR_OVERLAP,
                f"{what}: {area / smaller:.1%} of the smaller grid, beyond the {rules.tolerance()} that are given to "
                "one of them without asking; correct the boundaries in the source",
                REFUSED, (a, b), area, x, y, community))
    return problems


def _coverage(conn: psycopg.Connection, rules: GridRules) -> list[GridProblem]:
    """Gaps and holes inside each community, and communities in separate pieces: warnings (errors in strict mode)."""
    # each community's grids merged: a hole is a gap inside it, more than one piece a gap across it (or an island)
    conn.execute(
        "CREATE TEMP TABLE parts ON COMMIT DROP AS "
        "SELECT community_name, (ST_Dump(ST_Union(geom))).geom AS part FROM g "
        "WHERE community_name IN (SELECT community_name FROM stage WHERE reason IS NULL) GROUP BY community_name"
    )
    # every ring of a part but its outline, once (ST_DumpRings reads the part once, not once per ring)
    conn.execute(
        "CREATE TEMP TABLE holes ON COMMIT DROP AS "
        "SELECT row_number() OVER () AS id, community_name, hole, area, ST_PointOnSurface(hole) AS pt FROM ("
        "  SELECT p.community_name, r.geom AS hole, ST_Area(r.geom::geography) AS area"
        "  FROM parts p CROSS JOIN LATERAL ST_DumpRings(p.part) AS r WHERE r.path[1] > 0) h "
        "WHERE area >= %s",
        [_REPORT_M2],
    )
    conn.execute("CREATE INDEX ON holes USING gist (hole)")
    problems: list[GridProblem] = []
    # the grids along each hole: each grid (outer) against the holes near it, so PostGIS prepares the grid's
    # polygon once for all its holes instead of testing thousands of vertices afresh for each hole
    for community, area, x, y, grids, smallest in conn.execute(
        """
        SELECT h.community_name, h.area, ST_X(h.pt), ST_Y(h.pt), nb.grids, nb.smallest
        FROM holes h
        LEFT JOIN (SELECT n.id, array_agg(g.grid_code ORDER BY g.grid_code) AS grids, min(g.area) AS smallest
                   FROM g CROSS JOIN LATERAL (SELECT n.id FROM holes n
                                              WHERE n.hole && g.geom AND n.community_name = g.community_name
                                                AND ST_Intersects(g.geom, n.hole)) n
                   GROUP BY n.id) nb USING (id)
        ORDER BY 1, 2 DESC, 3, 4
        """
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
    for community, pieces, area, x, y, grids in conn.execute(
        """
        SELECT p.community_name, p.pieces, ST_Area(p.part::geography), ST_X(pt), ST_Y(pt), nb.grids
        FROM (SELECT community_name, part, ST_PointOnSurface(part) AS pt,
                     count(*) OVER (PARTITION BY community_name) AS pieces,
                     row_number() OVER (PARTITION BY community_name ORDER BY ST_Area(part) DESC) AS rank
              FROM parts) p
        CROSS JOIN LATERAL (SELECT array_agg(g.grid_code ORDER BY g.grid_code) AS grids FROM g
                            WHERE g.community_name = p.community_name AND g.geom && p.part
                              AND ST_Relate(g.geom, p.part, '2********')) nb
        WHERE p.pieces > 1 AND p.rank > 1
        ORDER BY 1, 3 DESC
        """
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


def _refusal(source_file: str, problems: list[GridProblem], rules: GridRules) -> GridsRefused:
    """The error that stops the load: every error listed (up to _LISTED of a kind); the rest go to the report."""
    errors = [p for p in problems if p.severity == "error"]
    others = [p for p in problems if p.severity != "error"]
    for p in others:
        p.action = f"{REFUSED} (would have been {p.action})"
    lines: list[str] = []
    for kind in dict.fromkeys(p.kind for p in errors):
        same = [p for p in errors if p.kind == kind]
        lines += [p.message for p in same[:_LISTED]]
        if len(same) > _LISTED:
            lines.append(f"… and {len(same) - _LISTED} more like these ({kind})")
    if rules.strict:
        head = f"{source_file}: the grids do not tile their community; nothing was loaded (--strict refuses any problem)"
    else:
        head = f"{source_file}: some grid problems cannot be repaired safely; nothing was loaded"
    if rules.strict:
        tail = ("\n  without --strict, rings are made valid and overlaps within the tolerance given to the lower grid "
                "code; gaps, holes and communities in pieces are only warnings")
    else:
        tail = (f"\n  besides, {len(others)} problems that would have been repaired or only warned about"
                if others else "")
    listing = "\n  ".join(lines)
    return GridsRefused(f"{head}:\n  {listing}{tail}\n  (gridgov load --report FILE writes each with its location,"
                        " to open in QGIS)", problems)
