package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/catalog"
	"repere/internal/i18n"
	"repere/internal/practice"
	"repere/internal/referral"
	"repere/internal/schedule"
	"repere/internal/store"
)

// bookForm is the booking form, kept as typed when it is refused.
type bookForm struct {
	Date, Time, Variant            string
	RoomID, RadiologistID, PlaceID int64
	AnaesthesiaID                  int64
	WithAnaesthesia                bool // asked for an act under local or general anaesthesia
	Errors                         []string
}

// moveForm is the move form of one appointment, kept as typed when refused.
type moveForm struct {
	AppointmentID int64
	bookForm
	Reason string
}

type referralPage struct {
	Referral     referral.Referral
	Act          *catalog.Act
	ActName      string
	History      []store.ReferralEvent
	Appointments []booking.Appointment
	Rooms        []practice.Room // CT rooms
	Places       []practice.Room // places of the kind the act's monitoring needs
	Radiologists []auth.User     // those who perform the act
	Teams        []practice.AnaesthesiaTeam
	// AnaesthesiaAlways: the act is under general anaesthesia; AnaesthesiaOptional:
	// local or general, chosen at booking.
	AnaesthesiaAlways, AnaesthesiaOptional bool
	Form                                   bookForm
	Move                                   moveForm
	CanBook                                bool
	// StatusChoices are the statuses staff may set by hand; StatusForm is
	// the refused status form as typed.
	// Screening is the questionnaire's verdict for the booked date.
	Screening       screeningState
	Earliest        string // the holds' earliest start in words (the date alone at midnight)
	Findings        []findingView
	Holds           []holdView
	ScreeningErrors []string
	OverrideRule    string // the finding whose override was refused, to reopen it
	NewLink         string // a patient link just made, shown once
	IsRadiologist   bool
	StatusChoices   []referral.Status
	StatusForm      struct {
		Status, Reason string
		Errors         []string
	}
	Slots         []slotView // the next feasible slots
	SlotsSearched bool
}

func (s *Server) loadReferralPage(r *http.Request) (referralPage, error) {
	id, err := pathID(r)
	if err != nil {
		return referralPage{}, err
	}
	ctx := r.Context()
	var p referralPage
	if p.Referral, err = s.store.Referral(ctx, id); err != nil {
		return p, err
	}
	p.ActName = p.Referral.ActID
	if act, ok := s.catalog.Act(p.Referral.ActID); ok {
		p.Act, p.ActName = act, act.Name.In(localizer(r).Lang)
	}
	if p.History, err = s.store.ReferralHistory(ctx, id); err != nil {
		return p, err
	}
	if p.Appointments, err = s.store.ListAppointments(ctx, store.AppointmentFilter{ReferralID: id}); err != nil {
		return p, err
	}
	if err := s.bookingChoices(r, &p); err != nil {
		return p, err
	}
	if p.Screening, err = s.loadScreening(ctx, p.Referral, p.Act, bookedAppointment(p.Appointments)); err != nil {
		return p, err
	}
	p.Findings, p.Holds = s.verdictView(localizer(r), p.Screening)
	if e := p.Screening.Earliest.In(s.cfg.Location); !e.IsZero() {
		p.Earliest = localizer(r).DateTime(e)
		if e.Hour() == 0 && e.Minute() == 0 {
			p.Earliest = localizer(r).ShortDate(e)
		}
	}
	u := currentUser(r)
	p.IsRadiologist = u.Role == auth.Radiologist
	booked := slices.ContainsFunc(p.Appointments, func(a booking.Appointment) bool { return a.Status == booking.Booked })
	if u.Role.In(bookers...) {
		for _, st := range referral.Statuses {
			if referral.CanSetStatus(p.Referral.Status, st, booked) == nil {
				p.StatusChoices = append(p.StatusChoices, st)
			}
		}
	}
	p.CanBook = u.Role.In(bookers...) && p.Act != nil && p.Referral.Status != referral.Cancelled && p.Referral.Status != referral.Done &&
		!slices.ContainsFunc(p.Appointments, func(a booking.Appointment) bool { return a.Status == booking.Booked })
	return p, nil
}

