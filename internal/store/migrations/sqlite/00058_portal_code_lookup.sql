-- +goose Up
-- A code given on paper or by SMS is found by its hash alone (no email
-- address goes with it): indexed, so each sign-in does not scan every code
-- ever sent.
CREATE INDEX portal_codes_hash ON portal_codes (code_hash);

-- +goose Down
DROP INDEX portal_codes_hash;
