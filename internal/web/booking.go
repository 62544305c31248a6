package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/catalog"
	"repere/internal/practice"
	"repere/internal/referral"
	"repere/internal/store"
)

// bookForm is the booking form, kept as typed when it is refused.
type bookForm struct {
	Date, Time, Variant            string
	RoomID, RadiologistID, PlaceID int64
	Errors                         []string
}

type referralPage struct {
	Referral      referral.Referral
	Act           *catalog.Act
	ActName       string
	History       []store.ReferralEvent
	Appointments  []booking.Appointment
	Rooms         []practice.Room // CT rooms
	Places        []practice.Room // places of the kind the act's monitoring needs
	Radiologists  []auth.User     // those who perform the act
	Form          bookForm
	CanBook       bool
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
	u := currentUser(r)
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
	return nil
}

func (s *Server) referralPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadReferralPage(r)
	if err != nil {
		return err
	}
	p.Form.Date = time.Now().In(s.cfg.Location).AddDate(0, 0, 1).Format(time.DateOnly)
	p.Form.Time = "09:00"
	// A slot proposed from the waiting list comes prefilled in the query.
	q := r.URL.Query()
	if d := q.Get("date"); d != "" {
		p.Form.Date, p.Form.Time = d, q.Get("time")
	}
	p.Form.RoomID, _ = strconv.ParseInt(q.Get("room_id"), 10, 64)
	p.Form.RadiologistID, _ = strconv.ParseInt(q.Get("radiologist_id"), 10, 64)
	p.Form.PlaceID, _ = strconv.ParseInt(q.Get("place_id"), 10, 64)
	p.Form.Variant = q.Get("variant")
	if p.CanBook {
		// Screening will pass the end of anticoagulant holds as the earliest instant.
		earliest := time.Now().Add(time.Hour).Truncate(5 * time.Minute)
		if p.Slots, err = s.nextSlots(r.Context(), localizer(r), p.Referral.ID, p.Act, p.Form.Variant, earliest, 6); err != nil {
			return err
		}
		p.SlotsSearched = true
	}
	return s.render(w, r, http.StatusOK, "referral", "referral.title", "referrals", p)
}

func formID(r *http.Request, name string) int64 {
	id, _ := strconv.ParseInt(r.PostFormValue(name), 10, 64)
	return id
}

// book confirms an appointment from the referral page's form.
func (s *Server) book(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadReferralPage(r)
	if err != nil {
		return err
	}
	l := localizer(r)
	f := bookForm{Date: r.PostFormValue("date"), Time: r.PostFormValue("time"), Variant: r.PostFormValue("variant"),
		RoomID: formID(r, "room_id"), RadiologistID: formID(r, "radiologist_id"), PlaceID: formID(r, "place_id")}
	start, err := time.ParseInLocation("2006-01-02 15:04", f.Date+" "+f.Time, s.cfg.Location)
	if err != nil {
		f.Errors = append(f.Errors, l.T("book.err.when"))
	} else if start.Before(time.Now()) {
		f.Errors = append(f.Errors, l.T("book.err.past"))
	}
	if !p.CanBook {
		f.Errors = append(f.Errors, l.T("book.err.not_bookable"))
	}
	if !slices.ContainsFunc(p.Rooms, func(x practice.Room) bool { return x.ID == f.RoomID }) {
		f.Errors = append(f.Errors, l.T("book.err.room"))
	}
	if !slices.ContainsFunc(p.Radiologists, func(u auth.User) bool { return u.ID == f.RadiologistID }) {
		f.Errors = append(f.Errors, l.T("book.err.radiologist"))
	}
	req := booking.Request{ReferralID: p.Referral.ID, RoomID: f.RoomID, RadiologistID: f.RadiologistID, Start: start}
	if p.Act != nil {
		req.RoomMinutes, req.MonitoringMinutes = roomMinutes(p.Act, f.Variant), p.Act.Monitoring.Minutes
		req.VariantID = f.Variant
		if p.Act.Monitoring.Place != catalog.PlaceNone {
			req.PlaceID = f.PlaceID
			if !slices.ContainsFunc(p.Places, func(x practice.Room) bool { return x.ID == f.PlaceID }) {
				f.Errors = append(f.Errors, l.T("book.err.place"))
			}
		}
	}
	if len(f.Errors) == 0 {
		_, err := s.store.Book(r.Context(), req)
		var conflict *booking.ConflictError
		switch {
		case errors.As(err, &conflict):
			f.Errors = append(f.Errors, l.T("book.err.conflict."+conflict.Kind))
		case errors.Is(err, booking.ErrAlreadyBooked):
			f.Errors = append(f.Errors, l.T("book.err.already"))
		case err != nil:
			return err
		}
	}
	if len(f.Errors) > 0 {
		p.Form = f
		return s.render(w, r, http.StatusConflict, "referral", "referral.title", "referrals", p)
	}
	s.flash(r, "book.done")
	http.Redirect(w, r, "/staff/planning?day="+f.Date, http.StatusSeeOther)
	return nil
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
// of the referral page's form, keeping its durations; the old slot is freed
// only if the new one is free.
func (s *Server) moveAppointment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	start, perr := time.ParseInLocation("2006-01-02 15:04", r.PostFormValue("date")+" "+r.PostFormValue("time"), s.cfg.Location)
	back := "/staff/referrals/" + itoa(formID(r, "referral_id"))
	var problem string
	switch {
	case reason == "":
		problem = "book.err.reason"
	case perr != nil:
		problem = "book.err.when"
	case start.Before(time.Now()):
		problem = "book.err.past"
	}
	if problem == "" {
		err = s.store.Reschedule(r.Context(), id, booking.Request{RoomID: formID(r, "room_id"), RadiologistID: formID(r, "radiologist_id"),
			PlaceID: formID(r, "place_id"), Start: start}, reason)
		var conflict *booking.ConflictError
		switch {
		case errors.As(err, &conflict):
			problem = "book.err.conflict." + conflict.Kind
		case errors.Is(err, booking.ErrNotBooked):
			problem = "book.err.not_booked"
		case err != nil:
			return err
		}
	}
	if problem != "" {
		s.flash(r, problem)
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
	s.flash(r, "book.moved")
	http.Redirect(w, r, "/staff/planning?day="+start.Format(time.DateOnly), http.StatusSeeOther)
	return nil
}
