-- +goose Up
-- Signed consents are frozen: the PDF the patient signed is stored with its
-- SHA-256 and never updated (a trigger refuses it); a withdrawal is a new
-- event. A scanned paper consent is stored the same way.
CREATE TABLE consents (
    id INTEGER PRIMARY KEY,
    appointment_id INTEGER NOT NULL REFERENCES appointments(id),
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    act_id TEXT NOT NULL,
    variant_id TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL,
    version TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('signed','scanned')),
    signer_name TEXT NOT NULL,
    signature_png BLOB,
    document BLOB NOT NULL,
    content_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    signed_at TIMESTAMP NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX consents_appointment ON consents (appointment_id);
-- +goose StatementBegin
CREATE TRIGGER consents_frozen BEFORE UPDATE ON consents
BEGIN
    SELECT RAISE(ABORT, 'a signed consent cannot be changed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER consents_kept BEFORE DELETE ON consents
BEGIN
    SELECT RAISE(ABORT, 'a signed consent cannot be deleted');
END;
-- +goose StatementEnd

CREATE TABLE consent_events (
    id INTEGER PRIMARY KEY,
    consent_id INTEGER NOT NULL REFERENCES consents(id),
    kind TEXT NOT NULL CHECK (kind IN ('withdrawn')),
    reason TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_login TEXT NOT NULL
);

-- What the patient pays: cover per referral, extra fee per radiologist.
ALTER TABLE referrals ADD COLUMN cover TEXT NOT NULL DEFAULT '';
CREATE TABLE radiologist_fees (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    extra_fee_cents INTEGER NOT NULL DEFAULT 0 CHECK (extra_fee_cents >= 0)
);

-- Emails waiting to be sent, sent or given up, with their attempts.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    appointment_id INTEGER REFERENCES appointments(id),
    patient_id INTEGER REFERENCES patients(id),
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL DEFAULT '',
    attachments BLOB,
    status TEXT NOT NULL CHECK (status IN ('queued','sent','failed','cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_appointment ON outbox (appointment_id);

-- +goose Down
DROP TABLE outbox;
DROP TABLE radiologist_fees;
ALTER TABLE referrals DROP COLUMN cover;
DROP TABLE consent_events;
DROP TRIGGER consents_kept;
DROP TRIGGER consents_frozen;
DROP TABLE consents;
