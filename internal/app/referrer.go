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
// account, with its file and the identity as typed, through ReceiveIntake
// (the checks of every intake) in one unit of work.

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

// ReferrerRequestProblems checks a request for its form: per form field,
// the message key of what is wrong (the identity, the request, the act,
// the file). The identity and the request are checked as ReceiveIntake
// checks them.
func (a *App) ReferrerRequestProblems(in ReferrerRequest) map[string]string {
	today := a.Now().In(a.loc)
	problems := in.Patient.Validate(today)
	for field, key := range a.referralProblems(in.Referral, today) {
		problems[field] = key
	}
	if key := prescriptionProblem(in); key != "" {
		problems["file"] = key
	}
	return problems
}

// prescriptionProblem is the message key of what is wrong with the file.
func prescriptionProblem(in ReferrerRequest) string {
	switch {
	case len(in.File) == 0:
		return "referrer.err.file_missing"
	case len(in.File) > MaxPrescriptionBytes:
		return "referrer.err.file_size"
	case prescriptionTypes[documents.FileType(in.File)] == "":
		return "referrer.err.file_type"
	case utf8.RuneCountInString(in.FileName) > 200:
		return "referrer.err.file_name"
	}
	return ""
}

// SendReferrerRequest records a request of the referring physician of the
// account userID, with the identity exactly as typed. A record of the
// practice is only ever proposed (identity vigilance): when exactly one has
// the same birth or used name, first names, birth date and sex, the request
// is filed on it; otherwise on a new record made from the request. Either
// way, when any record has the same names and birth date the referral is
// marked "identity to confirm": it is not booked and nothing is sent to the
// patient for it until a person confirms or re-files it. The physician
// learns nothing of the records held.
func (a *App) SendReferrerRequest(ctx context.Context, userID int64, in ReferrerRequest) (int64, error) {
	doc, err := a.store.PhysicianByUser(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, refuse("referrer.not_linked")
	}
	if err != nil {
		return 0, err
	}
	if key := prescriptionProblem(in); key != "" {
		return 0, &Refusal{Invalid: true, Reasons: []Reason{{Key: key, Args: []any{"MB", MaxPrescriptionBytes >> 20}}}}
	}
	in.Referral.PhysicianID, in.Referral.Status = doc.ID, referral.Received
	in.Referral.SentIdentity = in.Patient
	kind := documents.FileType(in.File)
	name := strings.TrimSuffix(filepath.Base(strings.ReplaceAll(in.FileName, "\\", "/")), filepath.Ext(in.FileName))
	if name == "" || name == "." || name == "/" {
		name = "ordonnance"
	}
	file := store.ReferralDocument{Kind: "prescription", Filename: name + prescriptionTypes[kind], ContentType: kind, SHA256: TokenHash(string(in.File)), Data: in.File}
	var ids store.IntakeIDs
	err = a.store.WriteUnit(ctx, func(ctx context.Context) error {
		m, err := a.matchIdentity(ctx, in.Patient)
		if err != nil {
			return err
		}
		ref := store.IntakeReferral{Referral: in.Referral, Documents: []store.ReferralDocument{file}}
		ref.Referral.IdentityToConfirm = len(m.candidates)+len(m.otherSex) > 0
		intake := store.Intake{}
		if len(m.candidates) == 1 {
			ref.Referral.PatientID = m.candidates[0].ID
		} else {
			p := in.Patient
			intake.Patient, ref.ForNewPatient = &p, true
			ref.Referral.RecordFromRequest = true
		}
		intake.Referrals = []store.IntakeReferral{ref}
		ids, err = a.ReceiveIntake(ctx, intake)
		return err
	})
	if err != nil {
		return 0, err
	}
	return ids.ReferralIDs[0], nil
}
