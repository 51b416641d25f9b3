-- 030: a grid carries its street (街道) as well as its community, so one database can hold a whole street or
-- district and accounts can be scoped to communities and streets (gridgov.access, gridgov.areas).
-- The names are what the office's boundary file says; the codes are the file's stable codes where it has them
-- (街道代码, 社区代码), NULL where it does not. A file without a street column leaves street_name NULL.
ALTER TABLE grids
    ADD COLUMN street_name    text,
    ADD COLUMN street_code    text,
    ADD COLUMN community_code text;
CREATE INDEX grids_community ON grids (community_name);
CREATE INDEX grids_street ON grids (street_name);
