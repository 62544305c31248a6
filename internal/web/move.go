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
	p := movePage{Appointment: appt, ActName: ref.ActName, Rooms: ref.Rooms, Places: ref.Places, Radiologists: ref.Radiologists, Teams: ref.Teams}
	if appt.PlaceID != 0 && !slices.ContainsFunc(p.Places, func(r practice.Room) bool { return r.ID == appt.PlaceID }) {
		p.Places = nil // the act's place kind changed: the form keeps the booked one
	}
	return p, nil
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
