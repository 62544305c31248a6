package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"repere/internal/app"
	"repere/internal/booking"
	"repere/internal/followup"
	"repere/internal/store"
)

// dayCard is one patient of the day with what is late or missing.
// dayCard holds, flat, what the day board shows of an appointment (see
// gridCard: html/template looks promoted fields up at a cost, and the
// board is redrawn every 30 s on every screen that shows it).
type dayCard struct {
	ID                                            int64
	PatientName, RoomName, PlaceName, ScannerFlag string
	ActName                                       string
	Arrival, From                                 string
	Late                                          bool     // expected and past the arrival time
	Missing                                       []string // message keys: consent, questionnaire, labs, signature
	Safety                                        *app.Safety
	MonitoringEnd                                 time.Time
	TimeLeft                                      string
	// ObservationDue is when the next monitoring observation is due, when
	// the act's watch asks some; Overdue once that time has passed.
	ObservationDue string
	Overdue        bool
}

type dayColumn struct {
	Status booking.DayStatus
	Cards  []dayCard
}

type dayPage struct {
	Day, Prev, Next, DayLabel string
	Columns                   []dayColumn
	Count                     int
	// Unscheduled are the scanner's acts of the day that match no booked
	// act, with the acts they may be reconciled with.
	Unscheduled []unscheduledStep
	Linkable    []booking.Appointment
}

// unscheduledStep is one act the scanner reported without a worklist entry.
type unscheduledStep struct {
	booking.PerformedStep
	Patient, At string
}

// dayBoard shows the day's patients by where they are: expected, arrived,
// in the room, in monitoring, discharged; late arrivals and missing items
// (consent, questionnaire, labs, the radiologist's signature) stand out.
func (s *Server) dayBoard(w http.ResponseWriter, r *http.Request) error {
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
	next := day.AddDate(0, 0, 1)
	list, err := s.store.ListAppointments(r.Context(), store.AppointmentFilter{From: day, To: next, Statuses: []booking.Status{booking.Booked, booking.Done}})
	if err != nil {
		return err
	}
	safeties, err := s.app.SafetyOf(r.Context(), list)
	if err != nil {
		return err
	}
	settings, err := s.store.Settings(r.Context())
	if err != nil {
		return err
	}
	p := dayPage{Day: day.Format(time.DateOnly), Prev: day.AddDate(0, 0, -1).Format(time.DateOnly), Next: next.Format(time.DateOnly),
		DayLabel: l.Date(day), Count: len(list)}
	var open []int64
	for _, a := range list {
		if a.DayStatus != booking.Discharged && a.Status == booking.Booked {
			open = append(open, a.ID)
		}
	}
	consents, err := s.store.ConsentsForAppointments(r.Context(), open)
	if err != nil {
		return err
	}
	due, err := s.app.ObservationsDue(r.Context(), list)
	if err != nil {
		return err
	}
	byStatus := map[booking.DayStatus][]dayCard{}
	for _, a := range list {
		c := dayCard{ID: a.ID, PatientName: a.PatientName, RoomName: a.RoomName, PlaceName: a.PlaceName, ScannerFlag: a.ScannerFlag,
			ActName: a.ActID, From: l.Time(a.Start.In(loc))}
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
			if !app.HasValidConsent(consents[a.ID]) {
				c.Missing = append(c.Missing, "day.missing.consent")
			}
		}
		if a.DayStatus == booking.Monitoring && !a.MonitoringFrom.IsZero() && ok {
			_, c.MonitoringEnd = followup.MonitoringWindow(act, a.MonitoringFrom, loc, settings.WardDischargeMinute)
			c.TimeLeft = l.Minutes(int(followup.TimeLeft(c.MonitoringEnd, now).Round(time.Minute).Minutes()))
		}
		if at, ok := due[a.ID]; ok {
			c.ObservationDue, c.Overdue = l.Time(at.In(loc)), !at.After(now)
		}
		byStatus[a.DayStatus] = append(byStatus[a.DayStatus], c)
	}
	for _, st := range booking.DayStatuses {
		p.Columns = append(p.Columns, dayColumn{Status: st, Cards: byStatus[st]})
	}
	steps, err := s.app.UnscheduledSteps(r.Context(), day)
	if err != nil {
		return err
	}
	for _, st := range steps {
		p.Unscheduled = append(p.Unscheduled, unscheduledStep{PerformedStep: st, Patient: strings.ReplaceAll(st.PatientName, "^", " "), At: l.Time(st.Start.In(loc))})
	}
	for _, a := range list {
		if a.Status == booking.Booked && a.PerformedStatus == "" {
			p.Linkable = append(p.Linkable, a)
		}
	}
	return s.render(w, r, http.StatusOK, "day", "day.title", "day", p)
}

