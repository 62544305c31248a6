-- +goose Up
CREATE TABLE act_records (
    appointment_id BIGINT PRIMARY KEY REFERENCES appointments(id),
    record TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE report_drafts (
    appointment_id BIGINT PRIMARY KEY REFERENCES appointments(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE reports (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    appointment_id BIGINT NOT NULL REFERENCES appointments(id),
    patient_id BIGINT NOT NULL REFERENCES patients(id),
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    amends INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    signed_by TEXT NOT NULL,
    signed_at TIMESTAMPTZ NOT NULL,
    sha256 TEXT NOT NULL,
    pdf BYTEA NOT NULL,
    UNIQUE (appointment_id, number)
);
-- +goose StatementBegin
CREATE FUNCTION reports_frozen() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a signed report cannot be changed or deleted';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER reports_frozen BEFORE UPDATE OR DELETE ON reports FOR EACH ROW EXECUTE FUNCTION reports_frozen();

CREATE TABLE followup_scores (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    appointment_id BIGINT NOT NULL REFERENCES appointments(id),
    day INTEGER NOT NULL CHECK (day >= 0),
    value INTEGER NOT NULL CHECK (value BETWEEN 0 AND 10),
    at TIMESTAMPTZ NOT NULL,
    actor_login TEXT NOT NULL
);
CREATE INDEX followup_scores_appointment ON followup_scores (appointment_id, day);

-- +goose Down
DROP TABLE followup_scores;
DROP TABLE reports;
DROP FUNCTION reports_frozen();
DROP TABLE report_drafts;
DROP TABLE act_records;
