-- The complaints `c` of the filters per grid: every grid of %(grids)s (all when empty), zero when none.
SELECT g.grid_code, count(c.ticket_id) AS complaints
FROM grids AS g
LEFT JOIN c ON c.grid_code = g.grid_code
WHERE cardinality(%(grids)s::text[]) = 0 OR g.grid_code = ANY (%(grids)s::text[])
GROUP BY g.grid_code
ORDER BY g.grid_code
