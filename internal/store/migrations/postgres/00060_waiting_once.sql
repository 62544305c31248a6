-- +goose Up
-- A referral waits once on the waiting list: a form sent twice made two
-- entries, and two calls for one patient. Referrals already doubled keep
-- their oldest entry; the others are marked removed.
UPDATE waiting_list SET status = 'removed'
WHERE status = 'waiting'
  AND id NOT IN (SELECT MIN(id) FROM waiting_list WHERE status = 'waiting' GROUP BY referral_id);
CREATE UNIQUE INDEX waiting_list_one_per_referral ON waiting_list (referral_id) WHERE status = 'waiting';

-- +goose Down
DROP INDEX waiting_list_one_per_referral;
