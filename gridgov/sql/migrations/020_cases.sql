-- 020: cases and their events (the case loop; gridgov/cases.py holds the rules, gridgov/case_store.py writes).
--
-- case_events is the history, appended to and never changed: a trigger refuses
-- UPDATE, DELETE and TRUNCATE for everyone, the owner included. A correction is
-- one more event. cases is what the events add up to (gridgov.cases.fold): the
-- store writes an event and the case's new row in one transaction, with the
-- case's row locked, so the row is always the fold of its events, and it can be
-- rebuilt from them.
--
-- case_deadlines is data, like visit_rules: how long each category of case
-- may take to be responded to and to be resolved, edited by the admin.
--
-- A grid leader's connection (gridgov_grid_reader, migration 010) sees the cases
-- of their grids and those cases' events only, and may add events to them; it
-- writes a case's row only through the store's update, which the policies hold
-- to the same grids. A case reassigned to another grid leaves the leader's
-- view with the transaction that moved it.

CREATE TABLE case_deadlines (
    kind            text    NOT NULL CHECK (kind IN ('work_order', 'hazard', 'raised')),
    category        text    NOT NULL,   -- '*': any category without a row of its own
    respond_hours   numeric CHECK (respond_hours > 0),
    resolve_days    numeric CHECK (resolve_days > 0),
    PRIMARY KEY (kind, category)
);
INSERT INTO case_deadlines (kind, category, respond_hours, resolve_days) VALUES
    ('work_order', '*', 2, 5),
    ('hazard', '*', NULL, 14),
    ('raised', '*', NULL, 7);

CREATE TABLE cases (
    case_id        text        PRIMARY KEY,
    kind           text        NOT NULL CHECK (kind IN ('work_order', 'hazard', 'raised')),
    source_id      text,                 -- the 12345 ticket number or the hazard id of the office's files
    category       text,
    description    text,
    address        text,
    geom           geometry(Point, 4326),  -- null until placed: the secretary's queue
    grid_code      text REFERENCES grids (grid_code),
    state          text        NOT NULL CHECK (state IN ('received', 'assigned', 'responded', 'in_progress',
                                                         'resolved', 'verified', 'closed')),
    state_set_at   timestamptz,
    received_at    timestamptz NOT NULL,
    responded_at   timestamptz,
    resolved_at    timestamptz,
    done_at        timestamptz,
    satisfaction   text CHECK (satisfaction IN ('satisfied', 'basically_satisfied', 'dissatisfied')),
    deadline       date,
    events         integer     NOT NULL DEFAULT 0,  -- how many events the row is the fold of
    UNIQUE (kind, source_id)
);
CREATE INDEX cases_grid_state ON cases (grid_code, state);
CREATE INDEX cases_received ON cases (received_at);

CREATE TABLE case_events (
    event_id   bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id    text        NOT NULL REFERENCES cases (case_id),
    seq        integer     NOT NULL,          -- 1, 2, … within the case: the order fold reads them in
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text        NOT NULL,          -- an account, a unit's name, an intake token's name, or a file
    source     text        NOT NULL CHECK (source IN ('field', 'secretary', 'intake', 'unit', 'import')),
    action     text        NOT NULL,
    detail     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    UNIQUE (case_id, seq)
);

CREATE FUNCTION case_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case_events is append-only: % is refused (a correction is a new event)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER case_events_no_update BEFORE UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION case_events_append_only();
CREATE TRIGGER case_events_no_truncate BEFORE TRUNCATE ON case_events
    FOR EACH STATEMENT EXECUTE FUNCTION case_events_append_only();

GRANT SELECT ON case_deadlines TO gridgov_grid_reader;
GRANT SELECT, INSERT, UPDATE ON cases TO gridgov_grid_reader;
GRANT SELECT, INSERT ON case_events TO gridgov_grid_reader;

ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_events ENABLE ROW LEVEL SECURITY;

CREATE POLICY grid_reader_cases ON cases FOR SELECT TO gridgov_grid_reader
    USING (grid_code = ANY (string_to_array(current_setting('gridgov.grids', true), ',')));
-- a leader raises a case in their own grid (未诉先办)
CREATE POLICY grid_reader_raise_case ON cases FOR INSERT TO gridgov_grid_reader
    WITH CHECK (kind = 'raised' AND grid_code = ANY (string_to_array(current_setting('gridgov.grids', true), ',')));
-- and moves a case of their grids along; it stays in their grids (only the secretary reassigns)
CREATE POLICY grid_reader_update_case ON cases FOR UPDATE TO gridgov_grid_reader
    USING (grid_code = ANY (string_to_array(current_setting('gridgov.grids', true), ',')))
    WITH CHECK (grid_code = ANY (string_to_array(current_setting('gridgov.grids', true), ',')));
CREATE POLICY grid_reader_case_events ON case_events FOR SELECT TO gridgov_grid_reader
    USING (EXISTS (SELECT 1 FROM cases AS c WHERE c.case_id = case_events.case_id));
CREATE POLICY grid_reader_add_case_event ON case_events FOR INSERT TO gridgov_grid_reader
    WITH CHECK (source = 'field' AND EXISTS (SELECT 1 FROM cases AS c WHERE c.case_id = case_events.case_id));
