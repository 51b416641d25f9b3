-- 022: a grid leader undoes their own visit within 24 hours, as an event: the visit stays, an undo is added.
--
-- Visits are facts (the office's files and the field both write them), and the ETL never deletes one. An
-- undo is therefore a row of its own in visit_undos, appended once and never changed or removed (a trigger
-- refuses UPDATE, DELETE and TRUNCATE), and the layers read a visit only while it has no undo
-- (layers/sql/visits_households.sql). Who undid it and when is in the row, and in the audit table
-- (action undo_visit, gridgov/visits.py).
--
-- The rule, checked by gridgov.visits.undo and again here by the insert policy for a grid leader's
-- transaction (gridgov_grid_reader, migration 010): the visit is in one of the leader's grids, it was
-- recorded on the dashboard by that same account (visits.visitor is the username, visits.extra.recorded_at
-- the community clock's time of recording, migration 011 and gridgov/visits.py), and the undo comes less
-- than 24 hours after that recording. undone_at is the community's clock (GRIDGOV_NOW may pin it, so the
-- database's now() is not used), given by the application like every time it writes.
CREATE TABLE visit_undos (
    visit_id     text PRIMARY KEY,           -- visits.visit_id (no foreign key: facts carry none, migration 003)
    grid_code    text NOT NULL,              -- the visit's grid, for row-level security
    undone_by    text NOT NULL,              -- the username that undid it (the one that recorded it)
    undone_at    timestamptz NOT NULL,       -- the community's clock when it was undone
    recorded_at  timestamptz NOT NULL        -- when the visit was recorded (visits.extra.recorded_at)
);

CREATE FUNCTION visit_undos_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'visit_undos is append-only: % is refused (an undo is kept, as the visit is)', TG_OP;
END
$$;
CREATE TRIGGER visit_undos_no_update BEFORE UPDATE OR DELETE ON visit_undos
    FOR EACH ROW EXECUTE FUNCTION visit_undos_append_only();
CREATE TRIGGER visit_undos_no_truncate BEFORE TRUNCATE ON visit_undos
    FOR EACH STATEMENT EXECUTE FUNCTION visit_undos_append_only();

-- An undo changes what the visits layer counts: it advances the visits' data version (migrations 006, 012,
-- 013), so every kept answer that reads visits is computed again, and nothing else is.
CREATE FUNCTION bump_visits_data_version() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(7313, 12);  -- first: a reader seeing the new numbers sees this writer
    PERFORM nextval('data_version_visits');
    PERFORM nextval('data_version');
    RETURN NULL;
END
$$;
CREATE TRIGGER visit_undos_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON visit_undos
    FOR EACH STATEMENT EXECUTE FUNCTION bump_visits_data_version();

-- the visits recorded on the dashboard, by who recorded them: the leader's undoable visits are found here
CREATE INDEX visits_recorded_by ON visits (visitor) WHERE extra ? 'recorded_at';

ALTER TABLE visit_undos ENABLE ROW LEVEL SECURITY;
GRANT SELECT, INSERT ON visit_undos TO gridgov_grid_reader;
CREATE POLICY grid_reader_visit_undos ON visit_undos FOR SELECT TO gridgov_grid_reader
    USING (grid_code = ANY (string_to_array(current_setting('gridgov.grids', true), ',')));
CREATE POLICY grid_reader_undo_visit ON visit_undos FOR INSERT TO gridgov_grid_reader
    WITH CHECK (
        grid_code = ANY (string_to_array(current_setting('gridgov.grids', true), ','))
        AND EXISTS (SELECT 1 FROM visits AS v  -- as the reader role: visits' own policy applies inside
                    WHERE v.visit_id = visit_undos.visit_id
                      AND v.grid_code = visit_undos.grid_code
                      AND v.visitor = visit_undos.undone_by
                      AND (v.extra ->> 'recorded_at')::timestamptz = visit_undos.recorded_at
                      AND visit_undos.undone_at < visit_undos.recorded_at + interval '24 hours')
    );
