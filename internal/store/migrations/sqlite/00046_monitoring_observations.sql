-- +goose Up
-- Observations recorded while a patient is watched after the act: blood
-- pressure and heart rate, pain (0-10), the neurological check. A value not
-- taken is NULL (neuro '').
CREATE TABLE monitoring_observations (
    id INTEGER PRIMARY KEY,
    appointment_id INTEGER NOT NULL REFERENCES appointments(id),
    at TIMESTAMP NOT NULL,
    actor_login TEXT NOT NULL,
    systolic INTEGER CHECK (systolic BETWEEN 40 AND 300),
    diastolic INTEGER CHECK (diastolic BETWEEN 20 AND 200),
    heart_rate INTEGER CHECK (heart_rate BETWEEN 20 AND 250),
    pain INTEGER CHECK (pain BETWEEN 0 AND 10),
    neuro TEXT NOT NULL DEFAULT '' CHECK (neuro IN ('', 'as_before', 'changed')),
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX monitoring_observations_appointment ON monitoring_observations (appointment_id, at);

-- +goose Down
DROP TABLE monitoring_observations;
