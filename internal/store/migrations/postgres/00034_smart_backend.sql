-- +goose Up
-- SMART Backend Services: a client may be registered with its public keys
-- (a JSON Web Key Set) instead of a static token; it then gets short-lived
-- access tokens from the token endpoint with a JWT it signs.
ALTER TABLE api_clients ADD COLUMN jwks TEXT NOT NULL DEFAULT '';

-- Access tokens issued by the token endpoint, by their SHA-256.
CREATE TABLE api_access_tokens (
    token_hash TEXT PRIMARY KEY,
    client_id BIGINT NOT NULL REFERENCES api_clients(id),
    scopes TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX api_access_tokens_expiry ON api_access_tokens (expires_at);

-- Assertions (their jti) already used, until they expire: a replayed one is refused.
CREATE TABLE api_assertions (
    client_id BIGINT NOT NULL REFERENCES api_clients(id),
    jti TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (client_id, jti)
);
CREATE INDEX api_assertions_expiry ON api_assertions (expires_at);

-- +goose Down
DROP TABLE api_assertions;
DROP TABLE api_access_tokens;
ALTER TABLE api_clients DROP COLUMN jwks;
