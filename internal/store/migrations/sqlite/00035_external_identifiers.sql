-- +goose Up
-- The identifiers another system gave a patient or a referral it sent over
-- FHIR (its own record number, the EHR's order number): kept so that the
-- sender finds the record by its own identifier and a re-sent request is not
-- recorded twice. One value per system and kind of record.
CREATE TABLE external_identifiers (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL CHECK (entity IN ('patient', 'referral')),
    entity_id INTEGER NOT NULL,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    system TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (entity, system, value)
);
CREATE INDEX external_identifiers_entity ON external_identifiers (entity, entity_id);
CREATE INDEX external_identifiers_value ON external_identifiers (entity, value);
CREATE INDEX external_identifiers_patient ON external_identifiers (patient_id);

-- +goose Down
DROP TABLE external_identifiers;
