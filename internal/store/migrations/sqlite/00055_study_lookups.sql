-- +goose Up
-- The scanner's objects find their act by accession number, then by study
-- (dose reports, performed steps): indexed, so a report or an MPPS message
-- does not scan every appointment of the practice's history.
CREATE INDEX appointments_accession ON appointments (accession_number);
CREATE INDEX appointments_study ON appointments (study_instance_uid);
CREATE INDEX performed_steps_study ON performed_steps (study_instance_uid);

-- +goose Down
DROP INDEX performed_steps_study;
DROP INDEX appointments_study;
DROP INDEX appointments_accession;
