package main

import (
	"flag"

	"repere/internal/app"
	"repere/internal/sms"
)

// smsConfig holds the SMS provider's flags; without a URL, SMS is off and
// the pages offer email and printed letters only.
type smsConfig struct {
	url, user, password, template, sender string
}

func smsFlags(fs *flag.FlagSet, c *smsConfig) {
	fs.StringVar(&c.url, "sms-url", envDefault("sms-url", ""), "HTTP SMS provider address the messages are POSTed to (docs/sms.md); empty disables SMS (env REPERE_SMS_URL)")
	fs.StringVar(&c.user, "sms-user", envDefault("sms-user", ""), "SMS provider user (HTTP basic auth)")
	fs.StringVar(&c.password, "sms-password", envDefault("sms-password", ""), "SMS provider password (prefer env REPERE_SMS_PASSWORD)")
	fs.StringVar(&c.template, "sms-template", envDefault("sms-template", sms.DefaultTemplate), "message template (Go text/template with .Practice, .Message, .Link)")
	fs.StringVar(&c.sender, "sms-sender", envDefault("sms-sender", ""), "sender name or number passed to the provider")
}

// provider builds the outbox's SMS sender, or nil when SMS is off.
func (c smsConfig) provider() (app.SMSSender, string, error) {
	if c.url == "" {
		return nil, "off", nil
	}
	s, err := sms.New(sms.Config{URL: c.url, User: c.user, Password: c.password, Template: c.template, Sender: c.sender})
	if err != nil {
		return nil, "", err
	}
	return s, s.String(), nil
}