// placeKinds maps an act's monitoring place to the room kind that provides it.
var placeKinds = map[string]string{
	catalog.PlaceRecoveryChair: practice.RecoveryChair,
	catalog.PlaceRecoveryBed:   practice.RecoveryBed,
	catalog.PlaceWardOvernight: practice.WardBed,
}

func (s *Server) bookingChoices(r *http.Request, p *referralPage) error {
	rooms, err := s.store.Rooms(r.Context())
	if err != nil {
		return err
	}
	for _, room := range rooms {
		switch {
		case !room.Active:
		case room.Kind == practice.CT:
			p.Rooms = append(p.Rooms, room)
		case p.Act != nil && room.Kind == placeKinds[p.Act.Monitoring.Place]:
			p.Places = append(p.Places, room)
		}
	}
	doctors, err := s.store.Radiologists(r.Context())
	if err != nil {
		return err
	}
	acts, err := s.store.RadiologistActs(r.Context())
	if err != nil {
		return err
	}
	for _, d := range doctors {
		if slices.Contains(acts[d.ID], p.Referral.ActID) {
			p.Radiologists = append(p.Radiologists, d)
		}
	}
	if p.Act != nil {
		p.AnaesthesiaAlways, p.AnaesthesiaOptional = needsAnaesthesia(p.Act)
	}
	teams, err := s.store.AnaesthesiaTeams(r.Context())
	for _, t := range teams {
		if t.Active {
			p.Teams = append(p.Teams, t)
		}
	}
	return err
}

func (s *Server) referralPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadReferralPage(r)
	if err != nil {
		return err
	}
	p.Form.Date = s.now().In(s.cfg.Location).AddDate(0, 0, 1).Format(time.DateOnly)
	p.Form.Time = "09:00"
	// A slot proposed from the waiting list comes prefilled in the query.
	q := r.URL.Query()
	if d := q.Get("date"); d != "" {
		p.Form.Date, p.Form.Time = d, q.Get("time")
	}
	p.Form.RoomID, _ = strconv.ParseInt(q.Get("room_id"), 10, 64)
	p.Form.RadiologistID, _ = strconv.ParseInt(q.Get("radiologist_id"), 10, 64)
	p.Form.PlaceID, _ = strconv.ParseInt(q.Get("place_id"), 10, 64)
	p.Form.AnaesthesiaID, _ = strconv.ParseInt(q.Get("anaesthesia_id"), 10, 64)
	p.Form.WithAnaesthesia = q.Get("with_anaesthesia") == "1" || p.Form.AnaesthesiaID != 0
	p.Form.Variant = q.Get("variant")
	if p.Act != nil && len(p.Act.Variants) > 0 && p.Form.Variant == "" {
		p.Form.Variant = p.Act.Variants[0].ID
	}
	if err := s.proposeSlots(r, &p); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "referral", "referral.title", "referrals", p)
}

// proposeSlots fills the next feasible slots of a bookable referral.
func (s *Server) proposeSlots(r *http.Request, p *referralPage) error {
	if !p.CanBook {
		return nil
	}
	earliest := s.earliestOf(p.Screening) // a bookable referral has no booked appointment: the verdict is undated
	a := actPlan{act: p.Act, variant: p.Form.Variant, anaesthesia: p.AnaesthesiaAlways || (p.AnaesthesiaOptional && p.Form.WithAnaesthesia)}
	var err error
	if p.Slots, err = s.nextSlots(r.Context(), localizer(r), p.Referral.ID, a, earliest, 6); err != nil {
		return err
	}
	p.SlotsSearched = true
	return nil
}

// earliestStart is the earliest instant an act of the referral may start:
// an hour from now, on a 5-minute step, or later when a treatment hold of
// its screening says so.
func (s *Server) earliestStart(ctx context.Context, referralID int64) (time.Time, error) {
	ref, err := s.store.Referral(ctx, referralID)
	if err != nil {
		return time.Time{}, err
	}
	act, ok := s.catalog.Act(ref.ActID)
	if !ok {
		return s.earliestOf(screeningState{}), nil
	}
	st, err := s.loadScreening(ctx, ref, act, nil)
	return s.earliestOf(st), err
}

