-- The complaints `c` of the filters per grid: every grid of %(grids)s (all when empty), zero when none.
-- Counted per grid code first, then joined to the grids: a million work orders are grouped in one pass (in
-- parallel) instead of each being joined to its grid (0.3 s instead of 0.55 s at city scale).
SELECT g.grid_code, coalesce(n.complaints, 0) AS complaints
FROM grids AS g
LEFT JOIN (SELECT c.grid_code, count(*) AS complaints FROM c GROUP BY c.grid_code) AS n ON n.grid_code = g.grid_code
WHERE cardinality(%(grids)s::text[]) = 0 OR g.grid_code = ANY (%(grids)s::text[])
ORDER BY g.grid_code
