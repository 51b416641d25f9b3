"""Judge a grid file: what refuses it, what is repaired, what is only reported; each problem with its place.

By default a ring that crosses itself is made valid and an overlap within the tolerance is given
to the lower grid code (etl.gridrepair); gaps, holes and communities in separate pieces are
warnings. A grid code used twice, a feature without a polygon and an overlap beyond the tolerance
refuse the file. With `strict`, every problem refuses it.
"""

from __future__ import annotations

import psycopg

from etl import gridrepair, gridsplit
from etl.gridcoverage import REPORT_M2, coverage
from etl.gridproblems import (
    ERROR_DUPLICATE,
    ERROR_EMPTY,
    ERROR_INVALID,
    ERROR_OVERLAP,
    REFUSED,
    REPAIRED_INVALID,
    REPAIRED_OVERLAP,
    GridProblem,
    GridRules,
    GridsRefused,
    location,
)

# The check's temporary tables (on the load's connection; a second connection's go with its transaction).
_WORK_TABLES = "g, overlap, area, overlap_found, parts, holes, hole_found, piece_found"
_OVERLAP_COLUMNS = ("a", "b", "b_staged", "community", "area", "smaller", "x", "y")
# At most this many problems of one kind are listed in a refusal's message (the report file has them all).
_LISTED = 10

# The grids the file is judged with: its own, and those already loaded that it does not replace,
# of its communities (for gaps) or touching its grids (for overlaps). Stored uncompressed: the joins
# below read each polygon many times, and pglz would decompress its hundreds of vertices at every
# read, for little gain on coordinates. `judged`: of a community the file holds, whose coverage is checked.
_G_TABLE = (
    "CREATE TEMP TABLE g (grid_code text, community_name text, geom geometry, staged bool, judged bool) ON COMMIT DROP",
    "ALTER TABLE g ALTER geom SET STORAGE EXTERNAL",
)
_G_COLUMNS = ("grid_code", "community_name", "geom", "staged", "judged")
_CANDIDATES = (
    *_G_TABLE,
    """
    INSERT INTO g (grid_code, community_name, geom, staged, judged)
    SELECT grid_code, community_name, geom, staged, community_name IN (SELECT community_name FROM stage WHERE reason IS NULL) FROM (
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
    conn.execute(f"DROP TABLE IF EXISTS {_WORK_TABLES}")
    for statement in _CANDIDATES:
        conn.execute(statement)
    # a big file's overlaps, cuts and unions are shared with a second connection, a community's all on one
    with gridsplit.split(conn, _G_TABLE, _G_COLUMNS) as on:
        problems += _overlaps(on, rules)
        if not rules.strict and not any(p.severity == "error" for p in problems):
            gridrepair.cut_overlaps(on)  # before the gaps are looked for: a cut must not leave one
        problems += coverage(on, rules)
    conn.execute(f"DROP TABLE {_WORK_TABLES}")
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


def _overlaps(on: gridsplit.Split, rules: GridRules) -> list[GridProblem]:
    """Every piece two grids both cover: repairable within the tolerance, an error beyond it (or in strict mode)."""
    on.each(_find_overlaps)
    on.gather("overlap_found", _OVERLAP_COLUMNS)
    problems: list[GridProblem] = []
    for a, b, b_staged, community, area, smaller, x, y in on.conn.execute(
        "SELECT a, b, b_staged, community, area, smaller, x, y FROM overlap_found ORDER BY a, b, area DESC"
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


def _find_overlaps(conn: psycopg.Connection) -> None:
    """The pieces this connection's grids (`mine`) share with lower codes, into overlap (for the cut) and,
    those worth reporting with a point in each, overlap_found."""
    conn.execute(
        """
        CREATE TEMP TABLE overlap ON COMMIT DROP AS
        SELECT a.grid_code AS a, b.grid_code AS b, b.staged AS b_staged, a.community_name AS community,
               d.geom AS piece, ST_Area(d.geom::geography) AS area
        FROM g b JOIN mine USING (grid_code)
        JOIN g a ON a.grid_code < b.grid_code AND (a.staged OR b.staged) AND ST_Intersects(a.geom, b.geom)
        CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3)) AS d
        """
    )
    # each grid's area on the spheroid (as drawn, before any cut), of those this connection judges and of the
    # lower codes they overlap: each connection measures about half of the grids
    conn.execute("CREATE TEMP TABLE area ON COMMIT DROP AS SELECT grid_code, ST_Area(geom::geography) AS area FROM g "
                 "WHERE grid_code IN (SELECT grid_code FROM mine UNION SELECT a FROM overlap)")
    conn.execute("ALTER TABLE area ADD PRIMARY KEY (grid_code)")
    conn.execute(
        "CREATE TEMP TABLE overlap_found ON COMMIT DROP AS "
        "SELECT o.a, o.b, o.b_staged, o.community, o.area, least(x.area, y.area) AS smaller, "
        "       ST_X(o.pt) AS x, ST_Y(o.pt) AS y "
        "FROM (SELECT *, ST_PointOnSurface(piece) AS pt FROM overlap WHERE area >= %s) o "
        "JOIN area x ON x.grid_code = o.a JOIN area y ON y.grid_code = o.b",
        [REPORT_M2],
    )


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
