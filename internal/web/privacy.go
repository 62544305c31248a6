package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"repere/internal/audit"
	"repere/internal/booking"
	"repere/internal/mail"
	"repere/internal/patient"
	"repere/internal/privacy"
	"repere/internal/referral"
	"repere/internal/store"
)

// privacyPage lets the admin (the practice's data protection contact) find a
// patient, export all of their data and erase it where the law allows.
type privacyPage struct {
	Query    string
	Results  []patient.Patient
	Patient  *patient.Patient
	Record   privacy.Record
	Rule     privacy.Rule
	Erasable bool
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
	if p.Record, err = s.store.PatientRecordSize(r.Context(), id); err != nil {
		return p, err
	}
	rules, err := privacy.Load()
	if err != nil {
		return p, err
	}
	p.Rule, err = rules.CanErase(p.Record)
	p.Erasable = err == nil
	return p, nil
}

func (s *Server) privacyPatient(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadPrivacyPatient(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "privacy", "privacy.title", "admin", p)
}

// patientExport is all of one patient's data, as the export file holds it.
type patientExport struct {
	ExportedAt   time.Time                       `json:"exported_at"`
	Patient      patient.Patient                 `json:"patient"`
	Referrals    []referral.Referral             `json:"referrals"`
	History      map[int64][]store.ReferralEvent `json:"referral_history"`
	Screenings   map[int64]json.RawMessage       `json:"screenings"`
	Appointments []booking.Appointment           `json:"appointments"`
	Consents     map[int64][]store.Consent       `json:"consents"`
	Emails       map[int64][]mail.Outgoing       `json:"emails"`
	Access       []audit.Entry                   `json:"access_log"`
}

// exportPatient downloads all of one patient's data as a JSON file (signed
// consents included, their PDFs in base64).
func (s *Server) exportPatient(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	x := patientExport{ExportedAt: s.now().UTC(), History: map[int64][]store.ReferralEvent{}, Screenings: map[int64]json.RawMessage{},
		Consents: map[int64][]store.Consent{}, Emails: map[int64][]mail.Outgoing{}}
	if x.Patient, err = s.store.Patient(ctx, id); err != nil {
		return err
	}
	if x.Referrals, err = s.store.ListReferrals(ctx, store.ReferralFilter{PatientID: id, Limit: 1000}); err != nil {
		return err
	}
	for _, ref := range x.Referrals {
		if x.History[ref.ID], err = s.store.ReferralHistory(ctx, ref.ID); err != nil {
			return err
		}
		sc, err := s.store.Screening(ctx, ref.ID)
		if err == nil {
			x.Screenings[ref.ID] = json.RawMessage(sc.Answers)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if x.Appointments, err = s.store.ListAppointments(ctx, store.AppointmentFilter{PatientID: id, Limit: 2000}); err != nil {
		return err
	}
	for _, a := range x.Appointments {
		list, err := s.store.ConsentsFor(ctx, a.ID)
		if err != nil {
			return err
		}
		for i := range list {
			full, err := s.store.ConsentDocument(ctx, list[i].ID)
			if err != nil {
				return err
			}
			list[i].Document = full.Document
		}
		x.Consents[a.ID] = list
		if x.Emails[a.ID], err = s.store.MailFor(ctx, a.ID); err != nil {
			return err
		}
	}
	if x.Access, err = s.store.SearchAudit(ctx, audit.Filter{PatientID: id, Limit: 10000}); err != nil {
		return err
	}
	actor, _ := audit.ActorFrom(ctx)
	if err := s.store.RecordEvent(ctx, actor, "export", "patient", itoa(id), ""); err != nil {
		return err
	}
	data, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return err
	}
	return sendFile(w, "application/json", "patient-"+itoa(id)+".json", data)
}

// erasePatient anonymises a patient when the retention rules allow it.
func (s *Server) erasePatient(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadPrivacyPatient(r)
	if err != nil {
		return err
	}
	l := localizer(r)
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	rules, err := privacy.Load()
	if err != nil {
		return err
	}
	switch {
	case reason == "":
		p.Errors = append(p.Errors, l.T("book.err.reason"))
	case r.PostFormValue("confirm") != "yes":
		p.Errors = append(p.Errors, l.T("privacy.err.confirm"))
	default:
		err = s.store.AnonymisePatient(r.Context(), p.Patient.ID, rules, reason)
		if errors.Is(err, privacy.ErrRetained) {
			p.Errors = append(p.Errors, l.T("privacy.err.retained"))
		} else if err != nil {
			return err
		}
	}
	if len(p.Errors) > 0 {
		return s.render(w, r, http.StatusConflict, "privacy", "privacy.title", "admin", p)
	}
	s.flash(r, "privacy.erased")
	http.Redirect(w, r, "/admin/privacy", http.StatusSeeOther)
	return nil
}
