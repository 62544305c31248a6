package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"strconv"
	"strings"
	"time"

	"repere/internal/audit"
	"repere/internal/documents"
	"repere/internal/i18n"
	"repere/internal/mail"
	"repere/internal/sms"
	"repere/internal/store"
)

// Mailer delivers one email of the outbox.
type Mailer interface {
	Send(ctx context.Context, m mail.Outgoing) error
	// Permanent tells whether a delivery error will not go away by retrying
	// (a 5xx reply, an invalid address).
	Permanent(err error) bool
}

// SendConvocation queues the convocation email of an appointment, with its
// PDF and calendar file, in lang; refused without email set up, without
// the patient's address, or when no convocation may be made. A convocation
// is sent once per version of the letter: a second click queues nothing
// (refused, the page says it was sent); resend sends the same letter again,
// recorded as a resend in the appointment's emails.
func (a *App) SendConvocation(ctx context.Context, id int64, lang string, resend bool) error {
	if a.cfg.Mailer == nil {
		return refuse("appointment.no_smtp")
	}
	// The file in one read unit; the letter, its PDF and calendar file
	// made outside any transaction; the outbox row (and its audit entry)
	// in one write.
	var f AppointmentFile
	err := a.store.ReadUnit(ctx, func(ctx context.Context) (err error) {
		f, err = a.AppointmentFile(ctx, id)
		return err
	})
	if err != nil {
		return err
	}
	if f.Patient.Email == "" {
		return refuse("appointment.no_email")
	}
	kind := "convocation"
	if resend {
		kind = "convocation_resend"
	}
	m, err := a.convocationMail(f, lang, kind)
	if err != nil {
		return err
	}
	err = a.queueConvocation(ctx, f, m, lang)
	if errors.Is(err, store.ErrDuplicate) {
		return refuse("appointment.already_sent")
	}
	return err
}

// queueConvocation queues m, a convocation or reminder made in lang from
// f, in one write unit that first reads the appointment file again: when
// the appointment moved, was cancelled, or anything the letter shows
// changed (room, time, preparation, the patient's address) since f was
// read, the letter is out of date and nothing is queued
// (appointment.changed_while_sending). The check compares the letter's
// version (the SHA-256 of its HTML, the outbox's doc_version) made again
// from the file as it is now.
func (a *App) queueConvocation(ctx context.Context, f AppointmentFile, m mail.Outgoing, lang string) error {
	if a.beforeLetterWrite != nil {
		a.beforeLetterWrite(ctx, m)
	}
	return a.store.WriteUnit(ctx, func(ctx context.Context) error {
		if err := a.letterUnchanged(ctx, f, m, lang); err != nil {
			return err
		}
		_, err := a.store.EnqueueMail(ctx, m)
		return err
	})
}

// letterUnchanged refuses, in the write unit, a convocation m made in lang
// from f when the appointment file as it is now would not give the same
// letter to the same address. The letter is made again at the instant f
// was read (f.ReadAt): a midnight passed meanwhile changes no date the
// letter counts from today, so it alone never refuses.
func (a *App) letterUnchanged(ctx context.Context, f AppointmentFile, m mail.Outgoing, lang string) error {
	changed := refuse("appointment.changed_while_sending")
	if err := a.store.HoldAppointmentFile(ctx, f.Appointment.ID); err != nil {
		return err
	}
	now, err := a.appointmentFileAt(ctx, f.Appointment.ID, f.ReadAt)
	if errors.Is(err, ErrNotFound) {
		return changed
	}
	if err != nil {
		return err
	}
	if now.Appointment.Status != f.Appointment.Status || now.Patient.Email != m.To {
		return changed
	}
	_, html, err := a.convocationHTML(now, lang)
	if _, refused := AsRefusal(err); refused {
		return changed
	}
	if err != nil {
		return err
	}
	if letterVersion(html) != m.Version {
		return changed
	}
	return nil
}

