package web

import (
	"net/http"
	"strings"

	"repere/internal/app"
	"repere/internal/auth"
	"repere/internal/checklist"
)

type checklistPage struct {
	appointmentFile
	app.ChecklistState
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
	st, err := s.app.Checklist(r.Context(), f.AppointmentFile)
	return checklistPage{appointmentFile: f, ChecklistState: st, Phases: checklist.Phases, IsRadiologist: currentUser(r).Role == auth.Radiologist}, err
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
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if r.PostFormValue("action") == "override" {
		if currentUser(r).Role != auth.Radiologist {
			return errStatus(http.StatusForbidden, "error.forbidden")
		}
		err = s.app.OverrideChecklist(r.Context(), id, r.PostFormValue("reason"))
	} else {
		err = s.app.CheckItem(r.Context(), id, r.PostFormValue("item"), r.PostFormValue("state"), strings.TrimSpace(r.PostFormValue("note")))
	}
	if refusal, ok := app.AsRefusal(err); ok && refusal.Has("checklist.err.reason") {
		p, err := s.loadChecklistPage(r)
		if err != nil {
			return err
		}
		p.Errors = s.app.Messages(refusal, localizer(r))
		return s.render(w, r, http.StatusUnprocessableEntity, "checklist", "checklist.title", "day", p)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/staff/appointments/"+itoa(id)+"/checklist#item-"+r.PostFormValue("item"), http.StatusSeeOther)
	return nil
}
