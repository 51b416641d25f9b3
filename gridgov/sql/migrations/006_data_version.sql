-- 006: a data version, so answers computed from the data can be cached until it changes.
-- Every statement that changes a table the layers read takes a new number from
-- this sequence (a statement-level trigger: no cost per row). A sequence never
-- blocks: a long load and a grid leader recording a visit do not wait on each
-- other. Readers key their caches on the sequence's last value (plus a short
-- time limit, for a change still uncommitted when its number was taken).
CREATE SEQUENCE data_version;

-- SECURITY DEFINER: a restricted role that may insert a visit need not own the sequence
CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    PERFORM nextval('data_version');
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['grids', 'buildings', 'households', 'facilities', 'complaints', 'hazards', 'visits',
                             'visit_rules']
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()', t || '_data_version', t);
    END LOOP;
END
$$;
