package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/catalog"
	"repere/internal/referral"
	"repere/internal/screening"
	"repere/internal/store"
)

// screeningPage is the staff questionnaire of a referral.
type screeningPage struct {
	Referral referral.Referral
	Act      *catalog.Act
	ActName  string
	Form     questionnaireForm
	Stale    bool // someone saved meanwhile: the form shows the new answers
}

func (s *Server) loadScreeningPage(r *http.Request) (screeningPage, app.Screening, error) {
	var p screeningPage
	id, err := pathID(r)
	if err != nil {
		return p, app.Screening{}, err
	}
	if p.Referral, err = s.store.Referral(r.Context(), id); err != nil {
		return p, app.Screening{}, err
	}
	act, ok := s.catalog.Act(p.Referral.ActID)
	if !ok {
		return p, app.Screening{}, errStatus(http.StatusNotFound, "error.not_found")
	}
	p.Act, p.ActName = act, act.Name.In(localizer(r).Lang)
	st, err := s.app.ScreeningOf(r.Context(), p.Referral, nil)
	return p, st, err
}

func (s *Server) screeningForm(w http.ResponseWriter, r *http.Request) error {
	p, st, err := s.loadScreeningPage(r)
	if err != nil {
		return err
	}
	p.Form = s.newQuestionnaire(localizer(r), p.Act, st.Subject.Patient, st.Answers, st.Version, true)
	return s.render(w, r, http.StatusOK, "screening", "screening.title", "referrals", p)
}

// saveScreening stores the staff's answers; the verdict is computed again
// from them wherever it is shown.
//
// The page is read in one read unit; the answers are written after it, by
// a versioned write that refuses them if someone saved meanwhile.
func (s *Server) saveScreening(w http.ResponseWriter, r *http.Request) error {
	var p screeningPage
	var st app.Screening
	err := s.readUnit(r, func(r *http.Request) (err error) {
		p, st, err = s.loadScreeningPage(r)
		return err
	})
	if err != nil {
		return err
	}
	l := localizer(r)
	p.Form = s.newQuestionnaire(l, p.Act, st.Subject.Patient, screening.Answers{}, st.Version, true)
	p.Form.Version = int(formID(r, "version"))
	answers := s.readQuestionnaire(l, &p.Form, r.PostForm, s.now())
	if r.PostFormValue("action") == "add_row" || len(p.Form.Errors) > 0 {
		if r.PostFormValue("action") == "add_row" {
			p.Form.setRows(len(p.Form.Rows) + 1)
		}
		status := http.StatusOK
		if len(p.Form.Errors) > 0 {
			status = http.StatusUnprocessableEntity
		}
		return s.render(w, r, status, "screening", "screening.title", "referrals", p)
	}
	if err := s.app.SaveAnswers(r.Context(), p.Referral.ID, answers, p.Form.Version); isRefusal(err, "screening.err.stale") {
		// Someone saved meanwhile: show their answers; nothing is overwritten.
		p.Form = s.newQuestionnaire(l, p.Act, st.Subject.Patient, st.Answers, st.Version, true)
		p.Stale = true
		return s.render(w, r, http.StatusConflict, "screening", "screening.title", "referrals", p)
	} else if err != nil {
		return err
	}
	s.flash(r, "screening.saved")
	http.Redirect(w, r, "/staff/referrals/"+itoa(p.Referral.ID)+"#screening-h", http.StatusSeeOther)
	return nil
}

// decideScreening records the radiologist's signature of the screening, or
// the override of one finding with its mandatory reason.
func (s *Server) decideScreening(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	override := strings.HasSuffix(r.URL.Path, "/override")
	if override {
		err = s.app.OverrideFinding(r.Context(), id, r.PostFormValue("rule"), r.PostFormValue("reason"))
	} else {
		err = s.app.SignScreening(r.Context(), id, r.PostFormValue("premedication"), r.PostFormValue("contrast_agent"))
	}
	if refusal, ok := app.AsRefusal(err); ok {
		// The page, read once the use case's unit is over, in a read unit.
		return s.inReadUnit(route{handle: func(w http.ResponseWriter, r *http.Request) error {
			p, err := s.loadReferralPage(r)
			if err != nil {
				return err
			}
			p.ScreeningErrors = s.app.Messages(refusal, localizer(r))
			if refusal.Has("screening.err.reason") {
				p.OverrideRule = r.PostFormValue("rule")
			}
			return s.render(w, r, http.StatusUnprocessableEntity, "referral", "referral.title", "referrals", p)
		}}, w, r)
	}
	if err != nil {
		return err
	}
	if override {
		s.flash(r, "screening.override_done")
	} else {
		s.flash(r, "screening.signed")
	}
	http.Redirect(w, r, "/staff/referrals/"+itoa(id)+"#screening-h", http.StatusSeeOther)
	return nil
}

