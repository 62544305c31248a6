package web

import (
	"context"
	"net/http"
	"strings"

	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/checklist"
)

// checklistState is an appointment's checklist: the items that apply, the
// latest check of each, the radiologist's override and whether the act may start.
type checklistState struct {
	Items    []checklist.Item
	Latest   map[string]checklist.Check
	Override *checklist.Override
	Status   checklist.Status
}

// checklistFor builds the facts of an appointment (identity, consent,
// screening verdict with its overrides, patient) and evaluates its checklist.
func (s *Server) checklistFor(ctx context.Context, f appointmentFile) (checklistState, error) {
	var st checklistState
	sc := f.Screening
	consents, err := s.store.ConsentsFor(ctx, f.Appointment.ID)
	if err != nil {
		return st, err
	}
	facts := checklist.Facts{Act: f.Act, Variant: f.Appointment.VariantID, PatientSex: f.Patient.Sex, PatientAge: f.Patient.Age(s.now()),
		Verdict: sc.Verdict, ScreeningSigned: sc.Signed != nil, ConsentSigned: hasValidConsent(consents), Now: s.now(),
		Appointment: f.Appointment.Start, Loc: s.cfg.Location,
		IdentityChecked: f.Appointment.IdentityCheckedBy != "", IdentityCheckedAt: f.Appointment.ArrivedAt, IdentityCheckedBy: f.Appointment.IdentityCheckedBy}
	if sc.Signed != nil {
		facts.ScreeningSignedAt, facts.Premedication = sc.Signed.At, sc.Signed.Premedication
	}
	for _, c := range consents {
		if c.Withdrawn == nil {
			facts.ConsentSignedAt = c.SignedAt
		}
	}
	st.Items = s.checklists.ItemsFor(facts)
	stored, over, err := s.store.Checklist(ctx, f.Appointment.ID)
	if err != nil {
		return st, err
	}
	checks := make([]checklist.Check, 0, len(stored))
	for _, c := range stored {
		checks = append(checks, checklist.Check{ItemID: c.ItemID, By: c.Actor, At: c.At, State: c.State, Note: c.Note})
	}
	if over != nil {
		st.Override = &checklist.Override{By: over.Actor, Reason: over.Reason, At: over.At}
	}
	st.Latest = checklist.Latest(checks)
	st.Status = checklist.Evaluate(st.Items, checks, st.Override)
	return st, nil
}

type checklistPage struct {
	appointmentFile
	checklistState
	Phases        []string
	IsRadiologist bool
	Errors        []string
}

func (s *Server) loadChecklistPage(r *http.Request) (checklistPage, error) {
	id, err := pathID(r)
	if err != nil {
		return checklistPage{}, err
	}
	f, err := s.loadAppointmentFile(r.Context(), id, localizer(r).Lang)
	if err != nil {
		return checklistPage{}, err
	}
	st, err := s.checklistFor(r.Context(), f)
	return checklistPage{appointmentFile: f, checklistState: st, Phases: checklist.Phases, IsRadiologist: currentUser(r).Role == auth.Radiologist}, err
}

func (s *Server) checklistPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadChecklistPage(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "checklist", "checklist.title", "day", p)
}

// checkItem records one item checked by the signed-in user, or the
// radiologist's override with its reason.
func (s *Server) checkItem(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadChecklistPage(r)
	if err != nil {
		return err
	}
	l := localizer(r)
	if r.PostFormValue("action") == "override" {
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		switch {
		case !p.IsRadiologist:
			return errStatus(http.StatusForbidden, "error.forbidden")
		case reason == "":
			p.Errors = append(p.Errors, l.T("checklist.err.reason"))
			return s.render(w, r, http.StatusUnprocessableEntity, "checklist", "checklist.title", "day", p)
		}
		if err := s.store.OverrideChecklist(r.Context(), p.Appointment.ID, reason); err != nil {
			return err
		}
	} else {
		item, state := r.PostFormValue("item"), r.PostFormValue("state")
		known := false
		for _, it := range p.Items {
			known = known || (it.ID == item && (state == checklist.StateOK || state == checklist.StateNotOK || state == checklist.StateNA && it.AllowNA))
		}
		if !known {
			return errStatus(http.StatusUnprocessableEntity, "checklist.err.item")
		}
		if err := s.store.AddCheck(r.Context(), p.Appointment.ID, item, state, strings.TrimSpace(r.PostFormValue("note"))); err != nil {
			return err
		}
	}
	http.Redirect(w, r, "/staff/appointments/"+itoa(p.Appointment.ID)+"/checklist#item-"+r.PostFormValue("item"), http.StatusSeeOther)
	return nil
}

// checklistReady tells whether an appointment's act may start.
func (s *Server) checklistReady(ctx context.Context, id int64, lang string) (bool, error) {
	f, err := s.loadAppointmentFile(ctx, id, lang)
	if err != nil {
		return false, err
	}
	if f.Appointment.DayStatus != booking.Arrived {
		return true, nil // the day's step check refuses what does not follow
	}
	st, err := s.checklistFor(ctx, f)
	return st.Status.Ready, err
}
