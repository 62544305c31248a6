package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/documents"
	"repere/internal/patient"
	"repere/internal/report"
	"repere/internal/store"
)

// The patient portal (/portal/): the patient signs in with a one-time code
// sent to their email and their birth date, and sees only their own
// appointments, documents and consents. Every access is audited under
// "portal:patient:<id>".

const sessionPortalPatient = "portal_patient"

type portalPage struct {
	Step         string // email, code, home
	Email        string
	BirthDate    string
	Patient      patient.Patient
	Appointments []portalAppointment
	Errors       []string
	LetterErrors []string // the code given on paper or by SMS
	Locked       string   // too many attempts: until when, and whom to call
	MailOff      bool
}

type portalAppointment struct {
	booking.Appointment
	ActName  string
	Consents []documents.Consent
	Reports  []report.Signed
	Upcoming bool
	// ScoreDay is the follow-up day whose pain score the patient may give
	// now (0: none due).
	ScoreDay int
}

// portalPatient returns the signed-in patient's id, and a request whose
// context names them as the audit actor.
func (s *Server) portalPatient(r *http.Request) (int64, *http.Request) {
	id := s.sessions.GetInt64(r.Context(), sessionPortalPatient)
	actor := audit.Actor{Login: "portal:anonymous", Role: string(auth.Patient), RemoteAddr: remoteAddr(r)}
	if id != 0 {
		actor.Login = "portal:patient:" + itoa(id)
	}
	return id, r.WithContext(audit.WithActor(r.Context(), actor))
}

func (s *Server) portalHome(w http.ResponseWriter, r *http.Request) error {
	id, r := s.portalPatient(r)
	if id == 0 {
		return s.render(w, r, http.StatusOK, "portal", "portal.title", "", portalPage{Step: "email", MailOff: !s.app.MailReady()})
	}
	p := portalPage{Step: "home"}
	var err error
	if p.Patient, err = s.store.Patient(r.Context(), id); err != nil {
		return err
	}
	list, err := s.store.ListAppointments(r.Context(), store.AppointmentFilter{PatientID: id, Statuses: []booking.Status{booking.Booked, booking.Done}})
	if err != nil {
		return err
	}
	l := localizer(r)
	for _, a := range list {
		pa := portalAppointment{Appointment: a, ActName: a.ActID, Upcoming: a.Status == booking.Booked}
		if act, ok := s.catalog.Act(a.ActID); ok {
			pa.ActName = act.Name.In(l.Lang)
		}
		if pa.Consents, err = s.store.ConsentsFor(r.Context(), a.ID); err != nil {
			return err
		}
		if pa.Reports, err = s.store.ReportsOf(r.Context(), a.ID); err != nil {
			return err
		}
		if a.Status == booking.Done {
			if pa.ScoreDay, err = s.app.ScoreDue(r.Context(), a); err != nil {
				return err
			}
		}
		p.Appointments = append(p.Appointments, pa)
	}
	return s.render(w, r, http.StatusOK, "portal", "portal.title", "", p)
}

// portalCode sends a one-time code to the patients of an email address. The
// answer is the same whether the address is known or not.
func (s *Server) portalCode(w http.ResponseWriter, r *http.Request) error {
	_, r = s.portalPatient(r)
	l := localizer(r)
	p := portalPage{Step: "code", Email: strings.TrimSpace(r.PostFormValue("email")), MailOff: !s.app.MailReady()}
	if !strings.Contains(p.Email, "@") || len(p.Email) > patient.MaxEmailLength {
		p.Step = "email"
		p.Errors = append(p.Errors, l.T("portal.err.email"))
		return s.render(w, r, http.StatusUnprocessableEntity, "portal", "portal.title", "", p)
	}
	if !s.app.MailReady() {
		p.Step = "email"
		p.Errors = append(p.Errors, l.T("portal.err.no_mail"))
		return s.render(w, r, http.StatusUnprocessableEntity, "portal", "portal.title", "", p)
	}
	if err := s.store.TakeAttempt(r.Context(), portalCodeLimits(r, p.Email)...); err != nil {
		until, ok := lockedUntil(err)
		if !ok {
			return err
		}
		p.Step, p.Locked = "email", s.lockNotice(w, r, "lock.portal", until)
		return s.render(w, r, http.StatusTooManyRequests, "portal", "portal.title", "", p)
	}
	if err := s.app.SendPortalCodes(r.Context(), p.Email, l.Lang, s.baseURL(r)); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "portal", "portal.title", "", p)
}

