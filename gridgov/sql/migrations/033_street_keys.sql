-- 033: every fact table carries its street (street_code): the column a distributed PostgreSQL (Citus) would
-- shard it by, so a whole district in one database can later be spread over several servers (docs/SCALING.md).
--
-- The key of a row is its grid's street key (street_key_of): the grid file's street code (街道代码), else its
-- street name (街道) when the file has no code, else '' when the grid has no street (a file without a street
-- column) or the row has no grid (a case not placed yet). '' and not NULL: a distribution column must not be
-- NULL (Citus refuses such rows), and '' puts a street-less community's rows on one shard like any street's.
-- grids.street_code itself stays what the file says (NULL when it has no code, migration 030): grids, like
-- the other small shared tables, would be a reference table, copied to every server, not sharded.
--
-- Which tables: every base table with a grid_code whose rows are one community's records (tests/
-- test_street_keys.py lists them from the catalog, so a new one cannot forget the column):
--   the office's facts (buildings, households, facilities, complaints, hazards, visits) and visit_undos;
--   the case loop: cases and every table reached through a case (case_events, case_escalations, case_photos,
--   case_links). Those have no grid of their own, but Citus joins a case to its events only on one shard
--   (colocation), so they carry their case's key.
-- Left out: quarantine (rows that could not be placed, kept per file for the clerk: they have no grid; a
-- coordinator-local table), and the reference tables (grids, grid_neighbours, load_runs, units, visit_rules,
-- case_deadlines, accounts and their audit, case_sources: keys only, the anti-join of migration 025).
--
-- Who writes the key (none of it costs the bulk load a trigger: a BEFORE ROW trigger would take COPY off its
-- batched insert and cost seconds per million rows, as the foreign keys did, migration 003):
--   the load (etl/): rows placed in Python get it from a map grid -> key read once per load (etl/direct.py),
--   rows placed in SQL from a join to grids in the upsert (etl/upsert.py); a grid file that moves a grid to
--   another street moves that grid's rows with it in the load's transaction (etl/street_keys.py);
--   visits recorded in the field and their undos: street_key(grid) in the same INSERT (gridgov/visits.py);
--   the case tables: the triggers below. Their rows are written one at a time, by people and systems (a load
--   adds import events only to the few cases that have a row, etl/cases.py), so a per-row trigger costs
--   nothing that matters, and it keeps every writer of the loop (gridgov/case_store.py, migration 025's
--   open_file_case, photos, links) right without each having to say it.
-- The fact tables keep DEFAULT '' for rows written by hand (a test's seed, a repair in psql); every writer in
-- gridgov states the key, and tests/test_street_keys.py checks each table against its grid after a load and
-- after the case loop. The case tables have no default: their trigger always sets it.
--
-- A case and all its rows share one key, its grid's street's, whatever its history: when a case is placed or
-- reassigned to a grid of another street (or its grid moves street with a grid file), the case row takes the
-- new key and its events, escalations, photos and links follow it in the same transaction (cases_street_moves
-- below). Events keeping the key they were written with would split one case over two shards, and every read
-- of a case joins its events. On Citus the move is a delete and insert of the case's rows on the other shard
-- (an UPDATE may not change a distribution column there): docs/SCALING.md says so among what blocks sharding.
-- case_events and visit_undos stay append-only for everything else: the one change their triggers now let
-- through is a row whose street key alone changes.

-- the street key of a grid's row (its street_code and street_name columns)
CREATE FUNCTION street_key_of(street_code text, street_name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(nullif(street_code, ''), nullif(street_name, ''), '')
$$;

-- the street key of a grid, by code; '' for no grid (a case not placed yet) or a grid that does not exist
CREATE FUNCTION street_key(grid text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce((SELECT street_key_of(g.street_code, g.street_name) FROM grids AS g WHERE g.grid_code = grid), '')
$$;

-- case_events (020) and visit_undos (022) refuse every change to a row but one: its street key alone changing
-- (a case or grid moving street, below). The TRUNCATE triggers keep their own functions.
CREATE FUNCTION append_only_but_street_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.street_code IS DISTINCT FROM OLD.street_code
       AND to_jsonb(NEW) - 'street_code' = to_jsonb(OLD) - 'street_code' THEN
        RETURN NEW;
    END IF;
    -- TG_ARGV: why the table is append-only, and the error code its callers expect
    RAISE EXCEPTION '% is append-only: % is refused (%)', TG_TABLE_NAME, TG_OP, TG_ARGV[0] USING ERRCODE = TG_ARGV[1];
END
$$;
DROP TRIGGER case_events_no_update ON case_events;
CREATE TRIGGER case_events_no_update BEFORE UPDATE OR DELETE ON case_events FOR EACH ROW
    EXECUTE FUNCTION append_only_but_street_key('a correction is a new event', 'insufficient_privilege');
DROP TRIGGER visit_undos_no_update ON visit_undos;
CREATE TRIGGER visit_undos_no_update BEFORE UPDATE OR DELETE ON visit_undos FOR EACH ROW
    EXECUTE FUNCTION append_only_but_street_key('an undo is kept, as the visit is', 'raise_exception');

-- the column, and the rows there are, set-based from their grid
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['buildings', 'households', 'facilities', 'complaints', 'hazards', 'visits',
                             'visit_undos', 'cases']
    LOOP
        EXECUTE format('ALTER TABLE %I ADD COLUMN street_code text NOT NULL DEFAULT %L', t, '');
        EXECUTE format('UPDATE %I AS t SET street_code = k.street_key'
                       ' FROM (SELECT grid_code, street_key_of(street_code, street_name) AS street_key FROM grids) AS k'
                       ' WHERE t.grid_code = k.grid_code AND k.street_key <> %L', t, '');
    END LOOP;
END
$$;
ALTER TABLE cases ALTER COLUMN street_code DROP DEFAULT;

-- a case's key: its grid's (SECURITY DEFINER: a grid leader's transaction reads grids and cases through its
-- policies, and the key must not depend on who writes)
CREATE FUNCTION case_street_from_grid() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    NEW.street_code := street_key(NEW.grid_code);
    RETURN NEW;
END
$$;
CREATE TRIGGER cases_street BEFORE INSERT ON cases
    FOR EACH ROW EXECUTE FUNCTION case_street_from_grid();
CREATE TRIGGER cases_street_placed BEFORE UPDATE ON cases
    FOR EACH ROW WHEN (OLD.grid_code IS DISTINCT FROM NEW.grid_code) EXECUTE FUNCTION case_street_from_grid();

-- a row reached through its case: the case's key
CREATE FUNCTION case_street_from_case() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    NEW.street_code := coalesce((SELECT c.street_code FROM cases AS c WHERE c.case_id = NEW.case_id), '');
    RETURN NEW;
END
$$;

-- the rows reached through a case: the column, their case's key, and the trigger that keeps writing it
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['case_events', 'case_escalations', 'case_photos', 'case_links']
    LOOP
        EXECUTE format('ALTER TABLE %I ADD COLUMN street_code text NOT NULL DEFAULT %L', t, '');
        EXECUTE format('UPDATE %I AS t SET street_code = c.street_code FROM cases AS c'
                       ' WHERE c.case_id = t.case_id AND c.street_code <> %L', t, '');
        EXECUTE format('ALTER TABLE %I ALTER COLUMN street_code DROP DEFAULT', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON %I FOR EACH ROW EXECUTE FUNCTION case_street_from_case()',
                       t || '_street', t);
    END LOOP;
END
$$;

-- a case that moves street takes all its rows along (as the table's owner: a leader may not update events)
CREATE FUNCTION case_street_moves() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    UPDATE case_events SET street_code = NEW.street_code WHERE case_id = NEW.case_id;
    UPDATE case_escalations SET street_code = NEW.street_code WHERE case_id = NEW.case_id;
    UPDATE case_photos SET street_code = NEW.street_code WHERE case_id = NEW.case_id;
    UPDATE case_links SET street_code = NEW.street_code WHERE case_id = NEW.case_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER cases_street_moves AFTER UPDATE ON cases
    FOR EACH ROW WHEN (OLD.street_code IS DISTINCT FROM NEW.street_code) EXECUTE FUNCTION case_street_moves();
