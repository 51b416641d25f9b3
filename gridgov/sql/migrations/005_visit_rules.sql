-- 005: the visit rules (六必访) are data, not code.
-- A household is due a visit in every period (calendar week, month or quarter,
-- in the community's time zone) if any of its special groups has a rule here.
-- An office changes the list with plain SQL, e.g.
--   INSERT INTO visit_rules VALUES ('empty_nest', 'month', '空巢老人');
--   UPDATE visit_rules SET every = 'week' WHERE group_key = 'elderly_alone';
-- A household in two groups with different periods is due in the shortest one.
CREATE TABLE visit_rules (
    group_key  text PRIMARY KEY,  -- a key of gridgov.groups.SPECIAL_GROUPS, as in households.groups
    every      text NOT NULL CHECK (every IN ('week', 'month', 'quarter')),
    label      text NOT NULL
);

INSERT INTO visit_rules (group_key, every, label) VALUES
    ('low_income',      'month', '低保户'),
    ('extreme_poverty', 'month', '特困人员'),
    ('elderly_alone',   'month', '独居老人'),
    ('disabled',        'month', '残疾人'),
    ('unemployed',      'month', '失业人员'),
    ('floating',        'month', '流动人口'),
    ('key_assistance',  'month', '重点帮扶');
