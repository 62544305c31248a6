package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/catalog"
	"repere/internal/followup"
	"repere/internal/store"
)

// The day of the act follows the act's date and order: check-in on the
// act's day (a ward admission the evening before is a recorded exception),
// the act started only after check-in with the checklist complete (or a
// radiologist's override), monitoring after the act, discharge once the
// act's monitoring time has elapsed (or an early discharge with its reason).
// The pages, the scanner (MPPS) and any other entry point go through these.

// CheckIn is the identity check at the desk, on two identifiers the patient gives.
type CheckIn struct {
	NameConfirmed bool   // the patient said their name and it matches
	BirthDate     string // the birth date the patient gave, YYYY-MM-DD
	// EveAdmission: a ward admission the evening before the act, with its reason.
	EveAdmission bool
	Reason       string
}

// CheckInPatient marks the patient arrived once identified on two identifiers.
//
// The check-in is one unit of work (store.WriteUnit).
func (a *App) CheckInPatient(ctx context.Context, id int64, c CheckIn) error {
	return a.store.WriteUnit(ctx, func(ctx context.Context) error { return a.checkInPatient(ctx, id, c) })
}

func (a *App) checkInPatient(ctx context.Context, id int64, c CheckIn) error {
	f, err := a.AppointmentFile(ctx, id)
	if err != nil {
		return err
	}
	r := &Refusal{}
	if !c.NameConfirmed {
		r.Reasons = append(r.Reasons, Reason{Key: "checkin.err.name"})
	} else if c.BirthDate != f.Patient.BirthDate {
		r.Reasons = append(r.Reasons, Reason{Key: "checkin.err.birth_date"})
	}
	note := "identity checked on two identifiers"
	actDay, today := a.dayOf(f.Appointment.Start), a.today()
	switch {
	case c.EveAdmission:
		reason := strings.TrimSpace(c.Reason)
		switch {
		case !eveAdmissionAllowed(f.Act):
			r.Reasons = append(r.Reasons, Reason{Key: "checkin.err.eve_act"})
		case !today.Equal(actDay.AddDate(0, 0, -1)):
			r.Reasons = append(r.Reasons, Reason{Key: "checkin.err.eve_day"})
		case reason == "":
			r.Reasons = append(r.Reasons, Reason{Key: "checkin.err.eve_reason"})
		}
		note += "; admitted the evening before: " + reason
	case today.Before(actDay):
		r.Reasons = append(r.Reasons, Reason{Key: "checkin.err.too_early", Args: []any{"Day", DateArg(actDay)}})
	case today.After(actDay):
		r.Reasons = append(r.Reasons, Reason{Key: "checkin.err.past_day"})
	}
	if len(r.Reasons) > 0 {
		return r
	}
	err = a.store.CheckIn(ctx, id, note)
	if errors.Is(err, booking.ErrDayStep) || errors.Is(err, store.ErrNotToday) {
		return refuse("checkin.err.state")
	}
	return err
}

// EveAdmissionAllowed: only an act that keeps the patient in a ward bed, or
// under general anaesthesia, admits them the evening before.
func (a *App) EveAdmissionAllowed(act *catalog.Act) bool { return eveAdmissionAllowed(act) }

func eveAdmissionAllowed(act *catalog.Act) bool {
	return act.Monitoring.Place == catalog.PlaceWardOvernight || act.Anaesthesia.Value == catalog.AnaesthesiaGeneral
}

// StartAct moves the patient into the room: on the act's day, after
// check-in, with every blocking checklist item checked or the radiologist's
// override recorded.
func (a *App) StartAct(ctx context.Context, id int64, at time.Time) error {
	f, err := a.AppointmentFile(ctx, id)
	if err != nil {
		return err
	}
	if r := a.startRefusal(ctx, f); r != nil {
		return r
	}
	return a.moveDay(ctx, id, booking.InRoom, at, "")
}

// startRefusal says why the act of f may not start now, or nil.
func (a *App) startRefusal(ctx context.Context, f AppointmentFile) *Refusal {
	switch {
	case f.Appointment.Status != booking.Booked:
		return refuse("day.err.step")
	case a.today().Before(a.dayOf(f.Appointment.Start)):
		return refuse("day.err.not_today", "Day", DateArg(a.dayOf(f.Appointment.Start)))
	case f.Appointment.DayStatus != booking.Arrived:
		return refuse("day.err.not_arrived")
	}
	st, err := a.Checklist(ctx, f)
	if err != nil || !st.Status.Ready {
		return refuse("checklist.err.open")
	}
	return nil
}

// EndAct moves the patient from the room to monitoring.
func (a *App) EndAct(ctx context.Context, id int64, at time.Time) error {
	return a.moveDay(ctx, id, booking.Monitoring, at, "")
}

