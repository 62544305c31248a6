-- +goose Up
-- Identity vigilance, continued. record_from_request: the record a
-- referral is filed on was made from the identity its referring physician
-- sent (by its intake, or by a re-filing onto a new record); a second
-- record made from the same identity would be a duplicate of it. Referrals
-- filed before this migration read false: their re-filing is checked as
-- before.
--
-- A referral's history (referral_events) keeps, besides its status
-- changes (kind 'status'), the confirmations of its record
-- ('identity_confirmed', to_patient_id the record confirmed) and its
-- re-filings ('refiled' onto an existing record, 'refiled_new' onto a
-- record made from the identity sent; from_patient_id and to_patient_id),
-- with who, when and the reason; their status columns hold the status the
-- referral kept. Those made before this migration are in the audit log
-- only (the identity vigilance had just been released).
ALTER TABLE referral_events ADD COLUMN kind TEXT NOT NULL DEFAULT 'status';
ALTER TABLE referral_events ADD COLUMN from_patient_id BIGINT;
ALTER TABLE referral_events ADD COLUMN to_patient_id BIGINT;
ALTER TABLE referrals ADD COLUMN record_from_request BOOLEAN NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE referrals DROP COLUMN record_from_request;
ALTER TABLE referral_events DROP COLUMN to_patient_id;
ALTER TABLE referral_events DROP COLUMN from_patient_id;
ALTER TABLE referral_events DROP COLUMN kind;
