-- +goose Up
-- Anaesthetists or anaesthesia teams: their availability is their weekly
-- opening hours and closures (resource kind 'anaesthesia').
CREATE TABLE anaesthesia_teams (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);

-- Practice-wide settings edited by the admin (turnover, ward discharge time).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

ALTER TABLE appointments ADD COLUMN turnover_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE appointments ADD COLUMN anaesthesia_id INTEGER REFERENCES anaesthesia_teams(id);

-- SQLite cannot change a CHECK constraint: the table is rebuilt to accept
-- anaesthesia holds.
CREATE TABLE resource_busy_new (
    id INTEGER PRIMARY KEY,
    appointment_id INTEGER NOT NULL REFERENCES appointments(id),
    resource_kind TEXT NOT NULL CHECK (resource_kind IN ('room','radiologist','place','anaesthesia')),
    resource_id INTEGER NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    CHECK (starts_at < ends_at)
);
INSERT INTO resource_busy_new (id, appointment_id, resource_kind, resource_id, starts_at, ends_at, active)
    SELECT id, appointment_id, resource_kind, resource_id, starts_at, ends_at, active FROM resource_busy;
DROP TABLE resource_busy;
ALTER TABLE resource_busy_new RENAME TO resource_busy;
CREATE INDEX resource_busy_lookup ON resource_busy (resource_kind, resource_id, starts_at) WHERE active;
CREATE INDEX resource_busy_appointment ON resource_busy (appointment_id);

-- +goose Down
CREATE TABLE resource_busy_old (
    id INTEGER PRIMARY KEY,
    appointment_id INTEGER NOT NULL REFERENCES appointments(id),
    resource_kind TEXT NOT NULL CHECK (resource_kind IN ('room','radiologist','place')),
    resource_id INTEGER NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    CHECK (starts_at < ends_at)
);
INSERT INTO resource_busy_old SELECT * FROM resource_busy WHERE resource_kind <> 'anaesthesia';
DROP TABLE resource_busy;
ALTER TABLE resource_busy_old RENAME TO resource_busy;
CREATE INDEX resource_busy_lookup ON resource_busy (resource_kind, resource_id, starts_at) WHERE active;
CREATE INDEX resource_busy_appointment ON resource_busy (appointment_id);
ALTER TABLE appointments DROP COLUMN anaesthesia_id;
ALTER TABLE appointments DROP COLUMN turnover_minutes;
DROP TABLE settings;
DROP TABLE anaesthesia_teams;
