package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"repere/internal/booking"
	"repere/internal/followup"
	"repere/internal/referral"
)

// dischargePage lists the act's discharge criteria and the advice to give.
type dischargePage struct {
	appointmentFile
	Criteria      []followup.Criterion
	Checked       map[string]bool
	Aftercare     []string
	WarningSigns  []string
	MonitoringEnd time.Time
	TimeLeft      string
	Errors        []string
}

func (s *Server) loadDischarge(r *http.Request) (dischargePage, error) {
	id, err := pathID(r)
	if err != nil {
		return dischargePage{}, err
	}
	l := localizer(r)
	f, err := s.loadAppointmentFile(r.Context(), id, l.Lang)
	if err != nil {
		return dischargePage{}, err
	}
	p := dischargePage{appointmentFile: f, Criteria: s.followup.DischargeCriteria(f.Act), Checked: map[string]bool{}}
	for _, it := range f.Act.Aftercare {
		p.Aftercare = append(p.Aftercare, it.Text.In(l.Lang))
	}
	for _, it := range f.Act.WarningSigns {
		p.WarningSigns = append(p.WarningSigns, it.Text.In(l.Lang))
	}
	if !f.Appointment.MonitoringFrom.IsZero() {
		settings, err := s.store.Settings(r.Context())
		if err != nil {
			return p, err
		}
		_, p.MonitoringEnd = followup.MonitoringWindow(f.Act, f.Appointment.MonitoringFrom, s.cfg.Location, settings.WardDischargeMinute)
		p.TimeLeft = l.Minutes(int(followup.TimeLeft(p.MonitoringEnd, s.now()).Round(time.Minute).Minutes()))
	}
	return p, nil
}

func (s *Server) dischargeForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadDischarge(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "discharge", "discharge.title", "day", p)
}

// discharge lets the patient go once every criterion is checked.
func (s *Server) discharge(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadDischarge(r)
	if err != nil {
		return err
	}
	l := localizer(r)
	for _, c := range r.PostForm["criterion"] {
		p.Checked[c] = true
	}
	for _, c := range p.Criteria {
		if !p.Checked[c.ID] {
			p.Errors = append(p.Errors, l.T("discharge.err.criterion", "Criterion", c.Text.In(l.Lang)))
		}
	}
	if len(p.Errors) == 0 {
		err := s.store.MoveDay(r.Context(), p.Appointment.ID, booking.Discharged, s.now())
		switch {
		case err == booking.ErrDayStep:
			p.Errors = append(p.Errors, l.T("day.err.step"))
		case err != nil:
			return err
		}
	}
	if len(p.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "discharge", "discharge.title", "day", p)
	}
	s.flash(r, "discharge.done")
	http.Redirect(w, r, "/staff/day?day="+p.Appointment.Start.In(s.cfg.Location).Format(time.DateOnly), http.StatusSeeOther)
	return nil
}

// followUpView is the follow-up of an act: its scores, the days to ask and
// the outcome the rules read from them.
type followUpView struct {
	Days    []int
	Scores  map[int]int // day -> latest score
	Outcome followup.Outcome
	Reason  string
}

func (s *Server) followUpOf(r *http.Request, f appointmentFile) (followUpView, error) {
	v := followUpView{Days: append([]int{0}, s.followup.FollowUpDays(f.Act)...), Scores: map[int]int{}}
	list, err := s.store.PainScores(r.Context(), f.Appointment.ID)
	if err != nil {
		return v, err
	}
	scores := make([]followup.Score, 0, len(list))
	for _, sc := range list {
		v.Scores[sc.Day] = sc.Value
		scores = append(scores, followup.Score{Day: sc.Day, Value: sc.Value, At: sc.At, By: sc.By})
	}
	v.Outcome = s.followup.Outcome(f.Act, scores)
	v.Reason = v.Outcome.Reason.In(localizer(r).Lang)
	return v, nil
}

// addPainScore records a pain score given on the phone or at the desk.
func (s *Server) addPainScore(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	day, err1 := strconv.Atoi(r.PostFormValue("day"))
	value, err2 := strconv.Atoi(strings.TrimSpace(r.PostFormValue("value")))
	if err1 != nil || err2 != nil || value < 0 || value > 10 || day < 0 {
		return errStatus(http.StatusUnprocessableEntity, "followup.err.score")
	}
	if err := s.store.AddPainScore(r.Context(), id, day, value); err != nil {
		return err
	}
	s.flash(r, "followup.saved")
	http.Redirect(w, r, "/staff/appointments/"+itoa(id)+"#followup-h", http.StatusSeeOther)
	return nil
}

// offerNewAct creates a referral for the same act, prefilled from the one
// that failed or whose pain came back, for the secretary to book.
func (s *Server) offerNewAct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	l := localizer(r)
	f, err := s.loadAppointmentFile(r.Context(), id, l.Lang)
	if err != nil {
		return err
	}
	v, err := s.followUpOf(r, f)
	if err != nil {
		return err
	}
	if !v.Outcome.OfferNewAct {
		return errStatus(http.StatusConflict, "followup.err.no_offer")
	}
	prev := f.Referral
	ref := referral.Referral{PatientID: prev.PatientID, PhysicianID: prev.PhysicianID, ActID: prev.ActID, Levels: prev.Levels, Side: prev.Side,
		Urgency: referral.Soon, PrescriptionDate: s.now().In(s.cfg.Location).Format(time.DateOnly), Status: referral.Received,
		Indication:   l.T("followup.indication", "Status", l.T("followup.status."+v.Outcome.Status), "Date", l.Date(f.Appointment.Start.In(s.cfg.Location)), "Previous", prev.Indication),
		PriorImaging: prev.PriorImaging}
	newID, err := s.store.CreateReferral(r.Context(), ref)
	if err != nil {
		return err
	}
	s.flash(r, "followup.offered")
	http.Redirect(w, r, "/staff/referrals/"+itoa(newID), http.StatusSeeOther)
	return nil
}