// portalVerify signs the patient in with the code and their birth date.
func (s *Server) portalVerify(w http.ResponseWriter, r *http.Request) error {
	_, r = s.portalPatient(r)
	l := localizer(r)
	p := portalPage{Step: "code", Email: strings.TrimSpace(r.PostFormValue("email")), BirthDate: strings.TrimSpace(r.PostFormValue("birth_date"))}
	code := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("code")), " ", "")
	day, ok := parseDay(p.BirthDate)
	if !ok || len(p.Email) > patient.MaxEmailLength || longerThanLimit("code", code) {
		p.Errors = append(p.Errors, l.T("portal.err.code"))
		return s.render(w, r, http.StatusUnprocessableEntity, "portal", "portal.title", "", p)
	}
	id, err := s.store.UsePortalCode(r.Context(), p.Email, day, tokenHash(p.Email+"|"+code), s.now(), portalVerifyLimits(r, p.Email)...)
	if until, locked := lockedUntil(err); locked {
		p.Locked = s.lockNotice(w, r, "lock.portal", until)
		return s.render(w, r, http.StatusTooManyRequests, "portal", "portal.title", "", p)
	}
	if errors.Is(err, store.ErrCodeInvalid) {
		p.Errors = append(p.Errors, l.T("portal.err.code"))
		return s.render(w, r, http.StatusUnprocessableEntity, "portal", "portal.title", "", p)
	}
	if err != nil {
		return err
	}
	return s.portalSignedIn(w, r, id)
}

// portalSignedIn opens the portal for a patient whose code was right. A
// new session token and a new form token at sign-in: whoever knew the ones
// before (a shared computer, a planted cookie) is not signed in.
func (s *Server) portalSignedIn(w http.ResponseWriter, r *http.Request, patientID int64) error {
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.sessions.Remove(r.Context(), sessionCSRF)
	s.sessions.Put(r.Context(), sessionPortalPatient, patientID)
	http.Redirect(w, r, "/portal/", http.StatusSeeOther)
	return nil
}

func (s *Server) portalLogout(w http.ResponseWriter, r *http.Request) error {
	s.sessions.Remove(r.Context(), sessionPortalPatient)
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, "/portal/", http.StatusSeeOther)
	return nil
}

// portalAppointment returns one of the signed-in patient's appointments;
// another patient's is "not found", never shown.
func (s *Server) portalOwnAppointment(r *http.Request) (*http.Request, appointmentFile, error) {
	patientID, r := s.portalPatient(r)
	if patientID == 0 {
		return r, appointmentFile{}, errStatus(http.StatusUnauthorized, "portal.err.signin")
	}
	id, err := pathID(r)
	if err != nil {
		return r, appointmentFile{}, err
	}
	list, err := s.store.ListAppointments(r.Context(), store.AppointmentFilter{ID: id, PatientID: patientID})
	if err != nil {
		return r, appointmentFile{}, err
	}
	if len(list) == 0 {
		return r, appointmentFile{}, errStatus(http.StatusNotFound, "error.not_found")
	}
	f, err := s.loadAppointmentFile(r.Context(), id, localizer(r).Lang)
	return r, f, err
}

func (s *Server) portalConvocation(w http.ResponseWriter, r *http.Request) error {
	_, f, err := s.portalOwnAppointment(r)
	if err != nil {
		return err
	}
	c, err := f.convocation()
	if err != nil {
		return err
	}
	data, err := documents.ConvocationPDF(c)
	if err != nil {
		return err
	}
	return sendFile(w, "application/pdf", "convocation-"+itoa(f.Appointment.ID)+".pdf", data)
}

func (s *Server) portalConsent(w http.ResponseWriter, r *http.Request) error {
	patientID, r := s.portalPatient(r)
	if patientID == 0 {
		return errStatus(http.StatusUnauthorized, "portal.err.signin")
	}
	c, err := byPathID(r, s.store.ConsentDocument, func(c documents.Consent) bool { return c.PatientID == patientID })
	if err != nil {
		return err
	}
	return sendFile(w, c.ContentType, "consentement-"+itoa(c.ID)+".pdf", c.Document)
}

// portalReport downloads one of the patient's own signed reports.
func (s *Server) portalReport(w http.ResponseWriter, r *http.Request) error {
	patientID, r := s.portalPatient(r)
	if patientID == 0 {
		return errStatus(http.StatusUnauthorized, "portal.err.signin")
	}
	rep, err := byPathID(r, s.store.ReportPDF, func(rep report.Signed) bool { return rep.PatientID == patientID })
	if err != nil {
		return err
	}
	return sendFile(w, "application/pdf", "compte-rendu-v"+itoa(int64(rep.Number))+".pdf", rep.PDF)
}

// portalScore records the pain score the patient gives for a follow-up day.
func (s *Server) portalScore(w http.ResponseWriter, r *http.Request) error {
	patientID, r := s.portalPatient(r)
	if patientID == 0 {
		return errStatus(http.StatusUnauthorized, "portal.err.signin")
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	value, perr := strconv.Atoi(strings.TrimSpace(r.PostFormValue("value")))
	if perr != nil {
		return errStatus(http.StatusUnprocessableEntity, "followup.err.score")
	}
	// The appointment (the patient's own), the day due and the score in the
	// use case's one unit of work.
	if err := s.app.AddDuePainScore(r.Context(), patientID, id, value); err != nil {
		if isRefusal(err, "followup.err.score") {
			return errStatus(http.StatusUnprocessableEntity, "followup.err.score")
		}
		if errors.Is(err, store.ErrNotFound) {
			return errStatus(http.StatusNotFound, "error.not_found")
		}
		return err
	}
	s.flash(r, "portal.score_saved")
	http.Redirect(w, r, "/portal/", http.StatusSeeOther)
	return nil
}
