-- 014: which grids neighbour which, kept until the grids change (layers/contiguity.py builds it).
-- Contiguity depends on the grid polygons only, and finding it on real boundaries (thousands of vertices per
-- grid) takes seconds: the hot spot layers read it from here instead of computing it at every request.

-- Each pair once (grid_code < neighbour): `touching` = the polygons lie within tolerance_m of each other (a
-- shared edge or corner, slivers and gaps from digitising); `nearest` = an island joined to its nearest grid.
-- No foreign key to grids: the rows are rebuilt from the grids, not maintained beside them.
CREATE TABLE grid_neighbours (
    grid_code  text NOT NULL,
    neighbour  text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('touching', 'nearest')),
    PRIMARY KEY (grid_code, neighbour),
    CHECK (grid_code < neighbour COLLATE "C")  -- code point order, as Python compares strings
);

-- What the rows were built from: the version of the grids table (data_version_grids, migration 013) and the
-- transactions that were writing grids then (their changes were not visible: the rows are good only while
-- each of them is still in progress, and never once the version has moved on).
CREATE TABLE grid_neighbours_state (
    only_row       boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    grids_version  bigint NOT NULL,
    grid_writers   text[] NOT NULL,
    tolerance_m    double precision NOT NULL,
    method         text NOT NULL,
    grids          integer NOT NULL,
    pairs          integer NOT NULL,
    islands        integer NOT NULL,
    built_at       timestamptz NOT NULL DEFAULT now(),
    build_seconds  double precision NOT NULL
);

-- The version of grids, then the transactions (other than this session's) holding a lock that writing grids
-- takes (INSERT, UPDATE, DELETE and COPY take ROW EXCLUSIVE, TRUNCATE ACCESS EXCLUSIVE, until they end), in
-- this order: a writer whose change the version already counts is either committed, and then visible to the
-- statements that follow, or still listed. Only writers of grids: a visit recorded meanwhile does not make
-- the neighbours stale. SECURITY DEFINER, as data_stamp(): the sequence and the locks of every role.
CREATE FUNCTION grids_stamp(OUT version bigint, OUT writers text[])
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END INTO version FROM data_version_grids;
    SELECT coalesce(array_agg(DISTINCT l.virtualtransaction), '{}')
      INTO writers
      FROM pg_locks AS l
     WHERE l.locktype = 'relation'
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND l.relation = 'public.grids'::regclass
       AND l.mode IN ('RowExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
       AND l.granted
       AND l.pid IS DISTINCT FROM pg_backend_pid();
END
$$;

-- Not personal: a grid leader's connection may read it like the grids themselves.
GRANT SELECT ON grid_neighbours, grid_neighbours_state TO gridgov_grid_reader;
GRANT EXECUTE ON FUNCTION grids_stamp() TO gridgov_grid_reader;
