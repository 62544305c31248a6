package web

import (
	"net/http"
	"strings"

	"repere/internal/app"
	"repere/internal/patient"
	"repere/internal/store"
)

// identityPage corrects a patient's identity after the team checked an
// identity document (identity vigilance); it shows the corrections made.
type identityPage struct {
	Patient   patient.Patient
	Form      app.IdentityCorrection
	Documents []string
	History   []store.PatientEvent
	Errors    []string
}

func (s *Server) loadIdentityPage(r *http.Request) (identityPage, error) {
	id, err := pathID(r)
	if err != nil {
		return identityPage{}, err
	}
	p := identityPage{Documents: app.IdentityDocuments}
	if p.Patient, err = s.store.Patient(r.Context(), id); err != nil {
		return p, err
	}
	pt := p.Patient
	p.Form = app.IdentityCorrection{BirthName: pt.BirthName, UsedName: pt.UsedName, FirstNames: pt.FirstNames, BirthDate: pt.BirthDate, Sex: pt.Sex}
	p.History, err = s.store.PatientHistory(r.Context(), id)
	return p, err
}

func (s *Server) identityForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadIdentityPage(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "identity", "identity.title", "patients", p)
}

// correctIdentity saves a corrected identity (app.CorrectIdentity, one
// unit of work); a refused form comes back as typed, the page read after
// the refusal in a read unit of its own.
func (s *Server) correctIdentity(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	get := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	form := app.IdentityCorrection{BirthName: get("birth_name"), UsedName: get("used_name"), FirstNames: get("first_names"),
		BirthDate: get("birth_date"), Sex: get("sex"), Document: get("document"), Reason: get("reason")}
	if day, ok := parseDay(form.BirthDate); ok {
		form.BirthDate = day
	}
	refusal := s.app.CorrectIdentity(r.Context(), id, form)
	msgs, err := s.refusalMessages(localizer(r), refusal)
	if err != nil {
		return err
	}
	if len(msgs) == 0 {
		s.flash(r, "identity.done")
		http.Redirect(w, r, "/staff/patients/"+itoa(id), http.StatusSeeOther)
		return nil
	}
	return s.inReadUnit(route{handle: func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.loadIdentityPage(r)
		if err != nil {
			return err
		}
		p.Form, p.Errors = form, msgs
		return s.render(w, r, refusalStatus(refusal), "identity", "identity.title", "patients", p)
	}}, w, r)
}
