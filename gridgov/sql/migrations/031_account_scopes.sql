-- 031: accounts and wall devices scoped to communities and streets (gridgov.access, gridgov.areas).
--
-- A secretary (社区书记) is the secretary of one or more communities (`communities`, the grids'
-- community_name), optionally of one street when two streets have communities of the same name; a street
-- officer (街道) sees every community of one street (`street`, the grids' street_name); a planner sees
-- everything or one street; a grid leader keeps their grids. A wall device shows one area as a secretary
-- does. The server turns the scope into the list of grids it covers for every request, and row-level
-- security (migration 010's policies, keyed on that list) holds underneath.
--
-- Accounts and devices made before this migration saw every grid: they keep every community the database
-- holds now, so nothing they saw disappears and nothing new appears; the administrator narrows them.
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('secretary', 'street_officer', 'grid_leader', 'planner', 'admin'));
ALTER TABLE users
    ADD COLUMN communities text[] NOT NULL DEFAULT '{}',
    ADD COLUMN street      text CHECK (street <> '');
ALTER TABLE wall_devices
    ADD COLUMN communities text[] NOT NULL DEFAULT '{}',
    ADD COLUMN street      text CHECK (street <> '');

UPDATE users SET communities = coalesce((SELECT array_agg(DISTINCT community_name ORDER BY community_name)
                                         FROM grids), '{}')
WHERE role = 'secretary';
UPDATE wall_devices SET communities = coalesce((SELECT array_agg(DISTINCT community_name ORDER BY community_name)
                                                FROM grids), '{}');

-- who carries which scope: a secretary's communities, a street officer's street, a planner's street or none
ALTER TABLE users ADD CONSTRAINT users_scope_check CHECK (
    (role = 'secretary' OR cardinality(communities) = 0)
    AND (role <> 'street_officer' OR street IS NOT NULL)
    AND (street IS NULL OR role IN ('secretary', 'street_officer', 'planner'))
);
