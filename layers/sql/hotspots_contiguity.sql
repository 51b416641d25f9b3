-- Queen contiguity between the grids %(codes)s: pairs that share an edge or a corner, with a
-- tolerance of %(tolerance)s metres for digitising slivers and gaps. The bounding-box test
-- (%(pad)s degrees, a little more than the tolerance) lets the GiST index on grids.geom work.
SELECT a.grid_code, b.grid_code
FROM grids AS a
JOIN grids AS b
  ON a.grid_code < b.grid_code
 AND b.geom && ST_Expand(a.geom, %(pad)s)
 AND ST_DWithin(a.geom::geography, b.geom::geography, %(tolerance)s)
WHERE a.grid_code = ANY (%(codes)s::text[])
  AND b.grid_code = ANY (%(codes)s::text[])
