package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"repere/internal/booking"
	"repere/internal/catalog"
	"repere/internal/referral"
	"repere/internal/screening"
	"repere/internal/store"
)

// Screening is a referral's safety screening as every entry point sees it:
// the stored answers, the verdict for the booked date (or undated), and the
// radiologist's decisions. It is computed here and only here, from the one
// reader of the stored answers (decodeAnswers).
type Screening struct {
	Answered  bool // a questionnaire was saved
	Answers   screening.Answers
	Version   int // 0 before the first answers
	UpdatedAt time.Time
	UpdatedBy string
	// Verdict is evaluated for the appointment's date, with the radiologist's
	// overrides applied; its status is "" when the act is unknown.
	Verdict   screening.Verdict
	Decisions []screening.Decision
	// Signed is the latest signature, when it covers the current answers.
	Signed *screening.Decision
	// Earliest is the earliest act start the holds allow (zero: none); an
	// overridden hold no longer bounds it.
	Earliest time.Time
	// Subject is the patient's sex and birth date and the referral's levels
	// the verdict was computed for (the questions asked depend on the sex).
	Subject store.ScreeningSubject
}

// Overridden reports whether the radiologist overrode the finding ruleID.
func (s Screening) Overridden(ruleID string) bool {
	for _, d := range s.Decisions {
		if d.Kind == screening.DecisionOverride && d.RuleID == ruleID {
			return true
		}
	}
	return false
}

// Override returns the radiologist's override of a finding, if any.
func (s Screening) Override(ruleID string) *screening.Decision {
	for i := range s.Decisions {
		if d := s.Decisions[i]; d.Kind == screening.DecisionOverride && d.RuleID == ruleID {
			return &d
		}
	}
	return nil
}

// Contraindicated reports a contraindication no radiologist has overridden.
func (s Screening) Contraindicated() bool { return s.Verdict.Status == screening.Contraindicated }

// decodeAnswers is the one reader of the stored answers' JSON.
func decodeAnswers(referralID int64, raw []byte) (screening.Answers, error) {
	var a screening.Answers
	if err := json.Unmarshal(raw, &a); err != nil {
		return a, fmt.Errorf("screening of referral %d: %w", referralID, err)
	}
	return a, nil
}

func overrideSet(decisions []screening.Decision) map[string]bool {
	out := map[string]bool{}
	for _, d := range decisions {
		if d.Kind == screening.DecisionOverride {
			out[d.RuleID] = true
		}
	}
	return out
}

// HoldRuleID is the finding id a treatment hold is overridden by.
func HoldRuleID(h screening.Hold) string {
	rule := "hold." + h.DrugID
	if h.Row != "" && h.Row != h.DrugID {
		rule += "." + h.Row
	}
	return rule
}

// holdOverridden reports whether the radiologist overrode a hold (or its
// "not respected" finding).
func holdOverridden(h screening.Hold, over map[string]bool) bool {
	rule := HoldRuleID(h)
	return over[rule] || over["hold_not_respected"+strings.TrimPrefix(rule, "hold")]
}

// evaluate is the one call of the screening rules: the verdict of answers
// for an act starting at appointment (zero: not booked), for the referral's
// patient and levels, with the rows the practice confirmed and the
// radiologist's overrides applied, and the earliest start the holds allow.
func (a *App) evaluate(act *catalog.Act, variant string, answers screening.Answers, appointment time.Time, decisions []screening.Decision, ctx evalContext) (screening.Verdict, time.Time) {
	v := a.screening.Evaluate(screening.Input{Act: act, Variant: variant, Levels: ctx.subject.Levels, Patient: ctx.subject.Patient,
		Confirmed: ctx.confirmed, Answers: answers, Appointment: appointment, Now: a.Now(), Loc: a.loc})
	over := overrideSet(decisions)
	v = v.WithOverrides(over)
	var earliest time.Time
	for _, h := range v.Holds {
		if !holdOverridden(h, over) && h.EarliestAct.After(earliest) {
			earliest = h.EarliestAct
		}
	}
	return v, earliest
}

