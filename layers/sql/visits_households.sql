-- One row per household due visits (六必访) in the grids %(grids)s (all when
-- empty), as of the day %(as_of)s in the time zone %(tz)s:
--   every       its period: the shortest of its groups' rules in visit_rules
--   this_start  start of the period holding as_of (community-local time)
--   visited     a visit recorded in this period up to the end of as_of
--   missed_last the previous period passed without a visit (overdue)
--   last_visit  the latest visit up to the end of as_of (local time)
-- Bounds are turned into timestamptz so visits(household_id, visited_at) is used.
-- A visit its leader undid (a row in visit_undos, migration 022) is left out everywhere.
WITH due AS (
    SELECT h.household_id, h.grid_code, h.address, h.head_name, h.phone, h.groups, h.geom,
           (array_agg(r.every ORDER BY array_position(ARRAY['week', 'month', 'quarter'], r.every)))[1] AS every
    FROM households AS h
    CROSS JOIN LATERAL unnest(h.groups) AS member(group_key)
    JOIN visit_rules AS r ON r.group_key = member.group_key
    -- most households are in no group: the overlap test drops them before any join
    WHERE h.groups && (SELECT array_agg(group_key) FROM visit_rules)
      AND (cardinality(%(grids)s::text[]) = 0 OR h.grid_code = ANY (%(grids)s::text[]))
    GROUP BY h.household_id
), bounds AS (
    SELECT d.*,
           (date_trunc(d.every, %(as_of)s::date::timestamp)) AT TIME ZONE %(tz)s AS this_start,
           (date_trunc(d.every, %(as_of)s::date::timestamp)
               - CASE d.every WHEN 'quarter' THEN interval '3 months' ELSE ('1 ' || d.every)::interval END)
               AT TIME ZONE %(tz)s AS last_start,
           (%(as_of)s::date + 1)::timestamp AT TIME ZONE %(tz)s AS upto
    FROM due AS d
)
SELECT b.household_id, b.grid_code, b.address, b.head_name, b.phone, b.groups, b.geom, b.every,
       EXISTS (SELECT 1 FROM visits AS v WHERE v.household_id = b.household_id
               AND v.visited_at >= b.this_start AND v.visited_at < b.upto
               AND NOT EXISTS (SELECT 1 FROM visit_undos AS u WHERE u.visit_id = v.visit_id)) AS visited,
       NOT EXISTS (SELECT 1 FROM visits AS v WHERE v.household_id = b.household_id
                   AND v.visited_at >= b.last_start AND v.visited_at < b.this_start
                   AND NOT EXISTS (SELECT 1 FROM visit_undos AS u WHERE u.visit_id = v.visit_id)) AS missed_last,
       (SELECT max(v.visited_at) FROM visits AS v WHERE v.household_id = b.household_id
        AND v.visited_at < b.upto
        AND NOT EXISTS (SELECT 1 FROM visit_undos AS u WHERE u.visit_id = v.visit_id)) AT TIME ZONE %(tz)s AS last_visit
FROM bounds AS b
