-- +goose Up
-- Attempts counted per key (a patient's email address, a client address...)
-- over a fixed window, so that the portal's and the questionnaire links'
-- limits hold across instances and cannot be raced: one upsert counts the
-- attempt before anything is compared. Email addresses are kept as their
-- SHA-256 only.
CREATE TABLE attempt_counts (
    key TEXT PRIMARY KEY,
    window_start TIMESTAMPTZ NOT NULL,
    hits INTEGER NOT NULL
);
CREATE INDEX attempt_counts_window ON attempt_counts (window_start);

-- +goose Down
DROP TABLE attempt_counts;
