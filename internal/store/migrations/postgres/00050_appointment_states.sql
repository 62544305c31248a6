-- +goose Up
-- Each appointment event keeps the appointment as it was once the change was
-- made (status, times, rooms, radiologist, as JSON), so that its earlier
-- versions can be given back (FHIR vread and _history): the events' details
-- alone do not hold the old rooms. Events recorded before this have none.
ALTER TABLE appointment_events ADD COLUMN state TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE appointment_events DROP COLUMN state;