// checkInPage asks the two identifiers before the patient is marked arrived.
type checkInPage struct {
	appointmentFile
	Consent    bool
	Named      bool
	BirthDate  string
	EveAllowed bool // the act may admit the patient the evening before
	Eve        bool
	EveReason  string
	Errors     []string
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
	return checkInPage{appointmentFile: f, Consent: app.HasValidConsent(consents), EveAllowed: s.app.EveAdmissionAllowed(f.Act)}, nil
}

func (s *Server) checkInForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadCheckIn(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "checkin", "checkin.title", "day", p)
}

// checkIn marks the patient arrived once the staff confirmed the name and
// the birth date the patient gave match the record (two identifiers), on
// the act's day (or the evening before for a ward admission, with its reason).
func (s *Server) checkIn(w http.ResponseWriter, r *http.Request) error {
	// The page's reads share one read unit; the check-in is the
	// application's own unit of work, after it.
	var p checkInPage
	err := s.store.ReadUnit(r.Context(), func(ctx context.Context) (err error) {
		p, err = s.loadCheckIn(r.WithContext(ctx))
		return err
	})
	if err != nil {
		return err
	}
	l := localizer(r)
	p.Named = r.PostFormValue("name_confirmed") == "yes"
	p.BirthDate = strings.TrimSpace(r.PostFormValue("birth_date"))
	p.Eve, p.EveReason = r.PostFormValue("eve_admission") == "yes", strings.TrimSpace(r.PostFormValue("eve_reason"))
	day, _ := parseDay(p.BirthDate)
	err = s.app.CheckInPatient(r.Context(), p.Appointment.ID, app.CheckIn{NameConfirmed: p.Named, BirthDate: day, EveAdmission: p.Eve, Reason: p.EveReason})
	if p.Errors, err = s.refusalMessages(l, err); err != nil {
		return err
	}
	if len(p.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "checkin", "checkin.title", "day", p)
	}
	s.flash(r, "checkin.done")
	back := "/staff/day?day=" + p.Appointment.Start.In(s.loc()).Format(time.DateOnly)
	if !p.Consent {
		back = "/staff/appointments/" + itoa(p.Appointment.ID) + "/consent"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// moveDay moves a patient one step on the board, through the application's
// guards (the act's day, the checklist before the room).
func (s *Server) moveDay(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	to := booking.DayStatus(r.PostFormValue("to"))
	switch to {
	case booking.Arrived:
		http.Redirect(w, r, "/staff/appointments/"+itoa(id)+"/checkin", http.StatusSeeOther)
		return nil
	case booking.Discharged:
		http.Redirect(w, r, "/staff/appointments/"+itoa(id)+"/discharge", http.StatusSeeOther)
		return nil
	}
	if err := s.app.MoveDay(r.Context(), id, to); err != nil {
		return err
	}
	back := safeNext(r.PostFormValue("back"))
	if back == "" {
		back = "/staff/day"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// linkStep reconciles a step the scanner reported without a worklist entry
// with the act it performed.
func (s *Server) linkStep(w http.ResponseWriter, r *http.Request) error {
	apptID := formID(r, "appointment_id")
	if err := s.app.LinkStep(r.Context(), r.PathValue("uid"), apptID); err != nil {
		return err
	}
	s.flash(r, "day.linked")
	http.Redirect(w, r, "/staff/day?day="+r.PostFormValue("day"), http.StatusSeeOther)
	return nil
}
