package web

import (
	"context"
	"net/http"
	"strings"

	"repere/internal/app"
	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/report"
	"repere/internal/store"
)

// reportPage is where the radiologist writes, signs and amends the report.
type reportPage struct {
	appointmentFile
	Title, Body string
	Versions    []report.Signed
	Reason      string
	Errors      []string
	CanSign     bool
	DraftSaved  bool
	Sent        string // the referring physician's address the signed report went to
}

func (s *Server) loadReportPage(r *http.Request) (reportPage, error) {
	var p reportPage
	id, err := pathID(r)
	if err != nil {
		return p, err
	}
	l := localizer(r)
	if p.appointmentFile, err = s.loadAppointmentFile(r.Context(), id, l.Lang); err != nil {
		return p, err
	}
	p.CanSign = currentUser(r).Role == auth.Radiologist
	if p.Versions, err = s.store.ReportsOf(r.Context(), id); err != nil {
		return p, err
	}
	text, err := s.app.ReportText(r.Context(), p.AppointmentFile, p.Versions, l.Lang)
	p.Title, p.Body = text.Title, text.Body
	return p, err
}

func (s *Server) reportForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadReportPage(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "report", "report.title", "day", p)
}

// saveReport saves the draft, or signs it: the signed version is frozen
// (its PDF and hash stored), an amendment is a new version with its reason,
// and the PDF goes to the referring physician by email.
func (s *Server) saveReport(w http.ResponseWriter, r *http.Request) error {
	// The page's reads in one read unit, then the draft or the signature
	// (each a use case of its own).
	p, err := s.readReportPage(r)
	if err != nil {
		return err
	}
	l := localizer(r)
	p.Title, p.Body = strings.TrimSpace(r.PostFormValue("title")), strings.TrimSpace(r.PostFormValue("body"))
	p.Reason = strings.TrimSpace(r.PostFormValue("reason"))
	text := report.Text{Title: p.Title, Body: p.Body}
	if lengths := lengthMessages(r, map[string]string{"title": "report.title_field", "body": "report.body", "reason": "report.reason"}); len(lengths) > 0 {
		p.Errors = lengths
		return s.render(w, r, http.StatusUnprocessableEntity, "report", "report.title", "day", p)
	}
	if r.PostFormValue("action") == "sign" && !p.CanSign {
		return errStatus(http.StatusForbidden, "error.forbidden")
	}
	if r.PostFormValue("action") != "sign" {
		err = s.app.SaveReportDraft(r.Context(), p.Appointment.ID, text)
		p.DraftSaved = err == nil
	} else {
		_, err = s.app.SignReport(r.Context(), p.Appointment.ID, text, p.Reason, l.Lang)
	}
	status := refusalStatus(err)
	r2, changed := app.AsRefusal(err)
	changed = changed && r2.Has("report.err.changed_while_signing")
	if p.Errors, err = s.refusalMessages(l, err); err != nil {
		return err
	}
	if changed {
		// The file changed while the PDF was made: the page shows it as
		// it is now (in a read unit after the use case's), with the text
		// typed, to read again before signing.
		typed := p
		if p, err = s.readReportPage(r); err != nil {
			return err
		}
		p.Title, p.Body, p.Reason, p.Errors = typed.Title, typed.Body, typed.Reason, typed.Errors
	}
	switch {
	case len(p.Errors) > 0:
		return s.render(w, r, status, "report", "report.title", "day", p)
	case p.DraftSaved:
		return s.render(w, r, http.StatusOK, "report", "report.title", "day", p)
	}
	s.flash(r, "report.signed")
	http.Redirect(w, r, "/staff/appointments/"+itoa(p.Appointment.ID)+"/report", http.StatusSeeOther)
	return nil
}

// readReportPage reads the report page in one read unit.
func (s *Server) readReportPage(r *http.Request) (reportPage, error) {
	var p reportPage
	err := s.store.ReadUnit(r.Context(), func(ctx context.Context) error {
		var err error
		p, err = s.loadReportPage(r.WithContext(ctx))
		return err
	})
	return p, err
}

// reportDocument downloads a signed version as stored.
func (s *Server) reportDocument(w http.ResponseWriter, r *http.Request) error {
	rep, err := byPathID(r, s.store.ReportPDF, nil)
	if err != nil {
		return err
	}
	w.Header().Set("X-Content-SHA256", rep.SHA256)
	return sendFile(w, "application/pdf", "compte-rendu-"+itoa(rep.AppointmentID)+"-v"+itoa(int64(rep.Number))+".pdf", rep.PDF)
}

// reportRow is an act of the last weeks with where its report stands.
type reportRow struct {
	booking.Appointment
	ActName string
	Signed  int // number of signed versions
}

// reportsList shows the acts of the last 30 days, those without a signed
// report first, for the radiologists to write and sign.
func (s *Server) reportsList(w http.ResponseWriter, r *http.Request) error {
	l := localizer(r)
	now := s.now()
	list, err := s.store.ListAppointments(r.Context(), store.AppointmentFilter{From: now.AddDate(0, 0, -30), To: now.AddDate(0, 0, 1),
		Statuses: []booking.Status{booking.Done}})
	if err != nil {
		return err
	}
	var todo, done []reportRow
	for _, a := range list {
		row := reportRow{Appointment: a, ActName: a.ActID}
		if act, ok := s.catalog.Act(a.ActID); ok {
			row.ActName = act.Name.In(l.Lang)
		}
		versions, err := s.store.ReportsOf(r.Context(), a.ID)
		if err != nil {
			return err
		}
		row.Signed = len(versions)
		if row.Signed == 0 {
			todo = append(todo, row)
		} else {
			done = append(done, row)
		}
	}
	return s.render(w, r, http.StatusOK, "reports", "reports.title", "reports", append(todo, done...))
}
