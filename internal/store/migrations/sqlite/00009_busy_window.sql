-- +goose Up
-- The slot search loads every hold overlapping a window: an index on the
-- start lets both engines read just that window (bounded below by the
-- longest hold) instead of every active hold.
CREATE INDEX resource_busy_window ON resource_busy (starts_at) WHERE active;

-- +goose Down
DROP INDEX resource_busy_window;
