package mail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"repere/internal/mail"
	"repere/internal/mail/mailtest"
)

func send(t *testing.T, cfg mail.Config, m mail.Message) error {
	t.Helper()
	sender, err := mail.NewSender(cfg)
	if err != nil {
		t.Fatalf("NewSender(%v): %v", cfg, err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	return sender.Send(ctx, m)
}

func TestSendDeliversFrenchMessage(t *testing.T) {
	tests := []struct {
		name     string
		opts     mailtest.Options
		wantTLS  bool
		wantUser string
	}{
		{"STARTTLS and AUTH", mailtest.Options{TLS: true, RequireAuth: true, Username: "cabinet", Password: "s3cret-Élodie"}, true, "cabinet"},
		{"implicit TLS and AUTH", mailtest.Options{ImplicitTLS: true, RequireAuth: true, Username: "cabinet", Password: "s3cret"}, true, "cabinet"},
		{"none on loopback", mailtest.Options{}, false, ""},
		{"none on loopback with AUTH", mailtest.Options{RequireAuth: true, Username: "cabinet", Password: "s3cret"}, false, "cabinet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.Start(t, tt.opts)
			m := convocation()
			if err := send(t, srv.Config(), m); err != nil {
				t.Fatal(err)
			}
			got := srv.Wait(1, 5*time.Second)[0]
			if got.ParseErr != nil {
				t.Fatal(got.ParseErr)
			}
			want, _ := m.Bytes()
			if !bytes.Equal(got.Data, want) {
				t.Errorf("delivered bytes differ from Message.Bytes:\n%s", got.Data)
			}
			if got.From != m.From.Address || len(got.To) != 1 || got.To[0] != m.To.Address {
				t.Errorf("envelope %s -> %v", got.From, got.To)
			}
			if got.TLS != tt.wantTLS || got.AuthUser != tt.wantUser {
				t.Errorf("TLS %v user %q, want %v %q", got.TLS, got.AuthUser, tt.wantTLS, tt.wantUser)
			}
			checkParsed(t, m, got.Parsed)
		})
	}
}

func TestSendUsesConfigFrom(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	m := convocation()
	m.From.Address = ""
	if err := send(t, srv.Config(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.Wait(1, 5*time.Second)[0]
	if want := srv.Config().From; got.From != want.Address || got.Header.Get("From") == "" {
		t.Errorf("envelope from %q, header %q; want %v", got.From, got.Header.Get("From"), want)
	}
}

func TestSendFailuresTemporaryOrPermanent(t *testing.T) {
	tests := []struct {
		name      string
		failNext  []int
		step      string
		permanent bool
	}{
		{"451 at MAIL", []int{451}, "mail", false},
		{"421 at MAIL", []int{421}, "mail", false},
		{"550 at MAIL", []int{550}, "mail", true},
		{"550 at RCPT", []int{0, 550}, "rcpt", true},
		{"452 at RCPT", []int{0, 452}, "rcpt", false},
		{"554 at DATA", []int{0, 0, 554}, "data", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.Start(t, mailtest.Options{FailNext: tt.failNext})
			err := send(t, srv.Config(), convocation())
			var sendErr *mail.SendError
			if !errors.As(err, &sendErr) || sendErr.Step != tt.step {
				t.Fatalf("error %v, want one at step %q", err, tt.step)
			}
			if mail.Permanent(err) != tt.permanent {
				t.Errorf("Permanent(%v) = %v", err, !tt.permanent)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("%d messages delivered despite the failure", n)
			}
			// The outbox's next attempt goes through.
			if err := send(t, srv.Config(), convocation()); err != nil {
				t.Errorf("retry: %v", err)
			}
			srv.Wait(1, 5*time.Second)
		})
	}
}

func TestSendRetryThenGiveUp(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{FailNext: []int{451, 550}})
	err := send(t, srv.Config(), convocation())
	if err == nil || mail.Permanent(err) {
		t.Fatalf("first attempt: %v, want a temporary error", err)
	}
	err = send(t, srv.Config(), convocation())
	if !mail.Permanent(err) {
		t.Fatalf("second attempt: %v, want a permanent error", err)
	}
}

func TestSendRefusesServerWithoutStartTLS(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Username: "cabinet", Password: "s3cret"})
	cfg := srv.Config()
	cfg.Security = mail.StartTLS
	err := send(t, cfg, convocation())
	if !errors.Is(err, mail.ErrNoStartTLS) {
		t.Fatalf("error = %v, want ErrNoStartTLS", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages delivered in clear", n)
	}
}

