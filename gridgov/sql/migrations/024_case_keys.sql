-- 024: the case loop's two busiest foreign keys go, as 003 took those of the office's facts.
--
-- A load of the office's files opens a case per work order and hazard (etl/cases.py, 023): at city scale
-- ~1,000,000 cases and their import events in one statement, where PostgreSQL checked each row's key one by
-- one (cases.grid_code -> grids: 15 s; case_events.case_id -> cases: 22 s of the ~60 s the import took).
-- What the keys guaranteed is kept where the rows are written: gridgov.case_store refuses a grid that does not
-- exist (opening a case, assign, reassign) and writes an event only for the case row it holds locked; the load
-- writes a case and its first event in one statement, with grids it has just placed the records in.
ALTER TABLE cases DROP CONSTRAINT IF EXISTS cases_grid_code_fkey;
ALTER TABLE case_events DROP CONSTRAINT IF EXISTS case_events_case_id_fkey;