// convocationHTML is the convocation letter of f in lang and its HTML.
func (a *App) convocationHTML(f AppointmentFile, lang string) (documents.Convocation, []byte, error) {
	c, err := a.Convocation(f, lang)
	if err != nil {
		return c, nil, err
	}
	var html bytes.Buffer
	if err := documents.RenderConvocationHTML(&html, c); err != nil {
		return c, nil, err
	}
	return c, html.Bytes(), nil
}

// letterVersion is the version of a letter, its outbox doc_version: the
// SHA-256 of its HTML, in hex.
func letterVersion(html []byte) string {
	sum := sha256.Sum256(html)
	return hex.EncodeToString(sum[:])
}

// convocationMail builds a convocation or reminder email: the letter as
// HTML and plain text, with the PDF and the calendar file attached.
func (a *App) convocationMail(f AppointmentFile, lang, kind string) (mail.Outgoing, error) {
	c, html, err := a.convocationHTML(f, lang)
	if err != nil {
		return mail.Outgoing{}, err
	}
	pdf, err := documents.ConvocationPDF(c)
	if err != nil {
		return mail.Outgoing{}, err
	}
	ics, err := documents.ConvocationICS(c)
	if err != nil {
		return mail.Outgoing{}, err
	}
	l := a.i18n.For(lang)
	start := f.Appointment.Start.In(a.loc)
	when := l.Date(start) + " " + l.Time(start)
	act := f.Act.Name.In(l.Lang)
	textKind := strings.TrimSuffix(kind, "_resend") // a resend says what the first one said
	text := l.T("mail.text."+textKind, "Name", f.Patient.DisplayName(), "Act", act, "When", when, "Site", c.Site.Name, "Phone", c.Site.Phone)
	if a.cfg.BaseURL != "" {
		text += "\n" + l.T("mail.portal_link", "Portal", a.cfg.BaseURL+"/portal/")
	}
	return mail.Outgoing{
		Kind: kind, AppointmentID: f.Appointment.ID, PatientID: f.Patient.ID, To: f.Patient.Email,
		Subject: l.T("mail.subject."+textKind, "When", when),
		Text:    text,
		HTML:    string(html),
		Version: letterVersion(html),
		Attachments: []mail.Attachment{
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
	Retry  func(attempts int, last time.Time) (time.Time, bool)
	Logger *slog.Logger
}

// RunOutbox sends the queued emails and queues the reminders until ctx ends.
// Several instances may run it: each email is leased to one of them.
func (a *App) RunOutbox(ctx context.Context, opts OutboxOptions) {
	if a.cfg.Mailer == nil && a.cfg.SMS == nil {
		return
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	every := opts.Every
	if every <= 0 {
		every = 15 * time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if err := a.OutboxOnce(ctx, opts); err != nil && ctx.Err() == nil {
			opts.Logger.Error("outbox", "err", err)
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

// OutboxOnce queues the reminders and follow-ups due and sends what is due,
// once. The reminders and follow-ups are emails: with no email set up (the
// outbox runs for the SMS) none is queued, for it would wait unsent until
// email is set up, then go out late, with the date, name and address of
// the day it was made.
func (a *App) OutboxOnce(ctx context.Context, opts OutboxOptions) error {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ctx = audit.WithActor(ctx, outboxActor)
	if a.cfg.Mailer != nil {
		if err := a.queueReminders(ctx, opts.Logger); err != nil {
			return err
		}
		if err := a.queueFollowUps(ctx); err != nil {
			return err
		}
	}
	var channels []string
	if a.cfg.Mailer != nil {
		channels = append(channels, mail.ChannelEmail)
	}
	if a.cfg.SMS != nil {
		channels = append(channels, mail.ChannelSMS)
	}
	now := a.Now()
	due, err := a.store.ClaimDue(ctx, channels, now, 5*time.Minute, 20)
	if err != nil {
		return err
	}
	for _, m := range due {
		why, err := a.withheld(ctx, m)
		if err != nil {
			return err
		}
		if why != "" {
			opts.Logger.Warn("message withheld", "mail", m.ID, "kind", m.Kind, "channel", m.Channel, "why", why)
			if err := a.withhold(ctx, m, why); err != nil {
				return err
			}
			continue
		}
		permanent := sms.Permanent
		if m.Channel == mail.ChannelSMS {
			err = a.cfg.SMS.Send(ctx, m.To, m.Text, "outbox-"+strconv.FormatInt(m.ID, 10))
		} else {
			err, permanent = a.cfg.Mailer.Send(ctx, m), a.cfg.Mailer.Permanent
		}
		if err == nil {
			if err := a.store.MailSentOK(ctx, m.ID); err != nil {
				return err
			}
			continue
		}
		next, retry := time.Time{}, false
		if !permanent(err) && opts.Retry != nil {
			next, retry = opts.Retry(m.Attempts+1, now)
		}
		if !retry {
			next = time.Time{}
		}
		// Never the recipient or the body: a phone number or a link is not logged.
		opts.Logger.Warn("message not delivered", "mail", m.ID, "kind", m.Kind, "channel", m.Channel, "attempt", m.Attempts+1, "retry", retry, "err", err)
		if err := a.store.MailAttemptFailed(ctx, m.ID, err.Error(), next); err != nil {
			return err
		}
	}
	return nil
}

// queueReminders queues a reminder, with the convocation attached, for each
// booked appointment of the next ReminderDays days whose patient has an
// email and has had no reminder yet. An act that may not be convoked (a
// contraindication no radiologist lifted) gets none: it is logged for the
// staff, whose board already shows it red.
func (a *App) queueReminders(ctx context.Context, log *slog.Logger) error {
	now := a.Now()
	ids, err := a.store.RemindersDue(ctx, now, now.AddDate(0, 0, a.cfg.ReminderDays))
	if err != nil {
		return err
	}
	for _, id := range ids {
		f, err := a.AppointmentFile(ctx, id)
		if err != nil {
			return err
		}
		m, err := a.convocationMail(f, i18n.Default, "reminder")
		if _, refused := AsRefusal(err); refused {
			log.Warn("reminder withheld", "appointment", id, "why", err)
			continue
		}
		if err != nil {
			return err
		}
		// Another instance may have queued it since RemindersDue: the
		// database keeps one reminder per appointment. An appointment
		// changed since it was read gets none this time: the next run
		// reads it again and queues its reminder with the new date.
		err = a.queueConvocation(ctx, f, m, i18n.Default)
		if r, refused := AsRefusal(err); refused && r.Has("appointment.changed_while_sending") {
			log.Info("reminder postponed: the appointment changed while it was made", "appointment", id)
			continue
		}
		if err != nil && !errors.Is(err, store.ErrDuplicate) {
			return err
		}
	}
	return nil
}

// NewMailer sends outbox rows with an SMTP sender, from the practice's
// address; host is the right side of the Message-IDs ("repere.invalid" when
// empty).
func NewMailer(sender *mail.Sender, from netmail.Address, host string) Mailer {
	if host == "" {
		host = "repere.invalid"
	}
	return &outboxMailer{sender: sender, from: from, host: host}
}

// outboxMailer turns an outbox row into a message. The message id and date
// come from the row, so a retry sends the very same bytes.
type outboxMailer struct {
	sender *mail.Sender
	from   netmail.Address
	host   string
}

func (m *outboxMailer) Send(ctx context.Context, row mail.Outgoing) error {
	to, err := netmail.ParseAddress(row.To)
	if err != nil {
		return fmt.Errorf("%w: recipient %q: %v", mail.ErrInvalid, row.To, err)
	}
	msg := mail.Message{From: m.from, To: *to, Subject: row.Subject, Text: row.Text, HTML: row.HTML,
		MessageID: fmt.Sprintf("<outbox-%d.%d@%s>", row.ID, row.CreatedAt.Unix(), m.host), Date: row.CreatedAt,
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}, Attachments: row.Attachments}
	return m.sender.Send(ctx, msg)
}

func (m *outboxMailer) Permanent(err error) bool { return mail.Permanent(err) }
