-- +goose Up
-- The dose review reads a year of dosed acts: this covering index holds
-- every column it reads, so the table rows are not visited.
CREATE INDEX appointments_dose_review ON appointments (starts_at, act_id, room_id, radiologist_id, dose_dlp, dose_ctdivol, id)
    WHERE status = 'done' AND (dose_dlp IS NOT NULL OR dose_ctdivol IS NOT NULL);

-- +goose Down
DROP INDEX appointments_dose_review;
