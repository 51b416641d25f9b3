-- The space-time cube in one statement (one snapshot of grids and complaints): every grid code in order,
-- then its non-empty bins as three arrays: the grid's position in that order, the period's position
-- (0 = the period starting %(first)s::date) and the complaints `c` of the filters in it. A period is a
-- calendar week from Monday, or a month, in the community's time zone. A work order placed in a grid since
-- removed from the grid table has no row to count in.
SELECT (SELECT coalesce(array_agg(grid_code ORDER BY grid_code), '{}') FROM grids),
       coalesce(array_agg(g.i), '{}'),
       coalesce(array_agg(CASE WHEN %(period)s = 'week' THEN (b.period_start - %(first)s::date) / 7
                               ELSE (extract(year FROM b.period_start)::int - extract(year FROM %(first)s::date)::int) * 12
                                    + extract(month FROM b.period_start)::int - extract(month FROM %(first)s::date)::int
                          END), '{}'),
       coalesce(array_agg(b.complaints), '{}')
FROM (
    SELECT c.grid_code, date_trunc(%(period)s, c.received_at AT TIME ZONE %(tz)s)::date AS period_start,
           count(*)::int AS complaints
    FROM c
    GROUP BY 1, 2
) AS b
JOIN (SELECT grid_code, (row_number() OVER (ORDER BY grid_code) - 1)::int AS i FROM grids) AS g
  ON g.grid_code = b.grid_code