// earliestOf is earliestStart for a screening already loaded.
func (s *Server) earliestOf(st screeningState) time.Time {
	earliest := s.now().Add(time.Hour).Truncate(5 * time.Minute)
	if st.Earliest.After(earliest) {
		earliest = st.Earliest
	}
	return earliest
}

// checkBooking checks a chosen slot against the calendars (opening hours,
// closures, absences, qualifications, existing bookings, earliest start) and
// returns what the act would hold of each resource, or the problems in the
// user's language.
func (s *Server) checkBooking(r *http.Request, a actPlan, b schedule.Booking, earliest time.Time) (schedule.Slot, schedule.Need, []string, error) {
	l := localizer(r)
	pl, err := s.loadPlan(r.Context(), a, b.Start.AddDate(0, 0, -1), b.Start.AddDate(0, 0, 1))
	if err != nil {
		return schedule.Slot{}, pl.need, nil, err
	}
	planner, err := schedule.New(pl.practice)
	if err != nil {
		return schedule.Slot{}, pl.need, nil, err
	}
	err = planner.Check(pl.need, schedule.Window{Earliest: earliest}, b)
	var conflicts schedule.Conflicts
	if errors.As(err, &conflicts) {
		var problems []string
		for _, c := range conflicts {
			msg := l.T("book.problem."+string(c.Problem), "Resource", pl.names.of(c.Kind, c.ID, l))
			if !slices.Contains(problems, msg) {
				problems = append(problems, msg)
			}
		}
		return schedule.Slot{}, pl.need, problems, nil
	}
	if err != nil {
		return schedule.Slot{}, pl.need, nil, err
	}
	slot, err := planner.Holds(pl.need, b)
	return slot, pl.need, nil, err
}

// of names a resource of a conflict.
func (n slotNames) of(kind schedule.ResourceKind, id int64, l *i18n.Localizer) string {
	var name string
	switch kind {
	case schedule.KindRoom, schedule.KindPlace:
		name = n.rooms[id]
	case schedule.KindRadiologist:
		name = n.doctors[id]
	case schedule.KindAnaesthesia:
		name = n.teams[id]
	}
	if name == "" {
		return l.T("book.kind." + string(kind))
	}
	return name
}

// requestFor turns a checked slot into the booking the store records.
func requestFor(referralID int64, variant string, slot schedule.Slot, need schedule.Need) booking.Request {
	req := booking.Request{ReferralID: referralID, VariantID: variant, RoomID: slot.RoomID, RadiologistID: slot.RadiologistID,
		PlaceID: slot.PlaceID, AnaesthesiaID: slot.AnaesthesiaID, Start: slot.Start, RoomMinutes: need.RoomMinutes,
		TurnoverMinutes: need.TurnoverMinutes, MonitoringMinutes: need.MonitoringMinutes}
	if !slot.Monitoring.IsZero() {
		req.PlaceUntil = slot.Monitoring.End
	}
	return req
}

func formID(r *http.Request, name string) int64 {
	id, _ := strconv.ParseInt(r.PostFormValue(name), 10, 64)
	return id
}

// readBookForm reads the booking or move form's fields.
func readBookForm(r *http.Request) bookForm {
	return bookForm{Date: r.PostFormValue("date"), Time: r.PostFormValue("time"), Variant: r.PostFormValue("variant"),
		RoomID: formID(r, "room_id"), RadiologistID: formID(r, "radiologist_id"), PlaceID: formID(r, "place_id"),
		AnaesthesiaID: formID(r, "anaesthesia_id"), WithAnaesthesia: r.PostFormValue("with_anaesthesia") == "1"}
}

