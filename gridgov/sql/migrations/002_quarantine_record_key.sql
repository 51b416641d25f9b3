-- 002: a quarantined row remembers the id it carried, so that when the clerk
-- loads the corrected row (from the fix CSV, or any later file) the old entry
-- is resolved instead of lingering under its first file.
ALTER TABLE quarantine ADD COLUMN record_key text;
CREATE INDEX quarantine_dataset_key ON quarantine (dataset, record_key);
