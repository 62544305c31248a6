-- +goose Up
-- Billing: the CCAM tariffs a practice imported (the built-in ones ship in
-- the binary, internal/billing/data/tariffs.csv; a row here with the same
-- code, activity, phase, grid and date replaces the built-in one), each
-- import with who, when, the file's SHA-256 and what it changed; the
-- radiologist's convention (its tariff grid); the pregnancy dates that
-- exempt a patient from the flat contribution, recorded with the cover.
CREATE TABLE tariff_imports (
    id INTEGER PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    actor_login TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    source TEXT NOT NULL,
    rows_read INTEGER NOT NULL,
    added INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    unchanged INTEGER NOT NULL
);
CREATE TABLE ccam_tariffs (
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    activity INTEGER NOT NULL,
    phase INTEGER NOT NULL,
    grid TEXT NOT NULL CHECK (grid IN ('optam', 'non_optam')),
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    effective_from TEXT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    import_id INTEGER NOT NULL REFERENCES tariff_imports(id),
    PRIMARY KEY (code, activity, phase, grid, effective_from)
);
ALTER TABLE radiologist_fees ADD COLUMN convention TEXT NOT NULL DEFAULT 'sector1'
    CHECK (convention IN ('sector1', 'sector2_optam', 'sector2'));
UPDATE radiologist_fees SET convention = 'sector2_optam' WHERE extra_fee_cents > 0;
ALTER TABLE referrals ADD COLUMN pregnancy_start TEXT NOT NULL DEFAULT '';
ALTER TABLE referrals ADD COLUMN delivery_date TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE referrals DROP COLUMN delivery_date;
ALTER TABLE referrals DROP COLUMN pregnancy_start;
ALTER TABLE radiologist_fees DROP COLUMN convention;
DROP TABLE ccam_tariffs;
DROP TABLE tariff_imports;
