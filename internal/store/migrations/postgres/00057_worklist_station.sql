-- +goose Up
-- A console asks for its own room's booked acts, often without a date: the
-- station's room, then its booked appointments in start order, straight
-- from this index instead of every appointment of every room sorted.
CREATE INDEX appointments_room_status_start ON appointments (room_id, status, starts_at, id);

-- +goose Down
DROP INDEX appointments_room_status_start;
