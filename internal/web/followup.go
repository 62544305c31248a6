package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"repere/internal/auth"
	"repere/internal/followup"
)

// dischargePage lists the act's discharge criteria and the advice to give.
type dischargePage struct {
	appointmentFile
	Criteria      []followup.Criterion
	Checked       map[string]bool
	Aftercare     []string
	Restarts      []string // when to take each stopped treatment again
	WarningSigns  []string
	MonitoringEnd time.Time
	TimeLeft      string
	Early         bool   // monitoring is not over: an early discharge needs a radiologist's reason
	EarlyReason   string // as typed
	IsRadiologist bool
	Errors        []string
	Watch         watchView // the monitoring's observations
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
	p := dischargePage{appointmentFile: f, Criteria: s.followup.DischargeCriteria(f.Act), Checked: map[string]bool{},
		Restarts: s.app.DischargeAdvice(f.AppointmentFile, l.Lang), IsRadiologist: currentUser(r).Role == auth.Radiologist}
	for _, it := range f.Act.Aftercare {
		p.Aftercare = append(p.Aftercare, it.Text.In(l.Lang))
	}
	for _, it := range f.Act.WarningSigns {
		p.WarningSigns = append(p.WarningSigns, it.Text.In(l.Lang))
	}
	if p.MonitoringEnd, err = s.app.MonitoringEnd(r.Context(), f.AppointmentFile); err != nil {
		return p, err
	}
	if !p.MonitoringEnd.IsZero() {
		left := followup.TimeLeft(p.MonitoringEnd, s.now())
		p.TimeLeft, p.Early = l.Minutes(int(left.Round(time.Minute).Minutes())), left > 0
	}
	return p, s.loadWatch(r, &p)
}

func (s *Server) dischargeForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadDischarge(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "discharge", "discharge.title", "day", p)
}

// discharge lets the patient go once every criterion is checked and the
// act's monitoring time has elapsed (or a radiologist gives the reason for
// an earlier discharge).
func (s *Server) discharge(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	checked := map[string]bool{}
	for _, c := range r.PostForm["criterion"] {
		checked[c] = true
	}
	early := strings.TrimSpace(r.PostFormValue("early_reason"))
	// The discharge and the day it goes back to, in the use case's one
	// unit of work; the page is read only to say a refusal.
	var start time.Time
	err = s.store.WriteUnit(r.Context(), func(ctx context.Context) error {
		if err := s.app.Discharge(ctx, id, checked, early); err != nil {
			return err
		}
		a, err := s.app.Appointment(ctx, id)
		start = a.Start
		return err
	})
	problems, err := s.refusalMessages(localizer(r), err)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return s.inReadUnit(route{handle: func(w http.ResponseWriter, r *http.Request) error {
			p, err := s.loadDischarge(r)
			if err != nil {
				return err
			}
			p.Checked, p.EarlyReason, p.Errors = checked, early, problems
			return s.render(w, r, http.StatusUnprocessableEntity, "discharge", "discharge.title", "day", p)
		}}, w, r)
	}
	s.flash(r, "discharge.done")
	http.Redirect(w, r, "/staff/day?day="+start.In(s.loc()).Format(time.DateOnly), http.StatusSeeOther)
	return nil
}

// followUpView is the follow-up of an act: its scores, the days to ask and
// the outcome the rules read from them.
type followUpView struct {
	Days    []int
	Scores  map[int]int            // day -> latest score
	Given   map[int]followup.Score // day -> latest score, with when it was given
	Outcome followup.Outcome
	Reason  string
}

func (s *Server) followUpOf(r *http.Request, f appointmentFile) (followUpView, error) {
	fu, err := s.app.FollowUpOf(r.Context(), f.AppointmentFile)
	v := followUpView{Days: fu.Days, Scores: map[int]int{}, Given: fu.Latest, Outcome: fu.Outcome, Reason: fu.Outcome.Reason.In(localizer(r).Lang)}
	for day, sc := range fu.Latest {
		v.Scores[day] = sc.Value
	}
	return v, err
}

// addPainScore records a pain score given on the phone or at the desk.
func (s *Server) addPainScore(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	day, err1 := strconv.Atoi(r.PostFormValue("day"))
	value, err2 := strconv.Atoi(strings.TrimSpace(r.PostFormValue("value")))
	if err1 != nil || err2 != nil {
		return errStatus(http.StatusUnprocessableEntity, "followup.err.score")
	}
	if err := s.app.AddPainScore(r.Context(), id, day, value); err != nil {
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
	newID, err := s.app.OfferNewAct(r.Context(), id, localizer(r).Lang)
	if isRefusal(err, "followup.err.no_offer") {
		return errStatus(http.StatusConflict, "followup.err.no_offer")
	}
	if err != nil {
		return err
	}
	s.flash(r, "followup.offered")
	http.Redirect(w, r, "/staff/referrals/"+itoa(newID), http.StatusSeeOther)
	return nil
}
