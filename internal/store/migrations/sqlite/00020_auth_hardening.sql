-- +goose Up
-- Sessions are keyed by the SHA-256 of their token, so a copy of the database
-- (a backup) opens no session, and carry their user, so that a password
-- change, a reset or a deactivation ends all of that user's sessions. The
-- sessions keyed by raw tokens are dropped: everyone signs in again once.
DROP TABLE sessions;
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    data BLOB NOT NULL,
    expiry TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);
CREATE INDEX sessions_user ON sessions (user_id);

-- Raised whenever a user's sessions are revoked; a session signed in under
-- an older value is refused even if a request in flight wrote it back.
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;

-- The throttle's keys are now per account and address, and per account
-- (see package auth): the old per-login and per-address counters go.
DELETE FROM login_throttle;
CREATE INDEX login_throttle_updated ON login_throttle (updated_at);

-- API tokens expire; the tokens issued before expire one year after this upgrade.
ALTER TABLE api_clients ADD COLUMN expires_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
ALTER TABLE api_clients ADD COLUMN last_used_at TIMESTAMP;
UPDATE api_clients SET expires_at = datetime('now', '+1 year');

-- +goose Down
ALTER TABLE api_clients DROP COLUMN last_used_at;
ALTER TABLE api_clients DROP COLUMN expires_at;
DROP INDEX login_throttle_updated;
ALTER TABLE users DROP COLUMN session_epoch;
DROP TABLE sessions;
CREATE TABLE sessions (
    token TEXT PRIMARY KEY,
    data BLOB NOT NULL,
    expiry TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);