func TestSendRefusesUntrustedCertificate(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{TLS: true})
	cfg := srv.Config()
	cfg.RootCAs = nil // system roots do not know the test certificate
	if err := send(t, cfg, convocation()); err == nil || mail.Permanent(err) {
		t.Fatalf("error = %v, want a temporary TLS error", err)
	}
}

// TestPasswordNeverInErrors sends with a wrong password and through the
// failures around it; no error string may hold the password in any form.
func TestPasswordNeverInErrors(t *testing.T) {
	const password = "Mot-de-passe-Très-Secret-42"
	secrets := []string{
		password,
		base64.StdEncoding.EncodeToString([]byte(password)),
		base64.StdEncoding.EncodeToString([]byte("\x00cabinet\x00" + password)),
	}
	check := func(t *testing.T, what string, s string) {
		t.Helper()
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				t.Errorf("%s shows the password: %s", what, s)
			}
		}
	}

	srv := mailtest.Start(t, mailtest.Options{TLS: true, RequireAuth: true, Username: "cabinet", Password: "the-right-one"})
	cfg := srv.Config()
	cfg.Password = password
	err := send(t, cfg, convocation())
	var reply *textproto.Error
	if !errors.As(err, &reply) || reply.Code != 535 || !mail.Permanent(err) {
		t.Fatalf("wrong password: %v, want a permanent 535", err)
	}
	check(t, "auth error", fmt.Sprintf("%v %+v %#v", err, err, err))

	noTLS := mailtest.Start(t, mailtest.Options{Username: "cabinet", Password: password})
	cfg2 := noTLS.Config()
	cfg2.Security = mail.StartTLS
	err = send(t, cfg2, convocation())
	check(t, "STARTTLS error", fmt.Sprint(err))

	closed := cfg
	closed.Port = freePort(t)
	err = send(t, closed, convocation())
	if err == nil || mail.Permanent(err) {
		t.Errorf("closed port: %v, want a temporary error", err)
	}
	check(t, "connect error", fmt.Sprint(err))

	check(t, "Config %v", fmt.Sprintf("%v", cfg))
	check(t, "Config %+v", fmt.Sprintf("%+v", cfg))
	check(t, "Config %#v", fmt.Sprintf("%#v", cfg))
	check(t, "Config String", cfg.String())
	bad := cfg
	bad.Security = "sometimes"
	check(t, "Validate", fmt.Sprint(bad.Validate()))
}

// freePort returns a port nothing listens on any more.
func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// TestSendStopsAtDeadline talks to a server that never greets.
func TestSendStopsAtDeadline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- c
		}
	}()
	defer func() {
		select {
		case c := <-accepted:
			c.Close()
		default:
		}
	}()
	sender, err := mail.NewSender(mail.Config{
		Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, Security: mail.NoTLS,
		From: convocation().From,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = sender.Send(ctx, convocation())
	if !errors.Is(err, context.DeadlineExceeded) || mail.Permanent(err) {
		t.Errorf("error = %v, want a temporary deadline error", err)
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("Send took %v past a 200ms deadline", elapsed)
	}
}

func TestSendInvalidMessageIsPermanent(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	m := convocation()
	m.Subject = "a\r\nBcc: x@example.test"
	err := send(t, srv.Config(), m)
	if !errors.Is(err, mail.ErrInvalid) || !mail.Permanent(err) {
		t.Errorf("error = %v, want a permanent ErrInvalid", err)
	}
}

func TestPermanent(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{&textproto.Error{Code: 421, Msg: "4.3.2 shutting down"}, false},
		{&textproto.Error{Code: 451, Msg: "4.7.1 greylisted"}, false},
		{&textproto.Error{Code: 550, Msg: "5.1.1 no such user"}, true},
		{&textproto.Error{Code: 535, Msg: "5.7.8 bad credentials"}, true},
		{&mail.SendError{Step: "rcpt", Err: &textproto.Error{Code: 552, Msg: "too big"}}, true},
		{fmt.Errorf("outbox: %w", &mail.SendError{Step: "mail", Err: &textproto.Error{Code: 450}}), false},
		{fmt.Errorf("mail: %w: bad", mail.ErrInvalid), true},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, false},
		{context.DeadlineExceeded, false},
		{mail.ErrNoStartTLS, false},
	}
	for _, tt := range tests {
		if got := mail.Permanent(tt.err); got != tt.want {
			t.Errorf("Permanent(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
