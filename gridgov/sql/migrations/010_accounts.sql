-- 010: accounts, the audit trail, and row-level security for grid leaders.
--
-- users: who may sign in, with an argon2id hash (never the password) and a role;
-- a grid leader lists the grids they lead. audit: sign-ins, failed sign-ins,
-- exports and every view of personal data, append-only for the app.
--
-- Defence in depth: the app answers a grid leader's request inside one
-- transaction that runs `SET LOCAL ROLE gridgov_grid_reader` after
-- `set_config('gridgov.grids', 'G01,G02', true)`. That role may read the fact
-- tables only through the policies below, keyed on that setting, so even a
-- query without any WHERE returns the leader's own grids' rows and nothing
-- else. Unset (or empty) setting: no rows. The owner (the app's login role,
-- which runs these migrations) is not subject to the policies.

CREATE TABLE users (
    username       text PRIMARY KEY CHECK (username ~ '^[A-Za-z0-9_.@-]{1,64}$'),
    password_hash  text        NOT NULL,
    role           text        NOT NULL CHECK (role IN ('secretary', 'grid_leader', 'planner', 'admin')),
    grids          text[]      NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL DEFAULT now(),
    disabled       boolean     NOT NULL DEFAULT false,
    -- a grid leader leads at least one grid; nobody else is tied to a grid
    CHECK ((role = 'grid_leader') = (cardinality(grids) > 0))
);

CREATE TABLE audit (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    username  text        NOT NULL,   -- as typed at a failed sign-in: it may name no account
    action    text        NOT NULL,   -- login, login_failed, logout, view_personal, export
    detail    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    ip        text
);
CREATE INDEX audit_user_action_at ON audit (username, action, at);
CREATE INDEX audit_at ON audit (at);

-- Roles are cluster-wide: another database of this cluster (a test database,
-- a second installation) may have made it already, perhaps at this moment.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gridgov_grid_reader') THEN
        CREATE ROLE gridgov_grid_reader NOLOGIN NOINHERIT;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- made concurrently by another migration
END
$$;

-- The app's login role must be able to SET ROLE to it (a superuser already can).
DO $$
BEGIN
    IF NOT pg_has_role(current_user, 'gridgov_grid_reader', 'MEMBER') THEN
        EXECUTE format('GRANT gridgov_grid_reader TO %I', current_user);
    END IF;
EXCEPTION WHEN unique_violation THEN
    NULL;
END
$$;

-- What a grid leader's queries read: the facts (through the policies) and the
-- shared, non-personal tables they join. Not quarantine (raw rows with
-- personal data of every grid), not users, not audit, not load_runs.
GRANT SELECT ON grids, buildings, visit_rules TO gridgov_grid_reader;
GRANT SELECT ON households, complaints, hazards, visits, facilities TO gridgov_grid_reader;
GRANT INSERT ON visits TO gridgov_grid_reader;  -- recording a visit in the field
-- the layers' cache key (migration 006), when that migration is there
DO $$
BEGIN
    IF to_regclass('public.data_version') IS NOT NULL THEN
        GRANT SELECT ON SEQUENCE data_version TO gridgov_grid_reader;
    END IF;
END
$$;

ALTER TABLE households ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaints ENABLE ROW LEVEL SECURITY;
ALTER TABLE hazards    ENABLE ROW LEVEL SECURITY;
ALTER TABLE visits     ENABLE ROW LEVEL SECURITY;
ALTER TABLE facilities ENABLE ROW LEVEL SECURITY;

CREATE POLICY grid_reader_households ON households FOR SELECT TO gridgov_grid_reader
    USING (grid_code = ANY (string_to_array(current_setting('gridgov.grids', true), ',')));
CREATE POLICY grid_reader_complaints ON complaints FOR SELECT TO gridgov_grid_reader
    USING (grid_code = ANY (string_to_array(current_setting('gridgov.grids', true), ',')));
CREATE POLICY grid_reader_hazards ON hazards FOR SELECT TO gridgov_grid_reader
    USING (grid_code = ANY (string_to_array(current_setting('gridgov.grids', true), ',')));
CREATE POLICY grid_reader_facilities ON facilities FOR SELECT TO gridgov_grid_reader
    USING (grid_code = ANY (string_to_array(current_setting('gridgov.grids', true), ',')));
CREATE POLICY grid_reader_visits ON visits FOR SELECT TO gridgov_grid_reader
    USING (grid_code = ANY (string_to_array(current_setting('gridgov.grids', true), ',')));
CREATE POLICY grid_reader_record_visit ON visits FOR INSERT TO gridgov_grid_reader
    WITH CHECK (grid_code = ANY (string_to_array(current_setting('gridgov.grids', true), ',')));
