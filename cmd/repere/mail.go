package main

import (
	"flag"
	"fmt"
	netmail "net/mail"
	"strconv"
	"time"

	"repere/internal/app"
	"repere/internal/mail"
)

// mailConfig holds the SMTP flags; without a host, email is off and the
// pages offer printing instead.
type mailConfig struct {
	host, username, password, security, from, helo string
	port                                           int
	allowInsecure                                  bool
	reminderDays                                   int
	outboxEvery                                    time.Duration
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
	fs.DurationVar(&c.outboxEvery, "outbox-every", 15*time.Second, "how often the outbox is read for due emails and reminders")
}

// mailer builds the outbox's sender, or nil when email is off; host names
// the server in EHLO (unless --smtp-helo says otherwise) and Message-IDs.
func (c mailConfig) mailer(host string) (app.Mailer, string, error) {
	if c.host == "" {
		return nil, "off", nil
	}
	cfg := mail.Config{Host: c.host, Port: c.port, Username: c.username, Password: c.password, Security: c.security,
		AllowInsecure: c.allowInsecure, HELO: c.helo}
	if cfg.HELO == "" {
		cfg.HELO = host
	}
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
	return app.NewMailer(sender, cfg.From, host), cfg.String(), nil
}

// retryAfter is the outbox's retry schedule (package mail's).
func retryAfter(attempts int, last time.Time) (time.Time, bool) {
	return mail.NextAttempt(attempts, last)
}
