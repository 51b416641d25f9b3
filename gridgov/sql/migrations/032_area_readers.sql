-- 032: what row-level security shows a secretary or street officer (gridgov.areas) beyond their area's grids.
--
-- Their requests read as `gridgov_grid_reader`, keyed on the grids of their area exactly as a grid leader's are
-- on their own grids (010, 020). A case that came in with no placeable location has no grid, so no area: it
-- waits in the case queue of everyone who may place cases by hand (gridgov.access UNPLACED_CASES), which the
-- server says with the per-transaction setting `gridgov.unplaced` = 'on' (gridgov.rls). A grid leader's
-- transactions never set it, so a leader never reads an unplaced case.
CREATE POLICY area_reader_unplaced_cases ON cases FOR SELECT TO gridgov_grid_reader
    USING (grid_code IS NULL AND current_setting('gridgov.unplaced', true) = 'on');
