-- 011: visits recorded by grid leaders in the dashboard (/grid).
--
-- A grid leader's request runs as gridgov_grid_reader under row-level security
-- (migration 010). Recording a visit is one transaction in that role:
--
--   1. the household is looked up (the policies show only the leader's grids'
--      households, so another grid's household is simply not there);
--   2. dashboard_visit_run() makes the visit's load run: visits.load_run_id and
--      source_row are NOT NULL, and every fact row is traced to where it came
--      from. One run per recorded visit: dataset 'visits', source_file
--      'dashboard', loaded_by the account's username, sha256 of the visit as
--      recorded, counts {"inserted": 1}; source_row is 1. The role gets no
--      privilege on load_runs itself: only this function, which can make
--      nothing but such a run;
--   3. the visit is inserted, with grid_code taken from the household row.
--
-- Any failure rolls back all three. The ETL upserts visits by visit_id and
-- never deletes, so recorded visits (ids 'W' + 32 hex digits) survive loads.

CREATE FUNCTION dashboard_visit_run(p_loaded_by text, p_sha256 text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    run_id bigint;
BEGIN
    IF p_loaded_by IS NULL OR p_loaded_by = '' THEN
        RAISE EXCEPTION 'a recorded visit needs the username that recorded it';
    END IF;
    IF p_sha256 IS NULL OR p_sha256 !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'sha256 must be 64 lower-case hex digits';
    END IF;
    INSERT INTO load_runs (dataset, source_file, sha256, headers, loaded_by, finished_at, counts)
    VALUES ('visits', 'dashboard', p_sha256, ARRAY['household_id', 'visited_at', 'visitor', 'notes'],
            p_loaded_by, now(), '{"inserted": 1}'::jsonb)
    RETURNING id INTO run_id;
    RETURN run_id;
END
$$;
REVOKE EXECUTE ON FUNCTION dashboard_visit_run(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dashboard_visit_run(text, text) TO gridgov_grid_reader;

-- 010's insert policy checked only the new row's grid_code. A visit must also
-- name a household of that very grid, visible to the leader: a row claiming
-- grid G01 for a household of G02 is refused too. The subquery runs as the
-- reader role, so households' own policy applies inside it.
DROP POLICY grid_reader_record_visit ON visits;
CREATE POLICY grid_reader_record_visit ON visits FOR INSERT TO gridgov_grid_reader
    WITH CHECK (
        grid_code = ANY (string_to_array(current_setting('gridgov.grids', true), ','))
        AND EXISTS (SELECT 1 FROM households AS h
                    WHERE h.household_id = visits.household_id AND h.grid_code = visits.grid_code)
    );
