-- The space-time cube's non-empty bins: complaints `c` of the filters per grid and period
-- (calendar week from Monday, or month, in the community's time zone).
SELECT c.grid_code, date_trunc(%(period)s, c.received_at AT TIME ZONE %(tz)s)::date AS period_start,
       count(*) AS complaints
FROM c
GROUP BY 1, 2
