-- +goose Up
-- The version of the document an email carries (the SHA-256 of its letter):
-- a convocation is queued once per version; sending the same one again is
-- an explicit resend, a row of its own kind.
ALTER TABLE outbox ADD COLUMN doc_version TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX outbox_convocation_once ON outbox (appointment_id, doc_version) WHERE kind = 'convocation' AND doc_version <> '';

-- +goose Down
DROP INDEX outbox_convocation_once;
ALTER TABLE outbox DROP COLUMN doc_version;