// evalContext is what an evaluation reads besides the answers: the
// referral's patient and levels, and the rows the practice confirmed.
type evalContext struct {
	subject   store.ScreeningSubject
	confirmed map[string]bool
}

// fill completes a screening from its stored row and decisions and
// evaluates it for act at appt's date (undated when appt is nil).
func (a *App) fill(st *Screening, row *store.Screening, act *catalog.Act, appt *booking.Appointment, ec evalContext) error {
	return a.fillWith(decodeAnswers, st, row, act, appt, ec)
}

// fillWith is fill with the decoding of the answers given.
func (a *App) fillWith(decode func(int64, []byte) (screening.Answers, error), st *Screening, row *store.Screening, act *catalog.Act, appt *booking.Appointment, ec evalContext) error {
	if row != nil {
		answers, err := decode(row.ReferralID, row.Answers)
		if err != nil {
			return err
		}
		st.Answered, st.Answers = true, answers
		st.Version, st.UpdatedAt, st.UpdatedBy = row.Version, row.UpdatedAt, row.UpdatedBy
	}
	for i := range st.Decisions {
		if d := st.Decisions[i]; d.Kind == screening.DecisionSigned && d.AnswersVersion == st.Version && st.Answered {
			st.Signed = &d
		}
	}
	if act == nil {
		return nil
	}
	var start time.Time
	variant := ""
	if appt != nil {
		start, variant = appt.Start, appt.VariantID
	}
	st.Subject = ec.subject
	st.Verdict, st.Earliest = a.evaluate(act, variant, st.Answers, start, st.Decisions, ec)
	return nil
}

// ScreeningOf reads a referral's screening and evaluates it for its act at
// appt's date, or undated when appt is nil.
func (a *App) ScreeningOf(ctx context.Context, ref referral.Referral, appt *booking.Appointment) (Screening, error) {
	var st Screening
	var rowp *store.Screening
	row, err := a.store.Screening(ctx, ref.ID)
	switch {
	case err == nil:
		rowp = &row
	case !errors.Is(err, store.ErrNotFound):
		return st, err
	}
	if st.Decisions, err = a.store.ScreeningDecisions(ctx, ref.ID); err != nil {
		return st, err
	}
	ec, err := a.evalContexts(ctx, []int64{ref.ID})
	if err != nil {
		return st, err
	}
	act, _ := a.catalog.Act(ref.ActID)
	return st, a.fill(&st, rowp, act, appt, ec[ref.ID])
}

// evalContexts reads the patients and levels of referrals and the
// practice's confirmed rows, in two queries.
func (a *App) evalContexts(ctx context.Context, referralIDs []int64) (map[int64]evalContext, error) {
	subjects, err := a.store.ScreeningSubjects(ctx, referralIDs)
	if err != nil {
		return nil, err
	}
	return a.evalContextsOf(ctx, referralIDs, subjects)
}

// evalContextsOf is evalContexts with the subjects already read.
func (a *App) evalContextsOf(ctx context.Context, referralIDs []int64, subjects map[int64]store.ScreeningSubject) (map[int64]evalContext, error) {
	confirmed, err := a.practiceConfirmed(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]evalContext, len(referralIDs))
	for _, id := range referralIDs {
		out[id] = evalContext{subject: subjects[id], confirmed: confirmed}
	}
	return out, nil
}

// ScreeningsOf evaluates the screening of each booked appointment for its
// own date, in a few queries, keyed by appointment id; an appointment whose
// act is unknown is absent.
func (a *App) ScreeningsOf(ctx context.Context, list []booking.Appointment) (map[int64]Screening, error) {
	items := make([]screeningItem, len(list))
	for i := range list {
		items[i] = screeningItem{key: list[i].ID, referralID: list[i].ReferralID, actID: list[i].ActID, appt: &list[i]}
	}
	return a.screeningsFor(ctx, items, false)
}

