-- +goose Up
-- Several instances queue the reminders and follow-up questions at once: the
-- database, not a read before the insert, makes each one once per appointment
-- (a cancelled one may be queued again). Older doubles, if any, are cancelled.
UPDATE outbox SET status = 'cancelled'
WHERE (kind = 'reminder' OR kind LIKE 'followup_%') AND status <> 'cancelled'
  AND EXISTS (SELECT 1 FROM outbox o WHERE o.appointment_id = outbox.appointment_id AND o.kind = outbox.kind
              AND o.status <> 'cancelled' AND o.id < outbox.id);
CREATE UNIQUE INDEX outbox_once_per_appointment ON outbox (appointment_id, kind)
  WHERE (kind = 'reminder' OR kind LIKE 'followup_%') AND status <> 'cancelled';

-- +goose Down
DROP INDEX outbox_once_per_appointment;
