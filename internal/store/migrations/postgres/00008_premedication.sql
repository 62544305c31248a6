-- +goose Up
-- What the radiologist prescribes when signing the screening, for the
-- scanner console (worklist Pre-Medication and Requested Contrast Agent).
ALTER TABLE screening_decisions ADD COLUMN premedication TEXT NOT NULL DEFAULT '';
ALTER TABLE screening_decisions ADD COLUMN contrast_agent TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE screening_decisions DROP COLUMN contrast_agent;
ALTER TABLE screening_decisions DROP COLUMN premedication;
