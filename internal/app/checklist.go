package app

import (
	"context"
	"slices"
	"strings"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/checklist"
	"repere/internal/documents"
)

// ChecklistState is an appointment's safety checklist: the items that apply,
// the latest check of each, the radiologist's override and whether the act
// may start.
type ChecklistState struct {
	Items    []checklist.Item
	Latest   map[string]checklist.Check
	Override *checklist.Override
	Status   checklist.Status
}

// BulkCheckable tells whether "check all" may record "ok" for an item:
// nobody has answered it, and the system knows no reason against it. An
// item it suggests "not ok" (no signed consent, a screening not validated,
// a pregnancy declared) is answered one by one, never swept by a click.
func (st ChecklistState) BulkCheckable(it checklist.Item) bool {
	return st.Latest[it.ID].State == "" && it.Suggested.State != checklist.StateNotOK
}

// HasValidConsent reports a signed or scanned consent not withdrawn.
func HasValidConsent(list []documents.Consent) bool {
	for _, c := range list {
		if c.Withdrawn == nil {
			return true
		}
	}
	return false
}

// Checklist evaluates the checklist of f from the facts of the appointment
// (identity, consent, screening verdict with its overrides, patient) and the
// checks recorded.
func (a *App) Checklist(ctx context.Context, f AppointmentFile) (ChecklistState, error) {
	var st ChecklistState
	sc := f.Screening
	consents, err := a.store.ConsentsFor(ctx, f.Appointment.ID)
	if err != nil {
		return st, err
	}
	now := a.Now()
	facts := checklist.Facts{Act: f.Act, Variant: f.Appointment.VariantID, PatientSex: f.Patient.Sex, PatientAge: f.Patient.Age(now),
		Verdict: sc.Verdict, ScreeningSigned: sc.Signed != nil, ConsentSigned: HasValidConsent(consents), Now: now,
		Appointment: f.Appointment.Start, Loc: a.loc,
		IdentityChecked: f.Appointment.IdentityCheckedBy != "", IdentityCheckedAt: f.Appointment.ArrivedAt, IdentityCheckedBy: f.Appointment.IdentityCheckedBy}
	if sc.Signed != nil {
		facts.ScreeningSignedAt, facts.Premedication = sc.Signed.At, sc.Signed.Premedication
	}
	for _, c := range consents {
		if c.Withdrawn == nil {
			facts.ConsentSignedAt = c.SignedAt
		}
	}
	st.Items = a.checklists.ItemsFor(facts)
	checks, over, err := a.store.Checklist(ctx, f.Appointment.ID)
	if err != nil {
		return st, err
	}
	st.Override = over
	st.Latest = checklist.Latest(checks)
	st.Status = checklist.Evaluate(st.Items, checks, st.Override)
	return st, nil
}

// CheckItem records the state the signed-in user gives one item that
// applies to the appointment.
//
// Like a day step, it is one unit of work (store.WriteUnit).
func (a *App) CheckItem(ctx context.Context, id int64, item, state, note string) error {
	return a.store.WriteUnit(ctx, func(ctx context.Context) error { return a.checkItem(ctx, id, item, state, note) })
}

func (a *App) checkItem(ctx context.Context, id int64, item, state, note string) error {
	f, err := a.AppointmentFile(ctx, id)
	if err != nil {
		return err
	}
	st, err := a.Checklist(ctx, f)
	if err != nil {
		return err
	}
	known := false
	for _, it := range st.Items {
		known = known || (it.ID == item && (state == checklist.StateOK || state == checklist.StateNotOK || state == checklist.StateNA && it.AllowNA))
	}
	if !known {
		return refuse("checklist.err.item")
	}
	return a.store.AddCheck(ctx, id, item, state, strings.TrimSpace(note))
}

// CheckPhase records "ok", by the signed-in user, for every item of one
// phase that is BulkCheckable: the items one person verifies in a row (the
// reception's, the time out's), in one action. Items already answered,
// "not ok" included, and items the system suggests "not ok" are left as
// they are.
// The phase is one unit of work: its items are recorded together or not at all.
func (a *App) CheckPhase(ctx context.Context, id int64, phase string) (n int, err error) {
	err = a.store.WriteUnit(ctx, func(ctx context.Context) error {
		n, err = a.checkPhase(ctx, id, phase)
		return err
	})
	return n, err
}

func (a *App) checkPhase(ctx context.Context, id int64, phase string) (int, error) {
	f, err := a.AppointmentFile(ctx, id)
	if err != nil {
		return 0, err
	}
	st, err := a.Checklist(ctx, f)
	if err != nil {
		return 0, err
	}
	if !slices.Contains(checklist.Phases, phase) {
		return 0, refuse("checklist.err.item")
	}
	n := 0
	for _, it := range st.Items {
		if it.Phase != phase || !st.BulkCheckable(it) {
			continue
		}
		if err := a.store.AddCheck(ctx, id, it.ID, checklist.StateOK, ""); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// OverrideChecklist records a radiologist's decision, with its reason, to
// start the act with a blocking item open.
func (a *App) OverrideChecklist(ctx context.Context, id int64, reason string) error {
	return a.store.WriteUnit(ctx, func(ctx context.Context) error { return a.overrideChecklist(ctx, id, reason) })
}

func (a *App) overrideChecklist(ctx context.Context, id int64, reason string) error {
	if actor, _ := audit.ActorFrom(ctx); actor.Role != string(auth.Radiologist) {
		return refuse("checklist.err.radiologist")
	}
	if reason = strings.TrimSpace(reason); reason == "" {
		return invalid("checklist.err.reason")
	}
	if _, err := a.appointment(ctx, id); err != nil {
		return err
	}
	return a.store.OverrideChecklist(ctx, id, reason)
}
