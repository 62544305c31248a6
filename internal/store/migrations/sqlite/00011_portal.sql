-- +goose Up
-- One-time codes of the patient portal: sent by email, valid a few minutes,
-- checked with the birth date; only their SHA-256 is kept.
CREATE TABLE portal_codes (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    code_hash TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX portal_codes_patient ON portal_codes (patient_id, id);

-- +goose Down
DROP TABLE portal_codes;
