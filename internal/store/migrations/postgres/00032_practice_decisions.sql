-- +goose Up
-- The practice's decisions on the clinical data (internal/review): a
-- radiologist confirms a value the data marks not confirmed, or chooses
-- between the catalogue and a seed page. Practice data: it outlives any
-- upgrade of the binary. A decision is bound to the fingerprint of the row's
-- content when it was taken; a changed row asks a new decision. Append-only:
-- the latest decision per row counts, the history stays.
CREATE TABLE practice_decisions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    row_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    choice TEXT NOT NULL CHECK (choice IN ('confirm','revoke','keep_catalogue','adopt_seed')),
    reason TEXT NOT NULL CHECK (reason <> ''),
    decided_by TEXT NOT NULL,
    decided_by_name TEXT NOT NULL DEFAULT '',
    decided_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX practice_decisions_row ON practice_decisions (row_key, id);

-- +goose StatementBegin
CREATE FUNCTION practice_decisions_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'practice_decisions is append-only';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER practice_decisions_no_change BEFORE UPDATE OR DELETE ON practice_decisions
    FOR EACH ROW EXECUTE FUNCTION practice_decisions_append_only();
CREATE TRIGGER practice_decisions_no_truncate BEFORE TRUNCATE ON practice_decisions
    FOR EACH STATEMENT EXECUTE FUNCTION practice_decisions_append_only();

-- +goose Down
DROP TABLE practice_decisions;
DROP FUNCTION practice_decisions_append_only();
