-- 004: the point tables of facts have no spatial index.
-- Every fact row is placed in its grid when it is loaded and carries grid_code,
-- which is indexed; every query the layers ask (per grid, or the points of one
-- grid) filters on it, and density within a grid touches a few hundred points.
-- A GiST index on a million points cost about 5 s per million rows loaded
-- (bench/RESULTS.md) and answered nothing those queries need. Grids and the
-- building gazetteer keep theirs: placement and geocoding search them.
DROP INDEX IF EXISTS households_geom_gist;
DROP INDEX IF EXISTS facilities_geom_gist;
DROP INDEX IF EXISTS complaints_geom_gist;
DROP INDEX IF EXISTS hazards_geom_gist;
