-- 013: a data version per table, so an answer is kept until a table it reads changes, not any table.
-- A grid leader recording a visit changes `visits`: answers computed from complaints alone (the hot spots,
-- the emerging hot spots, the complaint rates) stay good, and the wall screen rebuilds only what reads visits.
-- Each writing statement now takes a number from data_version_<its table> as well as from data_version.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['grids', 'buildings', 'households', 'facilities', 'complaints', 'hazards', 'visits',
                             'visit_rules']
    LOOP
        EXECUTE format('CREATE SEQUENCE %I', 'data_version_' || t);
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(7313, 12);  -- first: a reader seeing the new numbers sees this writer
    PERFORM nextval(format('data_version_%s', TG_TABLE_NAME)::regclass);
    PERFORM nextval('data_version');
    RETURN NULL;
END
$$;

-- The stamp (layers/answers.py): every version first, then the writers holding the lock, and whether this session
-- is one of them. SECURITY DEFINER: any role that reads the layers may read the versions (pg_backend_pid() is
-- still the caller's session).
DROP FUNCTION IF EXISTS data_stamp();  -- an earlier draft of 012 made one without the tables
CREATE FUNCTION data_stamp(OUT version bigint, OUT tables jsonb, OUT writers text[], OUT own boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    t text;
    v bigint;
BEGIN
    tables := '{}';
    FOREACH t IN ARRAY ARRAY['grids', 'buildings', 'households', 'facilities', 'complaints', 'hazards', 'visits',
                             'visit_rules']
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
