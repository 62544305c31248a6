package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/practice"
)

// movePage is one appointment's move form, reached from the planning grid
// by its move link (the keyboard) or by dropping its card (the mouse).
type movePage struct {
	Appointment  booking.Appointment
	ActName      string
	Move         moveForm
	Rooms        []practice.Room
	Places       []practice.Room
	Radiologists []auth.User
	Teams        []practice.AnaesthesiaTeam
}

func (s *Server) loadMovePage(r *http.Request, id int64) (movePage, error) {
	appt, err := s.app.Appointment(r.Context(), id)
	if err != nil {
		return movePage{}, err
	}
	r.SetPathValue("id", itoa(appt.ReferralID))
	ref, err := s.loadReferralPage(r)
	if err != nil {
		return movePage{}, err
	}
	r.SetPathValue("id", itoa(id))
	p := movePage{Appointment: appt, ActName: ref.ActName, Rooms: ref.Rooms, Places: placesFor(ref.Places, appt), Radiologists: ref.Radiologists, Teams: ref.Teams}
	return p, nil
}

// moveFormView is what the move_form partial shows: one appointment's move
// form, on the planning's move page or on its referral's page, filled with
// the booked slot or as typed when refused, each reason next to its field.
type moveFormView struct {
	ID           string // prefix of the fields' ids, unique in the page
	Standalone   bool   // the move page: the form's own page, back to the planning
	Appointment  booking.Appointment
	Move         moveForm
	Rooms        []practice.Room
	Places       []practice.Room // none: the booked place is kept as it is
	Radiologists []auth.User
	Teams        []practice.AnaesthesiaTeam
}

// placesFor are the places a move may choose: the act's kind of place,
// unless the act's place kind changed since booking (the booked one is kept).
func placesFor(places []practice.Room, appt booking.Appointment) []practice.Room {
	if appt.PlaceID != 0 && !slices.ContainsFunc(places, func(r practice.Room) bool { return r.ID == appt.PlaceID }) {
		return nil
	}
	return places
}

// MoveForm is the move page's form.
func (p movePage) MoveForm() moveFormView {
	return moveFormView{ID: "mv", Standalone: true, Appointment: p.Appointment, Move: p.Move, Rooms: p.Rooms, Places: p.Places,
		Radiologists: p.Radiologists, Teams: p.Teams}
}

// MoveFormFor is the move form of one of the referral's appointments: as
// typed when its move was refused, else the booked slot at the date and
// time of the booking form.
func (p referralPage) MoveFormFor(a booking.Appointment) moveFormView {
	m := p.Move
	if m.AppointmentID != a.ID {
		m = moveForm{AppointmentID: a.ID, bookForm: bookForm{Date: p.Form.Date, Time: p.Form.Time, RoomID: a.RoomID,
			RadiologistID: a.RadiologistID, PlaceID: a.PlaceID, AnaesthesiaID: a.AnaesthesiaID}}
	}
	return moveFormView{ID: "m-" + itoa(a.ID), Appointment: a, Move: m, Rooms: p.Rooms, Places: placesFor(p.Places, a),
		Radiologists: p.Radiologists, Teams: p.Teams}
}

// moveForm shows an appointment's move form, filled with the booked slot,
// or with the time and column a card was dropped on.
func (s *Server) moveFormPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.loadMovePage(r, id)
	if err != nil {
		return err
	}
	if p.Appointment.Status != booking.Booked {
		return errStatus(http.StatusConflict, "book.err.not_booked")
	}
	start := p.Appointment.Start.In(s.loc())
	m := moveForm{AppointmentID: id, bookForm: bookForm{Date: start.Format(time.DateOnly), Time: start.Format("15:04"), RoomID: p.Appointment.RoomID,
		RadiologistID: p.Appointment.RadiologistID, PlaceID: p.Appointment.PlaceID, AnaesthesiaID: p.Appointment.AnaesthesiaID}}
	q := r.URL.Query()
	if d, t := q.Get("date"), q.Get("time"); d != "" && t != "" {
		m.Date, m.Time = d, t
	}
	if v, err := strconv.ParseInt(q.Get("room_id"), 10, 64); err == nil {
		m.RoomID = v
	}
	if v, err := strconv.ParseInt(q.Get("radiologist_id"), 10, 64); err == nil {
		m.RadiologistID = v
	}
	p.Move = m
	return s.render(w, r, http.StatusOK, "move", "book.move", "planning", p)
}
