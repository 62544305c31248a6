package web

import (
	"net/http"
	"net/url"
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
	OpenIn        map[string]int // items "check all" would tick, per phase (app.ChecklistState.BulkCheckable)
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
	p := checklistPage{appointmentFile: f, ChecklistState: st, Phases: checklist.Phases, IsRadiologist: currentUser(r).Role == auth.Radiologist, OpenIn: map[string]int{}}
	for _, it := range st.Items {
		if st.BulkCheckable(it) {
			p.OpenIn[it.Phase]++
		}
	}
	return p, err
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
	} else if r.PostFormValue("action") == "check_all" {
		_, err = s.app.CheckPhase(r.Context(), id, r.PostFormValue("phase"))
	} else {
		err = s.app.CheckItem(r.Context(), id, r.PostFormValue("item"), r.PostFormValue("state"), strings.TrimSpace(r.PostFormValue("note")))
	}
	// The checklist shown again (a refusal, or the answer to a tick sent
	// by htmx) is read once the use case's unit is over, in a read unit.
	if refusal, ok := app.AsRefusal(err); ok && refusal.Has("checklist.err.reason") {
		return s.inReadUnit(route{handle: func(w http.ResponseWriter, r *http.Request) error {
			p, err := s.loadChecklistPage(r)
			if err != nil {
				return err
			}
			p.Errors = s.app.Messages(refusal, localizer(r))
			if r.Header.Get("HX-Request") == "true" {
				// htmx swaps only a success in: the error comes back whole,
				// and the page shows it in place.
				w.Header().Set("HX-Retarget", "#checklist-live")
				w.Header().Set("HX-Reswap", "outerHTML")
				return s.renderBlock(w, r, http.StatusOK, "checklist", "checklist-live", "", "day", p)
			}
			return s.render(w, r, http.StatusUnprocessableEntity, "checklist", "checklist.title", "day", p)
		}}, w, r)
	}
	if err != nil {
		return err
	}
	if r.Header.Get("HX-Request") == "true" {
		// One request per tick: the answer is the checklist as it now stands.
		return s.inReadUnit(route{handle: func(w http.ResponseWriter, r *http.Request) error {
			p, err := s.loadChecklistPage(r)
			if err != nil {
				return err
			}
			return s.renderBlock(w, r, http.StatusOK, "checklist", "checklist-live", "", "day", p)
		}}, w, r)
	}
	http.Redirect(w, r, "/staff/appointments/"+itoa(id)+"/checklist#"+checklistAnchor(r), http.StatusSeeOther)
	return nil
}

// checklistAnchor is where the checklist shown again scrolls to: the item
// ticked, the phase checked at once, or the checklist's state after the
// radiologist's decision.
func checklistAnchor(r *http.Request) string {
	switch r.PostFormValue("action") {
	case "override":
		return "checklist-status"
	case "check_all":
		return "check-all-" + url.PathEscape(r.PostFormValue("phase"))
	}
	return "item-" + url.PathEscape(r.PostFormValue("item"))
}