// ScreeningsOfReferrals evaluates the screening of each referral, as
// ScreeningOf does with no appointment, in a few queries, keyed by
// referral id; a referral whose act is unknown is absent.
func (a *App) ScreeningsOfReferrals(ctx context.Context, refs []referral.Referral) (map[int64]Screening, error) {
	items := make([]screeningItem, len(refs))
	for i, ref := range refs {
		items[i] = screeningItem{key: ref.ID, referralID: ref.ID, actID: ref.ActID}
	}
	return a.screeningsFor(ctx, items, false)
}

// screeningItem is one screening to evaluate, under key in the result.
type screeningItem struct {
	key, referralID int64
	actID           string
	appt            *booking.Appointment // the date it is evaluated for; nil: none
	// subject is the referral's patient and levels when the caller read
	// them already (the worklist's rows hold them); nil: to read.
	subject *store.ScreeningSubject
}

func (a *App) screeningsFor(ctx context.Context, items []screeningItem, answeredOnly bool) (map[int64]Screening, error) {
	out := map[int64]Screening{}
	var refs []int64
	for _, it := range items {
		refs = append(refs, it.referralID)
	}
	rows, err := a.store.Screenings(ctx, refs)
	if err != nil {
		return nil, err
	}
	if answeredOnly {
		refs = refs[:0]
		for _, it := range items {
			if _, ok := rows[it.referralID]; ok {
				refs = append(refs, it.referralID)
			}
		}
		if len(refs) == 0 {
			return out, nil
		}
	}
	decisions, err := a.store.ScreeningDecisionsFor(ctx, refs)
	if err != nil {
		return nil, err
	}
	ecs, err := a.evalContextsFor(ctx, items, refs)
	if err != nil {
		return nil, err
	}
	decode := decodeAnswers
	if answeredOnly {
		// The worklist only reads the answers: they may be shared.
		decode = a.answers.decode
	}
	for _, it := range items {
		act, known := a.catalog.Act(it.actID)
		if !known {
			continue
		}
		st := Screening{Decisions: decisions[it.referralID]}
		var rowp *store.Screening
		if row, ok := rows[it.referralID]; ok {
			rowp = &row
		} else if answeredOnly {
			continue
		}
		if err := a.fillWith(decode, &st, rowp, act, it.appt, ecs[it.referralID]); err != nil {
			return nil, err
		}
		out[it.key] = st
	}
	return out, nil
}

// evalContextsFor reads the evaluation contexts of refs, the subjects
// only when the items do not bring them all.
func (a *App) evalContextsFor(ctx context.Context, items []screeningItem, refs []int64) (map[int64]evalContext, error) {
	subjects := make(map[int64]store.ScreeningSubject, len(items))
	for _, it := range items {
		if it.subject == nil {
			return a.evalContexts(ctx, refs)
		}
		subjects[it.referralID] = *it.subject
	}
	return a.evalContextsOf(ctx, refs, subjects)
}

// Safety is a booked act's screening as the board and the worklist flag it.
type Safety struct {
	Status screening.Status // "" when no questionnaire was filled in
	Signed bool
}

// SafetyOf flags each booked appointment of list: a hold no longer
// respected after a move, or a new answer, turns the act red on the board.
func (a *App) SafetyOf(ctx context.Context, list []booking.Appointment) (map[int64]Safety, error) {
	var booked []booking.Appointment
	for _, ap := range list {
		if ap.Status == booking.Booked {
			booked = append(booked, ap)
		}
	}
	all, err := a.ScreeningsOf(ctx, booked)
	if err != nil {
		return nil, err
	}
	out := map[int64]Safety{}
	for id, st := range all {
		if !st.Answered {
			out[id] = Safety{}
			continue
		}
		out[id] = Safety{Status: st.Verdict.Status, Signed: st.Signed != nil}
	}
	return out, nil
}

// BookedAppointment returns the booked appointment of a list, if any.
func BookedAppointment(list []booking.Appointment) *booking.Appointment {
	for i := range list {
		if list[i].Status == booking.Booked {
			return &list[i]
		}
	}
	return nil
}
