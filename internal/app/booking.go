package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"repere/internal/booking"
	"repere/internal/catalog"
	"repere/internal/referral"
	"repere/internal/schedule"
	"repere/internal/screening"
)

// BookRequest is a slot chosen for a referral's act.
type BookRequest struct {
	ReferralID                                    int64
	Start                                         time.Time
	Variant                                       string
	RoomID, RadiologistID, PlaceID, AnaesthesiaID int64
	// WithAnaesthesia asks for a team for an act under local or general
	// anaesthesia; an act under general anaesthesia always has one.
	WithAnaesthesia bool
}

// NeedsAnaesthesia reports whether an act always needs an anaesthesia team,
// and whether it may (local anaesthesia or general, chosen at booking).
func NeedsAnaesthesia(act *catalog.Act) (always, optional bool) {
	switch act.Anaesthesia.Value {
	case catalog.AnaesthesiaGeneral:
		return true, false
	case catalog.AnaesthesiaLocalOrGA:
		return false, true
	}
	return false, false
}

// NotBookable says why a referral cannot be booked now, or nil: among
// others, a referral whose patient's identity a person has not confirmed
// yet (identity vigilance) is not booked.
func (a *App) NotBookable(ref referral.Referral, appts []booking.Appointment) *Refusal {
	_, known := a.catalog.Act(ref.ActID)
	switch {
	case !known, ref.Status == referral.Cancelled, ref.Status == referral.Done:
		return refuse("book.err.not_bookable")
	case slices.ContainsFunc(appts, func(x booking.Appointment) bool { return x.Status == booking.Booked }):
		return refuse("book.err.already")
	case ref.IdentityToConfirm:
		return refuse("book.err.identity_to_confirm")
	}
	return nil
}

// EarliestStart is the earliest instant an act may start: an hour from now,
// on a 5-minute step, or later when a treatment hold of its screening says so.
func (a *App) EarliestStart(st Screening) time.Time {
	earliest := a.Now().Add(time.Hour).Truncate(5 * time.Minute)
	if st.Earliest.After(earliest) {
		earliest = st.Earliest
	}
	return earliest
}

// Book confirms an appointment for a referral on the chosen slot, after the
// clinical and calendar checks: a contraindication no radiologist has
// overridden, the treatment holds, opening hours, closures, absences,
// qualifications and every existing booking. The store then takes every
// resource in one transaction, which refuses a slot taken in the meantime.
//
// The whole use case is one unit of work (store.WriteUnit): its reads and
// the booking share one transaction and its audit entries are written with
// the booking.
func (a *App) Book(ctx context.Context, req BookRequest) (id int64, err error) {
	err = a.store.WriteUnit(ctx, func(ctx context.Context) error {
		id, err = a.book(ctx, req)
		return err
	})
	return id, err
}

func (a *App) book(ctx context.Context, req BookRequest) (int64, error) {
	ref, err := a.store.Referral(ctx, req.ReferralID)
	if err != nil {
		return 0, err
	}
	appts, err := a.store.ListAppointments(ctx, appointmentsOfReferral(ref.ID))
	if err != nil {
		return 0, err
	}
	if r := a.NotBookable(ref, appts); r != nil {
		return 0, r
	}
	act, _ := a.catalog.Act(ref.ActID)
	if len(act.Variants) > 0 && !slices.ContainsFunc(act.Variants, func(v catalog.Variant) bool { return v.ID == req.Variant }) {
		return 0, &Refusal{Reasons: []Reason{{Key: "book.err.variant", Field: "variant"}}}
	}
	if !req.Start.After(a.Now()) {
		return 0, &Refusal{Reasons: []Reason{{Key: "book.err.past", Field: "time"}}}
	}
	always, optional := NeedsAnaesthesia(act)
	withTeam := always || (optional && req.WithAnaesthesia)
	if !withTeam {
		req.AnaesthesiaID = 0
	}
	if act.Monitoring.Place == catalog.PlaceNone {
		req.PlaceID = 0
	}
	// The screening for the date asked: a contraindication refuses it, a
	// hold bounds the earliest start.
	st, err := a.ScreeningOf(ctx, ref, &booking.Appointment{Start: req.Start, VariantID: req.Variant})
	if err != nil {
		return 0, err
	}
	if r := contraindication(st); r != nil {
		return 0, r
	}
	plan := ActPlan{Act: act, Variant: req.Variant, Anaesthesia: withTeam}
	slot, need, err := a.checkSlot(ctx, plan, req, a.EarliestStart(st))
	if err != nil {
		return 0, err
	}
	return bookingRefusal(a.store.Book(ctx, requestFor(ref.ID, req.Variant, slot, need)))
}

