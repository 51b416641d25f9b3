-- Per grid (all grids of %(grids)s, kept with zeros): the complaints `c` of the filters, per 100
-- households, and the counts of the three rates: each one's numerator, denominator and unknowns
-- (the rates themselves are taken of these counts in layers/rates.py).
-- Complaints and households are each counted per grid first, then joined: one row per grid.
SELECT g.grid_code,
       coalesce(a.complaints, 0) AS complaints,
       round(100.0 * coalesce(a.complaints, 0) / nullif(h.households, 0), 1)::float8 AS per_100_households,
       coalesce(a.pending, 0) AS pending,
       coalesce(a.in_progress, 0) AS in_progress,
       coalesce(a.responded_in_time, 0) AS responded_in_time,
       coalesce(a.response_known, 0) AS response_known,
       coalesce(a.complaints - a.response_known, 0) AS response_unknown,
       coalesce(a.resolved, 0) AS resolved,
       coalesce(a.outcome_known, 0) AS outcome_known,
       coalesce(a.complaints - a.outcome_known, 0) AS outcome_unknown,
       coalesce(a.satisfied, 0) AS satisfied,
       coalesce(a.basically_satisfied, 0) AS basically_satisfied,
       coalesce(a.dissatisfied, 0) AS dissatisfied,
       coalesce(a.rated, 0) AS rated,
       coalesce(a.complaints - a.rated, 0) AS unrated
FROM grids AS g
LEFT JOIN (
    SELECT c.grid_code,
           count(*) AS complaints,
           count(*) FILTER (WHERE c.status = 'pending') AS pending,
           count(*) FILTER (WHERE c.status = 'in_progress') AS in_progress,
           count(*) FILTER (WHERE c.in_time) AS responded_in_time,
           count(c.in_time) AS response_known,
           count(*) FILTER (WHERE c.resolved) AS resolved,
           count(c.resolved) AS outcome_known,
           count(*) FILTER (WHERE c.satisfaction = 'satisfied') AS satisfied,
           count(*) FILTER (WHERE c.satisfaction = 'basically_satisfied') AS basically_satisfied,
           count(*) FILTER (WHERE c.satisfaction = 'dissatisfied') AS dissatisfied,
           count(c.satisfaction) AS rated
    FROM c
    GROUP BY c.grid_code
) AS a ON a.grid_code = g.grid_code
LEFT JOIN (
    SELECT grid_code, count(*) AS households
    FROM households
    WHERE cardinality(%(grids)s::text[]) = 0 OR grid_code = ANY (%(grids)s::text[])
    GROUP BY grid_code
) AS h ON h.grid_code = g.grid_code
WHERE cardinality(%(grids)s::text[]) = 0 OR g.grid_code = ANY (%(grids)s::text[])
ORDER BY g.grid_code
