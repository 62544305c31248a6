-- +goose Up
-- Radiation dose reports (CT Radiation Dose SR) received from the scanners,
-- linked to the act they belong to (by accession number or study UID).
-- The report itself is JSON that only the application layer reads.
CREATE TABLE dose_reports (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sop_instance_uid TEXT NOT NULL UNIQUE,
    sop_class_uid TEXT NOT NULL,
    appointment_id BIGINT REFERENCES appointments(id),
    study_instance_uid TEXT NOT NULL,
    accession_number TEXT NOT NULL DEFAULT '',
    calling_ae TEXT NOT NULL DEFAULT '',
    station_name TEXT NOT NULL DEFAULT '',
    total_dlp DOUBLE PRECISION,
    max_ctdivol DOUBLE PRECISION,
    report TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX dose_reports_appointment ON dose_reports (appointment_id);
CREATE INDEX dose_reports_study ON dose_reports (study_instance_uid);

-- Where the act's dose (dose_dlp, dose_ctdivol) comes from: '' none,
-- 'mpps', 'report' (dose SR: it replaces the MPPS's), 'typed' (changed by
-- the team with a reason: neither replaces it).
ALTER TABLE appointments ADD COLUMN dose_source TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE appointments DROP COLUMN dose_source;
DROP TABLE dose_reports;
