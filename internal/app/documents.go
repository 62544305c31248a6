package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"repere/internal/billing"
	"repere/internal/booking"
	"repere/internal/catalog"
	"repere/internal/documents"
	"repere/internal/patient"
	"repere/internal/referral"
	"repere/internal/screening"
)

// AppointmentFile is everything an appointment's documents and day pages
// are made of.
type AppointmentFile struct {
	Appointment booking.Appointment
	Referral    referral.Referral
	Patient     patient.Patient
	Act         *catalog.Act
	Site        documents.Site
	Estimate    billing.Estimate
	// Screening is the referral's screening evaluated for this appointment.
	Screening Screening
	// ReadAt is the instant the file was read at: its screening is
	// evaluated, and its documents are made, at that instant. A letter
	// checked again in a write unit is made again at it, so that only a
	// change of the data, never the time passing (a midnight moving
	// "tomorrow"), gives another letter.
	ReadAt time.Time
}

// AppointmentFile gathers an appointment, its referral, patient, act, site,
// cost estimate and screening; ErrNotFound when any is missing.
func (a *App) AppointmentFile(ctx context.Context, id int64) (AppointmentFile, error) {
	return a.appointmentFileAt(ctx, id, a.Now())
}

// appointmentFileAt is AppointmentFile read at the instant at: what it
// computes from the time (the screening, the estimate) is computed at at,
// and the documents made from it are made at at (ReadAt).
func (a *App) appointmentFileAt(ctx context.Context, id int64, at time.Time) (AppointmentFile, error) {
	a = a.at(at)
	f := AppointmentFile{ReadAt: at}
	var err error
	if f.Appointment, err = a.appointment(ctx, id); err != nil {
		return f, err
	}
	if f.Referral, err = a.store.Referral(ctx, f.Appointment.ReferralID); err != nil {
		return f, err
	}
	if f.Patient, err = a.store.Patient(ctx, f.Appointment.PatientID); err != nil {
		return f, err
	}
	act, ok := a.catalog.Act(f.Appointment.ActID)
	if !ok {
		return f, ErrNotFound
	}
	f.Act = act
	if f.Site, err = a.siteOf(ctx, f.Appointment.RoomID); err != nil {
		return f, err
	}
	if f.Screening, err = a.ScreeningOf(ctx, f.Referral, &f.Appointment); err != nil {
		return f, err
	}
	f.Estimate, err = a.Estimate(ctx, f, nil)
	return f, err
}

// CoverOf reads a referral's stored insurance cover.
func CoverOf(reason string) billing.Cover {
	if reason == "" {
		return billing.Cover{}
	}
	return billing.Cover{Exempt: true, Reason: reason}
}

// siteOf returns the site of a room, or the first site; its phone, or the
// practice's when it has none.
func (a *App) siteOf(ctx context.Context, roomID int64) (documents.Site, error) {
	sites, err := a.store.Sites(ctx)
	if err != nil || len(sites) == 0 {
		return documents.Site{Name: a.cfg.PracticeName, Phone: a.cfg.PracticePhone}, err
	}
	site := sites[0]
	if roomID != 0 {
		rooms, err := a.store.Rooms(ctx)
		if err != nil {
			return documents.Site{}, err
		}
		for _, room := range rooms {
			for _, st := range sites {
				if room.ID == roomID && st.ID == room.SiteID {
					site = st
				}
			}
		}
	}
	phone := site.Phone
	if phone == "" {
		phone = a.cfg.PracticePhone
	}
	return documents.Site{Name: site.Name, Address: site.Address, Phone: phone}, nil
}

// Convocation is the appointment's letter in lang. It is refused while the
// screening is contraindicated and no radiologist has overridden it: no
// letter, email or reminder convokes a patient to an act that must not
// take place. Nor while the referral's patient identity is still to
// confirm (a booking is refused then; this guards the letter, the email
// and the reminder whatever made the appointment).
func (a *App) Convocation(f AppointmentFile, lang string) (documents.Convocation, error) {
	if f.Referral.IdentityToConfirm {
		return documents.Convocation{}, refuse("convocation.err.identity_to_confirm")
	}
	if f.Screening.Contraindicated() {
		return documents.Convocation{}, refuse("convocation.err.contraindicated")
	}
	if !f.ReadAt.IsZero() {
		a = a.at(f.ReadAt) // its dates counted from today, and its issue date
	}
	c := documents.Convocation{
		AppointmentID: strconv.FormatInt(f.Appointment.ID, 10), UIDHost: a.cfg.Host,
		Patient: documents.Patient{Name: f.Patient.DisplayName(), BirthDate: birthDate(f.Patient), Sex: f.Patient.Sex},
		Act:     f.Act, Variant: f.Appointment.VariantID, Start: f.Appointment.Start,
		Site: f.Site, Room: f.Appointment.RoomName, Radiologist: f.Appointment.RadiologistName,
		Lang: lang, Location: a.loc, IssuedAt: a.Now(),
	}
	estimate := f.Estimate
	c.Estimate = &estimate
	c.Holds, c.TreatmentsPending, c.TreatmentsCallBy = a.treatmentLines(f, lang)
	return c, nil
}

func birthDate(p patient.Patient) time.Time {
	born, _ := time.Parse(time.DateOnly, p.BirthDate)
	return born
}

