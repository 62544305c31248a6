-- +goose Up
-- Month snapshots of the dashboards (see summary.go): for each closed
-- local calendar month, the exact rows the dose review, activity and
-- outcome reads return, encoded (summary_codec.go). A snapshot is used
-- only while no summary_changes row falls in its month: the triggers below
-- append one for every write to what those reads depend on, whatever the
-- path that writes (web, FHIR, MPPS, dose report, outbox, follow-up).
-- Append-only rows rather than a counter: concurrent bookings do not
-- queue on one hot row.
CREATE TABLE summary_months (
    month_start TIMESTAMP PRIMARY KEY,
    month_end TIMESTAMP NOT NULL,
    zone TEXT NOT NULL,
    format INTEGER NOT NULL,
    dosed BLOB NOT NULL,
    activity BLOB NOT NULL,
    outcomes BLOB NOT NULL,
    built_at TIMESTAMP NOT NULL
);
CREATE TABLE summary_changes (
    id INTEGER PRIMARY KEY,
    at TIMESTAMP NOT NULL
);
CREATE INDEX summary_changes_at ON summary_changes (at);

-- +goose StatementBegin
CREATE TRIGGER summary_appointments_insert AFTER INSERT ON appointments
BEGIN INSERT INTO summary_changes (at) VALUES (NEW.starts_at); END;
-- +goose StatementEnd
-- Only the columns the snapshots hold: the day's steps, the accession
-- number and updated_at change often and no snapshot reads them.
-- +goose StatementBegin
CREATE TRIGGER summary_appointments_update AFTER UPDATE OF patient_id, referral_id, act_id, status, room_id, radiologist_id, place_id, starts_at, room_minutes, monitoring_minutes, dose_dlp, dose_ctdivol ON appointments
BEGIN INSERT INTO summary_changes (at) SELECT OLD.starts_at UNION SELECT NEW.starts_at; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER summary_appointments_delete AFTER DELETE ON appointments
BEGIN INSERT INTO summary_changes (at) VALUES (OLD.starts_at); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER summary_referrals_update AFTER UPDATE OF created_at ON referrals
BEGIN INSERT INTO summary_changes (at) SELECT starts_at FROM appointments WHERE referral_id IN (OLD.id, NEW.id); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER summary_act_records_insert AFTER INSERT ON act_records
BEGIN INSERT INTO summary_changes (at) SELECT starts_at FROM appointments WHERE id = NEW.appointment_id; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER summary_act_records_update AFTER UPDATE ON act_records
BEGIN INSERT INTO summary_changes (at) SELECT starts_at FROM appointments WHERE id IN (OLD.appointment_id, NEW.appointment_id); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER summary_act_records_delete AFTER DELETE ON act_records
BEGIN INSERT INTO summary_changes (at) SELECT starts_at FROM appointments WHERE id = OLD.appointment_id; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER summary_followup_scores_insert AFTER INSERT ON followup_scores
BEGIN INSERT INTO summary_changes (at) SELECT starts_at FROM appointments WHERE id = NEW.appointment_id; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER summary_followup_scores_update AFTER UPDATE ON followup_scores
BEGIN INSERT INTO summary_changes (at) SELECT starts_at FROM appointments WHERE id IN (OLD.appointment_id, NEW.appointment_id); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER summary_followup_scores_delete AFTER DELETE ON followup_scores
BEGIN INSERT INTO summary_changes (at) SELECT starts_at FROM appointments WHERE id = OLD.appointment_id; END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER summary_followup_scores_delete;
DROP TRIGGER summary_followup_scores_update;
DROP TRIGGER summary_followup_scores_insert;
DROP TRIGGER summary_act_records_delete;
DROP TRIGGER summary_act_records_update;
DROP TRIGGER summary_act_records_insert;
DROP TRIGGER summary_referrals_update;
DROP TRIGGER summary_appointments_delete;
DROP TRIGGER summary_appointments_update;
DROP TRIGGER summary_appointments_insert;
DROP TABLE summary_changes;
DROP TABLE summary_months;
