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
    month_start TIMESTAMPTZ PRIMARY KEY,
    month_end TIMESTAMPTZ NOT NULL,
    zone TEXT NOT NULL,
    format INTEGER NOT NULL,
    dosed BYTEA NOT NULL,
    activity BYTEA NOT NULL,
    outcomes BYTEA NOT NULL,
    built_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE summary_changes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX summary_changes_at ON summary_changes (at);

-- +goose StatementBegin
CREATE FUNCTION summary_appointment_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO summary_changes (at) VALUES (OLD.starts_at);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.starts_at IS DISTINCT FROM OLD.starts_at) THEN
        INSERT INTO summary_changes (at) VALUES (NEW.starts_at);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
-- Updates of the columns the snapshots hold only: the day's steps and
-- updated_at change often and no snapshot reads them.
CREATE TRIGGER summary_appointments AFTER INSERT OR DELETE OR UPDATE OF patient_id, referral_id, act_id, status, room_id, radiologist_id, place_id, starts_at, room_minutes, monitoring_minutes, dose_dlp, dose_ctdivol ON appointments
    FOR EACH ROW EXECUTE FUNCTION summary_appointment_changed();

-- +goose StatementBegin
CREATE FUNCTION summary_referral_changed() RETURNS trigger AS $$
BEGIN
    INSERT INTO summary_changes (at) SELECT starts_at FROM appointments WHERE referral_id IN (OLD.id, NEW.id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER summary_referrals AFTER UPDATE OF created_at ON referrals
    FOR EACH ROW EXECUTE FUNCTION summary_referral_changed();

-- +goose StatementBegin
CREATE FUNCTION summary_act_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO summary_changes (at) SELECT starts_at FROM appointments WHERE id = OLD.appointment_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.appointment_id <> OLD.appointment_id) THEN
        INSERT INTO summary_changes (at) SELECT starts_at FROM appointments WHERE id = NEW.appointment_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER summary_act_records AFTER INSERT OR UPDATE OR DELETE ON act_records
    FOR EACH ROW EXECUTE FUNCTION summary_act_changed();
CREATE TRIGGER summary_followup_scores AFTER INSERT OR UPDATE OR DELETE ON followup_scores
    FOR EACH ROW EXECUTE FUNCTION summary_act_changed();

-- +goose Down
DROP TRIGGER summary_followup_scores ON followup_scores;
DROP TRIGGER summary_act_records ON act_records;
DROP TRIGGER summary_referrals ON referrals;
DROP TRIGGER summary_appointments ON appointments;
DROP TABLE summary_changes;
DROP TABLE summary_months;
DROP FUNCTION summary_act_changed();
DROP FUNCTION summary_referral_changed();
DROP FUNCTION summary_appointment_changed();
