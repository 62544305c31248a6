-- +goose Up
-- The day of the act: where the patient is, from arrival to discharge.
ALTER TABLE appointments ADD COLUMN day_status TEXT NOT NULL DEFAULT 'expected';
ALTER TABLE appointments ADD COLUMN arrived_at TIMESTAMPTZ;
ALTER TABLE appointments ADD COLUMN in_room_at TIMESTAMPTZ;
ALTER TABLE appointments ADD COLUMN monitoring_from TIMESTAMPTZ;
ALTER TABLE appointments ADD COLUMN discharged_at TIMESTAMPTZ;
ALTER TABLE appointments ADD COLUMN identity_checked_by TEXT NOT NULL DEFAULT '';

-- Each checklist item checked by a named user, with time; the latest counts.
CREATE TABLE checklist_checks (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    appointment_id BIGINT NOT NULL REFERENCES appointments(id),
    item_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('ok','not_ok','na')),
    note TEXT NOT NULL DEFAULT '',
    at TIMESTAMPTZ NOT NULL,
    actor_login TEXT NOT NULL
);
CREATE INDEX checklist_checks_appointment ON checklist_checks (appointment_id, id);

-- The radiologist's decision to start with a blocking item open, with its reason.
CREATE TABLE checklist_overrides (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    appointment_id BIGINT NOT NULL REFERENCES appointments(id),
    reason TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    actor_login TEXT NOT NULL
);

-- +goose Down
DROP TABLE checklist_overrides;
DROP TABLE checklist_checks;
ALTER TABLE appointments DROP COLUMN identity_checked_by;
ALTER TABLE appointments DROP COLUMN discharged_at;
ALTER TABLE appointments DROP COLUMN monitoring_from;
ALTER TABLE appointments DROP COLUMN in_room_at;
ALTER TABLE appointments DROP COLUMN arrived_at;
ALTER TABLE appointments DROP COLUMN day_status;
