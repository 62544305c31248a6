-- +goose Up
-- Identity vigilance of the requests a referring physician sends: the
-- patient's identity exactly as the physician typed it (JSON, '' for a
-- referral recorded by the staff or another system), and whether a person
-- must still confirm the record the request was filed on (a homonym born
-- the same day is a proposal, never a certainty).
ALTER TABLE referrals ADD COLUMN sent_identity TEXT NOT NULL DEFAULT '';
ALTER TABLE referrals ADD COLUMN identity_to_confirm BOOLEAN NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE referrals DROP COLUMN identity_to_confirm;
ALTER TABLE referrals DROP COLUMN sent_identity;