// book confirms an appointment from the referral page's form, after checking
// the slot against the calendars; the store then takes the resources in one
// transaction, which refuses a slot taken in the meantime.
func (s *Server) book(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadReferralPage(r)
	if err != nil {
		return err
	}
	l := localizer(r)
	f := readBookForm(r)
	start, err := time.ParseInLocation("2006-01-02 15:04", f.Date+" "+f.Time, s.cfg.Location)
	if err != nil {
		f.Errors = append(f.Errors, l.T("book.err.when"))
	} else if start.Before(s.now()) {
		f.Errors = append(f.Errors, l.T("book.err.past"))
	}
	if !p.CanBook {
		f.Errors = append(f.Errors, l.T("book.err.not_bookable"))
	}
	if p.Act != nil && len(p.Act.Variants) > 0 && !slices.ContainsFunc(p.Act.Variants, func(v catalog.Variant) bool { return v.ID == f.Variant }) {
		f.Errors = append(f.Errors, l.T("book.err.variant"))
	}
	withTeam := p.AnaesthesiaAlways || (p.AnaesthesiaOptional && f.WithAnaesthesia)
	if !withTeam {
		f.AnaesthesiaID = 0
	}
	if p.Act == nil || p.Act.Monitoring.Place == catalog.PlaceNone {
		f.PlaceID = 0
	}
	if len(f.Errors) == 0 {
		earliest := s.earliestOf(p.Screening)
		b := schedule.Booking{Start: start, RoomID: f.RoomID, RadiologistID: f.RadiologistID, PlaceID: f.PlaceID, AnaesthesiaID: f.AnaesthesiaID}
		slot, need, problems, err := s.checkBooking(r, actPlan{act: p.Act, variant: f.Variant, anaesthesia: withTeam}, b, earliest)
		if err != nil {
			return err
		}
		f.Errors = problems
		if len(problems) == 0 {
			_, err := s.store.Book(r.Context(), requestFor(p.Referral.ID, f.Variant, slot, need))
			if f.Errors, err = bookingProblems(l, err); err != nil {
				return err
			}
		}
	}
	if len(f.Errors) > 0 {
		p.Form = f
		if err := s.proposeSlots(r, &p); err != nil {
			return err
		}
		return s.render(w, r, http.StatusConflict, "referral", "referral.title", "referrals", p)
	}
	s.flash(r, "book.done")
	http.Redirect(w, r, "/staff/planning?day="+f.Date, http.StatusSeeOther)
	return nil
}

// bookingProblems turns the store's refusals (a slot taken in the meantime,
// a referral booked twice, an appointment no longer booked) into messages;
// any other error is returned as is.
func bookingProblems(l *i18n.Localizer, err error) ([]string, error) {
	var conflict *booking.ConflictError
	switch {
	case err == nil:
		return nil, nil
	case errors.As(err, &conflict):
		return []string{l.T("book.err.conflict." + conflict.Kind)}, nil
	case errors.Is(err, booking.ErrAlreadyBooked):
		return []string{l.T("book.err.already")}, nil
	case errors.Is(err, booking.ErrNotBooked):
		return []string{l.T("book.err.not_booked")}, nil
	}
	return nil, err
}

// roomMinutes is the act's room time, or its variant's plus nothing else:
// options are added when the radiologist records them.
func roomMinutes(act *catalog.Act, variant string) int {
	for _, v := range act.Variants {
		if v.ID == variant {
			return v.RoomMinutes.Value
		}
	}
	return act.RoomMinutes.Value
}

