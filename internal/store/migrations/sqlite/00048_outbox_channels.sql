-- +goose Up
-- What the outbox carries goes by email, by SMS (an HTTP SMS provider) or
-- is printed as a letter by the staff (recorded as sent when printed): the
-- patient's questionnaire link and portal invitation use all three.
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email';
CREATE INDEX outbox_patient ON outbox (patient_id, id);

-- +goose Down
DROP INDEX outbox_patient;
ALTER TABLE outbox DROP COLUMN channel;
