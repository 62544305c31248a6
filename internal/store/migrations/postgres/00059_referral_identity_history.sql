-- +goose Up
-- Identity vigilance, continued. record_from_request: the record a
-- referral is filed on was made from the identity its referring physician
-- sent (by its intake, or by a re-filing onto a new record); a second
-- record made from the same identity would be a duplicate of it. Referrals
-- filed before this migration read false: their re-filing is checked as
-- before.
ALTER TABLE referrals ADD COLUMN record_from_request BOOLEAN NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE referrals DROP COLUMN record_from_request;
