-- Complaint density inside grids: the complaints `c` of the filters counted on a grid of flat-topped
-- hexagons with edge %(size)s metres in the metric projection %(srid)s, laid out as ST_HexagonGrid
-- lays them (origin 0,0: cell (i, j) is centred at x = 1.5 size i, y = sqrt(3) size (j + 1/2 if i is odd)).
-- A point's cell is the one with the nearest centre, found by arithmetic rather than by
-- intersecting points with generated hexagons, so a million points cost one pass. Only cells with
-- complaints are returned, each clipped to the grid its complaints were placed in and tagged with it
-- (a cell on a grid boundary is two features, one per grid). GeoJSON in WGS-84, 7 decimals.
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', coalesce(
        json_agg(
            json_build_object(
                'type', 'Feature',
                'id', n.grid_code || ':' || n.i || ':' || n.j,
                'geometry', ST_AsGeoJSON(ST_ForcePolygonCCW(ST_CollectionExtract(ST_Intersection(
                    ST_Transform(ST_Hexagon(%(size)s::float8, n.i, n.j, ST_SetSRID(ST_MakePoint(0, 0), %(srid)s::int)), 4326),
                    g.geom), 3)), 7)::json,
                'properties', json_build_object(
                    'grid_code', n.grid_code, 'i', n.i, 'j', n.j, 'complaints', n.complaints
                )
            )
            ORDER BY n.grid_code, n.i, n.j
        ),
        '[]'::json
    )
)
FROM (
    SELECT c.grid_code, cell.i, cell.j, count(*) AS complaints
    FROM c
    -- the point in metres
    CROSS JOIN LATERAL (
        SELECT ST_X(q.geom) AS x, ST_Y(q.geom) AS y FROM (SELECT ST_Transform(c.geom, %(srid)s::int) AS geom) AS q
    ) AS p
    -- the two columns of cells it can fall in (i0, i0 + 1), and their vertical offsets
    CROSS JOIN LATERAL (
        SELECT f.i0, f.h,
               CASE WHEN mod(f.i0, 2) <> 0 THEN f.h / 2 ELSE 0 END AS o0,
               CASE WHEN mod(f.i0, 2) <> 0 THEN 0 ELSE f.h / 2 END AS o1
        FROM (SELECT floor(p.x / (1.5 * %(size)s::float8))::int AS i0, sqrt(3.0) * %(size)s::float8 AS h) AS f
    ) AS k
    -- in each column, the row whose centre is nearest
    CROSS JOIN LATERAL (
        SELECT round((p.y - k.o0) / k.h)::int AS j0, round((p.y - k.o1) / k.h)::int AS j1
    ) AS r
    -- of the two candidates, the nearer centre: the hexagon that holds the point
    CROSS JOIN LATERAL (
        SELECT (p.x - 1.5 * %(size)s::float8 * k.i0) ^ 2 + (p.y - k.h * r.j0 - k.o0) ^ 2
               <= (p.x - 1.5 * %(size)s::float8 * (k.i0 + 1)) ^ 2 + (p.y - k.h * r.j1 - k.o1) ^ 2 AS first
    ) AS d
    CROSS JOIN LATERAL (
        SELECT CASE WHEN d.first THEN k.i0 ELSE k.i0 + 1 END AS i, CASE WHEN d.first THEN r.j0 ELSE r.j1 END AS j
    ) AS cell
    GROUP BY c.grid_code, cell.i, cell.j
) AS n
JOIN grids AS g ON g.grid_code = n.grid_code
