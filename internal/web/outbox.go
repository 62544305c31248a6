package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	netmail "net/mail"
	"slices"
	"strconv"
	"time"

	"repere/internal/audit"
	"repere/internal/booking"
	"repere/internal/documents"
	"repere/internal/i18n"
	"repere/internal/mail"
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

// OutboxOptions tunes the outbox loop.
type OutboxOptions struct {
	Every time.Duration // how often the outbox is read (default 15 s)
	// Retry says when to try a failed email again after attempts failures,
	// or false to give up.
	Retry func(attempts int, last time.Time) (time.Time, bool)
}

// RunOutbox sends the queued emails and queues the reminders until ctx ends.
// Several instances may run it: each email is leased to one of them.
func (s *Server) RunOutbox(ctx context.Context, opts OutboxOptions) {
	if s.cfg.Mailer == nil {
		return
	}
	every := opts.Every
	if every <= 0 {
		every = 15 * time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if err := s.OutboxOnce(ctx, opts); err != nil && ctx.Err() == nil {
			s.log.Error("outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// outboxActor is who the audit log names for the emails the server sends.
var outboxActor = audit.System("outbox")

// OutboxOnce queues the reminders due and sends what is due, once.
func (s *Server) OutboxOnce(ctx context.Context, opts OutboxOptions) error {
	ctx = audit.WithActor(ctx, outboxActor)
	if err := s.queueReminders(ctx); err != nil {
		return err
	}
	if err := s.queueFollowUps(ctx); err != nil {
		return err
	}
	now := s.now()
	due, err := s.store.ClaimDueMail(ctx, now, 5*time.Minute, 20)
	if err != nil {
		return err
	}
	for _, m := range due {
		err := s.cfg.Mailer.Send(ctx, m)
		if err == nil {
			if err := s.store.MailSentOK(ctx, m.ID); err != nil {
				return err
			}
			continue
		}
		next, retry := time.Time{}, false
		if !s.cfg.Mailer.Permanent(err) && opts.Retry != nil {
			next, retry = opts.Retry(m.Attempts+1, now)
		}
		if !retry {
			next = time.Time{}
		}
		s.log.Warn("email not delivered", "mail", m.ID, "kind", m.Kind, "attempt", m.Attempts+1, "retry", retry, "err", err)
		if err := s.store.MailAttemptFailed(ctx, m.ID, err.Error(), next); err != nil {
			return err
		}
	}
	return nil
}

// queueReminders queues a reminder, with the convocation attached, for each
// booked appointment of the next ReminderDays days whose patient has an
// email and has had no reminder yet.
func (s *Server) queueReminders(ctx context.Context) error {
	days := s.cfg.ReminderDays
	if days <= 0 {
		days = 2
	}
	now := s.now()
	ids, err := s.store.RemindersDue(ctx, now, now.AddDate(0, 0, days))
	if err != nil {
		return err
	}
	l := s.i18n.For("fr")
	for _, id := range ids {
		f, err := s.loadAppointmentFile(ctx, id, l.Lang)
		if err != nil {
			return err
		}
		m, err := convocationMail(l, f, "reminder")
		if err != nil {
			return err
		}
		if _, err := s.store.EnqueueMail(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// NewMailer sends outbox rows with an SMTP sender, from the practice's address.
func NewMailer(sender *mail.Sender, from netmail.Address) Mailer {
	return &outboxMailer{sender: sender, from: from}
}

// outboxMailer turns an outbox row into a message. The message id and date
// come from the row, so a retry sends the very same bytes.
type outboxMailer struct {
	sender *mail.Sender
	from   netmail.Address
}

func (m *outboxMailer) Send(ctx context.Context, row store.OutboxMail) error {
	to, err := netmail.ParseAddress(row.To)
	if err != nil {
		return fmt.Errorf("%w: recipient %q: %v", mail.ErrInvalid, row.To, err)
	}
	msg := mail.Message{From: m.from, To: *to, Subject: row.Subject, Text: row.Text, HTML: row.HTML,
		MessageID: fmt.Sprintf("<outbox-%d.%d@repere>", row.ID, row.CreatedAt.Unix()), Date: row.CreatedAt,
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}}
	for _, a := range row.Attachments {
		msg.Attachments = append(msg.Attachments, mail.Attachment{Name: a.Name, ContentType: a.ContentType, Data: a.Data})
	}
	return m.sender.Send(ctx, msg)
}

func (m *outboxMailer) Permanent(err error) bool { return mail.Permanent(err) }

// queueFollowUps asks, by email, the pain score of each follow-up day that
// is reached today, with the way to the portal; once per act and day.
func (s *Server) queueFollowUps(ctx context.Context) error {
	loc := s.cfg.Location
	today := s.now().In(loc)
	midnight := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	days := map[int]bool{}
	for _, act := range s.catalog.Acts() {
		for _, d := range s.followup.FollowUpDays(act) {
			days[d] = true
		}
	}
	l := s.i18n.For("fr")
	for d := range days {
		from := midnight.AddDate(0, 0, -d)
		list, err := s.store.ListAppointments(ctx, store.AppointmentFilter{From: from, To: from.AddDate(0, 0, 1), Statuses: []booking.Status{booking.Done}})
		if err != nil {
			return err
		}
		for _, a := range list {
			act, ok := s.catalog.Act(a.ActID)
			if !ok || !slices.Contains(s.followup.FollowUpDays(act), d) {
				continue
			}
			kind := "followup_" + strconv.Itoa(d)
			mails, err := s.store.MailFor(ctx, a.ID)
			if err != nil {
				return err
			}
			if slices.ContainsFunc(mails, func(m store.OutboxMail) bool { return m.Kind == kind }) {
				continue
			}
			p, err := s.store.Patient(ctx, a.PatientID)
			if err != nil {
				return err
			}
			if p.Email == "" {
				continue
			}
			if _, err := s.store.EnqueueMail(ctx, store.OutboxMail{Kind: kind, AppointmentID: a.ID, PatientID: p.ID, To: p.Email,
				Subject: l.T("mail.subject.followup"),
				Text:    l.T("mail.text.followup", "Name", p.DisplayName(), "Act", act.Name.In(l.Lang), "Day", d, "Portal", s.cfg.BaseURL+"/portal/")}); err != nil {
				return err
			}
		}
	}
	return nil
}
