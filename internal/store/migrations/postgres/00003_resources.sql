-- +goose Up
-- Anaesthetists or anaesthesia teams: their availability is their weekly
-- opening hours and closures (resource kind 'anaesthesia').
CREATE TABLE anaesthesia_teams (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT true
);

-- Practice-wide settings edited by the admin (turnover, ward discharge time).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

ALTER TABLE appointments ADD COLUMN turnover_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE appointments ADD COLUMN anaesthesia_id BIGINT REFERENCES anaesthesia_teams(id);

ALTER TABLE resource_busy DROP CONSTRAINT resource_busy_resource_kind_check;
ALTER TABLE resource_busy ADD CONSTRAINT resource_busy_resource_kind_check
    CHECK (resource_kind IN ('room','radiologist','place','anaesthesia'));

-- +goose Down
DELETE FROM resource_busy WHERE resource_kind = 'anaesthesia';
ALTER TABLE resource_busy DROP CONSTRAINT resource_busy_resource_kind_check;
ALTER TABLE resource_busy ADD CONSTRAINT resource_busy_resource_kind_check
    CHECK (resource_kind IN ('room','radiologist','place'));
ALTER TABLE appointments DROP COLUMN anaesthesia_id;
ALTER TABLE appointments DROP COLUMN turnover_minutes;
DROP TABLE settings;
DROP TABLE anaesthesia_teams;
