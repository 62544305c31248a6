-- +goose Up
-- One-time codes of the patient portal: sent by email, valid a few minutes,
-- checked with the birth date; only their SHA-256 is kept.
CREATE TABLE portal_codes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id BIGINT NOT NULL REFERENCES patients(id),
    code_hash TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    used_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX portal_codes_patient ON portal_codes (patient_id, id);

-- +goose Down
DROP TABLE portal_codes;
