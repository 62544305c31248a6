package app

import (
	"context"
	"time"

	"repere/internal/audit"
	"repere/internal/booking"
	"repere/internal/mpps"
)

// DicomActor is who the audit log names for what the scanners read and send.
var DicomActor = audit.Actor{Login: "system:dicom", Role: "system"}

// Steps records the scanners' Modality Performed Procedure Steps (it is the
// MPPS server's mpps.StepStore) and moves the day of the act through the
// same guards as the pages: an act started on the scanner before check-in
// or with the checklist open is not moved into the room; it is flagged on
// the board for the team, who completes the checklist (or the radiologist
// overrides it) and moves it.
type Steps struct{ a *App }

// Steps returns the MPPS step store of the application.
func (a *App) Steps() Steps { return Steps{a} }

var _ mpps.StepStore = Steps{}

// Scanner flags, shown on the board (message keys day.flag.<flag>).
const (
	FlagStartedChecklistOpen = "started_checklist_open"
	FlagStartedNotArrived    = "started_not_arrived"
	FlagStartedNotToday      = "started_not_today"
	FlagStartedNotBooked     = "started_not_booked"
	FlagCompletedNotInRoom   = "completed_not_in_room"
)

// CreateStep records an IN PROGRESS step and starts the act if the day's
// guards allow it. The step and the day's move (or flag) it causes are one
// unit of work (store.WriteUnit): the scanner is answered a failure, and
// may send it again, rather than the step being kept without its effect.
func (s Steps) CreateStep(ctx context.Context, st mpps.PerformedStep) error {
	ctx = audit.WithActor(ctx, DicomActor)
	return s.a.store.WriteUnit(ctx, func(ctx context.Context) error {
		id, err := s.a.store.PerformedSteps().CreateStep(ctx, st)
		if err != nil || id == 0 {
			return err
		}
		return s.a.scannerStarted(ctx, id, st.Start)
	})
}

// UpdateStep applies an N-SET atomically; a COMPLETED step makes the act
// done and, if the patient is in the room, moves them to monitoring, in the
// same unit of work.
func (s Steps) UpdateStep(ctx context.Context, uid string, apply func(cur *mpps.PerformedStep) error) error {
	ctx = audit.WithActor(ctx, DicomActor)
	return s.a.store.WriteUnit(ctx, func(ctx context.Context) error {
		id, st, err := s.a.store.PerformedSteps().UpdateStep(ctx, uid, apply)
		if err != nil || id == 0 || st.Status != booking.StepCompleted {
			return err
		}
		return s.a.scannerCompleted(ctx, id, st)
	})
}

// scannerStarted moves the patient into the room as StartAct would, or
// flags the act when a guard refuses.
func (a *App) scannerStarted(ctx context.Context, id int64, at time.Time) error {
	f, err := a.AppointmentFile(ctx, id)
	if err != nil {
		return err
	}
	if indexOf(f.Appointment.DayStatus) >= indexOf(booking.InRoom) {
		return nil // already moved by the team
	}
	if at.IsZero() {
		at = a.Now()
	}
	r := a.startRefusal(ctx, f)
	switch {
	case r == nil:
		return a.moveDay(ctx, id, booking.InRoom, at, "started on the scanner")
	case r.Has("day.err.step"):
		return a.store.SetScannerFlag(ctx, id, FlagStartedNotBooked)
	case r.Has("day.err.not_today"):
		return a.store.SetScannerFlag(ctx, id, FlagStartedNotToday)
	case r.Has("day.err.not_arrived"):
		return a.store.SetScannerFlag(ctx, id, FlagStartedNotArrived)
	default:
		return a.store.SetScannerFlag(ctx, id, FlagStartedChecklistOpen)
	}
}

// scannerCompleted makes the act done (it leaves the worklist) and moves
// the patient from the room to monitoring; a patient the team had not
// moved into the room stays where they are, flagged.
func (a *App) scannerCompleted(ctx context.Context, id int64, st booking.PerformedStep) error {
	if err := a.store.MarkPerformed(ctx, id, st.SOPInstanceUID); err != nil {
		return err
	}
	ap, err := a.appointment(ctx, id)
	if err != nil {
		return err
	}
	switch {
	case ap.DayStatus == booking.InRoom:
		at := st.End
		if at.IsZero() {
			at = a.Now()
		}
		return a.moveDay(ctx, id, booking.Monitoring, at, "completed on the scanner")
	case indexOf(ap.DayStatus) < indexOf(booking.InRoom):
		return a.store.SetScannerFlag(ctx, id, FlagCompletedNotInRoom)
	}
	return nil
}

// UnscheduledSteps lists the acts the scanners performed on day that match
// no booked act (a console that did not use the worklist): the board shows
// them for the team to reconcile.
func (a *App) UnscheduledSteps(ctx context.Context, day time.Time) ([]booking.PerformedStep, error) {
	from := a.dayOf(day)
	return a.store.UnscheduledSteps(ctx, from, from.AddDate(0, 0, 1))
}

// LinkStep reconciles an unscheduled step with the act it performed, then
// applies it as if it had arrived linked: through the same guards. The
// link and the day's moves it causes are one unit of work (store.WriteUnit).
func (a *App) LinkStep(ctx context.Context, uid string, appointmentID int64) error {
	return a.store.WriteUnit(ctx, func(ctx context.Context) error { return a.linkStep(ctx, uid, appointmentID) })
}

func (a *App) linkStep(ctx context.Context, uid string, appointmentID int64) error {
	ap, err := a.appointment(ctx, appointmentID)
	if err != nil {
		return err
	}
	if ap.Status != booking.Booked && ap.Status != booking.Done {
		return refuse("day.err.link_inactive")
	}
	st, err := a.store.LinkStep(ctx, uid, appointmentID)
	if err != nil {
		return err
	}
	if err := a.scannerStarted(ctx, appointmentID, st.Start); err != nil {
		return err
	}
	if st.Status == booking.StepCompleted {
		return a.scannerCompleted(ctx, appointmentID, st)
	}
	return nil
}
