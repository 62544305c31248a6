-- +goose Up
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('admin','secretary','radiographer','radiologist','referrer','patient')),
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    password_changed_at TIMESTAMP NOT NULL
);

-- Failed-login counters per login name and per client address (brute-force back-off).
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    token TEXT PRIMARY KEY,
    data BLOB NOT NULL,
    expiry TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

-- Append-only: the triggers below refuse any change or deletion.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    actor_id INTEGER,
    actor_login TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL DEFAULT '',
    patient_id INTEGER,
    remote_addr TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_patient ON audit_log (patient_id, at);
CREATE INDEX audit_log_actor ON audit_log (actor_login, at);

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
-- +goose StatementEnd

CREATE TABLE sites (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT ''
);

CREATE TABLE rooms (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('ct','recovery_chair','recovery_bed','ward_bed')),
    station_ae_title TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1
);

-- Which acts of the catalogue a radiologist performs.
CREATE TABLE radiologist_acts (
    user_id INTEGER NOT NULL REFERENCES users(id),
    act_id TEXT NOT NULL,
    PRIMARY KEY (user_id, act_id)
);

CREATE TABLE referring_physicians (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    rpps TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    user_id INTEGER REFERENCES users(id)
);

CREATE TABLE patients (
    id INTEGER PRIMARY KEY,
    birth_name TEXT NOT NULL,
    used_name TEXT NOT NULL DEFAULT '',
    first_names TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    sex TEXT NOT NULL CHECK (sex IN ('F','M','U')),
    ins TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX patients_name ON patients (birth_name, first_names);
CREATE INDEX patients_birth_date ON patients (birth_date);

CREATE TABLE referrals (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    physician_id INTEGER REFERENCES referring_physicians(id),
    act_id TEXT NOT NULL,
    levels TEXT NOT NULL DEFAULT '',
    side TEXT NOT NULL DEFAULT '' CHECK (side IN ('','left','right','bilateral','median')),
    indication TEXT NOT NULL DEFAULT '',
    urgency TEXT NOT NULL DEFAULT 'routine' CHECK (urgency IN ('routine','soon','urgent')),
    prior_imaging TEXT NOT NULL DEFAULT '',
    prescription_date TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'received' CHECK (status IN ('received','screening','booked','done','cancelled')),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX referrals_patient ON referrals (patient_id);
CREATE INDEX referrals_status ON referrals (status, created_at);

-- +goose Down
DROP TABLE referrals;
DROP TABLE patients;
DROP TABLE referring_physicians;
DROP TABLE radiologist_acts;
DROP TABLE rooms;
DROP TABLE sites;
DROP TABLE audit_log;
DROP TABLE sessions;
DROP TABLE login_throttle;
DROP TABLE users;
