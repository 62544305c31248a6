-- +goose Up
-- One row that /healthz rewrites to prove the database still takes writes
-- (a read-only server or role, a full disk); one row, so it never grows.
CREATE TABLE health_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at TIMESTAMPTZ NOT NULL
);
INSERT INTO health_probe (id, checked_at) VALUES (1, now());

-- +goose Down
DROP TABLE health_probe;
