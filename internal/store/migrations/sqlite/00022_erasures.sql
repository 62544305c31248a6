-- +goose Up
-- One row per erasure request carried out: what was erased, what the
-- retention rules kept and until when (see internal/privacy). It is the
-- practice's proof that the request was handled, so it is kept.
CREATE TABLE erasures (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    at TIMESTAMP NOT NULL,
    actor_login TEXT NOT NULL,
    reason TEXT NOT NULL,
    kept_until TEXT NOT NULL DEFAULT '',
    rule TEXT NOT NULL DEFAULT '',
    kept TEXT NOT NULL DEFAULT '',
    erased TEXT NOT NULL DEFAULT ''
);
CREATE INDEX erasures_patient ON erasures (patient_id, id);

-- +goose Down
DROP TABLE erasures;
