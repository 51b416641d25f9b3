-- 023: office files as import events (etl/cases.py), and the rates counted from the cases (layers/complaints.py).
--
-- complaint_status is the one statement of how a work order's status follows from the file's columns
-- (layers/complaints.py documents it): the layers count by it, and the load maps it to the state of the
-- work order's case. A plain SQL expression, so the planner inlines it.
--
-- case_events_by_people finds the cases that went through the loop (any event not from a file) without
-- reading the history of the many that are known only from files: the layers count those from the file's
-- columns and the others from the case, and the load folds only those in Python.
--
-- looped_cases names the records (ticket / hazard ids) whose case went through the loop, whoever asks: a grid
-- leader's connection (row-level security) must not count the file's row of a work order that the secretary
-- has moved to another grid, where the leader cannot see its case. Only the ids leave it, to leave the file's
-- rows out of a count; the cases themselves are read under the caller's own policies. Parallel safe (it only
-- reads), so a count over a million work orders keeps its parallel workers.

CREATE FUNCTION complaint_status(resolved boolean, resolved_at timestamptz, responded_at timestamptz)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
               WHEN resolved THEN 'resolved'
               WHEN NOT resolved THEN 'unresolved'
               WHEN resolved_at IS NOT NULL THEN 'closed_unknown'
               WHEN responded_at IS NOT NULL THEN 'in_progress'
               ELSE 'pending'
           END
$$;

CREATE INDEX case_events_by_people ON case_events (case_id) WHERE source <> 'import';

CREATE FUNCTION looped_cases(of_kind text) RETURNS TABLE (source_id text)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = public AS $$
    SELECT k.source_id FROM cases AS k
    WHERE k.kind = of_kind AND k.source_id IS NOT NULL
      AND k.case_id IN (SELECT e.case_id FROM case_events AS e WHERE e.source <> 'import')
$$;
