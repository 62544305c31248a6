-- +goose Up
-- Files sent with a referral: the prescription a referring physician
-- attaches to a request sent from their space (PDF, JPEG or PNG).
CREATE TABLE referral_documents (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    referral_id BIGINT NOT NULL REFERENCES referrals(id),
    kind TEXT NOT NULL DEFAULT 'prescription',
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    data BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX referral_documents_referral ON referral_documents (referral_id);

-- +goose Down
DROP TABLE referral_documents;
