-- +goose Up
-- Signed consents are frozen: the PDF the patient signed is stored with its
-- SHA-256 and never updated (a trigger refuses it); a withdrawal is a new
-- event. A scanned paper consent is stored the same way.
CREATE TABLE consents (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    appointment_id BIGINT NOT NULL REFERENCES appointments(id),
    patient_id BIGINT NOT NULL REFERENCES patients(id),
    act_id TEXT NOT NULL,
    variant_id TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL,
    version TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('signed','scanned')),
    signer_name TEXT NOT NULL,
    signature_png BYTEA,
    document BYTEA NOT NULL,
    content_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    signed_at TIMESTAMPTZ NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX consents_appointment ON consents (appointment_id);
-- +goose StatementBegin
CREATE FUNCTION consents_frozen() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a signed consent cannot be changed or deleted';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER consents_frozen BEFORE UPDATE OR DELETE ON consents FOR EACH ROW EXECUTE FUNCTION consents_frozen();

CREATE TABLE consent_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consent_id BIGINT NOT NULL REFERENCES consents(id),
    kind TEXT NOT NULL CHECK (kind IN ('withdrawn')),
    reason TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    actor_login TEXT NOT NULL
);

ALTER TABLE referrals ADD COLUMN cover TEXT NOT NULL DEFAULT '';
CREATE TABLE radiologist_fees (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    extra_fee_cents BIGINT NOT NULL DEFAULT 0 CHECK (extra_fee_cents >= 0)
);

CREATE TABLE outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    appointment_id BIGINT REFERENCES appointments(id),
    patient_id BIGINT REFERENCES patients(id),
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL DEFAULT '',
    attachments BYTEA,
    status TEXT NOT NULL CHECK (status IN ('queued','sent','failed','cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    sent_at TIMESTAMPTZ
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_appointment ON outbox (appointment_id);

-- +goose Down
DROP TABLE outbox;
DROP TABLE radiologist_fees;
ALTER TABLE referrals DROP COLUMN cover;
DROP TABLE consent_events;
DROP TABLE consents;
DROP FUNCTION consents_frozen();
