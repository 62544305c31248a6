package web

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"sync"

	"repere/internal/patient"
	"repere/internal/privacy"
	"repere/internal/store"
)

// retentionRules are the embedded retention rules, read once.
var retentionRules = sync.OnceValues(privacy.Load)

// privacyPage lets the admin (the practice's data protection contact) find a
// patient, export all of their data, and see, before confirming an erasure,
// what it keeps (with the rule and until when) and what it erases.
type privacyPage struct {
	Query    string
	Results  []patient.Patient
	Patient  *patient.Patient
	Plan     privacy.Plan
	Sources  []privacy.Source // every source the plan cites, once
	Erasures []privacy.Erasure
	Reason   string
	Errors   []string
}

func (s *Server) privacyAdmin(w http.ResponseWriter, r *http.Request) error {
	p := privacyPage{Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	if len(p.Query) >= 2 {
		var err error
		if p.Results, err = s.store.SearchPatients(r.Context(), p.Query, 50); err != nil {
			return err
		}
	}
	return s.render(w, r, http.StatusOK, "privacy", "privacy.title", "admin", p)
}

func (s *Server) loadPrivacyPatient(r *http.Request) (privacyPage, error) {
	var p privacyPage
	id, err := pathID(r)
	if err != nil {
		return p, err
	}
	pt, err := s.store.Patient(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return p, errStatus(http.StatusNotFound, "error.not_found")
	}
	if err != nil {
		return p, err
	}
	p.Patient = &pt
	rules, err := retentionRules()
	if err != nil {
		return p, err
	}
	rec, err := s.store.PatientRetention(r.Context(), id)
	if err != nil {
		return p, err
	}
	p.Plan = rules.Plan(rec, s.loc())
	p.Sources = citedSources(p.Plan)
	p.Erasures, err = s.store.ErasuresOf(r.Context(), id)
	return p, err
}

// citedSources lists the sources the plan rests on, each once, the medical
// record's rule first.
func citedSources(plan privacy.Plan) []privacy.Source {
	var out []privacy.Source
	seen := map[string]bool{}
	add := func(src privacy.Source) {
		if src.ID != "" && !seen[src.ID] {
			seen[src.ID] = true
			out = append(out, src)
		}
	}
	add(plan.Rule)
	for _, src := range plan.Also {
		add(src)
	}
	for _, d := range plan.Decisions {
		add(d.Source)
	}
	return out
}

func (s *Server) privacyPatient(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadPrivacyPatient(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "privacy", "privacy.title", "admin", p)
}

// exportPatient downloads all of one patient's data as a ZIP: data.json
// (every table holding them) and the stored documents as files. The store
// records the export in the patient's audit trail.
func (s *Server) exportPatient(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	x, err := s.store.ExportPatient(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return errStatus(http.StatusNotFound, "error.not_found")
	}
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := privacy.WriteZIP(&buf, x); err != nil {
		return err
	}
	return sendFile(w, "application/zip", "patient-"+itoa(id)+".zip", buf.Bytes())
}

// erasePatient carries out an erasure request, as the privacy page showed
// it: the medical record kept, the rest erased.
func (s *Server) erasePatient(w http.ResponseWriter, r *http.Request) error {
	// The page's reads in one read unit; the erasure is the store's own
	// transaction, followed by a WAL checkpoint that runs outside any.
	var p privacyPage
	err := s.readUnit(r, func(r *http.Request) (err error) {
		p, err = s.loadPrivacyPatient(r)
		return err
	})
	if err != nil {
		return err
	}
	l := localizer(r)
	p.Reason = strings.TrimSpace(r.PostFormValue("reason"))
	switch {
	case p.Reason == "":
		p.Errors = append(p.Errors, l.T("book.err.reason"))
	case longerThanLimit("reason", p.Reason):
		p.Errors = append(p.Errors, l.T("privacy.err.reason_long", "Max", fieldLimit("reason")))
	case r.PostFormValue("confirm") != "yes":
		p.Errors = append(p.Errors, l.T("privacy.err.confirm"))
	}
	if len(p.Errors) > 0 {
		return s.render(w, r, http.StatusConflict, "privacy", "privacy.title", "admin", p)
	}
	rules, err := retentionRules()
	if err != nil {
		return err
	}
	_, err = s.store.ErasePatient(r.Context(), p.Patient.ID, rules, s.loc(), p.Reason)
	if errors.Is(err, store.ErrCheckpointBusy) {
		s.log.Warn("erasure done; the WAL will be emptied at the next checkpoint", "patient", p.Patient.ID)
	} else if err != nil {
		return err
	}
	s.flash(r, "privacy.erased")
	http.Redirect(w, r, "/admin/patients/"+itoa(p.Patient.ID)+"/privacy", http.StatusSeeOther)
	return nil
}
