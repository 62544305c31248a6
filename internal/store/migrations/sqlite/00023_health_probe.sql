-- +goose Up
-- One row that /healthz rewrites to prove the database still takes writes
-- (a read-only file, a full disk); rewritten in place, it never grows.
CREATE TABLE health_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at TIMESTAMP NOT NULL
);
INSERT INTO health_probe (id, checked_at) VALUES (1, CURRENT_TIMESTAMP);

-- +goose Down
DROP TABLE health_probe;
