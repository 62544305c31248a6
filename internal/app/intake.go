package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"repere/internal/patient"
	"repere/internal/practice"
	"repere/internal/referral"
	"repere/internal/store"
)

// Identifier lengths, in characters: a URI naming the sender's system and
// the value it gave.
const (
	MaxIdentifierSystem = 200
	MaxIdentifierValue  = 100
)

// Intake is what another system sends in one request (a FHIR create or a
// transaction): perhaps a new patient, and referrals, each with the
// identifiers the sender gave it. It is checked as the pages check their
// forms, then recorded whole or not at all.
type Intake = store.Intake

// ReceiveIntake checks an intake (the patient's identity and field lengths,
// each referral's act, physician, patient, dates and lengths, the
// identifiers) and records it in one transaction, audited. A refusal lists
// every problem; nothing is recorded then. An identifier already held by
// another record of the same kind is refused too.
func (a *App) ReceiveIntake(ctx context.Context, in Intake) (store.IntakeIDs, error) {
	r := &Refusal{Invalid: true}
	today := a.Now().In(a.loc)
	if in.Patient != nil {
		r.Reasons = append(r.Reasons, problemReasons(in.Patient.Validate(today), patient.MaxLength)...)
		r.Reasons = append(r.Reasons, checkIdentifiers(in.PatientIdentifiers)...)
	}
	physicians, err := a.store.Physicians(ctx)
	if err != nil {
		return store.IntakeIDs{}, err
	}
	for _, ref := range in.Referrals {
		r.Reasons = append(r.Reasons, problemReasons(a.referralProblems(ref.Referral, today), referral.MaxLength)...)
		if id := ref.Referral.PhysicianID; id != 0 && !slices.ContainsFunc(physicians, func(p practice.Physician) bool { return p.ID == id }) {
			r.Reasons = append(r.Reasons, Reason{Key: "referral.err.physician"})
		}
		if ref.ForNewPatient && in.Patient == nil {
			return store.IntakeIDs{}, errors.New("app: a referral for a new patient without one")
		}
		if !ref.ForNewPatient {
			if _, err := a.store.Patient(ctx, ref.Referral.PatientID); errors.Is(err, store.ErrNotFound) {
				r.Reasons = append(r.Reasons, Reason{Key: "intake.err.patient"})
			} else if err != nil {
				return store.IntakeIDs{}, err
			}
		}
		r.Reasons = append(r.Reasons, checkIdentifiers(ref.Identifiers)...)
	}
	if len(r.Reasons) > 0 {
		return store.IntakeIDs{}, r
	}
	ids, err := a.store.CreateIntake(ctx, in)
	if errors.Is(err, store.ErrIdentifierTaken) {
		return ids, &Refusal{Reasons: []Reason{{Key: "intake.err.identifier_taken"}}}
	}
	return ids, err
}

// referralProblems checks a referral: per field, the message key of what
// is wrong with it or its act. Every way a referral comes in (a page, a
// referring physician's request, another system) uses it.
func (a *App) referralProblems(ref referral.Referral, today time.Time) map[string]string {
	problems := ref.Validate(today)
	if _, ok := a.catalog.Act(ref.ActID); !ok {
		problems["act"] = "referral.err.act"
	}
	return problems
}

// problemReasons turns a domain Validate's problems (field -> message key)
// into reasons, in field order, with the field's length limit.
func problemReasons(problems map[string]string, limits map[string]int) []Reason {
	fields := make([]string, 0, len(problems))
	for f := range problems {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	out := make([]Reason, 0, len(fields))
	for _, f := range fields {
		out = append(out, Reason{Key: problems[f], Args: []any{"Max", limits[f]}})
	}
	return out
}

func checkIdentifiers(ids []store.Identifier) []Reason {
	var out []Reason
	for _, id := range ids {
		if strings.TrimSpace(id.System) == "" || strings.TrimSpace(id.Value) == "" {
			out = append(out, Reason{Key: "intake.err.identifier"})
		}
		if utf8.RuneCountInString(id.System) > MaxIdentifierSystem || utf8.RuneCountInString(id.Value) > MaxIdentifierValue {
			out = append(out, Reason{Key: patient.ErrTooLong, Args: []any{"Max", MaxIdentifierValue}})
		}
	}
	return out
}
