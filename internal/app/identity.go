package app

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/patient"
	"repere/internal/store"
)

// IdentityDocuments are the documents that prove an identity in French
// identity vigilance (RNIV: identity checked on an official document with a
// photograph, or the INSi teleservice); the correction names the one checked.
var IdentityDocuments = []string{"cni", "passport", "residence_permit", "insi"}

// identityEditors are the roles that may correct a patient's identity.
var identityEditors = []auth.Role{auth.Secretary, auth.Radiologist, auth.Admin}

// IdentityCorrection is a patient's corrected identity, the document it was
// checked on and why it changed.
type IdentityCorrection struct {
	BirthName, UsedName, FirstNames, BirthDate, Sex string
	Document, Reason                                string
}

// CorrectIdentity corrects a patient's identity (names, birth date, sex)
// after the team checked an identity document. The old and new values go to
// the audit log and to the patient's history. The links keyed on the birth
// date (questionnaire, portal, check-in) read the record itself, so they
// work with the corrected date at once. What the form alone shows wrong is
// refused before any transaction; then the record is read, checked against
// the correction and written in one unit of work, so the old values the
// history keeps are those the correction replaced.
func (a *App) CorrectIdentity(ctx context.Context, patientID int64, c IdentityCorrection) error {
	actor, _ := audit.ActorFrom(ctx)
	if !auth.Role(actor.Role).In(identityEditors...) {
		return refuse("identity.err.role")
	}
	if r := a.correctionProblems(corrected(patient.Patient{}, c), c); len(r.Reasons) > 0 {
		return r
	}
	// A refusal against the record ends the unit without an error: nothing
	// was written, and the commit keeps the audit of the read, which a
	// rollback would have to write again in a transaction of its own.
	var refused *Refusal
	err := a.store.WriteUnit(ctx, func(ctx context.Context) error {
		p, err := a.store.Patient(ctx, patientID)
		if err != nil {
			return err
		}
		next := corrected(p, c)
		r := a.correctionProblems(next, c) // the record's own contact details too
		changes := identityChanges(p, next)
		if len(changes) == 0 && len(r.Reasons) == 0 {
			r.Reasons = append(r.Reasons, Reason{Key: "identity.err.unchanged"})
		}
		if len(r.Reasons) > 0 {
			refused = r
			return nil
		}
		detail, err := json.Marshal(changes)
		if err != nil {
			return err
		}
		return a.store.CorrectIdentity(ctx, next, store.PatientEvent{Kind: "identity_correction", Detail: string(detail),
			Document: c.Document, Reason: strings.TrimSpace(c.Reason)})
	})
	if err == nil && refused != nil {
		return refused
	}
	return err
}

// corrected is the record p with the identity the correction gives.
func corrected(p patient.Patient, c IdentityCorrection) patient.Patient {
	p.BirthName, p.UsedName, p.FirstNames = strings.TrimSpace(c.BirthName), strings.TrimSpace(c.UsedName), strings.TrimSpace(c.FirstNames)
	p.BirthDate, p.Sex = strings.TrimSpace(c.BirthDate), c.Sex
	return p
}

// correctionProblems is what the form must give or correct for the record
// next: its identity, the document checked and the reason.
func (a *App) correctionProblems(next patient.Patient, c IdentityCorrection) *Refusal {
	r := &Refusal{Invalid: true}
	for _, key := range patient.SortedProblems(next.Validate(a.Now())) {
		r.Reasons = append(r.Reasons, Reason{Key: key})
	}
	if !slices.Contains(IdentityDocuments, c.Document) {
		r.Reasons = append(r.Reasons, Reason{Key: "identity.err.document"})
	}
	if strings.TrimSpace(c.Reason) == "" {
		r.Reasons = append(r.Reasons, Reason{Key: "identity.err.reason"})
	}
	return r
}

// identityChanges lists the fields that change: field -> [old, new].
func identityChanges(from, to patient.Patient) map[string][2]string {
	out := map[string][2]string{}
	for _, f := range []struct{ name, old, new string }{
		{"birth_name", from.BirthName, to.BirthName}, {"used_name", from.UsedName, to.UsedName},
		{"first_names", from.FirstNames, to.FirstNames}, {"birth_date", from.BirthDate, to.BirthDate}, {"sex", from.Sex, to.Sex},
	} {
		if f.old != f.new {
			out[f.name] = [2]string{f.old, f.new}
		}
	}
	return out
}
