package mail

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"slices"
	"strings"
	"time"
)

// Sender delivers messages to one SMTP server, one connection per message:
// a practice sends a few dozen mails a day, so pooling would buy nothing.
type Sender struct {
	config Config
}

// NewSender checks c and returns a Sender, or ErrNotConfigured.
func NewSender(c Config) (*Sender, error) {
	if !c.Configured() {
		return nil, ErrNotConfigured
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &Sender{config: c}, nil
}

// SendError says at which step of the SMTP dialogue a delivery failed, so
// the outbox can show "refused by the server at RCPT" rather than a bare code.
type SendError struct {
	// Step is one of "message", "connect", "hello", "starttls", "auth",
	// "mail", "rcpt", "data".
	Step string
	Err  error
}

func (e *SendError) Error() string { return "mail: smtp " + e.Step + ": " + e.Err.Error() }
func (e *SendError) Unwrap() error { return e.Err }

// Send makes one delivery attempt of m. It ends at the earlier of ctx's
// deadline and the configured timeout. Use Permanent on the error to decide
// whether to try again.
func (s *Sender) Send(ctx context.Context, m Message) error {
	if m.From.Address == "" {
		m.From = s.config.From
	}
	data, err := m.Bytes()
	if err != nil {
		return &SendError{Step: "message", Err: err}
	}
	return s.redact(s.deliver(ctx, m.From.Address, m.To.Address, data))
}

func (s *Sender) deliver(ctx context.Context, from, to string, data []byte) (err error) {
	c := s.config
	deadline := time.Now().Add(c.timeout())
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	defer func() {
		// The connection deadline may fire a hair before ctx's timer: say
		// "deadline exceeded" either way, so callers can errors.Is it.
		switch {
		case err == nil:
		case ctx.Err() != nil:
			err = fmt.Errorf("%w (%w)", err, ctx.Err())
		case !time.Now().Before(deadline):
			err = fmt.Errorf("%w (%w)", err, context.DeadlineExceeded)
		}
	}()

	conn, err := s.dial(ctx)
	if err != nil {
		return &SendError{Step: "connect", Err: err}
	}
	// Every read and write stops at the deadline, and at once on cancel.
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	client, err := smtp.NewClient(conn, c.Host)
	if err != nil {
		conn.Close()
		return &SendError{Step: "connect", Err: err}
	}
	defer client.Close()
	if err := client.Hello(c.helo()); err != nil {
		return &SendError{Step: "hello", Err: err}
	}
	if c.security() == StartTLS {
		if ok, _ := client.Extension("STARTTLS"); !ok {
			return &SendError{Step: "starttls", Err: ErrNoStartTLS}
		}
		if err := client.StartTLS(s.tlsConfig()); err != nil {
			return &SendError{Step: "starttls", Err: err}
		}
	}
	if c.Username != "" {
		if ok, _ := client.Extension("AUTH"); !ok {
			return &SendError{Step: "auth", Err: errors.New("the server offers no authentication")}
		}
		if err := client.Auth(plainAuth{c.Username, c.Password, isLoopback(c.Host)}); err != nil {
			return &SendError{Step: "auth", Err: err}
		}
	}
	if err := client.Mail(from); err != nil {
		return &SendError{Step: "mail", Err: err}
	}
	if err := client.Rcpt(to); err != nil {
		return &SendError{Step: "rcpt", Err: err}
	}
	w, err := client.Data()
	if err != nil {
		return &SendError{Step: "data", Err: err}
	}
	if _, err := w.Write(data); err != nil {
		return &SendError{Step: "data", Err: err}
	}
	if err := w.Close(); err != nil {
		return &SendError{Step: "data", Err: err}
	}
	// The server has taken the message: a failed QUIT changes nothing.
	client.Quit()
	return nil
}

// ErrNoStartTLS is returned when Security is StartTLS and the server does not
// offer it: sending anyway would expose patients' documents.
var ErrNoStartTLS = errors.New("the server does not offer STARTTLS")

func (s *Sender) dial(ctx context.Context) (net.Conn, error) {
	dialer := &net.Dialer{}
	if s.config.security() == ImplicitTLS {
		tlsDialer := &tls.Dialer{NetDialer: dialer, Config: s.tlsConfig()}
		return tlsDialer.DialContext(ctx, "tcp", s.config.addr())
	}
	return dialer.DialContext(ctx, "tcp", s.config.addr())
}

func (s *Sender) tlsConfig() *tls.Config {
	return &tls.Config{
		ServerName: s.config.Host,
		RootCAs:    s.config.RootCAs,
		MinVersion: tls.VersionTLS12,
	}
}

// plainAuth is AUTH PLAIN (RFC 4616). net/smtp's wants its host repeated
// and knows loopback only as three spellings; ours follows Config: over TLS,
// or to a loopback host, and only if the server offers PLAIN.
type plainAuth struct {
	username, password string
	loopback           bool
}

func (a plainAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS && !a.loopback {
		return "", nil, errors.New("refusing to send credentials over an unencrypted connection")
	}
	if !slices.ContainsFunc(server.Auth, func(m string) bool { return strings.EqualFold(m, "PLAIN") }) {
		return "", nil, fmt.Errorf("the server does not offer AUTH PLAIN (offers %s)", strings.Join(server.Auth, " "))
	}
	return "PLAIN", []byte("\x00" + a.username + "\x00" + a.password), nil
}

func (a plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("unexpected AUTH PLAIN challenge")
	}
	return nil, nil
}

// redact removes the password, bare or as the AUTH PLAIN blob, from an error
// a server might have echoed it into, keeping the SMTP code for Permanent.
func (s *Sender) redact(err error) error {
	if err == nil || s.config.Password == "" {
		return err
	}
	secrets := []string{
		s.config.Password,
		base64.StdEncoding.EncodeToString([]byte(s.config.Password)),
		base64.StdEncoding.EncodeToString([]byte("\x00" + s.config.Username + "\x00" + s.config.Password)),
	}
	msg := err.Error()
	if !slices.ContainsFunc(secrets, func(secret string) bool { return strings.Contains(msg, secret) }) {
		return err
	}
	for _, secret := range secrets {
		msg = strings.ReplaceAll(msg, secret, "***")
	}
	var reply *textproto.Error
	if errors.As(err, &reply) {
		return &redactedError{msg: msg, reply: &textproto.Error{Code: reply.Code, Msg: "***"}}
	}
	return &redactedError{msg: msg}
}

// redactedError carries a cleaned message and only the SMTP code of the
// original, which may hold the secret.
type redactedError struct {
	msg   string
	reply *textproto.Error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error {
	if e.reply == nil {
		return nil
	}
	return e.reply
}

// Permanent reports whether err means the message will never be accepted as
// it stands, so the outbox marks it failed instead of retrying: a 5xx SMTP
// reply (unknown recipient, message refused, authentication rejected) or an
// invalid message or address. Network errors, timeouts and 4xx replies are
// temporary.
//
// A 5xx at the "auth" or "starttls" step is a configuration problem that
// will fail every message alike; SendError.Step lets the caller tell.
func Permanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrInvalid) {
		return true
	}
	var reply *textproto.Error
	if errors.As(err, &reply) {
		return reply.Code >= 500 && reply.Code <= 599
	}
	return false
}
