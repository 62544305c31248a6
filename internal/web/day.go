package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"repere/internal/booking"
	"repere/internal/followup"
	"repere/internal/store"
)

// dayCard is one patient of the day with what is late or missing.
type dayCard struct {
	booking.Appointment
	ActName       string
	Arrival, From string
	Late          bool     // expected and past the arrival time
	Missing       []string // message keys: consent, questionnaire, labs, signature
	Safety        *safety
	MonitoringEnd time.Time
	TimeLeft      string
}

type dayColumn struct {
	Status booking.DayStatus
	Cards  []dayCard
}

type dayPage struct {
	Day, Prev, Next, DayLabel string
	Columns                   []dayColumn
	Count                     int
}

// dayBoard shows the day's patients by where they are: expected, arrived,
// in the room, in monitoring, discharged; late arrivals and missing items
// (consent, questionnaire, labs, the radiologist's signature) stand out.
func (s *Server) dayBoard(w http.ResponseWriter, r *http.Request) error {
	l := localizer(r)
	loc := s.cfg.Location
	now := s.now().In(loc)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	if q := r.URL.Query().Get("day"); q != "" {
		d, err := time.ParseInLocation(time.DateOnly, q, loc)
		if err != nil {
			return errStatus(http.StatusBadRequest, "planning.bad_day")
		}
		day = d
	}
	next := day.AddDate(0, 0, 1)
	list, err := s.store.ListAppointments(r.Context(), store.AppointmentFilter{From: day, To: next, Statuses: []booking.Status{booking.Booked, booking.Done}})
	if err != nil {
		return err
	}
	safeties, err := s.safetyOf(r.Context(), list)
	if err != nil {
		return err
	}
	settings, err := s.store.Settings(r.Context())
	if err != nil {
		return err
	}
	p := dayPage{Day: day.Format(time.DateOnly), Prev: day.AddDate(0, 0, -1).Format(time.DateOnly), Next: next.Format(time.DateOnly),
		DayLabel: l.Date(day), Count: len(list)}
	byStatus := map[booking.DayStatus][]dayCard{}
	for _, a := range list {
		c := dayCard{Appointment: a, ActName: a.ActID, From: l.Time(a.Start.In(loc))}
		act, ok := s.catalog.Act(a.ActID)
		if ok {
			c.ActName = act.Name.In(l.Lang)
		}
		arrival := a.Start.Add(-30 * time.Minute)
		c.Arrival = l.Time(arrival.In(loc))
		c.Late = a.DayStatus == booking.Expected && now.After(arrival.Add(10*time.Minute))
		if sf, ok := safeties[a.ID]; ok {
			c.Safety = &sf
			switch {
			case sf.Status == "":
				c.Missing = append(c.Missing, "day.missing.questionnaire")
			case !sf.Signed:
				c.Missing = append(c.Missing, "day.missing.signature")
			}
		}
		if a.DayStatus != booking.Discharged && a.Status == booking.Booked {
			consents, err := s.store.ConsentsFor(r.Context(), a.ID)
			if err != nil {
				return err
			}
			if !hasValidConsent(consents) {
				c.Missing = append(c.Missing, "day.missing.consent")
			}
		}
		if a.DayStatus == booking.Monitoring && !a.MonitoringFrom.IsZero() && ok {
			_, c.MonitoringEnd = followup.MonitoringWindow(act, a.MonitoringFrom, loc, settings.WardDischargeMinute)
			c.TimeLeft = l.Minutes(int(followup.TimeLeft(c.MonitoringEnd, now).Round(time.Minute).Minutes()))
		}
		byStatus[a.DayStatus] = append(byStatus[a.DayStatus], c)
	}
	for _, st := range booking.DayStatuses {
		p.Columns = append(p.Columns, dayColumn{Status: st, Cards: byStatus[st]})
	}
	return s.render(w, r, http.StatusOK, "day", "day.title", "day", p)
}

// hasValidConsent reports a signed or scanned consent not withdrawn.
func hasValidConsent(list []store.Consent) bool {
	for _, c := range list {
		if c.Withdrawn == nil {
			return true
		}
	}
	return false
}

// checkInPage asks the two identifiers before the patient is marked arrived.
type checkInPage struct {
	appointmentFile
	Consent   bool
	Named     bool
	BirthDate string
	Errors    []string
}

func (s *Server) loadCheckIn(r *http.Request) (checkInPage, error) {
	id, err := pathID(r)
	if err != nil {
		return checkInPage{}, err
	}
	f, err := s.loadAppointmentFile(r.Context(), id, localizer(r).Lang)
	if err != nil {
		return checkInPage{}, err
	}
	consents, err := s.store.ConsentsFor(r.Context(), id)
	if err != nil {
		return checkInPage{}, err
	}
	return checkInPage{appointmentFile: f, Consent: hasValidConsent(consents)}, nil
}

func (s *Server) checkInForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadCheckIn(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "checkin", "checkin.title", "day", p)
}

// checkIn marks the patient arrived once the staff confirmed the name and
// the birth date the patient gave match the record (two identifiers).
func (s *Server) checkIn(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadCheckIn(r)
	if err != nil {
		return err
	}
	l := localizer(r)
	p.Named = r.PostFormValue("name_confirmed") == "yes"
	p.BirthDate = strings.TrimSpace(r.PostFormValue("birth_date"))
	day, ok := parseDay(p.BirthDate)
	switch {
	case !p.Named:
		p.Errors = append(p.Errors, l.T("checkin.err.name"))
	case !ok || day != p.Patient.BirthDate:
		p.Errors = append(p.Errors, l.T("checkin.err.birth_date"))
	}
	if len(p.Errors) == 0 {
		err := s.store.CheckIn(r.Context(), p.Appointment.ID)
		switch {
		case errors.Is(err, booking.ErrDayStep), errors.Is(err, store.ErrNotToday):
			p.Errors = append(p.Errors, l.T("checkin.err.state"))
		case err != nil:
			return err
		}
	}
	if len(p.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "checkin", "checkin.title", "day", p)
	}
	s.flash(r, "checkin.done")
	back := "/staff/day?day=" + p.Appointment.Start.In(s.cfg.Location).Format(time.DateOnly)
	if !p.Consent {
		back = "/staff/appointments/" + itoa(p.Appointment.ID) + "/consent"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// moveDay moves a patient one step on the day board.
func (s *Server) moveDay(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	to := booking.DayStatus(r.PostFormValue("to"))
	if to == booking.Arrived {
		http.Redirect(w, r, "/staff/appointments/"+itoa(id)+"/checkin", http.StatusSeeOther)
		return nil
	}
	if to == booking.InRoom {
		// The act starts only with every blocking checklist item checked,
		// or the radiologist's override.
		ready, err := s.checklistReady(r.Context(), id, localizer(r).Lang)
		if err != nil {
			return err
		}
		if !ready {
			return errStatus(http.StatusConflict, "checklist.err.open")
		}
	}
	err = s.store.MoveDay(r.Context(), id, to, s.now())
	switch {
	case errors.Is(err, booking.ErrDayStep), errors.Is(err, booking.ErrNotBooked):
		return errStatus(http.StatusConflict, "day.err.step")
	case errors.Is(err, store.ErrNotFound):
		return errStatus(http.StatusNotFound, "error.not_found")
	case err != nil:
		return err
	}
	back := safeNext(r.PostFormValue("back"))
	if back == "" {
		back = "/staff/day"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}
