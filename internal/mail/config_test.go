package mail_test

import (
	"errors"
	netmail "net/mail"
	"strings"
	"testing"

	"repere/internal/mail"
)

func TestConfigValidate(t *testing.T) {
	from := netmail.Address{Name: "Cabinet", Address: "cabinet@example.test"}
	tests := []struct {
		name    string
		config  mail.Config
		wantErr string // empty: valid
	}{
		{"unconfigured", mail.Config{}, ""},
		{"starttls default", mail.Config{Host: "smtp.example.test", From: from, Username: "u", Password: "p"}, ""},
		{"implicit tls", mail.Config{Host: "smtp.example.test", Port: 465, Security: "TLS", From: from}, ""},
		{"none on loopback", mail.Config{Host: "127.0.0.1", Security: "none", From: from, Username: "u", Password: "p"}, ""},
		{"none on localhost", mail.Config{Host: "localhost", Security: "none", From: from}, ""},
		{"none on ::1", mail.Config{Host: "::1", Security: "none", From: from}, ""},
		{"none remote", mail.Config{Host: "smtp.example.test", Security: "none", From: from}, "loopback"},
		{"none remote allowed", mail.Config{Host: "smtp.example.test", Security: "none", AllowInsecure: true, From: from}, ""},
		{"none remote with credentials", mail.Config{Host: "10.0.0.5", Security: "none", AllowInsecure: true, From: from, Username: "u", Password: "p"}, "credentials"},
		{"unknown security", mail.Config{Host: "smtp.example.test", Security: "ssl", From: from}, "security"},
		{"port", mail.Config{Host: "smtp.example.test", Port: 70000, From: from}, "port"},
		{"host with scheme", mail.Config{Host: "smtp://smtp.example.test", From: from}, "host"},
		{"no from", mail.Config{Host: "smtp.example.test"}, "sender"},
		{"password without user", mail.Config{Host: "smtp.example.test", From: from, Password: "p"}, "user"},
		{"user with CRLF", mail.Config{Host: "smtp.example.test", From: from, Username: "u\r\nRSET"}, "control"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.config.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Validate() = %v, want an error about %q", err, tt.wantErr)
			}
		})
	}
}

func TestNewSenderUnconfigured(t *testing.T) {
	cfg := mail.Config{}
	if cfg.Configured() {
		t.Error("empty Config reports configured")
	}
	if _, err := mail.NewSender(cfg); !errors.Is(err, mail.ErrNotConfigured) {
		t.Errorf("NewSender(empty) = %v, want ErrNotConfigured", err)
	}
	if got := cfg.String(); got != "smtp: not configured" {
		t.Errorf("String() = %q", got)
	}
}

func TestConfigString(t *testing.T) {
	cfg := mail.Config{Host: "smtp.example.test", Username: "cabinet", Password: "hunter2",
		From: netmail.Address{Address: "cabinet@example.test"}}
	want := "smtp starttls://cabinet:***@smtp.example.test:587 from <cabinet@example.test>"
	if got := cfg.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
