-- 012: cached answers that are exact without a time limit.
--
-- Migration 006 gave every statement that changes a layer table a new number from the sequence
-- data_version. A sequence is not transactional: a reader could take the number of a change not yet
-- committed, compute from data without it, and keep that answer under the number. So each such statement
-- now also holds a shared advisory lock until its transaction ends. A reader that takes the version and
-- then sees who holds this lock knows which changes counted in the version may still be invisible to it
-- (layers/answers.py; the reader's side, data_stamp(), is in migration 013). Shared locks never conflict
-- with each other and nobody takes it exclusively: writers never wait on it or on each other. Key: classid 7313, objid 12 (the loads and migrations use other keys).
CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(7313, 12);  -- first: a reader seeing the new number sees this writer
    PERFORM nextval('data_version');
    RETURN NULL;
END
$$;