// isRefusal reports whether err is a refusal giving the reason key.
func isRefusal(err error, key string) bool {
	r, ok := app.AsRefusal(err)
	return ok && r.Has(key)
}

// createScreeningLink makes a patient's questionnaire link and shows it
// once. The link is made in the use case's unit of work; the page is read
// after it, in a read unit of its own (its slot search holds no write lock).
func (s *Server) createScreeningLink(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	token, err := s.app.NewQuestionnaireLink(r.Context(), id)
	refusal, refused := app.AsRefusal(err)
	if err != nil && !refused {
		return err
	}
	return s.inReadUnit(route{handle: func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.loadReferralPage(r)
		if err != nil {
			return err
		}
		if refused {
			p.ScreeningErrors = s.app.Messages(refusal, localizer(r))
			return s.render(w, r, refusalStatus(refusal), "referral", "referral.title", "referrals", p)
		}
		p.NewLink = s.baseURL(r) + "/q/" + token
		return s.render(w, r, http.StatusOK, "referral", "referral.title", "referrals", p)
	}}, w, r)
}

// tokenHash is how secret tokens and codes are kept: app.TokenHash.
func tokenHash(token string) string { return app.TokenHash(token) }

// patientQuestionnaire is the patient's page behind a link: the birth date
// first, then the questionnaire, then thanks.
type patientQuestionnaire struct {
	Token     string
	Step      string // birth_date, form, done, expired, locked
	ActName   string
	BirthDate string
	Form      questionnaireForm
	Errors    []string
	Locked    string // too many wrong birth dates: whom to call, until when
}

// openLink finds a usable link and puts its patient as the audit actor.
func (s *Server) openLink(r *http.Request) (store.ScreeningLink, *http.Request, string, error) {
	token := r.PathValue("token")
	actor := audit.Actor{Login: "patient-link", Role: string(auth.Patient), RemoteAddr: remoteAddr(r)}
	r = r.WithContext(audit.WithActor(r.Context(), actor))
	link, err := s.store.ScreeningLinkByHash(r.Context(), tokenHash(token))
	if errors.Is(err, store.ErrNotFound) {
		return link, r, "expired", nil
	}
	if err != nil {
		return link, r, "", err
	}
	actor.Login = "patient-link:" + itoa(link.ID)
	r = r.WithContext(audit.WithActor(r.Context(), actor))
	switch {
	case s.now().After(link.ExpiresAt):
		return link, r, "expired", nil
	case link.Failures >= maxLinkFailures:
		return link, r, "locked", nil
	case s.sessions.GetBool(r.Context(), linkSessionKey(link.ID)):
		return link, r, "form", nil
	}
	return link, r, "birth_date", nil
}

func linkSessionKey(id int64) string { return "screening_link:" + itoa(id) }

func (s *Server) patientLink(w http.ResponseWriter, r *http.Request) error {
	link, r, step, err := s.openLink(r)
	if err != nil {
		return err
	}
	p := patientQuestionnaire{Token: r.PathValue("token"), Step: step}
	status := http.StatusOK
	switch step {
	case "expired":
		status = http.StatusGone
	case "locked":
		return s.linkLocked(w, r, p, time.Time{})
	}
	if step == "form" {
		if err := s.fillPatientForm(r, &p, link); err != nil {
			return err
		}
	}
	return s.render(w, r, status, "questionnaire", "questionnaire.title", "", p)
}

func (s *Server) fillPatientForm(r *http.Request, p *patientQuestionnaire, link store.ScreeningLink) error {
	ref, err := s.store.Referral(r.Context(), link.ReferralID)
	if err != nil {
		return err
	}
	act, ok := s.catalog.Act(ref.ActID)
	if !ok {
		return errStatus(http.StatusNotFound, "error.not_found")
	}
	st, err := s.app.ScreeningOf(r.Context(), ref, nil)
	if err != nil {
		return err
	}
	p.ActName = act.Name.In(localizer(r).Lang)
	p.Form = s.newQuestionnaire(localizer(r), act, st.Subject.Patient, st.Answers, st.Version, false)
	return nil
}