// treatmentLines says, for each treatment the patient declared that matters
// for the act, what the patient does: stop it (last dose, restart), keep it,
// or change nothing and wait for the practice's call before a date — never
// silence. pending is set while the questionnaire is missing or incomplete:
// the letter then cannot say that nothing is to be stopped.
func (a *App) treatmentLines(f AppointmentFile, lang string) (lines []documents.Hold, pending bool, callBy time.Time) {
	st := f.Screening
	l := a.i18n.For(lang)
	over := overrideSet(st.Decisions)
	pending = !st.Answered || len(st.Verdict.Missing) > 0
	callBy = a.callBy(f, a.screening.LongestHoldDays("", f.Act))
	withHold := map[string]bool{}
	for _, h := range st.Verdict.Holds {
		withHold[h.DrugID] = true
		line := documents.Hold{DrugName: h.DrugName.In(lang)}
		switch {
		case holdOverridden(h, over):
			line.Continue = true // the radiologist decided it is not stopped
		case h.LastDoseBy.IsZero(), a.holdAwaitsRadiologist(st, h):
			line.CallBy = a.callBy(f, a.screening.LongestHoldDays(h.DrugID, f.Act))
		default:
			line.LastDoseBy, line.AtTime = h.LastDoseBy, !h.DayOnly
			if !h.RestartFrom.IsZero() {
				from := h.RestartFrom.In(a.loc)
				line.RestartAdvice = l.T("convocation.restart_from", "When", l.Date(from)+" "+l.Time(from))
			}
		}
		lines = append(lines, line)
	}
	for _, t := range st.Answers.Treatments {
		d, known := a.screening.Drug(t.DrugID)
		switch {
		case !known:
			name := t.OtherName
			if name == "" {
				name = t.DrugID
			}
			lines = append(lines, documents.Hold{DrugName: name, CallBy: a.callBy(f, a.screening.LongestHoldDays("", f.Act))})
		case !withHold[d.ID] && len(d.Holds) > 0 && a.continueAwaitsRadiologist(st, d.ID):
			// "Continue" from a row nobody confirmed: the radiologist decides
			// first, the patient changes nothing and is called.
			lines = append(lines, documents.Hold{DrugName: d.Name.In(lang), CallBy: a.callBy(f, a.screening.LongestHoldDays(d.ID, f.Act))})
			withHold[d.ID] = true
		case !withHold[d.ID] && len(d.Holds) > 0:
			// An antithrombotic with no stop for this act: say so.
			lines = append(lines, documents.Hold{DrugName: d.Name.In(lang), Continue: true})
			withHold[d.ID] = true
		}
	}
	return lines, pending, callBy
}

// holdAwaitsRadiologist reports a hold whose dates the radiologist has not
// validated yet: the guideline gives no sure interval here (review, or a row
// not confirmed in a primary source) and the screening is not signed.
func (a *App) holdAwaitsRadiologist(st Screening, h screening.Hold) bool {
	if st.Signed != nil {
		return false
	}
	if h.Review {
		return true
	}
	for _, r := range st.Verdict.Reasons {
		if r.RuleID == HoldRuleID(h) && r.Outcome == screening.OutcomeReview && !r.Overridden {
			return true
		}
	}
	return false
}

// continueAwaitsRadiologist reports a drug the act does not stop, by a
// row not confirmed (its finding asks a review) that the radiologist has
// neither signed nor overridden.
func (a *App) continueAwaitsRadiologist(st Screening, drugID string) bool {
	if st.Signed != nil {
		return false
	}
	for _, r := range st.Verdict.Reasons {
		if (r.RuleID == "hold."+drugID || strings.HasPrefix(r.RuleID, "hold."+drugID+".")) && r.Outcome == screening.OutcomeReview && !r.Overridden {
			return true
		}
	}
	return false
}

// callBy is the day before which the practice must reach the patient about
// a treatment whose stop could start days before the act: the act's day,
// less those days, less one day to reach them; never before tomorrow nor
// after the eve of the act.
func (a *App) callBy(f AppointmentFile, days int) time.Time {
	act := a.dayOf(f.Appointment.Start)
	by := act.AddDate(0, 0, -days-1)
	if tomorrow := a.today().AddDate(0, 0, 1); by.Before(tomorrow) {
		by = tomorrow
	}
	if eve := act.AddDate(0, 0, -1); by.After(eve) && !eve.Before(a.today()) {
		by = eve
	}
	return by
}

// DischargeAdvice says, for each treatment stopped for the act, when to
// take it again; a treatment whose restart is not given by the rules is
// named, to be settled with the radiologist before the patient leaves.
func (a *App) DischargeAdvice(f AppointmentFile, lang string) []string {
	l := a.i18n.For(lang)
	over := overrideSet(f.Screening.Decisions)
	var out []string
	for _, h := range f.Screening.Verdict.Holds {
		if holdOverridden(h, over) {
			continue // never stopped
		}
		name := h.DrugName.In(lang)
		switch {
		case h.RestartFrom.IsZero():
			out = append(out, l.T("discharge.restart_ask", "Drug", name))
		case h.RestartUntil.IsZero():
			from := h.RestartFrom.In(a.loc)
			out = append(out, l.T("discharge.restart_from", "Drug", name, "When", l.Date(from)+" "+l.Time(from)))
		default:
			from, until := h.RestartFrom.In(a.loc), h.RestartUntil.In(a.loc)
			out = append(out, l.T("discharge.restart_between", "Drug", name, "From", l.Date(from)+" "+l.Time(from), "Until", l.Date(until)+" "+l.Time(until)))
		}
	}
	return out
}
