package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"repere/internal/booking"
	"repere/internal/followup"
	"repere/internal/i18n"
)

// watchView is the monitoring's observations on the discharge page: what
// the act's data asks, what was recorded, when the next is due, the form.
type watchView struct {
	Watch        followup.Watch
	Kinds        string // the kinds asked, in words
	Rows         []observationRow
	NextDue      string
	Overdue      bool
	Open         bool // the patient is being watched: the form is shown
	Form         observationForm
	FieldErrors  map[string][]string
	Errors       []string
	PracticeNote string // the data's own note
}

type observationRow struct {
	followup.Observation
	When, Pressure, Pain, Neuro string
}

// observationForm is the form as typed.
type observationForm struct {
	Systolic, Diastolic, HeartRate, Pain, Neuro, Note string
}

func (s *Server) loadWatch(r *http.Request, p *dischargePage) error {
	l := localizer(r)
	w := s.app.Watch(p.AppointmentFile)
	v := watchView{Watch: w, Open: p.Appointment.DayStatus == "monitoring", PracticeNote: w.Note}
	var words []string
	for _, k := range w.Kinds {
		words = append(words, l.T("observation.kind."+k))
	}
	v.Kinds = strings.Join(words, ", ")
	list, err := s.app.Observations(r.Context(), p.Appointment.ID)
	if err != nil {
		return err
	}
	for _, o := range list {
		v.Rows = append(v.Rows, observationView(l, o, s.loc()))
	}
	due, err := s.app.ObservationsDue(r.Context(), []booking.Appointment{p.Appointment})
	if err != nil {
		return err
	}
	if next, ok := due[p.Appointment.ID]; ok && v.Open {
		v.NextDue, v.Overdue = l.Time(next.In(s.loc())), !next.After(s.now())
	}
	p.Watch = v
	return nil
}

func observationView(l *i18n.Localizer, o followup.Observation, loc *time.Location) observationRow {
	row := observationRow{Observation: o, When: l.Time(o.At.In(loc))}
	if o.Systolic != 0 {
		row.Pressure = strconv.Itoa(o.Systolic) + "/" + strconv.Itoa(o.Diastolic) + " mmHg"
		if o.HeartRate != 0 {
			row.Pressure += " · " + strconv.Itoa(o.HeartRate) + "/min"
		}
	}
	if o.Pain != nil {
		row.Pain = strconv.Itoa(*o.Pain) + "/10"
	}
	if o.Neuro != "" {
		row.Neuro = l.T("observation.neuro." + o.Neuro)
	}
	return row
}

// addObservation records one set of monitoring values; a refusal shows the
// discharge page again with the form as typed and each reason by its field.
func (s *Server) addObservation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := observationForm{Systolic: r.PostFormValue("systolic"), Diastolic: r.PostFormValue("diastolic"), HeartRate: r.PostFormValue("heart_rate"),
		Pain: strings.TrimSpace(r.PostFormValue("pain")), Neuro: r.PostFormValue("neuro"), Note: r.PostFormValue("note")}
	// A value typed but not a whole number is said, never read as "not
	// recorded" (a heart rate of "12O" is not an empty one).
	l := localizer(r)
	var all []string
	fields := map[string][]string{}
	num := func(name, v string) int {
		v = strings.TrimSpace(v)
		n, err := strconv.Atoi(v)
		if v != "" && err != nil {
			msg := l.T("observation.err.number", "Field", l.T("observation."+name))
			all, fields[name] = append(all, msg), append(fields[name], msg)
		}
		return n
	}
	o := followup.Observation{Systolic: num("systolic", f.Systolic), Diastolic: num("diastolic", f.Diastolic), HeartRate: num("heart_rate", f.HeartRate),
		Neuro: f.Neuro, Note: f.Note}
	if f.Pain != "" {
		n := num("pain", f.Pain)
		o.Pain = &n
	}
	if len(all) == 0 {
		err = s.app.RecordObservation(r.Context(), id, o)
		if err != nil {
			all, fields, err = s.refusalByField(l, err)
			if err != nil {
				return err
			}
		}
	}
	if len(all) > 0 {
		// The page is read only to say a refusal, in one read unit.
		return s.inReadUnit(route{handle: func(w http.ResponseWriter, r *http.Request) error {
			p, err := s.loadDischarge(r) // with its watch
			if err != nil {
				return err
			}
			p.Watch.Form, p.Watch.Errors, p.Watch.FieldErrors = f, all, fields
			return s.render(w, r, http.StatusUnprocessableEntity, "discharge", "discharge.title", "day", p)
		}}, w, r)
	}
	s.flash(r, "observation.done")
	http.Redirect(w, r, "/staff/appointments/"+itoa(id)+"/discharge#observations", http.StatusSeeOther)
	return nil
}