// endAppointment cancels an appointment or marks a no-show, with a reason.
func (s *Server) endAppointment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		return errStatus(http.StatusUnprocessableEntity, "book.err.reason")
	}
	if strings.HasSuffix(r.URL.Path, "/no-show") {
		err = s.store.MarkNoShow(r.Context(), id, reason)
	} else {
		err = s.store.CancelAppointment(r.Context(), id, reason)
	}
	if errors.Is(err, booking.ErrNotBooked) {
		return errStatus(http.StatusConflict, "book.err.not_booked")
	}
	if err != nil {
		return err
	}
	s.flash(r, "book.ended")
	back := safeNext(r.PostFormValue("back"))
	if back == "" {
		back = "/staff/planning"
	}
	if !strings.HasSuffix(r.URL.Path, "/no-show") {
		back = "/staff/waiting?freed=" + itoa(id) // who could take the freed slot
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// moveAppointment reschedules a booked appointment to the time and resources
// of its move form, keeping its durations; the old slot is freed only if the
// new one is free. A refused move shows the referral page again with the
// form as typed and the reasons.
func (s *Server) moveAppointment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	l := localizer(r)
	list, err := s.store.ListAppointments(ctx, store.AppointmentFilter{ID: id})
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return errStatus(http.StatusNotFound, "error.not_found")
	}
	appt := list[0]
	m := moveForm{AppointmentID: id, bookForm: readBookForm(r), Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	m.Variant = appt.VariantID
	start, perr := time.ParseInLocation("2006-01-02 15:04", m.Date+" "+m.Time, s.cfg.Location)
	switch {
	case m.Reason == "":
		m.Errors = append(m.Errors, l.T("book.err.reason"))
	case perr != nil:
		m.Errors = append(m.Errors, l.T("book.err.when"))
	case start.Before(s.now()):
		m.Errors = append(m.Errors, l.T("book.err.past"))
	case appt.Status != booking.Booked:
		m.Errors = append(m.Errors, l.T("book.err.not_booked"))
	}
	act, ok := s.catalog.Act(appt.ActID)
	if !ok {
		return errStatus(http.StatusConflict, "book.err.not_bookable")
	}
	if len(m.Errors) == 0 {
		withTeam := appt.AnaesthesiaID != 0
		if !withTeam {
			m.AnaesthesiaID = 0
		}
		earliest, err := s.earliestStart(ctx, appt.ReferralID)
		if err != nil {
			return err
		}
		b := schedule.Booking{Start: start, RoomID: m.RoomID, RadiologistID: m.RadiologistID, PlaceID: m.PlaceID, AnaesthesiaID: m.AnaesthesiaID}
		if act.Monitoring.Place == catalog.PlaceNone {
			b.PlaceID = 0
		}
		slot, need, problems, err := s.checkBooking(r, actPlan{act: act, variant: appt.VariantID, anaesthesia: withTeam, except: id}, b, earliest)
		if err != nil {
			return err
		}
		m.Errors = problems
		if len(problems) == 0 {
			err := s.store.Reschedule(ctx, id, requestFor(appt.ReferralID, appt.VariantID, slot, need), m.Reason)
			if m.Errors, err = bookingProblems(l, err); err != nil {
				return err
			}
		}
	}
	if len(m.Errors) > 0 {
		r.SetPathValue("id", itoa(appt.ReferralID))
		p, err := s.loadReferralPage(r)
		if err != nil {
			return err
		}
		p.Move = m
		return s.render(w, r, http.StatusConflict, "referral", "referral.title", "referrals", p)
	}
	s.flash(r, "book.moved")
	http.Redirect(w, r, "/staff/planning?day="+start.Format(time.DateOnly), http.StatusSeeOther)
	return nil
}

// setReferralStatus changes a referral's status by hand with a reason; a
// refused change shows the page again with the form as typed.
func (s *Server) setReferralStatus(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadReferralPage(r)
	if err != nil {
		return err
	}
	l := localizer(r)
	to, reason := referral.Status(r.PostFormValue("status")), strings.TrimSpace(r.PostFormValue("reason"))
	p.StatusForm.Status, p.StatusForm.Reason = string(to), reason
	switch {
	case !slices.Contains(p.StatusChoices, to):
		p.StatusForm.Errors = append(p.StatusForm.Errors, l.T("referral.err.status"))
	case reason == "":
		p.StatusForm.Errors = append(p.StatusForm.Errors, l.T("book.err.reason"))
	default:
		err = s.store.SetReferralStatus(r.Context(), p.Referral.ID, to, reason)
		if errors.Is(err, referral.ErrStatusChange) {
			p.StatusForm.Errors = append(p.StatusForm.Errors, l.T("referral.err.status"))
		} else if err != nil {
			return err
		}
	}
	if len(p.StatusForm.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "referral", "referral.title", "referrals", p)
	}
	s.flash(r, "referral.status_changed")
	http.Redirect(w, r, "/staff/referrals/"+itoa(p.Referral.ID), http.StatusSeeOther)
	return nil
}
