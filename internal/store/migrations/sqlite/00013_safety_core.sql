-- +goose Up
-- What the scanner did that the day's steps did not allow (an act started
-- on the scanner with the checklist open...), shown on the board.
ALTER TABLE appointments ADD COLUMN scanner_flag TEXT NOT NULL DEFAULT '';

-- A patient's history: identity corrections with the identity document
-- checked and the old and new values (identity vigilance).
CREATE TABLE patient_events (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    document TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    at TIMESTAMP NOT NULL,
    actor_login TEXT NOT NULL
);
CREATE INDEX patient_events_patient ON patient_events (patient_id, id);

-- +goose Down
DROP TABLE patient_events;
ALTER TABLE appointments DROP COLUMN scanner_flag;
