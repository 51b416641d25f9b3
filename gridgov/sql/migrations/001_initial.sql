-- 001: the store of record for the first slice.
-- Every fact row carries the grid it was placed in (grid_code), the load run
-- and the source row it came from, so the schema stays shardable by grid and
-- every row can be traced back to the clerk's file.

CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE load_runs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dataset      text        NOT NULL,
    source_file  text        NOT NULL,
    sha256       text        NOT NULL,
    headers      text[]      NOT NULL DEFAULT '{}',  -- the file's own columns, in order
    loaded_by    text        NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    counts       jsonb       NOT NULL DEFAULT '{}'::jsonb
);

CREATE TABLE grids (
    grid_code       text PRIMARY KEY,
    grid_name       text NOT NULL,
    community_name  text NOT NULL,
    leader          text,
    geom            geometry(MultiPolygon, 4326) NOT NULL,
    extra           jsonb  NOT NULL DEFAULT '{}'::jsonb,
    load_run_id     bigint NOT NULL REFERENCES load_runs (id),
    source_row      integer NOT NULL
);
CREATE INDEX grids_geom_gist ON grids USING gist (geom);

CREATE TABLE buildings (
    building_id   text PRIMARY KEY,
    address       text NOT NULL,
    match_key     text NOT NULL,
    geom          geometry(Point, 4326) NOT NULL,
    grid_code     text NOT NULL REFERENCES grids (grid_code),
    extra         jsonb  NOT NULL DEFAULT '{}'::jsonb,
    load_run_id   bigint NOT NULL REFERENCES load_runs (id),
    source_row    integer NOT NULL
);
CREATE INDEX buildings_geom_gist ON buildings USING gist (geom);
CREATE INDEX buildings_match_key ON buildings (match_key);
CREATE INDEX buildings_grid ON buildings (grid_code);

CREATE TABLE households (
    household_id  text PRIMARY KEY,
    address       text NOT NULL,
    head_name     text,
    id_number     text,
    phone         text,
    members       integer CHECK (members >= 1),
    groups        text[] NOT NULL DEFAULT '{}',
    building_id   text REFERENCES buildings (building_id),
    geocoded_by   text NOT NULL,
    geom          geometry(Point, 4326) NOT NULL,
    grid_code     text NOT NULL REFERENCES grids (grid_code),
    extra         jsonb  NOT NULL DEFAULT '{}'::jsonb,
    load_run_id   bigint NOT NULL REFERENCES load_runs (id),
    source_row    integer NOT NULL
);
CREATE INDEX households_geom_gist ON households USING gist (geom);
CREATE INDEX households_grid ON households (grid_code);

CREATE TABLE facilities (
    facility_id   text PRIMARY KEY,
    name          text,
    type          text,
    address       text,
    geocoded_by   text NOT NULL,
    geom          geometry(Point, 4326) NOT NULL,
    grid_code     text NOT NULL REFERENCES grids (grid_code),
    extra         jsonb  NOT NULL DEFAULT '{}'::jsonb,
    load_run_id   bigint NOT NULL REFERENCES load_runs (id),
    source_row    integer NOT NULL
);
CREATE INDEX facilities_geom_gist ON facilities USING gist (geom);
CREATE INDEX facilities_grid ON facilities (grid_code);

CREATE TABLE complaints (
    ticket_id     text PRIMARY KEY,
    received_at   timestamptz NOT NULL,
    category      text,
    content       text,
    address       text,
    responded_at  timestamptz,
    resolved_at   timestamptz,
    resolved      boolean,
    satisfaction  text CHECK (satisfaction IN ('satisfied', 'basically_satisfied', 'dissatisfied')),
    geocoded_by   text NOT NULL,
    geom          geometry(Point, 4326) NOT NULL,
    grid_code     text NOT NULL REFERENCES grids (grid_code),
    extra         jsonb  NOT NULL DEFAULT '{}'::jsonb,
    load_run_id   bigint NOT NULL REFERENCES load_runs (id),
    source_row    integer NOT NULL
);
CREATE INDEX complaints_geom_gist ON complaints USING gist (geom);
CREATE INDEX complaints_grid_time ON complaints (grid_code, received_at);

CREATE TABLE hazards (
    hazard_id     text PRIMARY KEY,
    found_at      timestamptz NOT NULL,
    type          text,
    severity      text CHECK (severity IN ('low', 'medium', 'high')),
    status        text CHECK (status IN ('open', 'in_progress', 'closed')),
    deadline      date,
    closed_at     timestamptz,
    address       text,
    geocoded_by   text NOT NULL,
    geom          geometry(Point, 4326) NOT NULL,
    grid_code     text NOT NULL REFERENCES grids (grid_code),
    extra         jsonb  NOT NULL DEFAULT '{}'::jsonb,
    load_run_id   bigint NOT NULL REFERENCES load_runs (id),
    source_row    integer NOT NULL
);
CREATE INDEX hazards_geom_gist ON hazards USING gist (geom);
CREATE INDEX hazards_grid ON hazards (grid_code);

CREATE TABLE visits (
    visit_id      text PRIMARY KEY,
    household_id  text NOT NULL REFERENCES households (household_id),
    visited_at    timestamptz NOT NULL,
    visitor       text,
    notes         text,
    grid_code     text NOT NULL REFERENCES grids (grid_code),
    extra         jsonb  NOT NULL DEFAULT '{}'::jsonb,
    load_run_id   bigint NOT NULL REFERENCES load_runs (id),
    source_row    integer NOT NULL
);
CREATE INDEX visits_household_time ON visits (household_id, visited_at);
CREATE INDEX visits_grid ON visits (grid_code);

-- What could not be placed: never dropped, always with a reason a clerk can act on.
-- One row per (dataset, source file, row number); reloading the same file
-- rewrites nothing, a corrected file removes the rows it fixed.
CREATE TABLE quarantine (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dataset      text    NOT NULL,
    source_file  text    NOT NULL,
    row_number   integer NOT NULL,
    raw          jsonb   NOT NULL,
    reason       text    NOT NULL,
    load_run_id  bigint  NOT NULL REFERENCES load_runs (id),
    UNIQUE (dataset, source_file, row_number)
);
