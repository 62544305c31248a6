package web

import (
	"bytes"
	"context"
	"net/http"

	"repere/internal/documents"
	"repere/internal/i18n"
	"repere/internal/store"
)

// Mailer delivers one email of the outbox.
type Mailer interface {
	Send(ctx context.Context, m store.OutboxMail) error
	// Permanent tells whether a delivery error will not go away by retrying
	// (a 5xx reply, an invalid address).
	Permanent(err error) bool
}

// sendConvocation queues the convocation email with its PDF and calendar file.
func (s *Server) sendConvocation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if s.cfg.Mailer == nil {
		return errStatus(http.StatusConflict, "appointment.no_smtp")
	}
	l := localizer(r)
	f, err := s.loadAppointmentFile(r.Context(), id, l.Lang)
	if err != nil {
		return err
	}
	if f.Patient.Email == "" {
		return errStatus(http.StatusConflict, "appointment.no_email")
	}
	m, err := convocationMail(l, f, "convocation")
	if err != nil {
		return err
	}
	if _, err := s.store.EnqueueMail(r.Context(), m); err != nil {
		return err
	}
	s.flash(r, "appointment.queued")
	http.Redirect(w, r, "/staff/appointments/"+itoa(id), http.StatusSeeOther)
	return nil
}

// convocationMail builds a convocation or reminder email: the letter as
// HTML and plain text, with the PDF and the calendar file attached.
func convocationMail(l *i18n.Localizer, f appointmentFile, kind string) (store.OutboxMail, error) {
	var html bytes.Buffer
	if err := documents.RenderConvocationHTML(&html, f.Convocation); err != nil {
		return store.OutboxMail{}, err
	}
	pdf, err := documents.ConvocationPDF(f.Convocation)
	if err != nil {
		return store.OutboxMail{}, err
	}
	ics, err := documents.ConvocationICS(f.Convocation)
	if err != nil {
		return store.OutboxMail{}, err
	}
	start := f.Appointment.Start.In(f.Convocation.Location)
	when := l.Date(start) + " " + l.Time(start)
	act := f.Act.Name.In(l.Lang)
	return store.OutboxMail{
		Kind: kind, AppointmentID: f.Appointment.ID, PatientID: f.Patient.ID, To: f.Patient.Email,
		Subject: l.T("mail.subject."+kind, "When", when),
		Text:    l.T("mail.text."+kind, "Name", f.Patient.DisplayName(), "Act", act, "When", when, "Site", f.Convocation.Site.Name, "Phone", f.Convocation.Site.Phone),
		HTML:    html.String(),
		Attachments: []store.MailAttachment{
			{Name: "convocation.pdf", ContentType: "application/pdf", Data: pdf},
			{Name: "rendez-vous.ics", ContentType: "text/calendar; charset=utf-8", Data: ics},
		},
	}, nil
}
