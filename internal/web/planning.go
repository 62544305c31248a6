package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"repere/internal/app"
	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/store"
)

type boardCard struct {
	booking.Appointment
	ActName             string
	From, To, PlaceTill string
	Safety              *app.Safety // nil for acts done
}

type planningPage struct {
	Day, Prev, Next, Today string
	DayLabel               string
	Count                  int
	Week                   bool
	Radiologists           []auth.User
	Radiologist            int64  // filter, 0 = all
	Query                  string // the filters, to keep in links
	Grid                   *timeGrid
	ByRadiologist          bool // the grid's columns are radiologists
}

// planning is the day's (or the week's) time grid: one column per CT room
// or radiologist, the monitoring places alongside (see planning_grid.go).
// It refreshes itself every minute.
func (s *Server) planning(w http.ResponseWriter, r *http.Request) error {
	l := localizer(r)
	loc := s.loc()
	now := s.now().In(loc)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	if q := r.URL.Query().Get("day"); q != "" {
		d, err := time.ParseInLocation(time.DateOnly, q, loc)
		if err != nil {
			return errStatus(http.StatusBadRequest, "planning.bad_day")
		}
		day = d
	}
	week := r.URL.Query().Get("view") == "week"
	radiologist, _ := strconv.ParseInt(r.URL.Query().Get("radiologist"), 10, 64)
	byRadiologist := r.URL.Query().Get("by") == "radiologist"
	step := 1
	if week {
		day = day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7)) // back to Monday
		step = 7
	}
	next := day.AddDate(0, 0, step)
	list, err := s.store.ListAppointments(r.Context(), store.AppointmentFilter{From: day, To: next, RadiologistID: radiologist,
		Statuses: []booking.Status{booking.Booked, booking.Done}})
	if err != nil {
		return err
	}
	doctors, err := s.store.Radiologists(r.Context())
	if err != nil {
		return err
	}
	rooms, err := s.store.Rooms(r.Context())
	if err != nil {
		return err
	}
	p := planningPage{Day: day.Format(time.DateOnly), Prev: day.AddDate(0, 0, -step).Format(time.DateOnly), Next: next.Format(time.DateOnly),
		Today: now.Format(time.DateOnly), DayLabel: l.Date(day), Count: len(list), Week: week, Radiologists: doctors, Radiologist: radiologist}
	q := url.Values{}
	if week {
		q.Set("view", "week")
	}
	if radiologist != 0 {
		q.Set("radiologist", itoa(radiologist))
	}
	if byRadiologist {
		q.Set("by", "radiologist")
	}
	p.ByRadiologist = byRadiologist
	p.Query = q.Encode()
	safeties, err := s.app.SafetyOf(r.Context(), list)
	if err != nil {
		return err
	}
	var all []boardCard
	for _, a := range list {
		c := boardCard{Appointment: a, ActName: a.ActID, From: l.Time(a.Start.In(loc)), To: l.Time(a.RoomEnd.In(loc))}
		if sf, ok := safeties[a.ID]; ok {
			c.Safety = &sf
		}
		if act, ok := s.catalog.Act(a.ActID); ok {
			c.ActName = act.Name.In(l.Lang)
		}
		if a.PlaceID != 0 {
			c.PlaceTill = l.Time(a.PlaceEnd.In(loc))
			if !a.PlaceEnd.Before(next) {
				c.PlaceTill = l.DateTime(a.PlaceEnd.In(loc))
			}
		}
		all = append(all, c)
	}
	canMove := currentUser(r).Role.In(bookers...)
	if week {
		p.Grid = s.newWeekGrid(l, day, all, rooms, canMove)
		return s.render(w, r, http.StatusOK, "planning_week", "planning.title", "planning", p)
	}
	p.Grid = s.newTimeGrid(day, all, rooms, doctors, byRadiologist, canMove)
	return s.render(w, r, http.StatusOK, "planning", "planning.title", "planning", p)
}
