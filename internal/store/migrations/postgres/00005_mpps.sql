-- +goose Up
-- Modality Performed Procedure Steps sent by the CT consoles, linked to the
-- appointment they performed (by accession number or study UID).
CREATE TABLE performed_steps (
    sop_instance_uid TEXT PRIMARY KEY,
    appointment_id BIGINT REFERENCES appointments(id),
    status TEXT NOT NULL CHECK (status IN ('IN PROGRESS','COMPLETED','DISCONTINUED')),
    calling_ae TEXT NOT NULL DEFAULT '',
    station_ae TEXT NOT NULL DEFAULT '',
    dicom_patient_id TEXT NOT NULL DEFAULT '',
    accession_number TEXT NOT NULL DEFAULT '',
    study_instance_uid TEXT NOT NULL DEFAULT '',
    scheduled_step_id TEXT NOT NULL DEFAULT '',
    requested_procedure_id TEXT NOT NULL DEFAULT '',
    started_at TIMESTAMPTZ,
    ended_at TIMESTAMPTZ,
    dlp DOUBLE PRECISION,
    ctdivol DOUBLE PRECISION,
    discontinuation_reason TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX performed_steps_appointment ON performed_steps (appointment_id);

-- The latest step's status and times, on the appointment the board shows.
ALTER TABLE appointments ADD COLUMN performed_status TEXT NOT NULL DEFAULT '';
ALTER TABLE appointments ADD COLUMN performed_start TIMESTAMPTZ;
ALTER TABLE appointments ADD COLUMN performed_end TIMESTAMPTZ;
ALTER TABLE appointments ADD COLUMN dose_dlp DOUBLE PRECISION;
ALTER TABLE appointments ADD COLUMN dose_ctdivol DOUBLE PRECISION;

-- +goose Down
ALTER TABLE appointments DROP COLUMN dose_ctdivol;
ALTER TABLE appointments DROP COLUMN dose_dlp;
ALTER TABLE appointments DROP COLUMN performed_end;
ALTER TABLE appointments DROP COLUMN performed_start;
ALTER TABLE appointments DROP COLUMN performed_status;
DROP TABLE performed_steps;
