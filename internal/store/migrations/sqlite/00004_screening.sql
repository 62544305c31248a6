-- +goose Up
-- The screening questionnaire of a referral: the answers as JSON (package
-- screening's Answers), versioned so a signature names what it signed.
CREATE TABLE screenings (
    referral_id INTEGER PRIMARY KEY REFERENCES referrals(id),
    answers TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL
);

-- Secure links sent to patients to fill the questionnaire without an account.
-- Only the SHA-256 of the token is stored; the birth date is the second factor.
CREATE TABLE screening_links (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals(id),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    submitted_at TIMESTAMP
);
CREATE INDEX screening_links_referral ON screening_links (referral_id);

-- The radiologist's decisions: a signature of the whole screening (kind
-- 'signed', at an answers version) or the override of one finding (kind
-- 'override', with its rule id and a mandatory reason).
CREATE TABLE screening_decisions (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals(id),
    kind TEXT NOT NULL CHECK (kind IN ('signed','override')),
    rule_id TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    answers_version INTEGER NOT NULL,
    verdict_status TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_login TEXT NOT NULL
);
CREATE INDEX screening_decisions_referral ON screening_decisions (referral_id, id);

-- +goose Down
DROP TABLE screening_decisions;
DROP TABLE screening_links;
DROP TABLE screenings;
