-- 021: what the case loop needs around cases and their events (020): units to call in (吹哨报到), the
-- escalations waiting for them, credentials for systems and for a unit's single-case link, and photos.
--
-- units is data the admin edits, like visit_rules and case_deadlines.
-- case_escalations is, like cases, what the events add up to (the store writes it with the event): one row per
-- unit called in by an 'escalate' event, acknowledged (报到) and reported by the unit's own events.
-- api_tokens and case_links keep only a SHA-256 of each token, as wall_devices (015) does.
-- case_photos holds the photos themselves, stripped of EXIF before they are stored, readable by whoever may
-- read the case (a grid leader: through row-level security, like case_events).
-- The cases and their events join the data versions (013), so the wall's figures follow a phone's action.

CREATE TABLE units (
    name        text        PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 100),
    kind        text        NOT NULL CHECK (kind IN ('street_department', 'police', 'property', 'utility',
                                                     'resident_unit', 'other')),
    contact     text,                           -- a person and a phone, shown to who escalates
    categories  text[]      NOT NULL DEFAULT '{}',  -- the case categories it takes ('{}': any)
    ack_hours   numeric     NOT NULL DEFAULT 24 CHECK (ack_hours > 0),  -- 报到 within this after the call
    active      boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE case_escalations (
    case_id          text        NOT NULL REFERENCES cases (case_id),
    seq              integer     NOT NULL,      -- the 'escalate' event's seq
    unit             text        NOT NULL REFERENCES units (name),
    reason           text        NOT NULL,
    escalated_at     timestamptz NOT NULL,
    ack_due_at       timestamptz NOT NULL,
    acknowledged_at  timestamptz,
    reported_at      timestamptz,
    PRIMARY KEY (case_id, seq, unit)
);
CREATE INDEX case_escalations_waiting ON case_escalations (unit) WHERE acknowledged_at IS NULL;

CREATE TABLE api_tokens (
    name        text        PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9_.-]{1,64}$'),
    scope       text        NOT NULL CHECK (scope IN ('intake', 'unit', 'read')),
    unit        text        REFERENCES units (name),       -- scope 'unit': the unit it acts for
    token_hash  bytea       NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    last_used_at timestamptz,
    CHECK ((scope = 'unit') = (unit IS NOT NULL))
);

CREATE TABLE case_links (
    token_hash  bytea       PRIMARY KEY,
    case_id     text        NOT NULL REFERENCES cases (case_id),
    unit        text        NOT NULL REFERENCES units (name),
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX case_links_case ON case_links (case_id);

CREATE TABLE case_photos (
    photo_id      text        PRIMARY KEY,      -- unguessable, like case ids
    case_id       text        NOT NULL REFERENCES cases (case_id),
    content_type  text        NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    data          bytea       NOT NULL CHECK (octet_length(data) <= 10 * 1024 * 1024),
    width         integer     NOT NULL,
    height        integer     NOT NULL,
    added_by      text        NOT NULL,
    added_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_photos_case ON case_photos (case_id);

GRANT SELECT ON units TO gridgov_grid_reader;
GRANT SELECT, INSERT, UPDATE ON case_escalations TO gridgov_grid_reader;
GRANT SELECT, INSERT ON case_photos TO gridgov_grid_reader;

ALTER TABLE case_escalations ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_photos ENABLE ROW LEVEL SECURITY;
CREATE POLICY grid_reader_escalations ON case_escalations FOR ALL TO gridgov_grid_reader
    USING (EXISTS (SELECT 1 FROM cases AS c WHERE c.case_id = case_escalations.case_id))
    WITH CHECK (EXISTS (SELECT 1 FROM cases AS c WHERE c.case_id = case_escalations.case_id));
CREATE POLICY grid_reader_photos ON case_photos FOR SELECT TO gridgov_grid_reader
    USING (EXISTS (SELECT 1 FROM cases AS c WHERE c.case_id = case_photos.case_id));
CREATE POLICY grid_reader_add_photo ON case_photos FOR INSERT TO gridgov_grid_reader
    WITH CHECK (EXISTS (SELECT 1 FROM cases AS c WHERE c.case_id = case_photos.case_id));

-- the data versions (006, 013) of the loop's tables
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['cases', 'case_events', 'case_escalations', 'case_deadlines', 'units']
    LOOP
        EXECUTE format('CREATE SEQUENCE %I', 'data_version_' || t);
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()', t || '_data_version', t);
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION data_stamp(OUT version bigint, OUT tables jsonb, OUT writers text[], OUT own boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    t text;
    v bigint;
BEGIN
    tables := '{}';
    FOREACH t IN ARRAY ARRAY['grids', 'buildings', 'households', 'facilities', 'complaints', 'hazards', 'visits',
                             'visit_rules', 'cases', 'case_events', 'case_escalations', 'case_deadlines', 'units']
    LOOP
        EXECUTE format('SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END FROM %I', 'data_version_' || t)
            INTO v;
        tables := tables || jsonb_build_object(t, v);
    END LOOP;
    SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END INTO version FROM data_version;
    SELECT coalesce(array_agg(virtualtransaction) FILTER (WHERE pid IS DISTINCT FROM pg_backend_pid()), '{}'),
           coalesce(bool_or(pid = pg_backend_pid()), false)
      INTO writers, own
      FROM pg_locks
     WHERE locktype = 'advisory' AND classid = 7313 AND objid = 12 AND objsubid = 2 AND granted;
END
$$;
