-- The complaints of the filters, each with its status and whether it was responded to in time
-- (the rules are documented in layers/complaints.py). Other queries run over it as the CTE `c`.
-- Parameters: grids (all when empty), start / end (calendar days in tz, end inclusive, null: open),
-- tz, categories and statuses (all when empty), response_limit (interval) and reference
-- (timestamptz: the end of the as_of day, or now).
SELECT c.ticket_id, c.received_at, c.category, c.content, c.address, c.responded_at, c.resolved_at,
       c.resolved, c.satisfaction, c.geom, c.grid_code, s.status,
       CASE
           -- a response time before receipt is a data error: unknown
           WHEN c.responded_at IS NOT NULL
               THEN CASE WHEN c.responded_at >= c.received_at
                         THEN c.responded_at <= c.received_at + %(response_limit)s::interval END
           -- still waiting for a response and the limit has passed: late
           WHEN s.status = 'pending' AND c.received_at + %(response_limit)s::interval < %(reference)s::timestamptz
               THEN false
           -- closed without a recorded response time, or waiting and not yet due: unknown
       END AS in_time
FROM complaints AS c
CROSS JOIN LATERAL (
    SELECT CASE
               WHEN c.resolved THEN 'resolved'
               WHEN NOT c.resolved THEN 'unresolved'
               WHEN c.resolved_at IS NOT NULL THEN 'closed_unknown'
               WHEN c.responded_at IS NOT NULL THEN 'in_progress'
               ELSE 'pending'
           END AS status
) AS s
WHERE (cardinality(%(grids)s::text[]) = 0 OR c.grid_code = ANY (%(grids)s::text[]))
  AND (%(start)s::date IS NULL OR c.received_at >= %(start)s::date::timestamp AT TIME ZONE %(tz)s)
  AND (%(end)s::date IS NULL OR c.received_at < (%(end)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
  AND (cardinality(%(categories)s::text[]) = 0 OR c.category = ANY (%(categories)s::text[]))
  AND (cardinality(%(statuses)s::text[]) = 0 OR s.status = ANY (%(statuses)s::text[]))
