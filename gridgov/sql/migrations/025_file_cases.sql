-- 025: a work order or hazard known only from its file is a case without a row of its own.
--
-- Until someone acts on it (a person, a unit, a system), a record of the office's files is read as a case from
-- the file's own row: file_cases holds the records (work_order_records, hazard_records: one view per kind) whose
-- (kind, source_id) has no row in `cases`, each as the fold of the one import event its file facts make
-- (gridgov.cases: a case starts in its kind's START state and the import places it), with that event's time (the
-- load run's end), actor (the file's name) and detail (the file's facts, as etl/cases.py has always written
-- them). The case lists (gridgov/case_queries.py) read `cases` UNION ALL file_cases: one list, one overdue.
--
-- A case from a file has an id made of its kind and its record's key (file_case_id: 'W-GD2025…', 'H-YH-1';
-- a key with characters outside [A-Za-z0-9_-] is written in hex after '~', so the id is safe in a URL), the same
-- before and after it gets its row. The first event anyone appends materialises it (open_file_case, called by
-- gridgov.case_store in the event's transaction): the cases row from the file row and its import event (seq 1),
-- in one statement, ON CONFLICT DO NOTHING, so two first actions at once make one row (the second waits for the
-- first's row, then both lock it and append in turn). Cases people and the intake open keep their random ids.
-- Rows a database already holds (every record, before this migration) stay as they are: events are append-only,
-- and the anti-join on (kind, source_id) keeps their records from being listed twice.
--
-- Row-level security: the views run as their caller (security_invoker), so a grid leader's transaction reads
-- complaints / hazards through its own policies (010). The anti-join reads case_sources, the keys of all case
-- rows without row-level security (like looped_cases in 023): a record whose case the secretary moved to another
-- grid must leave the first leader's list although the leader cannot see its row; only keys are in it.
-- open_file_case is SECURITY DEFINER (a leader may not insert a work order's row): it writes only what the file
-- states, and the store calls it only for a record the caller's own connection sees (case_store._materialise).

-- the URL-safe id of the case of a file record
CREATE FUNCTION file_case_id(of_kind text, source_id text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE of_kind WHEN 'work_order' THEN 'W' ELSE 'H' END
           || CASE WHEN source_id ~ '^[A-Za-z0-9_-]+$' THEN '-' || source_id
                   ELSE '~' || encode(convert_to(source_id, 'UTF8'), 'hex') END
$$;

-- the state a file's status states (etl/cases.py WORK_ORDER_STATES / HAZARD_STATES; a test checks they agree)
CREATE FUNCTION file_case_state(of_kind text, status text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN of_kind = 'work_order' THEN
                    CASE status WHEN 'pending' THEN 'assigned' WHEN 'in_progress' THEN 'in_progress'
                                WHEN 'resolved' THEN 'resolved' WHEN 'unresolved' THEN 'closed'
                                WHEN 'closed_unknown' THEN 'closed' END
                ELSE CASE status WHEN 'open' THEN 'assigned' WHEN 'in_progress' THEN 'in_progress'
                                 WHEN 'closed' THEN 'resolved' END
           END
$$;

-- an import event's detail: the file's facts, times in ISO 8601 UTC, so the same facts are always the same value
CREATE FUNCTION file_case_detail(state text, status text, fact_at timestamptz, grid_code text,
                                 responded_at timestamptz, resolved_at timestamptz, satisfaction text, deadline date)
RETURNS jsonb LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'state', state, 'status', status,
        'fact_at', to_char(fact_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
        'grid_code', grid_code,
        'responded_at', to_char(responded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
        'resolved_at', to_char(resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
        'satisfaction', satisfaction, 'deadline', deadline::text))
$$;

-- every record of the files with the facts its import event states (fact_at: the newest time the record gives)
CREATE VIEW work_order_records WITH (security_invoker = true) AS
SELECT file_case_id('work_order', t.ticket_id) AS case_id, 'work_order'::text AS kind, t.ticket_id AS source_id,
       t.category, t.content AS description, t.address, t.geom, t.grid_code, t.received_at, s.status,
       file_case_state('work_order', s.status) AS state, s.fact_at, t.responded_at, t.resolved_at, t.satisfaction,
       NULL::date AS deadline, t.load_run_id,
       file_case_detail(file_case_state('work_order', s.status), s.status, s.fact_at, t.grid_code, t.responded_at,
                        t.resolved_at, t.satisfaction, NULL) AS detail
FROM complaints AS t
CROSS JOIN LATERAL (SELECT complaint_status(t.resolved, t.resolved_at, t.responded_at) AS status,
                           greatest(t.received_at, t.responded_at, t.resolved_at) AS fact_at) AS s;

CREATE VIEW hazard_records WITH (security_invoker = true) AS
SELECT file_case_id('hazard', t.hazard_id) AS case_id, 'hazard'::text AS kind, t.hazard_id AS source_id,
       t.type AS category, NULL::text AS description, t.address, t.geom, t.grid_code, t.found_at AS received_at,
       s.status, file_case_state('hazard', s.status) AS state, s.fact_at, NULL::timestamptz AS responded_at,
       t.closed_at AS resolved_at, NULL::text AS satisfaction, t.deadline, t.load_run_id,
       file_case_detail(file_case_state('hazard', s.status), s.status, s.fact_at, t.grid_code, NULL, t.closed_at,
                        NULL, t.deadline) AS detail
FROM hazards AS t
CROSS JOIN LATERAL (SELECT coalesce(t.status, CASE WHEN t.closed_at IS NOT NULL THEN 'closed' ELSE 'open' END)
                               AS status,
                           greatest(t.found_at, t.closed_at) AS fact_at) AS s;

-- the records that have a case row, whoever asks: (kind, source_id) of every case with a source_id, kept by a
-- trigger as cases are inserted (a case's kind and source_id never change), without row-level security: only
-- the keys, as looped_cases (023) gives them. A table, not a function, so the anti-join below is hashed over a
-- whole file and an index probe for one record.
CREATE TABLE case_sources (
    kind       text NOT NULL,
    source_id  text NOT NULL,
    PRIMARY KEY (kind, source_id)
);
INSERT INTO case_sources (kind, source_id) SELECT kind, source_id FROM cases WHERE source_id IS NOT NULL;

CREATE FUNCTION case_sources_add() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    INSERT INTO case_sources (kind, source_id)
    SELECT kind, source_id FROM added WHERE source_id IS NOT NULL
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER cases_sources AFTER INSERT ON cases REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION case_sources_add();
GRANT SELECT ON case_sources TO gridgov_grid_reader;

-- the cases known only from files: the fold of their one import event (gridgov.cases._imported from its kind's
-- START, received or assigned: a state past START is set as of fact_at; a done state's resolved time is the
-- file's, else fact_at), with that event's time, actor and detail
CREATE VIEW file_cases WITH (security_invoker = true) AS
SELECT f.case_id, f.kind, f.source_id, f.category, f.description, f.address, f.geom, f.grid_code, f.state,
       CASE WHEN f.state <> CASE f.kind WHEN 'hazard' THEN 'assigned' ELSE 'received' END THEN f.fact_at END
           AS state_set_at,
       f.received_at, f.responded_at,
       CASE WHEN f.state IN ('resolved', 'verified', 'closed') THEN coalesce(f.resolved_at, f.fact_at) END
           AS resolved_at,
       NULL::timestamptz AS done_at, f.satisfaction, f.deadline, 1 AS events,
       coalesce(r.finished_at, r.started_at) AS imported_at,
       regexp_replace(r.source_file, '^.*[/\\]', '') AS imported_by,  -- the file's name, as the load writes it
       f.detail
FROM (SELECT * FROM work_order_records UNION ALL SELECT * FROM hazard_records) AS f
LEFT JOIN load_runs AS r ON r.id = f.load_run_id
WHERE NOT EXISTS (SELECT 1 FROM case_sources AS k WHERE k.kind = f.kind AND k.source_id = f.source_id);

-- the first touch: the case's row and its import event (seq 1) from the file; the case id when this call made it
CREATE FUNCTION open_file_case(of_kind text, of_source text) RETURNS SETOF text
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    WITH f AS MATERIALIZED (
        SELECT * FROM file_cases WHERE kind = of_kind AND source_id = of_source
    ), made AS (
        INSERT INTO cases (case_id, kind, source_id, category, description, address, geom, grid_code, state,
                           state_set_at, received_at, responded_at, resolved_at, done_at, satisfaction, deadline,
                           events)
        SELECT case_id, kind, source_id, category, description, address, geom, grid_code, state, state_set_at,
               received_at, responded_at, resolved_at, done_at, satisfaction, deadline, events
        FROM f
        ON CONFLICT DO NOTHING
        RETURNING case_id
    )
    INSERT INTO case_events (case_id, seq, at, actor, source, action, detail)
    SELECT f.case_id, 1, f.imported_at, f.imported_by, 'import', 'import', f.detail
    FROM f JOIN made USING (case_id)
    RETURNING case_id
$$;
REVOKE EXECUTE ON FUNCTION open_file_case(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION open_file_case(text, text) TO gridgov_grid_reader;

GRANT SELECT ON work_order_records, hazard_records, file_cases TO gridgov_grid_reader;
-- the import event's time and actor: the load run's end and file name, nothing else of load_runs
GRANT SELECT (id, source_file, started_at, finished_at) ON load_runs TO gridgov_grid_reader;
