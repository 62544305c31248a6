-- +goose Up
-- The practice's decisions on the clinical data (internal/review): a
-- radiologist confirms a value the data marks not confirmed, or chooses
-- between the catalogue and a seed page. Practice data: it outlives any
-- upgrade of the binary. A decision is bound to the fingerprint of the row's
-- content when it was taken; a changed row asks a new decision. Append-only:
-- the latest decision per row counts, the history stays.
CREATE TABLE practice_decisions (
    id INTEGER PRIMARY KEY,
    row_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    choice TEXT NOT NULL CHECK (choice IN ('confirm','revoke','keep_catalogue','adopt_seed')),
    reason TEXT NOT NULL CHECK (reason <> ''),
    decided_by TEXT NOT NULL,
    decided_by_name TEXT NOT NULL DEFAULT '',
    decided_at TIMESTAMP NOT NULL
);
CREATE INDEX practice_decisions_row ON practice_decisions (row_key, id);

-- +goose StatementBegin
CREATE TRIGGER practice_decisions_no_update BEFORE UPDATE ON practice_decisions
BEGIN SELECT RAISE(ABORT, 'practice_decisions is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER practice_decisions_no_delete BEFORE DELETE ON practice_decisions
BEGIN SELECT RAISE(ABORT, 'practice_decisions is append-only'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE practice_decisions;
