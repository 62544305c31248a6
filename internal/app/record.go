package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"repere/internal/actrecord"
	"repere/internal/audit"
	"repere/internal/catalog"
	"repere/internal/screening"
	"repere/internal/store"
)

// ActRecord is an appointment's act record as stored (version 0 before the
// first save), with what the scanner sent and the referral's levels and
// side filling what the team has not typed.
func (a *App) ActRecord(ctx context.Context, f AppointmentFile) (actrecord.Record, int, error) {
	rec, version, err := a.storedRecord(ctx, f.Appointment.ID)
	if err != nil {
		return rec, 0, err
	}
	step, err := a.store.PerformedFor(ctx, f.Appointment.ID)
	switch {
	case err == nil:
		rec = rec.MergeScanner(step.Start, step.End, step.DLP, step.CTDIvol)
		if rec.StudyInstanceUID == "" {
			rec.StudyInstanceUID = step.StudyInstanceUID
		}
	case !errors.Is(err, store.ErrNotFound):
		return rec, 0, err
	}
	if rec.StudyInstanceUID == "" {
		rec.StudyInstanceUID = f.Appointment.StudyInstanceUID
	}
	ad, err := a.ActDoseOf(ctx, f.Appointment.ID)
	if err != nil {
		return rec, 0, err
	}
	rec = withScannerDose(rec, ad)
	if len(rec.Levels) == 0 && f.Referral.Levels != "" {
		for _, lv := range strings.Split(f.Referral.Levels, ",") {
			rec.Levels = append(rec.Levels, strings.TrimSpace(lv))
		}
	}
	if rec.Side == "" {
		rec.Side = f.Referral.Side
	}
	return rec, version, nil
}

// storedRecord reads the record as saved (the one reader of its JSON).
func (a *App) storedRecord(ctx context.Context, appointmentID int64) (actrecord.Record, int, error) {
	var rec actrecord.Record
	stored, err := a.store.ActRecordOf(ctx, appointmentID)
	if errors.Is(err, store.ErrNotFound) {
		return rec, 0, nil
	}
	if err != nil {
		return rec, 0, err
	}
	if err := json.Unmarshal(stored.Record, &rec); err != nil {
		return rec, 0, fmt.Errorf("act record of appointment %d: %w", appointmentID, err)
	}
	return rec, stored.Version, nil
}

// Contradiction is an entry of the act record that the screening says
// against: a product the patient declared an allergy to, an act performed
// while a treatment hold was not respected.
type Contradiction struct {
	ID     string // kept in the record once confirmed
	Reason Reason
}

// RecordSave is an act record typed by the team.
type RecordSave struct {
	Record  actrecord.Record
	Version int      // the version the form was read at
	Confirm []string // the contradictions the user confirms
}

// RecordOutcome is what saving a record gave: its new version, or the
// errors that refused it, the warnings (an unusual dose) and the
// contradictions still to confirm (nothing saved until they are).
type RecordOutcome struct {
	Saved       bool
	Version     int
	Errors      map[string]catalog.Text
	Warnings    map[string]catalog.Text
	Unconfirmed []Contradiction
	Billing     []actrecord.Billed // the codes the saved record bills
}

// SaveRecord checks an act record against the act's fields and against the
// screening, and saves it. A contradiction with the screening needs the
// user's explicit confirmation, recorded in the record with their name.
func (a *App) SaveRecord(ctx context.Context, id int64, in RecordSave) (out RecordOutcome, err error) {
	// One unit of work: the record and the act's dose are saved together
	// or not at all, against the state the checks read.
	err = a.store.WriteUnit(ctx, func(ctx context.Context) error {
		out, err = a.saveRecord(ctx, id, in)
		return err
	})
	return out, err
}

func (a *App) saveRecord(ctx context.Context, id int64, in RecordSave) (RecordOutcome, error) {
	var out RecordOutcome
	f, err := a.AppointmentFile(ctx, id)
	if err != nil {
		return out, err
	}
	rec := in.Record
	out.Errors, out.Warnings = a.records.Validate(f.Act, f.Appointment.VariantID, rec)
	a.checkRecordTimes(f.Appointment.Start, rec, out.Errors, out.Warnings)
	if len(out.Errors) > 0 {
		return out, nil
	}
	fields := a.records.FieldsFor(f.Act, f.Appointment.VariantID, f.Act.OptionIDs())
	previous, _, err := a.storedRecord(ctx, id)
	if err != nil {
		return out, err
	}
	actor, _ := audit.ActorFrom(ctx)
	rec.Confirmed = previous.Confirmed
	confirmed := map[string]bool{}
	for _, c := range rec.Confirmed {
		confirmed[c.ID] = true
	}
	for _, c := range a.contradictions(f, fields, rec) {
		switch {
		case confirmed[c.ID]:
		case containsString(in.Confirm, c.ID):
			rec.Confirmed = append(rec.Confirmed, actrecord.Confirmation{ID: c.ID, By: actor.Login, At: a.Now()})
		default:
			out.Unconfirmed = append(out.Unconfirmed, c)
		}
	}
	if len(out.Unconfirmed) > 0 {
		return out, nil
	}
	var problem string
	if rec.Billing, problem, err = a.billedCodes(ctx, f, rec); err != nil {
		return out, err
	} else if problem != "" {
		out.Errors = map[string]catalog.Text{"modifiers": a.text(problem)}
		return out, nil
	}
	if problem, err := a.saveDose(ctx, id, rec, true); err != nil {
		return out, err
	} else if problem != "" {
		out.Errors = map[string]catalog.Text{"dose_reason": a.text(problem)}
		return out, nil
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return out, err
	}
	out.Version, err = a.store.SaveActRecord(ctx, id, data, in.Version)
	if errors.Is(err, store.ErrStale) {
		return out, refuse("record.err.stale")
	}
	if err == nil {
		_, err = a.saveDose(ctx, id, rec, false)
	}
	out.Saved = err == nil
	if out.Saved {
		out.Billing = rec.Billing
	}
	return out, err
}

// contradictions lists what the record says against the screening.
func (a *App) contradictions(f AppointmentFile, fields []actrecord.Field, rec actrecord.Record) []Contradiction {
	var out []Contradiction
	answers := f.Screening.Answers.Values
	for _, field := range fields {
		if field.Allergy == "" || !rec.Uses(field) {
			continue
		}
		answer := answers[field.Allergy]
		if answer != screening.Yes && answer != screening.Unknown {
			continue
		}
		key := "record.contradiction.allergy"
		if answer == screening.Unknown {
			key = "record.contradiction.allergy_unknown"
		}
		out = append(out, Contradiction{ID: "allergy." + field.Allergy, Reason: Reason{Key: key, Args: []any{"Field", TextArg(field.Label)}}})
	}
	for _, r := range f.Screening.Verdict.Reasons {
		if strings.HasPrefix(r.RuleID, screening.RuleHoldNotRespected+".") && !r.Overridden {
			out = append(out, Contradiction{ID: r.RuleID, Reason: Reason{Key: "record.contradiction.hold", Args: []any{"Finding", TextArg(r.Message)}}})
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
