-- +goose Up
-- What was done, as the act record's JSON (package actrecord's Record).
CREATE TABLE act_records (
    appointment_id INTEGER PRIMARY KEY REFERENCES appointments(id),
    record TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL
);

-- The report being written, before it is signed.
CREATE TABLE report_drafts (
    appointment_id INTEGER PRIMARY KEY REFERENCES appointments(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL
);

-- Signed reports are frozen (triggers refuse changes); an amendment is a
-- new version naming the one it amends and why.
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    appointment_id INTEGER NOT NULL REFERENCES appointments(id),
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    amends INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    signed_by TEXT NOT NULL,
    signed_at TIMESTAMP NOT NULL,
    sha256 TEXT NOT NULL,
    pdf BLOB NOT NULL,
    UNIQUE (appointment_id, number)
);
-- +goose StatementBegin
CREATE TRIGGER reports_frozen BEFORE UPDATE ON reports
BEGIN
    SELECT RAISE(ABORT, 'a signed report cannot be changed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER reports_kept BEFORE DELETE ON reports
BEGIN
    SELECT RAISE(ABORT, 'a signed report cannot be deleted');
END;
-- +goose StatementEnd

-- Pain scores (0-10) before the act (day 0) and on the follow-up days.
CREATE TABLE followup_scores (
    id INTEGER PRIMARY KEY,
    appointment_id INTEGER NOT NULL REFERENCES appointments(id),
    day INTEGER NOT NULL CHECK (day >= 0),
    value INTEGER NOT NULL CHECK (value BETWEEN 0 AND 10),
    at TIMESTAMP NOT NULL,
    actor_login TEXT NOT NULL
);
CREATE INDEX followup_scores_appointment ON followup_scores (appointment_id, day);

-- +goose Down
DROP TABLE followup_scores;
DROP TRIGGER reports_kept;
DROP TRIGGER reports_frozen;
DROP TABLE reports;
DROP TABLE report_drafts;
DROP TABLE act_records;