// patientLinkPost checks the birth date, or saves the patient's answers.
func (s *Server) patientLinkPost(w http.ResponseWriter, r *http.Request) error {
	link, r, step, err := s.openLink(r)
	if err != nil {
		return err
	}
	l := localizer(r)
	p := patientQuestionnaire{Token: r.PathValue("token"), Step: step}
	switch step {
	case "expired":
		return s.render(w, r, http.StatusGone, "questionnaire", "questionnaire.title", "", p)
	case "locked":
		return s.linkLocked(w, r, p, time.Time{})
	case "birth_date":
		p.BirthDate = strings.TrimSpace(r.PostFormValue("birth_date"))
		day, ok := parseDay(p.BirthDate)
		right := false
		if ok { // a date that cannot be read is not compared, nor counted
			right, err = s.store.CheckLinkBirthDate(r.Context(), link, day, maxLinkFailures, linkLimits(r)...)
		}
		if until, locked := lockedUntil(err); locked {
			return s.linkLocked(w, r, p, until)
		}
		if errors.Is(err, store.ErrLinkLocked) {
			return s.linkLocked(w, r, p, time.Time{})
		}
		if err != nil {
			return err
		}
		if !right {
			p.Errors = append(p.Errors, l.T("questionnaire.err.birth_date"))
			return s.render(w, r, http.StatusUnprocessableEntity, "questionnaire", "questionnaire.title", "", p)
		}
		if err := s.sessions.RenewToken(r.Context()); err != nil {
			return err
		}
		s.sessions.Remove(r.Context(), sessionCSRF) // a new form token with the new session token
		s.sessions.Put(r.Context(), linkSessionKey(link.ID), true)
		http.Redirect(w, r, "/q/"+p.Token, http.StatusSeeOther)
		return nil
	}
	if err := s.fillPatientForm(r, &p, link); err != nil {
		return err
	}
	version := p.Form.Version
	answers := s.readQuestionnaire(l, &p.Form, r.PostForm, s.now())
	if r.PostFormValue("action") == "add_row" || len(p.Form.Errors) > 0 {
		if r.PostFormValue("action") == "add_row" {
			p.Form.setRows(len(p.Form.Rows) + 1)
		}
		status := http.StatusOK
		if len(p.Form.Errors) > 0 {
			status = http.StatusUnprocessableEntity
		}
		return s.render(w, r, status, "questionnaire", "questionnaire.title", "", p)
	}
	if err := s.app.SaveAnswers(r.Context(), link.ReferralID, answers, version); isRefusal(err, "screening.err.stale") {
		p.Errors = append(p.Errors, l.T("questionnaire.err.stale"))
		return s.render(w, r, http.StatusConflict, "questionnaire", "questionnaire.title", "", p)
	} else if err != nil {
		return err
	}
	if err := s.store.ScreeningLinkSubmitted(r.Context(), link); err != nil {
		return err
	}
	p.Step = "done"
	return s.render(w, r, http.StatusOK, "questionnaire", "questionnaire.title", "", p)
}

// linkLocked shows a link locked for good (until is zero: the practice sends
// a new one) or wrong birth dates from this address stopped until then.
func (s *Server) linkLocked(w http.ResponseWriter, r *http.Request, p patientQuestionnaire, until time.Time) error {
	key := "lock.link"
	if !until.IsZero() {
		key = "lock.link_addr"
	}
	p.Step, p.Locked = "locked", s.lockNotice(w, r, key, until)
	return s.render(w, r, http.StatusTooManyRequests, "questionnaire", "questionnaire.title", "", p)
}

// parseDay reads a birth date typed as YYYY-MM-DD or DD/MM/YYYY.
func parseDay(q string) (string, bool) {
	for _, layout := range []string{time.DateOnly, "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, q); err == nil {
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}

// linkedAppointment is the booked appointment of a link's referral, once
// the birth date was given in this browser.
func (s *Server) linkedAppointment(w http.ResponseWriter, r *http.Request) (*http.Request, int64, bool, error) {
	link, r, step, err := s.openLink(r)
	if err != nil || step != "form" {
		if err == nil {
			http.Redirect(w, r, "/q/"+r.PathValue("token"), http.StatusSeeOther)
		}
		return r, 0, false, err
	}
	list, err := s.store.ListAppointments(r.Context(), store.AppointmentFilter{ReferralID: link.ReferralID})
	if err != nil {
		return r, 0, false, err
	}
	appt := app.BookedAppointment(list)
	if appt == nil {
		return r, 0, false, errStatus(http.StatusNotFound, "questionnaire.no_appointment")
	}
	return r, appt.ID, true, nil
}

// patientConsent lets the patient read and sign the consent through the link.
func (s *Server) patientConsent(w http.ResponseWriter, r *http.Request) error {
	r, id, ok, err := s.linkedAppointment(w, r)
	if err != nil || !ok {
		return err
	}
	p, err := s.consentPageFor(r, id)
	if err != nil {
		return err
	}
	p.Action = "/q/" + r.PathValue("token") + "/consent"
	status := http.StatusOK
	if r.Method == http.MethodPost {
		if err := s.recordSignature(r, &p); err != nil {
			return err
		}
		if len(p.Errors) > 0 {
			status = p.refusedStatus()
		} else {
			p.Done = true
		}
	}
	return s.render(w, r, status, "consent", "consent.title", "", p)
}

// baseURL is the server's public address: --base-url, or else the address
// the request came to, so a link given to a patient is whole.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