// Move reschedules a booked appointment to another time and resources,
// keeping its durations, with a reason; the old slot is freed only if the new
// one is taken. The same checks as a booking apply at the new date. Like
// Book, the use case is one unit of work.
func (a *App) Move(ctx context.Context, id int64, req BookRequest, reason string) error {
	return a.store.WriteUnit(ctx, func(ctx context.Context) error { return a.move(ctx, id, req, reason) })
}

func (a *App) move(ctx context.Context, id int64, req BookRequest, reason string) error {
	appt, err := a.appointment(ctx, id)
	if err != nil {
		return err
	}
	switch {
	case reason == "":
		return invalid("book.err.reason")
	case appt.Status != booking.Booked:
		return refuse("book.err.not_booked")
	case appt.DayStatus != booking.Expected:
		return refuse("book.err.arrived")
	case !req.Start.After(a.Now()):
		return &Refusal{Reasons: []Reason{{Key: "book.err.past", Field: "time"}}}
	}
	act, ok := a.catalog.Act(appt.ActID)
	if !ok {
		return refuse("book.err.not_bookable")
	}
	ref, err := a.store.Referral(ctx, appt.ReferralID)
	if err != nil {
		return err
	}
	moved := appt
	moved.Start = req.Start
	st, err := a.ScreeningOf(ctx, ref, &moved)
	if err != nil {
		return err
	}
	if r := contraindication(st); r != nil {
		return r
	}
	req.Variant = appt.VariantID
	if appt.AnaesthesiaID == 0 {
		req.AnaesthesiaID = 0
	}
	if act.Monitoring.Place == catalog.PlaceNone {
		req.PlaceID = 0
	}
	plan := ActPlan{Act: act, Variant: appt.VariantID, Anaesthesia: appt.AnaesthesiaID != 0, Except: id}
	slot, need, err := a.checkSlot(ctx, plan, req, a.EarliestStart(st))
	if err != nil {
		return err
	}
	if slot.Start.Equal(appt.Start) && slot.RoomID == appt.RoomID && slot.RadiologistID == appt.RadiologistID &&
		slot.PlaceID == appt.PlaceID && slot.AnaesthesiaID == appt.AnaesthesiaID {
		// Nothing would change: no move is recorded in its history.
		return &Refusal{Reasons: []Reason{{Key: "book.err.same_slot", Field: "time"}}, Invalid: true}
	}
	_, err = bookingRefusal(0, a.store.Reschedule(ctx, id, requestFor(appt.ReferralID, appt.VariantID, slot, need), reason))
	return err
}

// Cancel cancels a booked appointment with a reason; NoShow records that
// the patient did not come. Both free the slot and put the referral back.
func (a *App) Cancel(ctx context.Context, id int64, reason string) error {
	if reason == "" {
		return invalid("book.err.reason")
	}
	_, err := bookingRefusal(0, a.store.CancelAppointment(ctx, id, reason))
	return err
}

// NoShow is Cancel for a patient who did not come: not before the
// appointment's time (a patient who warns ahead is cancelled), never once
// checked in (the store refuses it in the same transaction).
func (a *App) NoShow(ctx context.Context, id int64, reason string) error {
	if reason == "" {
		return invalid("book.err.reason")
	}
	appt, err := a.appointment(ctx, id)
	if err != nil {
		return err
	}
	if a.Now().Before(appt.Start) {
		return refuse("book.err.absent_early", "When", TimeArg(appt.Start))
	}
	_, err = bookingRefusal(0, a.store.MarkNoShow(ctx, id, reason))
	return err
}

