package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"repere/internal/actrecord"
	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/report"
	"repere/internal/store"
)

// reportPage is where the radiologist writes, signs and amends the report.
type reportPage struct {
	appointmentFile
	Title, Body string
	Versions    []store.SignedReport
	Reason      string
	Errors      []string
	CanSign     bool
	DraftSaved  bool
	Sent        string // the referring physician's address the signed report went to
}

// reportContext is what a report prints about the patient and the act.
func (s *Server) reportContext(r *http.Request, f appointmentFile) report.Context {
	l := localizer(r)
	born, _ := time.Parse(time.DateOnly, f.Patient.BirthDate)
	return report.Context{PatientName: f.Patient.DisplayName(), BirthDate: born.Format("02/01/2006"), Indication: f.Referral.Indication,
		Referrer: f.Referral.PhysicianName, Radiologist: f.Appointment.RadiologistName, Date: f.Appointment.Start, Lang: l.Lang,
		Location: s.cfg.Location, Equipment: f.Appointment.RoomName, Fields: s.records}
}

func (s *Server) loadReportPage(r *http.Request) (reportPage, error) {
	var p reportPage
	id, err := pathID(r)
	if err != nil {
		return p, err
	}
	if p.appointmentFile, err = s.loadAppointmentFile(r.Context(), id, localizer(r).Lang); err != nil {
		return p, err
	}
	p.CanSign = currentUser(r).Role == auth.Radiologist
	if p.Versions, err = s.store.ReportsOf(r.Context(), id); err != nil {
		return p, err
	}
	draft, err := s.store.DraftOf(r.Context(), id)
	switch {
	case err == nil:
		p.Title, p.Body = draft.Title, draft.Body
	case !errors.Is(err, store.ErrNotFound):
		return p, err
	case len(p.Versions) > 0:
		last := p.Versions[len(p.Versions)-1]
		p.Title, p.Body = last.Title, last.Body
	default:
		var rec actrecord.Record
		if stored, err := s.store.ActRecordOf(r.Context(), id); err == nil {
			if err := json.Unmarshal(stored.Record, &rec); err != nil {
				return p, err
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return p, err
		}
		text, err := report.Draft(p.Act, p.Appointment.VariantID, rec, s.reportContext(r, p.appointmentFile))
		if err != nil {
			return p, err
		}
		p.Title, p.Body = text.Title, text.Body
	}
	return p, nil
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
	p, err := s.loadReportPage(r)
	if err != nil {
		return err
	}
	l := localizer(r)
	p.Title, p.Body = strings.TrimSpace(r.PostFormValue("title")), strings.TrimSpace(r.PostFormValue("body"))
	p.Reason = strings.TrimSpace(r.PostFormValue("reason"))
	if p.Title == "" || p.Body == "" {
		p.Errors = append(p.Errors, l.T("report.err.empty"))
	}
	p.Errors = append(p.Errors, lengthMessages(r, map[string]string{"title": "report.title_field", "body": "report.body", "reason": "report.reason"})...)
	if len(p.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "report", "report.title", "day", p)
	}
	if r.PostFormValue("action") != "sign" {
		if err := s.store.SaveDraft(r.Context(), p.Appointment.ID, p.Title, p.Body); err != nil {
			return err
		}
		p.DraftSaved = true
		return s.render(w, r, http.StatusOK, "report", "report.title", "day", p)
	}
	if !p.CanSign {
		return errStatus(http.StatusForbidden, "error.forbidden")
	}
	v := report.Version{Number: len(p.Versions) + 1, Text: report.Text{Title: p.Title, Body: p.Body}, SignedBy: currentUser(r).DisplayName,
		SignedAt: s.now()}
	if v.Number > 1 {
		v.Amends = v.Number - 1
		if p.Reason == "" {
			p.Errors = append(p.Errors, l.T("report.err.reason"))
			return s.render(w, r, http.StatusUnprocessableEntity, "report", "report.title", "day", p)
		}
		v.Reason = p.Reason
	}
	pdf, err := report.PDF(v, s.reportContext(r, p.appointmentFile), report.PracticeHeader{Name: p.Convocation.Site.Name,
		Address: p.Convocation.Site.Address, Phone: p.Convocation.Site.Phone})
	if err != nil {
		return err
	}
	signed, err := s.store.SaveSignedReport(r.Context(), store.SignedReport{AppointmentID: p.Appointment.ID, Number: v.Number, Amends: v.Amends,
		Title: p.Title, Body: p.Body, Reason: v.Reason, SignedBy: v.SignedBy, SignedAt: v.SignedAt, SHA256: sha256Hex(pdf), PDF: pdf})
	if errors.Is(err, store.ErrStale) {
		p.Errors = append(p.Errors, l.T("report.err.stale"))
		return s.render(w, r, http.StatusConflict, "report", "report.title", "day", p)
	}
	if err != nil {
		return err
	}
	if err := s.sendReport(r, p.appointmentFile, signed); err != nil {
		return err
	}
	s.flash(r, "report.signed")
	http.Redirect(w, r, "/staff/appointments/"+itoa(p.Appointment.ID)+"/report", http.StatusSeeOther)
	return nil
}

// sendReport queues the signed report to the referring physician, when
// email is set up and the physician has an address.
func (s *Server) sendReport(r *http.Request, f appointmentFile, rep store.SignedReport) error {
	if s.cfg.Mailer == nil || f.Referral.PhysicianID == 0 {
		return nil
	}
	doctors, err := s.store.Physicians(r.Context())
	if err != nil {
		return err
	}
	for _, d := range doctors {
		if d.ID != f.Referral.PhysicianID || d.Email == "" {
			continue
		}
		l := localizer(r)
		_, err := s.store.EnqueueMail(r.Context(), store.OutboxMail{Kind: "report", AppointmentID: f.Appointment.ID, PatientID: f.Patient.ID, To: d.Email,
			Subject: l.T("mail.subject.report", "Patient", f.Patient.DisplayName(), "Act", f.Act.Name.In(l.Lang)),
			Text:    l.T("mail.text.report", "Doctor", d.Name, "Patient", f.Patient.DisplayName(), "Act", f.Act.Name.In(l.Lang), "Version", rep.Number),
			Attachments: []store.MailAttachment{{Name: "compte-rendu-" + itoa(f.Appointment.ID) + "-v" + itoa(int64(rep.Number)) + ".pdf",
				ContentType: "application/pdf", Data: rep.PDF}}})
		return err
	}
	return nil
}

// reportDocument downloads a signed version as stored.
func (s *Server) reportDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rep, err := s.store.ReportPDF(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return errStatus(http.StatusNotFound, "error.not_found")
	}
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
