// Package sms sends text messages through an HTTP SMS provider, with one
// request format (docs/sms.md): a JSON POST of the number and the text,
// with HTTP basic credentials. Most providers take such a request directly
// or through a small relay. Errors never carry the number or the text: a
// log line about a failed message names neither the patient's phone nor
// the link it held.
package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/template"
	"time"
)

// DefaultTemplate is the message's template when the practice sets none.
const DefaultTemplate = "{{.Practice}} : {{.Message}} {{.Link}}"

// Config is the provider's address, credentials and message template.
type Config struct {
	URL      string // http(s) address the JSON request is POSTed to
	User     string // basic auth user (may be empty)
	Password string // basic auth password (never logged)
	Sender   string // sender name or number passed to the provider (may be empty)
	// Template is a text/template with .Practice, .Message and .Link
	// (default DefaultTemplate).
	Template string
	Timeout  time.Duration // per request (default 10 s)
}

// Sender posts messages to the provider.
type Sender struct {
	cfg    Config
	tmpl   *template.Template
	client *http.Client
}

// ErrPermanent marks an error retrying will not cure (the provider refused
// the request: a bad number, bad credentials).
var ErrPermanent = errors.New("sms: refused by the provider")

// New checks the configuration and returns a sender.
func New(cfg Config) (*Sender, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("sms: the provider URL must be an http or https address")
	}
	if cfg.Template == "" {
		cfg.Template = DefaultTemplate
	}
	tmpl, err := template.New("sms").Option("missingkey=error").Parse(cfg.Template)
	if err != nil {
		return nil, fmt.Errorf("sms: template: %w", err)
	}
	if err := tmpl.Execute(io.Discard, Message{Practice: "P", Message: "M", Link: "L"}); err != nil {
		return nil, fmt.Errorf("sms: template: %w", err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	return &Sender{cfg: cfg, tmpl: tmpl, client: &http.Client{Timeout: cfg.Timeout}}, nil
}

// Message is what the template receives.
type Message struct {
	Practice string // the practice's name
	Message  string // the sentence of this kind of message, in the patient's language
	Link     string // the address the patient opens (may be empty)
}

// Text renders a message with the practice's template.
func (s *Sender) Text(m Message) (string, error) {
	var b strings.Builder
	if err := s.tmpl.Execute(&b, m); err != nil {
		return "", fmt.Errorf("sms: template: %w", err)
	}
	return strings.TrimSpace(b.String()), nil
}

// String describes the provider for the start-up log: its host, never the
// credentials.
func (s *Sender) String() string {
	u, _ := url.Parse(s.cfg.URL)
	user := "none"
	if s.cfg.User != "" {
		user = s.cfg.User
	}
	return u.Scheme + "://" + u.Host + " user=" + user
}

// request is the body POSTed to the provider (docs/sms.md).
type request struct {
	To     string `json:"to"`
	Text   string `json:"text"`
	Sender string `json:"sender,omitempty"`
	// Reference is ours: the provider may echo it in delivery reports.
	Reference string `json:"reference,omitempty"`
}

// Send posts one message; to is normalised to E.164 (a French national
// number gets +33). A 2xx answer is a success; 4xx other than 408 and 429
// is permanent (ErrPermanent); anything else may be retried.
func (s *Sender) Send(ctx context.Context, to, text, reference string) error {
	number, err := E164(to)
	if err != nil {
		return err
	}
	body, err := json.Marshal(request{To: number, Text: text, Sender: s.cfg.Sender, Reference: reference})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return errors.New("sms: cannot build the request")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if s.cfg.User != "" || s.cfg.Password != "" {
		req.SetBasicAuth(s.cfg.User, s.cfg.Password)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		// The url.Error names the provider's address, not the number.
		return fmt.Errorf("sms: provider unreachable: %w", unwrapURL(err))
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests:
		return fmt.Errorf("%w: HTTP %d", ErrPermanent, resp.StatusCode)
	default:
		return fmt.Errorf("sms: provider answered HTTP %d", resp.StatusCode)
	}
}

// unwrapURL keeps the cause of a transport error without the request's URL
// (which holds no number either, but may hold a token in its query).
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Permanent tells whether retrying err is useless.
func Permanent(err error) bool { return errors.Is(err, ErrPermanent) }

// ErrNumber is returned for a number that cannot be written in E.164.
var ErrNumber = fmt.Errorf("%w: not a mobile phone number", ErrPermanent)

// E164 writes a phone number as +<country><number>: "06 12 34 56 78" and
// "+33 6 12 34 56 78" give "+33612345678"; "0033…" is read as "+33…".
func E164(s string) (string, error) {
	s = strings.TrimSpace(s)
	var digits strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')' || (r == '+' && digits.Len() == 0):
		default:
			return "", ErrNumber
		}
	}
	d := digits.String()
	switch {
	case strings.HasPrefix(s, "+"):
	case strings.HasPrefix(d, "00"):
		d = d[2:]
	case len(d) == 10 && d[0] == '0':
		d = "33" + d[1:]
	default:
		return "", ErrNumber
	}
	if len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return "", ErrNumber
	}
	return "+" + d, nil
}
