package main

import (
	"context"
	"flag"
	"fmt"
	netmail "net/mail"
	"strconv"
	"time"

	"repere/internal/mail"
	"repere/internal/store"
)

// mailConfig holds the SMTP flags; without a host, email is off and the
// pages offer printing instead.
type mailConfig struct {
	host, username, password, security, from, helo string
	port                                           int
	allowInsecure                                  bool
	reminderDays                                   int
}

func mailFlags(fs *flag.FlagSet, c *mailConfig) {
	port, _ := strconv.Atoi(envDefault("smtp-port", "0"))
	fs.StringVar(&c.host, "smtp-host", envDefault("smtp-host", ""), "SMTP server for patient emails; empty disables email (env REPERE_SMTP_HOST)")
	fs.IntVar(&c.port, "smtp-port", port, "SMTP port (default 587 with starttls, 465 with tls, 25 with none)")
	fs.StringVar(&c.username, "smtp-username", envDefault("smtp-username", ""), "SMTP user name")
	fs.StringVar(&c.password, "smtp-password", envDefault("smtp-password", ""), "SMTP password (prefer env REPERE_SMTP_PASSWORD)")
	fs.StringVar(&c.security, "smtp-security", envDefault("smtp-security", mail.StartTLS), "starttls, tls or none (none only to a local relay)")
	fs.BoolVar(&c.allowInsecure, "smtp-allow-insecure", envBool("smtp-allow-insecure", false), "allow security none to a non-local server")
	fs.StringVar(&c.from, "smtp-from", envDefault("smtp-from", ""), `sender address, e.g. "Centre d'imagerie <rdv@example.org>"`)
	fs.StringVar(&c.helo, "smtp-helo", envDefault("smtp-helo", ""), "name given in EHLO (default: the host name)")
	fs.IntVar(&c.reminderDays, "reminder-days", 2, "send the reminder this many days before the act")
}

// mailer builds the outbox's sender, or nil when email is off.
func (c mailConfig) mailer() (*outboxMailer, string, error) {
	if c.host == "" {
		return nil, "off", nil
	}
	cfg := mail.Config{Host: c.host, Port: c.port, Username: c.username, Password: c.password, Security: c.security,
		AllowInsecure: c.allowInsecure, HELO: c.helo}
	if c.from != "" {
		from, err := netmail.ParseAddress(c.from)
		if err != nil {
			return nil, "", fmt.Errorf("--smtp-from: %w", err)
		}
		cfg.From = *from
	}
	if err := cfg.Validate(); err != nil {
		return nil, "", err
	}
	sender, err := mail.NewSender(cfg)
	if err != nil {
		return nil, "", err
	}
	return &outboxMailer{sender: sender, from: cfg.From}, cfg.String(), nil
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

// retryAfter is the outbox's retry schedule (package mail's).
func retryAfter(attempts int, last time.Time) (time.Time, bool) {
	return mail.NextAttempt(attempts, last)
}
