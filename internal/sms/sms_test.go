package sms_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"repere/internal/sms"
	"repere/internal/sms/smstest"
)

func TestSendToProvider(t *testing.T) {
	p := smstest.Start(t, "repere", "s3cret-sms")
	s, err := sms.New(sms.Config{URL: p.URL, User: "repere", Password: "s3cret-sms", Sender: "CABINET"})
	if err != nil {
		t.Fatal(err)
	}
	text, err := s.Text(sms.Message{Practice: "Centre du Parc", Message: "votre questionnaire :", Link: "https://x.example/q/abc"})
	if err != nil || text != "Centre du Parc : votre questionnaire : https://x.example/q/abc" {
		t.Fatalf("text %q, %v", text, err)
	}
	if err := s.Send(context.Background(), "06 12 34 56 78", text, "outbox-1"); err != nil {
		t.Fatal(err)
	}
	got := p.Received()
	if len(got) != 1 || got[0].To != "+33612345678" || got[0].Text != text || got[0].Sender != "CABINET" || got[0].Reference != "outbox-1" || got[0].ContentType != "application/json" {
		t.Fatalf("received %+v", got)
	}

	// A server error may be retried; a refusal may not; neither names the number.
	p.FailNext(503, 400)
	err = s.Send(context.Background(), "+33 6 12 34 56 78", text, "")
	if err == nil || sms.Permanent(err) || strings.Contains(err.Error(), "612345678") {
		t.Errorf("503: %v", err)
	}
	err = s.Send(context.Background(), "+33 6 12 34 56 78", text, "")
	if !sms.Permanent(err) || strings.Contains(err.Error(), "612345678") || strings.Contains(err.Error(), "x.example") {
		t.Errorf("400: %v", err)
	}
	// Wrong credentials are permanent too.
	bad, _ := sms.New(sms.Config{URL: p.URL, User: "repere", Password: "wrong"})
	if err := bad.Send(context.Background(), "0612345678", "x", ""); !sms.Permanent(err) {
		t.Errorf("wrong password: %v", err)
	}
}

func TestE164(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"06 12 34 56 78", "+33612345678"},
		{"06.12.34.56.78", "+33612345678"},
		{"+33 6 12 34 56 78", "+33612345678"},
		{"0033612345678", "+33612345678"},
		{"+32 470 12 34 56", "+32470123456"},
		{"612345678", ""},
		{"06 12 34 56 7x", ""},
		{"", ""},
	} {
		got, err := sms.E164(c.in)
		if got != c.want || (c.want == "") != errors.Is(err, sms.ErrNumber) {
			t.Errorf("E164(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestConfigChecked(t *testing.T) {
	for _, c := range []sms.Config{{URL: "ftp://x"}, {URL: ""}, {URL: "https://x", Template: "{{.Nope}}"}, {URL: "https://x", Template: "{{"}} {
		if _, err := sms.New(c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}
