-- The work orders of the filters, each with its status and whether it was responded to in time
-- (the rules are documented in layers/complaints.py). Other queries run over it as the CTE `c`.
-- A work order is a case (migration 020). One that went through the loop (any event not from a file:
-- the field, the secretary, the intake API, a unit) is counted from its case, which its events made; one
-- known only from office files is counted from the file's columns, as the case lists read it (migration 025:
-- such a case has no row until someone acts on it; import-only rows that loads wrote before 025 count as files).
-- Parameters: grids (all when empty), start / end (calendar days in tz, end inclusive, null: open),
-- tz, categories and statuses (all when empty), response_limit (interval) and reference
-- (timestamptz: the end of the as_of day, or now).
SELECT c.*,
       CASE
           -- a response time before receipt is a data error: unknown
           WHEN c.responded_at IS NOT NULL
               THEN CASE WHEN c.responded_at >= c.received_at
                         THEN c.responded_at <= c.received_at + %(response_limit)s::interval END
           -- still waiting for a response and the limit has passed: late
           WHEN c.status = 'pending' AND c.received_at + %(response_limit)s::interval < %(reference)s::timestamptz
               THEN false
           -- closed without a recorded response time, or waiting and not yet due: unknown
       END AS in_time
FROM (
    -- known only from files (the cases that went through the loop are few: a hashed anti-join; migration 023)
    SELECT t.ticket_id, t.received_at, t.category, t.content, t.address, t.responded_at, t.resolved_at,
           t.resolved, t.satisfaction, t.geom, t.grid_code,
           complaint_status(t.resolved, t.resolved_at, t.responded_at) AS status
    FROM complaints AS t
    WHERE NOT EXISTS (SELECT 1 FROM looped_cases('work_order') AS l WHERE l.source_id = t.ticket_id)
    UNION ALL
    -- through the loop, in a grid: the case's own state and times; one placed by hand without a point stands
    -- at its grid's centre on the maps
    SELECT coalesce(k.source_id, k.case_id), k.received_at, k.category, k.description, k.address,
           k.responded_at, k.resolved_at, s.resolved, k.satisfaction,
           coalesce(k.geom, (SELECT ST_PointOnSurface(g.geom) FROM grids AS g WHERE g.grid_code = k.grid_code)),
           k.grid_code, s.status
    FROM cases AS k
    CROSS JOIN LATERAL (
        SELECT CASE
                   WHEN k.state IN ('received', 'assigned') THEN 'pending'
                   WHEN k.state IN ('responded', 'in_progress') THEN 'in_progress'
                   WHEN k.state IN ('resolved', 'verified') THEN 'resolved'
                   ELSE 'closed_unknown'  -- closed by the secretary without a check: withdrawn, a duplicate, …
               END AS status,
               CASE WHEN k.state IN ('resolved', 'verified') THEN true END AS resolved
    ) AS s
    WHERE k.kind = 'work_order' AND k.grid_code IS NOT NULL
      AND k.case_id IN (SELECT e.case_id FROM case_events AS e WHERE e.source <> 'import')
) AS c
WHERE (cardinality(%(grids)s::text[]) = 0 OR c.grid_code = ANY (%(grids)s::text[]))
  AND (%(start)s::date IS NULL OR c.received_at >= %(start)s::date::timestamp AT TIME ZONE %(tz)s)
  AND (%(end)s::date IS NULL OR c.received_at < (%(end)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
  AND (cardinality(%(categories)s::text[]) = 0 OR c.category = ANY (%(categories)s::text[]))
  AND (cardinality(%(statuses)s::text[]) = 0 OR c.status = ANY (%(statuses)s::text[]))
