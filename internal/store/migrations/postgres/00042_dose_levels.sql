-- +goose Up
-- The practice's dose levels per act type, as practice data: its local
-- diagnostic reference level (compared with the median of a sample of
-- acts), a national reference where a confirmed source exists, and the
-- alert level above which one act is reviewed. Append-only: the latest row
-- of an (act, kind, quantity) applies, the earlier ones are its history.
CREATE TABLE dose_levels (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    act_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('local_reference','national_reference','alert')),
    quantity TEXT NOT NULL CHECK (quantity IN ('dlp','ctdivol')),
    value DOUBLE PRECISION,
    source TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX dose_levels_act ON dose_levels (act_id, kind, quantity);

-- The review of an act above its alert level: why its dose was high.
CREATE TABLE dose_alert_reviews (
    appointment_id BIGINT PRIMARY KEY REFERENCES appointments(id),
    reason TEXT NOT NULL,
    reviewed_by TEXT NOT NULL,
    reviewed_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE dose_alert_reviews;
DROP TABLE dose_levels;
