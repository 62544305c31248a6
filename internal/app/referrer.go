package app

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"repere/internal/documents"
	"repere/internal/patient"
	"repere/internal/referral"
	"repere/internal/store"
)

// A referring physician sends a request from their space: the patient's
// identity, the act asked for and the prescription as a file. The request
// is recorded as a received referral of the physician linked to the
// account, with its file, in one transaction.

// MaxPrescriptionBytes bounds a prescription file.
const MaxPrescriptionBytes = 5 << 20

// prescriptionTypes are the files a prescription may be, by their bytes.
var prescriptionTypes = map[string]string{"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

// ReferrerRequest is what the physician's form gives.
type ReferrerRequest struct {
	Patient  patient.Patient
	Referral referral.Referral
	// FileName and File are the prescription as uploaded (File nil: none).
	FileName string
	File     []byte
}

// ReferrerRequestProblems checks a request: per form field, the message key
// of what is wrong (the identity, the request, the act, the file).
func (a *App) ReferrerRequestProblems(in ReferrerRequest) map[string]string {
	today := a.Now().In(a.loc)
	problems := in.Patient.Validate(today)
	for field, key := range in.Referral.Validate(today) {
		problems[field] = key
	}
	if _, ok := a.catalog.Act(in.Referral.ActID); !ok {
		problems["act"] = "referral.err.act"
	}
	switch {
	case len(in.File) == 0:
		problems["file"] = "referrer.err.file_missing"
	case len(in.File) > MaxPrescriptionBytes:
		problems["file"] = "referrer.err.file_size"
	case prescriptionTypes[documents.FileType(in.File)] == "":
		problems["file"] = "referrer.err.file_type"
	case utf8.RuneCountInString(in.FileName) > 200:
		problems["file"] = "referrer.err.file_name"
	}
	return problems
}

// SendReferrerRequest records a request of the referring physician of the
// account userID. The patient is the practice's record when exactly one
// has the same names and birth date, else a new record (the staff merge
// what is left over); the physician learns nothing of the records held.
//
// The physician's and patients' reads and the intake are one unit of work
// (store.WriteUnit).
func (a *App) SendReferrerRequest(ctx context.Context, userID int64, in ReferrerRequest) (int64, error) {
	var id int64
	err := a.store.WriteUnit(ctx, func(ctx context.Context) (err error) {
		id, err = a.sendReferrerRequest(ctx, userID, in)
		return err
	})
	return id, err
}

func (a *App) sendReferrerRequest(ctx context.Context, userID int64, in ReferrerRequest) (int64, error) {
	doc, err := a.store.PhysicianByUser(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, refuse("referrer.not_linked")
	}
	if err != nil {
		return 0, err
	}
	if problems := a.ReferrerRequestProblems(in); len(problems) > 0 {
		return 0, &Refusal{Invalid: true, Reasons: problemReasons(problems, patient.MaxLength)}
	}
	in.Referral.PhysicianID, in.Referral.Status = doc.ID, referral.Received
	kind := documents.FileType(in.File)
	name := strings.TrimSuffix(filepath.Base(strings.ReplaceAll(in.FileName, "\\", "/")), filepath.Ext(in.FileName))
	if name == "" || name == "." || name == "/" {
		name = "ordonnance"
	}
	intake := store.Intake{Referrals: []store.IntakeReferral{{Referral: in.Referral, Documents: []store.ReferralDocument{{
		Kind: "prescription", Filename: name + prescriptionTypes[kind], ContentType: kind, SHA256: TokenHash(string(in.File)), Data: in.File}}}}}
	same, err := a.store.PossibleDuplicates(ctx, in.Patient)
	if err != nil {
		return 0, err
	}
	if len(same) == 1 && same[0].BirthDate == in.Patient.BirthDate {
		intake.Referrals[0].Referral.PatientID = same[0].ID
	} else {
		p := in.Patient
		intake.Patient, intake.Referrals[0].ForNewPatient = &p, true
	}
	ids, err := a.store.CreateIntake(ctx, intake)
	if err != nil {
		return 0, err
	}
	return ids.ReferralIDs[0], nil
}