// StepBack undoes the patient's last step of the day (a mistake), with a reason.
func (a *App) StepBack(ctx context.Context, id int64, to booking.DayStatus, reason string) error {
	ap, err := a.appointment(ctx, id)
	if err != nil {
		return err
	}
	if indexOf(to) != indexOf(ap.DayStatus)-1 {
		return refuse("day.err.step")
	}
	return a.moveDay(ctx, id, to, a.Now(), "undone: "+reason)
}

func indexOf(d booking.DayStatus) int {
	for i, x := range booking.DayStatuses {
		if x == d {
			return i
		}
	}
	return -1
}

// MoveDay moves a patient one step forward on the board, through the same
// guards as the dedicated use cases (a check-in needs the identity check,
// a discharge its criteria: those have their own forms).
//
// The step is one unit of work (store.WriteUnit): the appointment's file and
// checklist are read and the step written in one transaction.
func (a *App) MoveDay(ctx context.Context, id int64, to booking.DayStatus) error {
	return a.store.WriteUnit(ctx, func(ctx context.Context) error { return a.moveDayTo(ctx, id, to) })
}

func (a *App) moveDayTo(ctx context.Context, id int64, to booking.DayStatus) error {
	switch to {
	case booking.Arrived:
		return refuse("day.err.checkin_form")
	case booking.InRoom:
		ap, err := a.appointment(ctx, id)
		if err != nil {
			return err
		}
		if ap.DayStatus == booking.Monitoring {
			return a.StepBack(ctx, id, to, "")
		}
		return a.StartAct(ctx, id, a.Now())
	case booking.Monitoring:
		ap, err := a.appointment(ctx, id)
		if err != nil {
			return err
		}
		if ap.DayStatus == booking.Discharged {
			return a.StepBack(ctx, id, to, "")
		}
		return a.EndAct(ctx, id, a.Now())
	case booking.Discharged:
		return refuse("day.err.discharge_form")
	case booking.Expected:
		return a.StepBack(ctx, id, to, "")
	}
	return refuse("day.err.step")
}

// moveDay records one step, refusing one that does not follow.
func (a *App) moveDay(ctx context.Context, id int64, to booking.DayStatus, at time.Time, note string) error {
	err := a.store.MoveDay(ctx, id, to, at, note)
	switch {
	case errors.Is(err, booking.ErrDayStep), errors.Is(err, booking.ErrNotBooked):
		return refuse("day.err.step")
	}
	return err
}

// Discharge lets the patient go once every discharge criterion of the act
// is checked and the act's monitoring time has elapsed; an earlier
// discharge needs a radiologist's reason, recorded.
func (a *App) Discharge(ctx context.Context, id int64, checked map[string]bool, earlyReason string) error {
	// One unit of work: the checks read the state the move is made from.
	return a.store.WriteUnit(ctx, func(ctx context.Context) error { return a.discharge(ctx, id, checked, earlyReason) })
}

func (a *App) discharge(ctx context.Context, id int64, checked map[string]bool, earlyReason string) error {
	f, err := a.AppointmentFile(ctx, id)
	if err != nil {
		return err
	}
	r := &Refusal{}
	for _, c := range a.followup.DischargeCriteria(f.Act) {
		if !checked[c.ID] {
			r.Reasons = append(r.Reasons, Reason{Key: "discharge.err.criterion", Args: []any{"Criterion", TextArg(c.Text)}})
		}
	}
	if f.Appointment.DayStatus != booking.Monitoring {
		r.Reasons = append(r.Reasons, Reason{Key: "day.err.step"})
	}
	note := ""
	if end, err := a.MonitoringEnd(ctx, f); err != nil {
		return err
	} else if left := followup.TimeLeft(end, a.Now()); left > 0 && f.Appointment.DayStatus == booking.Monitoring {
		earlyReason = strings.TrimSpace(earlyReason)
		actor, _ := audit.ActorFrom(ctx)
		switch {
		case earlyReason == "":
			r.Reasons = append(r.Reasons, Reason{Key: "discharge.err.early", Args: []any{"Left", MinutesArg(left)}})
		case actor.Role != string(auth.Radiologist):
			r.Reasons = append(r.Reasons, Reason{Key: "discharge.err.early_radiologist"})
		default:
			note = "early discharge (" + left.Round(time.Minute).String() + " before the end of monitoring): " + earlyReason
		}
	}
	if len(r.Reasons) > 0 {
		return r
	}
	return a.moveDay(ctx, id, booking.Discharged, a.Now(), note)
}

// MonitoringEnd is when the act's monitoring ends (the ward's next-morning
// discharge for an overnight bed); zero before monitoring starts.
func (a *App) MonitoringEnd(ctx context.Context, f AppointmentFile) (time.Time, error) {
	if f.Appointment.MonitoringFrom.IsZero() {
		return time.Time{}, nil
	}
	settings, err := a.store.Settings(ctx)
	if err != nil {
		return time.Time{}, err
	}
	_, end := followup.MonitoringWindow(f.Act, f.Appointment.MonitoringFrom, a.loc, settings.WardDischargeMinute)
	return end, nil
}