// checkSlot checks a chosen slot against the calendars and returns what the
// act would hold of each resource, or a refusal naming each problem.
func (a *App) checkSlot(ctx context.Context, plan ActPlan, req BookRequest, earliest time.Time) (schedule.Slot, schedule.Need, error) {
	pl, err := a.loadPlan(ctx, plan, req.Start.AddDate(0, 0, -1), req.Start.AddDate(0, 0, 1))
	if err != nil {
		return schedule.Slot{}, pl.Need, err
	}
	planner, err := schedule.New(pl.Practice)
	if err != nil {
		return schedule.Slot{}, pl.Need, err
	}
	b := schedule.Booking{Start: req.Start, RoomID: req.RoomID, RadiologistID: req.RadiologistID, PlaceID: req.PlaceID, AnaesthesiaID: req.AnaesthesiaID}
	err = planner.Check(pl.Need, schedule.Window{Earliest: earliest}, b)
	var conflicts schedule.Conflicts
	if errors.As(err, &conflicts) {
		r := &Refusal{}
		for _, c := range conflicts {
			var name any = pl.Names.Of(c.Kind, c.ID)
			if name == "" {
				name = KeyArg("book.kind." + string(c.Kind))
			}
			reason := Reason{Key: "book.problem." + string(c.Problem), Args: []any{"Resource", name}, Field: fieldOf[c.Kind]}
			if !slices.ContainsFunc(r.Reasons, func(x Reason) bool { return x.Key == reason.Key && x.Args[1] == reason.Args[1] }) {
				r.Reasons = append(r.Reasons, reason)
			}
		}
		return schedule.Slot{}, pl.Need, r
	}
	if err != nil {
		return schedule.Slot{}, pl.Need, err
	}
	slot, err := planner.Holds(pl.Need, b)
	return slot, pl.Need, err
}

// fieldOf is the booking form's field of each kind of resource.
var fieldOf = map[schedule.ResourceKind]string{schedule.KindRoom: "room_id", schedule.KindRadiologist: "radiologist_id",
	schedule.KindPlace: "place_id", schedule.KindAnaesthesia: "anaesthesia_id"}

// requestFor turns a checked slot into the booking the store records.
func requestFor(referralID int64, variant string, slot schedule.Slot, need schedule.Need) booking.Request {
	req := booking.Request{ReferralID: referralID, VariantID: variant, RoomID: slot.RoomID, RadiologistID: slot.RadiologistID,
		PlaceID: slot.PlaceID, AnaesthesiaID: slot.AnaesthesiaID, Start: slot.Start, RoomMinutes: need.RoomMinutes,
		TurnoverMinutes: need.TurnoverMinutes, MonitoringMinutes: need.MonitoringMinutes, StudyInstanceUID: booking.NewStudyInstanceUID()}
	if !slot.Monitoring.IsZero() {
		req.PlaceUntil = slot.Monitoring.End
	}
	return req
}

// bookingRefusal turns the store's refusals (a slot taken in the meantime, a
// referral booked twice, an appointment no longer booked) into a Refusal;
// any other error is returned as is.
func bookingRefusal(id int64, err error) (int64, error) {
	var conflict *booking.ConflictError
	switch {
	case err == nil:
		return id, nil
	case errors.As(err, &conflict):
		r := refuse("book.err.conflict." + conflict.Kind)
		if f, ok := fieldOf[schedule.ResourceKind(conflict.Kind)]; ok {
			r.Reasons[0].Field = f
		}
		return 0, r
	case errors.Is(err, booking.ErrAlreadyBooked):
		return 0, refuse("book.err.already")
	case errors.Is(err, booking.ErrNotBooked):
		return 0, refuse("book.err.not_booked")
	case errors.Is(err, booking.ErrArrived):
		return 0, refuse("book.err.arrived")
	case errors.Is(err, referral.ErrStatusChange):
		return 0, refuse("book.err.not_bookable")
	}
	return 0, err
}

// contraindication refuses an act whose screening, for the date asked, has
// a contraindication no radiologist has overridden, naming each finding. A
// hold not respected is left to the earliest-start check, which says from
// when the act is possible.
func contraindication(st Screening) *Refusal {
	r := &Refusal{}
	for _, x := range st.Verdict.Reasons {
		if x.Outcome == screening.OutcomeContraindicated && !x.Overridden && !strings.HasPrefix(x.RuleID, screening.RuleHoldNotRespected+".") {
			r.Reasons = append(r.Reasons, Reason{Key: "book.err.finding", Args: []any{"Finding", TextArg(x.Message)}})
		}
	}
	if len(r.Reasons) == 0 {
		return nil
	}
	r.Reasons = append([]Reason{{Key: "book.err.contraindicated"}}, r.Reasons...)
	return r
}

// SetReferralStatus changes a referral's status by hand, with a reason: the
// check of the change against the referral's status and appointments and
// the change itself are one transaction (the store's). A change the
// referral's state does not allow gives referral.ErrStatusChange.
func (a *App) SetReferralStatus(ctx context.Context, id int64, to referral.Status, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return invalid("book.err.reason")
	}
	return a.store.SetReferralStatus(ctx, id, to, reason)
}
