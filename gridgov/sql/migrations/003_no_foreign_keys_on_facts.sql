-- 003: fact tables carry no foreign keys to grids, buildings or load runs.
-- The ETL sets grid_code, building_id and load_run_id from joins, never from
-- input, so they hold by construction (and tests check them after loads);
-- per-row foreign-key triggers made a million-row load 2.5x slower
-- (bench/RESULTS.md), and a table sharded by grid later (Citus) wants none.
-- visits.household_id keeps its key: the dashboard records visits too.
ALTER TABLE buildings  DROP CONSTRAINT IF EXISTS buildings_grid_code_fkey,
                       DROP CONSTRAINT IF EXISTS buildings_load_run_id_fkey;
ALTER TABLE households DROP CONSTRAINT IF EXISTS households_grid_code_fkey,
                       DROP CONSTRAINT IF EXISTS households_building_id_fkey,
                       DROP CONSTRAINT IF EXISTS households_load_run_id_fkey;
ALTER TABLE facilities DROP CONSTRAINT IF EXISTS facilities_grid_code_fkey,
                       DROP CONSTRAINT IF EXISTS facilities_load_run_id_fkey;
ALTER TABLE complaints DROP CONSTRAINT IF EXISTS complaints_grid_code_fkey,
                       DROP CONSTRAINT IF EXISTS complaints_load_run_id_fkey;
ALTER TABLE hazards    DROP CONSTRAINT IF EXISTS hazards_grid_code_fkey,
                       DROP CONSTRAINT IF EXISTS hazards_load_run_id_fkey;
ALTER TABLE visits     DROP CONSTRAINT IF EXISTS visits_grid_code_fkey,
                       DROP CONSTRAINT IF EXISTS visits_load_run_id_fkey;
