-- +goose Up
-- Normalised keys (lower case, no accents) make name and phone search an index range scan.
ALTER TABLE patients ADD COLUMN birth_name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN used_name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN first_names_key TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN phone_key TEXT NOT NULL DEFAULT '';
CREATE INDEX patients_birth_name_key ON patients (birth_name_key);
CREATE INDEX patients_used_name_key ON patients (used_name_key);
CREATE INDEX patients_first_names_key ON patients (first_names_key);
CREATE INDEX patients_phone_key ON patients (phone_key);

ALTER TABLE referrals ADD COLUMN updated_at TIMESTAMP;

-- Every status change of a referral, so it can be shown and reverted with a reason.
CREATE TABLE referral_events (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals(id),
    at TIMESTAMP NOT NULL,
    actor_login TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX referral_events_referral ON referral_events (referral_id, id);

-- Weekly opening pattern of a resource (room, place, radiologist, anaesthesia), minutes from midnight, site time.
CREATE TABLE opening_hours (
    id INTEGER PRIMARY KEY,
    resource_kind TEXT NOT NULL CHECK (resource_kind IN ('room','radiologist','anaesthesia')),
    resource_id INTEGER NOT NULL,
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1440),
    end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1440),
    CHECK (start_minute < end_minute)
);
CREATE INDEX opening_hours_resource ON opening_hours (resource_kind, resource_id);

-- Dated unavailability: room closures, staff absences.
CREATE TABLE closures (
    id INTEGER PRIMARY KEY,
    resource_kind TEXT NOT NULL CHECK (resource_kind IN ('room','radiologist','anaesthesia')),
    resource_id INTEGER NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    CHECK (starts_at < ends_at)
);
CREATE INDEX closures_resource ON closures (resource_kind, resource_id, starts_at);

-- An appointment keeps the durations it was booked with, so a later catalogue
-- change cannot reopen its slot.
CREATE TABLE appointments (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals(id),
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    act_id TEXT NOT NULL,
    variant_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('booked','cancelled','no_show','done')),
    room_id INTEGER NOT NULL REFERENCES rooms(id),
    radiologist_id INTEGER NOT NULL REFERENCES users(id),
    place_id INTEGER REFERENCES rooms(id),
    starts_at TIMESTAMP NOT NULL,
    room_ends_at TIMESTAMP NOT NULL,
    place_ends_at TIMESTAMP NOT NULL,
    room_minutes INTEGER NOT NULL,
    monitoring_minutes INTEGER NOT NULL,
    study_instance_uid TEXT NOT NULL DEFAULT '',
    accession_number TEXT NOT NULL DEFAULT '',
    cancel_reason TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX appointments_starts ON appointments (starts_at);
CREATE INDEX appointments_referral ON appointments (referral_id);
CREATE INDEX appointments_patient ON appointments (patient_id);

-- One row per resource an active appointment holds. On SQLite the booking
-- transaction (BEGIN IMMEDIATE) checks overlaps; PostgreSQL adds an exclusion constraint.
CREATE TABLE resource_busy (
    id INTEGER PRIMARY KEY,
    appointment_id INTEGER NOT NULL REFERENCES appointments(id),
    resource_kind TEXT NOT NULL CHECK (resource_kind IN ('room','radiologist','place')),
    resource_id INTEGER NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    CHECK (starts_at < ends_at)
);
CREATE INDEX resource_busy_lookup ON resource_busy (resource_kind, resource_id, starts_at) WHERE active;
CREATE INDEX resource_busy_appointment ON resource_busy (appointment_id);

CREATE TABLE appointment_events (
    id INTEGER PRIMARY KEY,
    appointment_id INTEGER NOT NULL REFERENCES appointments(id),
    at TIMESTAMP NOT NULL,
    actor_login TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX appointment_events_appointment ON appointment_events (appointment_id, id);

CREATE TABLE waiting_list (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals(id),
    earliest TEXT NOT NULL DEFAULT '',
    latest TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting','offered','booked','removed')),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX waiting_list_status ON waiting_list (status, created_at);

-- iCalendar feeds: only the SHA-256 of the secret token is stored.
CREATE TABLE calendar_feeds (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    resource_kind TEXT NOT NULL CHECK (resource_kind IN ('room','radiologist')),
    resource_id INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE calendar_feeds;
DROP TABLE waiting_list;
DROP TABLE appointment_events;
DROP TABLE resource_busy;
DROP TABLE appointments;
DROP TABLE closures;
DROP TABLE opening_hours;
DROP TABLE referral_events;
