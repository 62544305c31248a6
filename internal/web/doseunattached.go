package web

import (
	"net/http"
	"strconv"
	"strings"

	"repere/internal/app"
)

// unattachedPage lists the dose reports that matched no act, each with the
// acts of its day to attach it to; a refused attachment comes back with
// what was chosen and typed.
type unattachedPage struct {
	Reports []app.UnattachedReport
	// The refused form: its report, the act chosen, the reason typed and
	// the error.
	FormSOP, FormReason string
	FormAct             int64
	Error               string
}

func (s *Server) doseUnattachedPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderUnattached(w, r, http.StatusOK, unattachedPage{})
}

func (s *Server) renderUnattached(w http.ResponseWriter, r *http.Request, status int, p unattachedPage) error {
	var err error
	if p.Reports, err = s.app.UnattachedDoseReports(r.Context()); err != nil {
		return err
	}
	for _, rep := range p.Reports {
		for i, c := range rep.Candidates {
			rep.Candidates[i].ActName = s.actIn(c.ActID, localizer(r).Lang, c.ActName)
		}
	}
	return s.render(w, r, status, "dose_unattached", "dose.unattached.title", "day", p)
}

// attachDoseReport attaches a report to the act chosen, with its reason.
func (s *Server) attachDoseReport(w http.ResponseWriter, r *http.Request) error {
	p := unattachedPage{FormSOP: r.PostFormValue("sop"), FormReason: r.PostFormValue("reason")}
	p.FormAct, _ = strconv.ParseInt(r.PostFormValue("appointment"), 10, 64)
	err := s.app.AttachDoseReport(r.Context(), p.FormSOP, p.FormAct, p.FormReason)
	if refusal, ok := app.AsRefusal(err); ok {
		p.Error = strings.Join(s.app.Messages(refusal, localizer(r)), " ")
		status := http.StatusConflict
		if refusal.Invalid {
			status = http.StatusUnprocessableEntity
		}
		return s.renderUnattached(w, r, status, p)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/staff/appointments/"+strconv.FormatInt(p.FormAct, 10)+"/record#field-dose", http.StatusSeeOther)
	return nil
}
