-- +goose Up
-- The patient's name the console gave with a performed procedure step, so a
-- step that matches no scheduled act can be reconciled by the team.
ALTER TABLE performed_steps ADD COLUMN dicom_patient_name TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE performed_steps DROP COLUMN dicom_patient_name;
