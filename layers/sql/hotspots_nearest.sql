-- For each grid of %(islands)s (grids with no contiguous neighbour), the nearest other grid of
-- %(codes)s, by the distance between the polygons (KNN on the GiST index).
SELECT a.grid_code, n.grid_code
FROM grids AS a
CROSS JOIN LATERAL (
    SELECT b.grid_code
    FROM grids AS b
    WHERE b.grid_code <> a.grid_code AND b.grid_code = ANY (%(codes)s::text[])
    ORDER BY a.geom <-> b.geom, b.grid_code
    LIMIT 1
) AS n
WHERE a.grid_code = ANY (%(islands)s::text[])
