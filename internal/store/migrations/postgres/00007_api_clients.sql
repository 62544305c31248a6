-- +goose Up
-- Systems allowed to use the FHIR API: only the SHA-256 of their bearer token is kept.
CREATE TABLE api_clients (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    revoked BOOLEAN NOT NULL DEFAULT false
);

-- +goose Down
DROP TABLE api_clients;
