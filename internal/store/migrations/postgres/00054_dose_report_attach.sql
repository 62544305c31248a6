-- +goose Up
-- A dose report that matched no act (its accession number and study
-- unknown here) is attached by a person later: who did it, when and why.
ALTER TABLE dose_reports ADD COLUMN attached_by TEXT NOT NULL DEFAULT '';
ALTER TABLE dose_reports ADD COLUMN attach_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX dose_reports_unattached ON dose_reports (received_at) WHERE appointment_id IS NULL;

-- +goose Down
DROP INDEX dose_reports_unattached;
ALTER TABLE dose_reports DROP COLUMN attach_reason;
ALTER TABLE dose_reports DROP COLUMN attached_by;
